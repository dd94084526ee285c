"""What `load_policy` hands out: small frozen records with every reference resolved to a URN.

`source` attributes are "<folder>/<file>:<line>" (e.g. "policies/reviewed.yml:12"): stable across
machines, so they can go into provenance (`cdw.rule`) and golden files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeVar

from cdw_datahub.contract import NODE, TERM, domain_urn, user_urn

TERM_PREFIX = TERM
NODE_PREFIX = NODE
STATUTE_NODE_ID = "cdw.statutes"


V = TypeVar("V")


class NameMap(dict[str, V]):
    """A dict keyed by database names (programs, tables, columns): `find` tries the exact name,
    then ignores case, because databases fold identifier case differently.

    The case-folded index is built on the first miss and rebuilt only if keys were added since:
    a pipeline asks about every column of every table, and most of them are not listed.
    """

    _folded: dict[str, V] | None = None
    _folded_size = -1

    def find(self, name: str) -> V | None:
        if name in self:
            return self[name]
        if self._folded is None or self._folded_size != len(self):
            folded: dict[str, V] = {}
            for key, value in self.items():
                folded.setdefault(key.casefold(), value)  # the first spelling wins
            self._folded, self._folded_size = folded, len(self)
        return self._folded.get(name.casefold())


def term_urn(term_id: str) -> str:
    """`cdw.w2w.stop` -> `urn:li:glossaryTerm:cdw.w2w.stop` (a URN is returned unchanged)."""
    return term_id if term_id.startswith(TERM_PREFIX) else TERM_PREFIX + term_id


@dataclass(frozen=True)
class Person:
    id: str
    name: str

    @property
    def urn(self) -> str:
        return user_urn(self.id)


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    description: str
    steward: Person
    system: str
    location: str = ""  # the dictionary file and line that define it

    @property
    def domain_urn(self) -> str:
        return domain_urn(self.id)


@dataclass(frozen=True)
class Inventory:
    """Play 2 attributes; unset values are None or empty."""

    title: str | None = None
    topic: str | None = None
    update_frequency: str | None = None
    related_systems: tuple[str, ...] = ()
    related_programs: tuple[str, ...] = ()
    cross_program_use: tuple[str, ...] = ()
    lifecycle: str | None = None
    modernization_candidate: bool | None = None
    agency_initiative: tuple[str, ...] = ()
    internal_report_use: str | None = None


@dataclass(frozen=True)
class FieldEntry:
    """One column of the field dictionary; `terms` are glossary term URNs."""

    column: str
    name: str | None
    definition: str | None
    required: bool | None
    valid_inputs: str | None
    source: str | None  # BUCP "Source": how the data enters the system
    notes: str | None
    guide_for_use: str | None
    terms: tuple[str, ...]
    location: str  # "glossary/dictionary/w2w.yml:42"
    definition_location: str = ""  # the line of its `definition:` ("" when it has none)


@dataclass(frozen=True)
class DatasetEntry:
    """One table of the field dictionary; `steward` falls back to the program's."""

    program: str
    table: str
    description: str | None
    steward: Person
    terms: tuple[str, ...]
    inventory: Inventory
    fields: NameMap[FieldEntry]
    location: str
    kind: str = "table"  # table | file | api | inventory: only tables have database comments


# (owner URN, ownership type): a corpuser or corpGroup URN, and DataHub's type name
# (BUSINESS_OWNER, ...) or a custom type's urn:li:ownershipType: URN
Owner = tuple[str, str]


@dataclass(frozen=True)
class Term:
    """A glossary term with everything DataHub's stock source writes for it (same URNs)."""

    id: str
    urn: str
    name: str
    definition: str
    parent_urn: str | None  # the glossaryNode URN
    custom_properties: dict[str, str]
    links: tuple[tuple[str, str], ...]  # (label, url)
    is_statute: bool
    location: str = ""
    # who owns it: its own owners, else its group's, else the file's (DataHub's inheritance)
    owners: tuple[Owner, ...] = ()
    source: str = "INTERNAL"  # term_source: INTERNAL or EXTERNAL
    source_ref: str | None = None  # the external glossary it comes from (e.g. FIBO)
    source_url: str | None = None
    # related term URNs as DataHub links them: inherits (isA), contains (hasA), values, related
    inherits: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    domain: str | None = None  # as written: a domain URN (or a name a server resolves)


@dataclass(frozen=True)
class Statute:
    """A statute term of the `cdw.statutes` group, with its citation and official text."""

    id: str
    urn: str
    citation: str
    title: str
    url: str
    jurisdiction: str  # California | Federal
    restricts: str


@dataclass(frozen=True)
class Level:
    id: str
    name: str
    description: str
    controls: tuple[str, ...]
    rank: int  # 0 = least restrictive


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str
    level: str  # level id


@dataclass(frozen=True)
class Unclassified:
    label: str
    fips199: str
    controls: tuple[str, ...]


@dataclass(frozen=True)
class Reviewed:
    """A reviewed classification; `source` is where it was reviewed (policies/reviewed.yml:LINE)."""

    level: str
    categories: tuple[str, ...]
    source: str
    reviewed_by: str | None = None  # None: an unsigned (hand-edited) review
    reviewed_on: str | None = None  # ISO date


@dataclass(frozen=True)
class StatuteDecision:
    """Which statutes govern a field, and why.

    - provenance "reviewed": an explicit `fields:` entry in statutes.yml; `rules` holds its
      location ("policies/statutes.yml:LINE"); an empty `statutes` means assessed, none apply.
    - provenance "suggested": the ids of the rules whose `when` matched, in file order.
    - `assessed=False`: no entry and no rule matched; nobody has looked at this field yet.
    """

    statutes: tuple[str, ...]  # statute term URNs
    provenance: Literal["reviewed", "suggested"]
    rules: tuple[str, ...] = field(default=())
    assessed: bool = True
    reviewed_by: str | None = None  # a reviewed entry's signature (None: unsigned)
    reviewed_on: str | None = None
