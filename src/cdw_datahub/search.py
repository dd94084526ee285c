"""Find datasets and fields by words (play 7: a searchable catalog, offline).

A hit must contain every word of the query (case-insensitive, substring) somewhere in its name,
label, definition or glossary term names. Ranking is deliberately simple and explainable: each
word scores where it was found best (name 3 > label 2 > definition or term 1); the sum ranks,
datasets before fields on a tie.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from cdw_datahub.catalog import Catalog, DatasetView

# where a word can be found, and what finding it there is worth
WEIGHTS = {"name": 3, "label": 2, "definition": 1, "terms": 1}


@dataclass(frozen=True)
class Hit:
    kind: str  # "dataset" or "field"
    dataset: str
    dataset_urn: str
    field: str | None
    label: str | None
    definition: str | None
    score: int
    matched: tuple[str, ...]  # where the words were found: name, label, definition, terms

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["matched"] = list(self.matched)
        return out


def words_of(query: str) -> list[str]:
    return [w for w in query.lower().split() if w]


def score(words: Sequence[str], texts: dict[str, str]) -> tuple[int, tuple[str, ...]] | None:
    """(score, where) if every word is found in one of the texts, else None."""
    lowered = {k: v.lower() for k, v in texts.items() if v}
    total = 0
    where: list[str] = []
    for word in words:
        places = [k for k, text in lowered.items() if word in text]
        if not places:
            return None
        best = max(places, key=lambda k: WEIGHTS[k])
        total += WEIGHTS[best]
        where.extend(p for p in places if p not in where)
    return total, tuple(k for k in WEIGHTS if k in where)


def _dataset_hits(
    ds: DatasetView, words: Sequence[str], term_names: dict[str, str]
) -> Iterable[Hit]:
    def names(urns: Iterable[str]) -> str:
        return " | ".join(term_names.get(u, u.rsplit(":", 1)[-1]) for u in urns)

    found = score(
        words,
        {
            "name": ds.name,
            "label": ds.prop("cdw.dataset.title") or "",
            "definition": ds.description or "",
            "terms": names(t.urn for t in ds.terms),
        },
    )
    if found:
        yield Hit("dataset", ds.name, ds.urn, None, ds.prop("cdw.dataset.title"),
                  ds.description, *found)  # fmt: skip
    for fv in ds.fields:
        found = score(
            words,
            {
                "name": f"{ds.table}.{fv.path}",
                "label": fv.label or "",
                "definition": fv.description or "",
                "terms": names(t.urn for t in fv.terms),
            },
        )
        if found:
            yield Hit("field", ds.name, ds.urn, fv.path, fv.label, fv.description, *found)


def search(catalog: Catalog, query: str) -> list[Hit]:
    words = words_of(query)
    if not words:
        return []
    term_names = {urn: term.name for urn, term in catalog.terms().items()}
    hits = [h for ds in catalog.datasets() for h in _dataset_hits(ds, words, term_names)]
    hits.sort(key=lambda h: (-h.score, h.kind != "dataset", h.dataset, h.field or ""))
    return hits
