"""Stage 1: business definitions, friendly names and the BUCP field facts from the dictionary.

The database comment is harvested as the field description; the dictionary fills gaps. A comment
and a dictionary definition that disagree are reported and both kept (the dictionary's text goes
to `cdw.field.dictionaryDefinition`), never silently resolved.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from datahub.emitter.mcp import MetadataChangeProposalWrapper

from cdw_datahub.transformers.record import DatasetRecord, column_name
from cdw_datahub.transformers.run import DescribeRun

logger = logging.getLogger(__name__)

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
                if not schema_field.description:
                    schema_field.description = fact.definition
                elif not same_text(schema_field.description, fact.definition):
                    logger.warning(
                        "%s.%s: the database comment and the field dictionary disagree; "
                        "kept the comment, the dictionary's text is in "
                        "cdw.field.dictionaryDefinition",
                        dataset.table,
                        column,
                    )
                    values["cdw.field.dictionaryDefinition"] = fact.definition
            for attribute, name in FIELD_FACTS.items():
                value = getattr(fact, attribute)
                if value:
                    values[name] = str(value)
            if fact.required is not None:
                values["cdw.field.required"] = "true" if fact.required else "false"
            if values:
                dataset.add_field_values(schema_field, values)
        return ()
