"""The BUCP package as typed data: one `FieldRow` per field, the `Summary`, the `ExportDocument`.

A row and the summary are the objects of the JSON format, key for key and in its order
(README: The CLI, `bucp export --format json`), so they are TypedDicts: what `json.dumps`
writes is what the code builds, and mypy checks every key a module reads. Nothing here reads
a catalog or a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from cdw_datahub.bucp.package import Request

# ---------------------------------------------------------------- one row per field


class RowStatute(TypedDict):
    """A statute on one field, and how it came to be there."""

    citation: str
    title: str
    url: str
    status: str  # reviewed / suggested / inherited
    rules: list[str]  # the rules that suggested it, or the steward file that records it
    inherited_from: list[str]  # upstream `table.field`s, through column lineage
    review: str | None  # "reviewed by NAME on DATE" of a reviewed statute


class FieldRow(TypedDict):
    dataset_urn: str
    dataset: str  # `<program>.<table>` (export.dataset_name)
    field: str
    field_name: str
    field_name_status: str  # defined / not yet defined
    type: str  # a BUCP type (types.BUCP_TYPES)
    native_type: str
    definition: str | None
    required: str  # yes / no
    valid_inputs: str | None
    source: str | None
    notes: str | None
    guide_for_use: str | None
    glossary_terms: list[str]
    classification: str  # the level's display name, or the unclassified label
    categories: list[str]  # category ids
    category_names: list[str]
    classification_status: str  # reviewed / suggested / inherited / unclassified
    classification_reason: str | None
    classification_review: str | None
    statutes: list[RowStatute]
    statute_status: str  # reviewed / inherited / suggested / assessed: none apply / not assessed
    statute_review: str | None
    steward: str | None


# ---------------------------------------------------------------- the summary


class SummaryDataset(TypedDict):
    dataset: str
    dataset_urn: str
    fields: int
    harvested: str | None  # the catalog's harvest date (UTC, ISO), when it records one
    program: str | None  # the program's display name, for the cover


class DatasetFields(TypedDict):
    dataset: str
    fields: list[str]


class StatuteField(TypedDict):
    field: str
    field_name: str
    status: str  # how the statute was decided on this field


class StatuteDataset(TypedDict):
    dataset: str
    fields: list[StatuteField]


class DecisionRule(TypedDict):
    id: str
    reason: str


class Decision(TypedDict):
    """One way a statute was decided ("suggested by rule X"), on how many fields."""

    status: str
    text: str
    rules: list[DecisionRule]
    fields: int


class StatuteSummary(TypedDict):
    citation: str
    title: str
    url: str
    datasets: list[StatuteDataset]
    fields: list[str]  # `dataset.field` refs
    status: str  # reviewed / suggested / inherited / partly reviewed
    decisions: list[Decision]
    strictest: str  # the strictest level of its fields


class ClassificationSummary(TypedDict):
    strictest: str
    level: str | None  # the strictest level's id; None when it is "protect as Moderate"
    fips199: str | None  # the unclassified fields' FIPS 199 level, when they decide
    controls: list[str]
    control_sources: dict[str, list[str]]  # control -> the levels that require it
    unclassified_fields: int
    by_level: dict[str, int]
    by_status: dict[str, int]
    reviews: dict[str, int]  # "reviewed by NAME on DATE" -> fields


class CategorySummary(TypedDict):
    id: str
    name: str
    fields: list[str]


class LateStatuteRisk(TypedDict):
    explanation: str
    not_assessed: list[DatasetFields]
    not_assessed_count: int
    suggested_count: int


class GlossaryEntry(TypedDict):
    """A term the exported fields use, with every glossary fact of it (bucp/glossary.py)."""

    term: str
    urn: str
    definition: str
    fields: list[str]
    group: str | None
    owners: list[str]
    source: str | None
    source_ref: str | None
    source_url: str | None
    inherits: list[str]
    contains: list[str]
    values: list[str]
    related_terms: list[str]
    domain: str | None


class Summary(TypedDict):
    datasets: list[SummaryDataset]
    field_count: int
    statutes: list[StatuteSummary]
    no_statute_applies: list[DatasetFields]
    classification: ClassificationSummary
    categories: list[CategorySummary]
    late_statute_risk: LateStatuteRisk
    unclassified_fields: list[str]
    suggested_fields: list[str]
    undefined_fields: list[str]
    glossary: list[GlossaryEntry]


# ---------------------------------------------------------------- the document the writers take


@dataclass
class ExportDocument:
    title: str
    catalog: str  # where the catalog is: a server URL, or a local catalog's kind and file name
    generated: str  # ISO date
    rows: list[FieldRow]
    summary: Summary
    request: Request | None = None  # the register's BUCP, when exported with --bucp

    @property
    def footer(self) -> str:
        """The printed page footer: which BUCP these pages belong to."""
        return f"{self.request.id} Technical Fields" if self.request else self.title
