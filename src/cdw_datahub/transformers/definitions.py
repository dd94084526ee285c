"""Stage 1: business definitions, friendly names and the BUCP field facts from the dictionary.

Precedence: a steward's edit in the DataHub UI (editableSchemaMetadata, which ingestion never
writes) > the steward-owned dictionary > the database comment. The dictionary's definition
becomes the field description; a database comment that differs stays visible in
`cdw.field.databaseComment` and is reported as out of date, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from datahub.emitter.mcp import MetadataChangeProposalWrapper

from cdw_datahub.transformers.record import DatasetRecord, column_name
from cdw_datahub.transformers.run import DescribeRun

# dictionary attribute -> structured property
FIELD_FACTS = {
    "valid_inputs": "cdw.field.validInputs",
    "source": "cdw.field.source",
    "notes": "cdw.field.notes",
    "guide_for_use": "cdw.field.guideForUse",
}


def same_text(a: str, b: str) -> bool:
    """Equal up to case, whitespace and final punctuation."""

    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s).strip().rstrip(".").casefold()

    return norm(a) == norm(b)


class DefinitionsStage:
    def __init__(self, run: DescribeRun):
        self.run = run

    def describe(self, dataset: DatasetRecord) -> Iterable[MetadataChangeProposalWrapper]:
        """Edits the schema and collects field facts; emits nothing of its own."""
        entry = dataset.entry
        if entry is None:
            return ()
        if (
            entry.description
            and dataset.properties is not None
            and not dataset.properties.description
        ):
            dataset.properties.description = entry.description

        for schema_field in dataset.schema.fields:
            column = column_name(schema_field)
            fact = entry.fields.find(column)
            if fact is None:
                continue
            if fact.name:
                schema_field.label = fact.name
            values: dict[str, str] = {}
            if fact.definition:
                comment = schema_field.description
                schema_field.description = fact.definition
                if comment and not same_text(comment, fact.definition):
                    values["cdw.field.databaseComment"] = comment
                    self.run.finding(
                        "comment-out-of-date",
                        f"{dataset.table}.{column}: the database comment differs from the field "
                        "dictionary; the dictionary's definition is used (run `cdw-datahub ddl "
                        "comments` to update the database)",
                    )
            for attribute, name in FIELD_FACTS.items():
                value = getattr(fact, attribute)
                if value:
                    values[name] = str(value)
            if fact.required is not None:
                values["cdw.field.required"] = "true" if fact.required else "false"
            if values:
                dataset.add_field_values(schema_field, values)
        return ()
