"""Pydantic models of the steward-owned files, exactly as docs/policy-files.md shows them.

These describe the files' shape only; cross-references (term ids, statute ids, levels, programs)
are checked by `cdw_datahub.policy.loader`, which knows every file at once.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    field_validator,
)

from cdw_datahub.policy.nist import check_control


class Strict(BaseModel):
    """The base of every policy file's model: unknown keys are typos in hand-edited files."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Strict(Strict):
    # Numbers typed where text is expected (`valid_inputs: 100`) are what the steward meant, so
    # they become text.
    model_config = ConfigDict(coerce_numbers_to_str=True)


def _as_list(value: object) -> object:
    """DataHub accepts one owners block or a list of them; we always keep a list."""
    return [value] if isinstance(value, dict) else value


def _text_list(value: object) -> object:
    """`terms: cdw.w2w.stop` (one value) is read as a one-item list."""
    return [value] if isinstance(value, str) else value


TextList = Annotated[list[str], BeforeValidator(_text_list)]

# ---------------------------------------------------------------- glossary/*.yml (the glossary)


class _DataHubGlossary(_Strict):
    # The stock source reads these files with its own models: a number where it wants text is
    # refused there (only custom property values and the version are read as text), so here too.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=False)


class GlossaryOwners(_DataHubGlossary):
    type: str | None = Field(None, description="Ownership type, e.g. DEVELOPER, DATA_STEWARD.")
    typeUrn: str | None = Field(None, description="A custom ownership type URN.")  # noqa: N815
    users: list[str] | None = Field(None, description="User ids (corpuser).")
    groups: list[str] | None = Field(None, description="Group ids (corpGroup).")


OwnersField = Annotated[list[GlossaryOwners] | None, BeforeValidator(_as_list)]


class KnowledgeLink(_DataHubGlossary):
    # DataHub drops a link without label or url (the loader warns about it).
    label: str | None = Field(None, description="What the link is, shown in DataHub.")
    url: str | None = Field(None, description="Where it points (for statutes: the official text).")


# DataHub stores a custom property of any scalar type as its text (`str(value)`: True -> "True").
PropertyValue = Annotated[str, BeforeValidator(lambda v: v if isinstance(v, str) else str(v))]


class GlossaryTermModel(_DataHubGlossary):
    id: str | None = Field(
        None,
        description="Explicit id (or a full urn:li:glossaryTerm: URN); the URN is "
        "urn:li:glossaryTerm:<id>. Without one, DataHub derives the id from the name path "
        "(Group.Term), so renaming a term or its group changes its URN: give ids to terms "
        "others reference.",
    )
    name: str = Field(description="Display name.")
    description: str = Field(description="The definition.")
    term_source: str | None = Field(None, description="INTERNAL or EXTERNAL.")
    source_ref: str | None = Field(None, description="Name of the external source.")
    source_url: str | None = Field(None, description="URL of the external source.")
    owners: OwnersField = Field(None, description="Owners of this term.")
    inherits: list[str] | None = Field(None, description="IsA relationships (term paths).")
    contains: list[str] | None = Field(None, description="HasA relationships (term paths).")
    values: list[str] | None = Field(None, description="Allowed values (term paths).")
    related_terms: list[str] | None = Field(None, description="Related terms (term paths).")
    custom_properties: dict[str, PropertyValue] | None = Field(
        None,
        description="Free key/value properties; statutes use citation, jurisdiction, restricts.",
    )
    knowledge_links: list[KnowledgeLink] | None = Field(None, description="Links to documents.")
    domain: str | None = Field(None, description="Domain URN or name (a name needs a server).")


class GlossaryNodeModel(_DataHubGlossary):
    id: str | None = Field(
        None,
        description="Explicit id (or a full URN); without one, derived from the name path.",
    )
    name: str = Field(description="Display name.")
    description: str = Field(description="What the group holds.")
    owners: OwnersField = Field(None, description="Owners of this group.")
    terms: list[GlossaryTermModel] | None = Field(None, description="Terms in this group.")
    nodes: list[GlossaryNodeModel] | None = Field(None, description="Nested groups.")
    knowledge_links: list[KnowledgeLink] | None = Field(None, description="Links to documents.")
    custom_properties: dict[str, PropertyValue] | None = Field(None, description="Free properties.")


class GlossaryFile(_DataHubGlossary):
    """The DataHub business-glossary YAML (what the stock source accepts, nothing more)."""

    version: str = Field(description='Must be "1".')
    source: str | None = Field(None, description="Default term source name.")
    owners: OwnersField = Field(description="Default owners (DataHub requires them).")
    url: str | None = Field(None, description="Default source URL.")
    source_type: str | None = Field(None, description="Default term source type (INTERNAL).")
    nodes: list[GlossaryNodeModel] | None = Field(None, description="Term groups.")
    terms: list[GlossaryTermModel] | None = Field(None, description="Top-level terms.")

    @field_validator("version", mode="before")
    @classmethod
    def _version_1(cls, value: object) -> object:
        if str(value) != "1":
            raise ValueError('only version "1" is supported by DataHub; write version: "1"')
        return str(value)

    @field_validator("owners", mode="after")
    @classmethod
    def _owners_required(cls, value: list[GlossaryOwners] | None) -> list[GlossaryOwners]:
        if not value:
            raise ValueError("DataHub requires default owners, e.g. owners: {users: [steward]}")
        return value


# ---------------------------------------------------------------- glossary/dictionary/<id>.yml


class PersonModel(_Strict):
    id: str = Field(description="User id, becomes urn:li:corpuser:<id>.")
    name: str = Field(description="Display name.")


class ProgramModel(_Strict):
    id: str = Field(description="Program id: w2w, healthy-habits, your-environment.")
    name: str = Field(description="Display name, e.g. Walk2Work.")
    description: str = Field(description="What the program does.")
    steward: PersonModel = Field(description="Program point of contact; default dataset steward.")
    system: str = Field(description="The program's IT system.")

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
            raise ValueError(f"program id '{value}' must be lower-case words joined by '-'")
        return value


Lifecycle = Literal["active", "deprecate-candidate", "archive-candidate", "purge-candidate"]
ReportUse = Literal["high", "medium", "low", "none"]


class InventoryModel(_Strict):
    title: str | None = Field(None, description="Human title of the dataset.")
    topic: str | None = Field(None, description="Topic, e.g. Physical activity.")
    update_frequency: str | None = Field(None, description="e.g. daily, weekly, monthly.")
    related_systems: TextList = Field(default_factory=list, description="Related IT systems.")
    related_programs: TextList = Field(default_factory=list, description="Related program ids.")
    cross_program_use: TextList = Field(
        default_factory=list, description="Program ids that use this dataset."
    )
    lifecycle: Lifecycle | None = Field(None, description="Lifecycle review status.")
    modernization_candidate: bool | None = Field(
        None, description="Whether its system is a modernization candidate."
    )
    agency_initiative: TextList = Field(
        default_factory=list, description="Agency-level initiatives it supports."
    )
    internal_report_use: ReportUse | None = Field(None, description="Use in internal reports.")


class FieldModel(_Strict):
    name: str | None = Field(None, description="Friendly name: human readable, singular.")
    definition: str | None = Field(None, description="Business definition (BUCP Definition).")
    required: bool | None = Field(None, description="Overrides the column's nullability.")
    valid_inputs: str | None = Field(None, description="Allowed values or ranges.")
    source: str | None = Field(None, description="How the data enters the system.")
    notes: str | None = Field(None, description="Known quality issues.")
    guide_for_use: str | None = Field(None, description="How to use the field correctly.")
    terms: TextList = Field(default_factory=list, description="Glossary term ids.")


class DatasetModel(_Strict):
    description: str | None = Field(None, description="Fills the table description if empty.")
    steward: PersonModel | None = Field(None, description="Dataset steward (default: program's).")
    terms: TextList = Field(default_factory=list, description="Glossary term ids.")
    inventory: InventoryModel | None = Field(None, description="Play 2 inventory attributes.")
    kind: Literal["table", "file", "api", "inventory"] = Field(
        "table",
        description="What the dataset is: a database table (the default), a file extract, an "
        "API endpoint or an inventory/ dataset; only tables get `ddl comments` statements.",
    )
    fields: dict[str, FieldModel | None] = Field(
        default_factory=dict, description="Columns by their exact database name."
    )


class DictionaryFile(_Strict):
    program: ProgramModel = Field(description="The program this file describes.")
    datasets: dict[str, DatasetModel | None] = Field(
        default_factory=dict, description="Tables by name, without database or schema."
    )


# ---------------------------------------------------------------- policies/classification.yml

# Checked per item, so an error names the exact list position.
ControlId = Annotated[str, AfterValidator(check_control)]


class LevelModel(_Strict):
    id: str = Field(description="Level id, used in tags urn:li:tag:cdw.level.<id>.")
    name: str = Field(description="Display name, e.g. Personal.")
    description: str = Field(description="What data belongs at this level.")
    controls: list[ControlId] = Field(
        default_factory=list, description="NIST SP 800-53r5 control ids."
    )


class CategoryModel(_Strict):
    id: str = Field(description="Category id, used in tags urn:li:tag:cdw.category.<id>.")
    name: str = Field(description="Display name.")
    description: str = Field(description="What fields belong to it.")
    level: str = Field(description="The level a suggestion with this category implies.")


class UnclassifiedModel(_Strict):
    label: str = Field(description="How an unclassified field is shown.")
    fips199: Literal["Low", "Moderate", "High"] = Field(
        description="FIPS 199 impact level to protect unclassified data at (SAM 5305.5: Moderate)."
    )
    controls: list[ControlId] = Field(
        default_factory=list, description="NIST SP 800-53r5 control ids."
    )


class ClassificationFile(_Strict):
    levels: list[LevelModel] = Field(
        min_length=1, description="Levels ordered from least to most restrictive."
    )
    categories: list[CategoryModel] = Field(default_factory=list, description="Categories.")
    unclassified: UnclassifiedModel = Field(description="How unclassified fields are treated.")


# ---------------------------------------------------------------- policies/reviewed.yml


class _Signed(_Strict):
    # Optional, so entries typed by hand before reviews were signed stay valid ("unsigned").
    reviewed_by: str | None = Field(None, description="Who reviewed it (a person's name).")
    reviewed_on: date | None = Field(None, description="When it was reviewed (YYYY-MM-DD).")


class ReviewedModel(_Signed):
    level: str = Field(description="Reviewed level id.")
    categories: TextList = Field(default_factory=list, description="Reviewed category ids.")


class ReviewedFile(RootModel[dict[str, dict[str, dict[str, ReviewedModel]]]]):
    """program id -> table -> column -> reviewed classification."""

    model_config = ConfigDict(frozen=True)


# ---------------------------------------------------------------- policies/statutes.yml


class WhenModel(_Strict):
    programs: TextList | None = Field(None, description="Any of these program ids.")
    tables: TextList | None = Field(None, description="Any of these table names.")
    categories: TextList | None = Field(None, description="Any of these field categories.")


class StatuteRuleModel(_Strict):
    id: str = Field(description="Rule id, recorded as the provenance of a suggestion.")
    description: str | None = Field(None, description="Why the rule exists.")
    statutes: TextList = Field(min_length=1, description="Statute term ids it suggests.")
    when: WhenModel = Field(description="All given keys must match; within a key, any value.")

    @field_validator("when")
    @classmethod
    def _not_empty(cls, value: WhenModel) -> WhenModel:
        if not value.model_fields_set:
            raise ValueError("give at least one of programs, tables, categories")
        return value


class StatuteAssessmentModel(_Signed):
    statutes: TextList = Field(description="Statute term ids ([] = assessed, none apply).")


def _assessment(value: object) -> object:
    """`column: [ids]` (unsigned) is read as `{statutes: [ids]}`."""
    return {"statutes": value} if isinstance(value, (list, str)) else value


Assessment = Annotated[StatuteAssessmentModel, BeforeValidator(_assessment)]


class StatutesFile(_Strict):
    rules: list[StatuteRuleModel] = Field(default_factory=list, description="Suggestion rules.")
    fields: dict[str, dict[str, dict[str, Assessment]]] = Field(
        default_factory=dict,
        description="Reviewed assessments: program -> table -> column -> statute ids ([] = none), "
        "or {statutes, reviewed_by, reviewed_on} when signed.",
    )
