"""The worksheet's words: what its cells show (display names) and what the files hold (ids).

    vocab = Vocabulary(policy)
    vocab.label("statutes", "cdw.statute.ca-civ-1798.24")   # "Information Practices Act - ..."
    vocab.resolve("terms", "Stop")                          # "cdw.w2w.stop"
    current_values(policy, "w2w", "stop", "duration")       # what the files say, in ids

The dropdowns offer names, so a cell may hold a name or an id; a name two terms share (the
programs each have a "Participant") is shown and must be typed as its id.
"""

from __future__ import annotations

from typing import Any

from cdw_datahub.contract import TERM
from cdw_datahub.policy import Policy

LIST_KEYS = ("terms", "categories", "statutes")
# the columns written to glossary/dictionary/<program>.yml (the rest go to policies/)
DICTIONARY_KEYS = (
    "name",
    "definition",
    "valid_inputs",
    "source",
    "notes",
    "guide_for_use",
    "terms",
)
WHAT = {"terms": "glossary term", "categories": "category", "statutes": "statute"}


def short(urn: str) -> str:
    return urn.removeprefix(TERM)


class Vocabulary:
    def __init__(self, policy: Policy):
        names = {
            "terms": {t.id: t.name for t in policy.terms.values() if not t.is_statute},
            "categories": {c.id: c.name for c in policy.categories.values()},
            "statutes": {s.id: policy.terms[s.urn].name for s in policy.statutes.values()},
        }
        self._names = names
        self.ids: dict[str, list[str]] = {k: sorted(v, key=str.casefold) for k, v in names.items()}
        self._labels: dict[str, dict[str, str]] = {}
        self._lookup: dict[str, dict[str, str | None]] = {}  # None: a name several ids share
        for key, by_id in names.items():
            counts: dict[str, int] = {}
            for name in by_id.values():
                counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
            self._labels[key] = {
                i: (n if counts[n.casefold()] == 1 and n.strip() else i) for i, n in by_id.items()
            }
            lookup: dict[str, str | None] = {
                n.casefold(): (i if counts[n.casefold()] == 1 else None) for i, n in by_id.items()
            }
            lookup.update({i.casefold(): i for i in by_id})  # an id always wins over a name
            self._lookup[key] = lookup

    def label(self, key: str, item_id: str) -> str:
        return self._labels[key].get(item_id, item_id)

    def labels(self, key: str, item_ids: list[str]) -> str:
        return ", ".join(self.label(key, i) for i in item_ids)

    def choices(self, key: str) -> list[str]:
        """What the dropdown of column `key` offers, in name order."""
        return sorted((self.label(key, i) for i in self.ids[key]), key=str.casefold)

    def resolve(self, key: str, text: str) -> str:
        """The id of a name or id typed in a cell; ValueError with the reason otherwise."""
        found = self._lookup[key].get(text.strip().casefold(), "")
        if found:
            return found
        if found is None:
            typed = text.strip().casefold()
            same = [i for i, n in self._names[key].items() if n.casefold() == typed]
            raise ValueError(
                f"{WHAT[key]} name '{text}' is shared by {', '.join(same)}; type the id"
            )
        raise ValueError(f"unknown {WHAT[key]} '{text}'; use a name or id from the list")


def current_values(policy: Policy, program: str, table: str, column: str) -> dict[str, Any]:
    """The editable values the files hold today, in ids (lists for terms, categories, statutes);
    a key is absent when the files have no value for it."""
    out: dict[str, Any] = {}
    entry = policy.field_entry(program, table, column)
    if entry is not None:
        for key in DICTIONARY_KEYS:
            value = getattr(entry, key)
            value = [short(t) for t in value] if key == "terms" else value
            if value not in (None, "", []):
                out[key] = value
    reviewed = policy.reviewed(program, table, column)
    if reviewed is not None:
        out["level"] = reviewed.level
        out["categories"] = list(reviewed.categories)
    decision = policy.statutes_for(program, table, column, [])
    if decision.provenance == "reviewed":
        out["statutes"] = [short(s) for s in decision.statutes]
    return out
