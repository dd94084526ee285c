"""The structured properties cdw-datahub writes, as data (docs/catalog-model.md).

Each entry: qualified name -> (display name, description, entity type, cardinality, value type).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    MetadataAttributionClass,
    PropertyCardinalityClass,
    StructuredPropertiesClass,
    StructuredPropertyDefinitionClass,
    StructuredPropertyValueAssignmentClass,
)

from cdw_datahub.contract import STRUCTURED_PROPERTY

FIELD = "schemaField"
DATASET = "dataset"


@dataclass(frozen=True)
class PropertySpec:
    display_name: str
    description: str
    entity: str
    multiple: bool = False
    number: bool = False


PROPERTIES: dict[str, PropertySpec] = {
    "cdw.field.validInputs": PropertySpec(
        "Valid inputs", "Allowed values or ranges (BUCP template).", FIELD
    ),
    "cdw.field.source": PropertySpec("Source", "How the data enters the system.", FIELD),
    "cdw.field.notes": PropertySpec("Notes", "Known quality issues.", FIELD),
    "cdw.field.guideForUse": PropertySpec("Guide for use", "How to read the field.", FIELD),
    "cdw.field.required": PropertySpec(
        "Required", "true when the business requires a value, per the field dictionary.", FIELD
    ),
    "cdw.field.databaseComment": PropertySpec(
        "Database comment (out of date)",
        "The column comment in the database, kept when it differs from the field dictionary's "
        "definition (which wins): `cdw-datahub ddl comments` writes the statements that bring "
        "the database in line.",
        FIELD,
    ),
    "cdw.field.inheritedFrom": PropertySpec(
        "Definition inherited from",
        "The upstream column (schemaField URN) whose definition this column copies, through "
        "DataHub's column-level lineage.",
        FIELD,
    ),
    "cdw.field.statuteAssessment": PropertySpec(
        "Statute assessment",
        "none-apply: legal reviewed the field and no statute restricts it.",
        FIELD,
    ),
    "cdw.field.statuteReviewedBy": PropertySpec(
        "Statute assessment reviewed by",
        "Who signed the none-apply assessment (policies/statutes.yml reviewed_by).",
        FIELD,
    ),
    "cdw.field.statuteReviewedOn": PropertySpec(
        "Statute assessment reviewed on",
        "When the none-apply assessment was signed (YYYY-MM-DD).",
        FIELD,
    ),
    "cdw.dataset.title": PropertySpec("Title", "Human title of the dataset.", DATASET),
    "cdw.dataset.program": PropertySpec("Program", "Program id that owns the dataset.", DATASET),
    "cdw.dataset.topic": PropertySpec("Topic", "Subject area.", DATASET),
    "cdw.dataset.updateFrequency": PropertySpec(
        "Update frequency", "How often it changes.", DATASET
    ),
    "cdw.dataset.relatedSystems": PropertySpec(
        "Related IT systems", "Systems that hold or feed it.", DATASET, multiple=True
    ),
    "cdw.dataset.platform": PropertySpec("Database platform", "Where it is stored.", DATASET),
    "cdw.dataset.relatedPrograms": PropertySpec(
        "Related programs", "Programs it relates to.", DATASET, multiple=True
    ),
    "cdw.dataset.lifecycle": PropertySpec(
        "Lifecycle status",
        "active, deprecate-candidate, archive-candidate or purge-candidate.",
        DATASET,
    ),
    "cdw.dataset.modernizationCandidate": PropertySpec(
        "Modernization candidate", "true when its system is up for modernization.", DATASET
    ),
    "cdw.dataset.agencyInitiative": PropertySpec(
        "Agency initiatives", "Agency-level initiatives it supports.", DATASET, multiple=True
    ),
    "cdw.dataset.internalReportUse": PropertySpec(
        "Internal report use", "high, medium, low or none.", DATASET
    ),
    "cdw.dataset.crossProgramUse": PropertySpec(
        "Cross-program use", "Programs of the department that use it.", DATASET, multiple=True
    ),
    "cdw.dataset.classification": PropertySpec(
        "Classification", "Strictest field level, or unclassified.", DATASET
    ),
    "cdw.dataset.categories": PropertySpec(
        "Categories", "Union of its fields' categories.", DATASET, multiple=True
    ),
    "cdw.dataset.priorityScore": PropertySpec(
        "Priority score", "Weighted rubric score (cdw-datahub priority).", DATASET, number=True
    ),
    "cdw.dataset.priorityRank": PropertySpec(
        "Priority rank", "1 = describe first (cdw-datahub priority).", DATASET, number=True
    ),
}


def property_urn(name: str) -> str:
    return STRUCTURED_PROPERTY + name


def definition_mcp(name: str) -> MetadataChangeProposalWrapper:
    spec = PROPERTIES[name]
    return MetadataChangeProposalWrapper(
        entityUrn=property_urn(name),
        aspect=StructuredPropertyDefinitionClass(
            qualifiedName=name,
            displayName=spec.display_name,
            description=spec.description,
            valueType="urn:li:dataType:datahub.number"
            if spec.number
            else "urn:li:dataType:datahub.string",
            entityTypes=[f"urn:li:entityType:datahub.{spec.entity}"],
            cardinality=PropertyCardinalityClass.MULTIPLE
            if spec.multiple
            else PropertyCardinalityClass.SINGLE,
        ),
    )


def definition_mcps(name: str) -> list[MetadataChangeProposalWrapper]:
    return [definition_mcp(name)]


def assignment_mcp(
    entity_urn: str,
    values: dict[str, str | float | list[str]],
    attribution: MetadataAttributionClass | None = None,
) -> MetadataChangeProposalWrapper:
    """One structuredProperties aspect with the given assignments (written whole, or turned into
    a PATCH that touches only assignments with this attribution's source)."""
    assignments = []
    for name in sorted(values):
        raw = values[name]
        items: list[str | float] = list(raw) if isinstance(raw, list) else [raw]
        if not items:
            continue
        if PROPERTIES[name].number:
            items = [float(v) for v in items]
        assignments.append(
            StructuredPropertyValueAssignmentClass(
                propertyUrn=property_urn(name), values=items, attribution=attribution
            )
        )
    return MetadataChangeProposalWrapper(
        entityUrn=entity_urn, aspect=StructuredPropertiesClass(properties=assignments)
    )


def upsert_definitions(graph: Any) -> None:
    """Every definition above, stored synchronously through `graph` (one request) before any
    assignment is sent: GMS refuses an assignment whose definition is not stored yet, and the
    rest sink's async modes may deliver an assignment before the definition that precedes it in
    the stream. Definitions are idempotent UPSERTs, so doing this every run costs one request."""
    from datahub.emitter.emit_mode import EmitMode

    graph.emit_mcps([definition_mcp(name) for name in PROPERTIES], emit_mode=EmitMode.SYNC_PRIMARY)
