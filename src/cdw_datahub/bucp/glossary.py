"""The glossary sent with a BUCP: every fact of each term, as people read it.

A term's facts come from the catalog first, as the rest of the export's reference facts do
(`export.load_facts`): the stock glossary source wrote them there (owners, term source and
reference, related terms, domain), and a steward may have edited them in the DataHub UI since.
The glossary files fill what the catalog lacks (a file-sink catalog without the glossary, or a
term the catalog has not seen). Names are resolved here, once: people by display name, related
terms by name, a domain by its name or program.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cdw_datahub.bucp.model import GlossaryEntry
from cdw_datahub.contract import ANY_DOMAIN, GROUP, OWNERSHIP_TYPE, TERM, USER, program_of_domain

# The glossary facts each summary entry carries besides term, definition and fields (the JSON
# keys of `summary.glossary[]`), with the label the sheet and the text use.
DETAIL_LABELS = (
    ("group", "Group"),
    ("owners", "Owners"),
    ("source", "Source"),
    ("inherits", "Inherits (is a)"),
    ("contains", "Contains (has a)"),
    ("values", "Values"),
    ("related_terms", "Related terms"),
    ("domain", "Domain"),
)


class _TermFacts(Protocol):
    """What a catalog TermView and a glossary-file Term both say about a term."""

    @property
    def name(self) -> str: ...
    @property
    def definition(self) -> str: ...
    @property
    def owners(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def source(self) -> str | None: ...
    @property
    def source_ref(self) -> str | None: ...
    @property
    def source_url(self) -> str | None: ...
    @property
    def inherits(self) -> tuple[str, ...]: ...
    @property
    def contains(self) -> tuple[str, ...]: ...
    @property
    def values(self) -> tuple[str, ...]: ...
    @property
    def related(self) -> tuple[str, ...]: ...
    @property
    def domain(self) -> str | None: ...


@dataclass(frozen=True)
class GlossaryTerm:
    """One term's facts, names resolved."""

    urn: str
    name: str
    definition: str
    group: str | None  # its term group's name
    owners: tuple[str, ...]  # "Samantha Lee (business owner)"
    source: str | None  # INTERNAL or EXTERNAL
    source_ref: str | None
    source_url: str | None
    inherits: tuple[str, ...]  # term names
    contains: tuple[str, ...]
    values: tuple[str, ...]
    related: tuple[str, ...]
    domain: str | None  # the domain's name

    def entry(self, fields: list[str]) -> GlossaryEntry:
        """The summary's glossary item (JSON keys are stable; see README, bucp export)."""
        return {
            "term": self.name,
            "urn": self.urn,
            "definition": self.definition,
            "fields": fields,
            "group": self.group,
            "owners": list(self.owners),
            "source": self.source,
            "source_ref": self.source_ref,
            "source_url": self.source_url,
            "inherits": list(self.inherits),
            "contains": list(self.contains),
            "values": list(self.values),
            "related_terms": list(self.related),
            "domain": self.domain,
        }


def entry(
    term: GlossaryTerm | None, urn: str, name: str, definition: str, fields: list[str]
) -> GlossaryEntry:
    """The summary item of a term used by the exported fields; a term that neither the
    catalog nor the glossary files describe has only its name (and definition)."""
    if term is None:
        term = GlossaryTerm(urn, name, definition, None, (), None, None, None, (), (), (), (),
                            None)  # fmt: skip
    return term.entry(fields)


def detail_text(entry: Mapping[str, Any], key: str, with_url: bool = True) -> str:
    """One detail of a summary item as text ("" when it has none); the source with its URL
    unless `with_url` is false (a sheet links the cell instead)."""
    if key == "source":
        kind = (entry.get("source") or "").lower()
        ref = entry.get("source_ref")
        text = f"{ref} ({kind})" if ref and kind else ref or kind
        url = entry.get("source_url") if with_url or not text else None
        return f"{text}, {url}" if text and url else text or url or ""
    value = entry.get(key)
    if isinstance(value, list):
        return "; ".join(value)
    return value or ""


def merge(
    catalog_terms: Mapping[str, _TermFacts],
    file_terms: Mapping[str, _TermFacts],
    parents: Mapping[str, str | None],
    group_names: Mapping[str, str],
    people: Mapping[str, str],
    domain_names: Mapping[str, str],
    program_names: Mapping[str, str],
) -> dict[str, GlossaryTerm]:
    """Every term of the catalog and the glossary files (URN -> facts), the catalog's facts
    first; `parents` maps a term URN to its group URN."""
    names = {urn: t.name for urn, t in file_terms.items()}
    names.update({urn: t.name for urn, t in catalog_terms.items()})

    def term_names(urns: Iterable[str]) -> tuple[str, ...]:
        return tuple(names.get(u) or u.removeprefix(TERM) for u in urns)

    def owner_text(urn: str, kind: str) -> str:
        who = people.get(urn) or urn.removeprefix(USER).removeprefix(GROUP)
        what = kind.removeprefix(OWNERSHIP_TYPE) if kind.startswith(OWNERSHIP_TYPE) else kind
        what = what.lower().replace("_", " ")
        return f"{who} ({'group, ' if urn.startswith(GROUP) else ''}{what})"

    def domain_text(domain: str | None) -> str | None:
        if not domain:
            return None
        program = program_of_domain(domain)
        return (
            domain_names.get(domain)
            or (program_names.get(program) if program else None)
            or domain.removeprefix(ANY_DOMAIN)
        )

    out: dict[str, GlossaryTerm] = {}
    for urn in [*catalog_terms, *(u for u in file_terms if u not in catalog_terms)]:
        facts = [f for f in (catalog_terms.get(urn), file_terms.get(urn)) if f is not None]
        pick = _picker(facts)
        parent = parents.get(urn)
        out[urn] = GlossaryTerm(
            urn=urn,
            name=pick("name") or urn.removeprefix(TERM),
            definition=pick("definition") or "",
            group=group_names.get(parent) if parent else None,
            owners=tuple(owner_text(*o) for o in pick("owners") or ()),
            source=pick("source"),
            source_ref=pick("source_ref"),
            source_url=pick("source_url"),
            inherits=term_names(pick("inherits") or ()),
            contains=term_names(pick("contains") or ()),
            values=term_names(pick("values") or ()),
            related=term_names(pick("related") or ()),
            domain=domain_text(pick("domain")),
        )
    return out


def _picker(facts: list[_TermFacts]) -> Any:
    """attr -> the first non-empty value among `facts` (the catalog's, then the file's)."""
    return lambda attr: next((v for f in facts if (v := getattr(f, attr))), None)
