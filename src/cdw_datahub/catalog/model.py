"""What every reader returns: datasets and fields as the CLI sees them.

The views are backend-independent; `cdw_datahub.catalog.views` builds them from raw aspects, so
each backend only has to yield aspects. Keys and URNs follow docs/catalog-model.md.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from cdw_datahub.contract import (  # noqa: F401  (re-exported for readers)
    CATEGORY_TAG,
    EVIDENCE_KEY,
    INHERITED_KEY,
    LEVEL_TAG,
    PROVENANCE_KEY,
    PROVENANCE_ORDER,
    REVIEWED_BY_KEY,
    REVIEWED_ON_KEY,
    RULE_KEY,
    STATUTE_TERM,
    program_of_domain,
    winning_level,
)


@dataclass(frozen=True)
class Association:
    """A tag or glossary term attached to a field or dataset, with where it came from."""

    urn: str
    provenance: str  # one of PROVENANCE_ORDER
    rule: str | None = None  # rule id (suggested) or steward file (reviewed)
    # upstream schemaField URNs it was inherited from through column lineage (empty: its own)
    inherited_from: tuple[str, ...] = ()
    evidence: str | None = None  # for a suggestion: the evidence its rule fired on
    reviewed_by: str | None = None  # a signed review: who and when (ISO date)
    reviewed_on: str | None = None


@dataclass
class FieldView:
    path: str  # the field path, e.g. "participant_id"
    native_type: str
    nullable: bool
    is_key: bool
    description: str | None
    description_source: str | None  # "ui" or "ingested"
    label: str | None  # friendly name
    tags: list[Association] = field(default_factory=list)
    terms: list[Association] = field(default_factory=list)
    # structured properties by qualified name, e.g. {"cdw.field.validInputs": ["1-99"]}
    properties: dict[str, list[str]] = field(default_factory=dict)

    def prop(self, name: str) -> str | None:
        values = self.properties.get(name)
        return "; ".join(values) if values else None


@dataclass
class DatasetView:
    urn: str
    name: str  # e.g. "main.participant" or "test.w2w.participant"
    platform: str
    description: str | None
    domain: str | None  # urn:li:domain:cdw.<program>
    owners: list[str] = field(default_factory=list)  # corpuser URNs
    tags: list[Association] = field(default_factory=list)
    terms: list[Association] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, description)
    properties: dict[str, list[str]] = field(default_factory=dict)  # structured properties
    custom_properties: dict[str, str] = field(default_factory=dict)
    fields: list[FieldView] = field(default_factory=list)
    subtype: str | None = None  # "Table", "View"

    @property
    def table(self) -> str:
        """The last part of the name: what the dictionary and policies key on."""
        return self.name.rsplit(".", 1)[-1]

    @property
    def program(self) -> str | None:
        program = program_of_domain(self.domain)
        if program:
            return program
        values = self.properties.get("cdw.dataset.program")
        return values[0] if values else None

    def prop(self, name: str) -> str | None:
        values = self.properties.get(name)
        return "; ".join(values) if values else None

    def matches(self, pattern: str) -> bool:
        """By URN, full name, table name, or `<program>.<table>` (the register's form), exactly
        or as a glob (`commute*`), ignoring case."""
        names = [self.urn, self.name, self.table]
        if self.program:
            names.append(f"{self.program}.{self.table}")
        return any(fnmatch.fnmatchcase(n.lower(), pattern.lower()) for n in names)


@dataclass(frozen=True)
class TermView:
    urn: str
    name: str
    definition: str
    parent: str | None  # glossaryNode URN
    custom_properties: dict[str, str]
    links: tuple[tuple[str, str], ...]  # (url, label)
    # (owner URN, ownership type: DataHub's name, or a custom type's URN)
    owners: tuple[tuple[str, str], ...] = ()
    source: str | None = None  # termSource: INTERNAL or EXTERNAL
    source_ref: str | None = None
    source_url: str | None = None
    # related term URNs (glossaryRelatedTerms): isA, hasA, values, related
    inherits: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    domain: str | None = None  # domain URN
