"""One dataset as it streams past the describe transformer, and the field facts its stages
collect for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    DatasetPropertiesClass,
    DatasetSnapshotClass,
    MetadataChangeEventClass,
    SchemaFieldClass,
    SchemaMetadataClass,
)

from cdw_datahub.policy import DatasetEntry


@dataclass
class DatasetRecord:
    """A dataset's schema and properties, edited in place by the stages."""

    urn: str
    schema: SchemaMetadataClass
    properties: DatasetPropertiesClass | None
    entry: DatasetEntry | None = None  # the field dictionary's entry (None without a program)
    # field path -> structured property values: every stage adds, one aspect per field at the end
    field_values: dict[str, dict[str, str]] = field(default_factory=dict)
    # the system metadata properties its records carry into a store (stamps.py)
    stamp: dict[str, str] = field(default_factory=dict)

    @cached_property
    def table(self) -> str:
        return self.urn.split(",")[1].rsplit(".", 1)[-1]

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column_name(f) for f in self.schema.fields)

    def add_field_values(self, schema_field: SchemaFieldClass, values: dict[str, str]) -> None:
        self.field_values.setdefault(schema_field.fieldPath, {}).update(values)


def column_name(schema_field: SchemaFieldClass) -> str:
    """The column a field path names (v2 paths carry [type=...] segments)."""
    path = schema_field.fieldPath
    if "." not in path:  # the common case (SQL sources): the path is the column
        return path
    parts = [p for p in path.split(".") if not p.startswith("[")]
    return parts[-1] if parts else path


def dataset_record(record: object) -> DatasetRecord | None:
    """The dataset a pipeline record carries with its schema, inside an MCE snapshot (as the SQL
    sources emit it) or as an MCP; None for any other record."""
    if isinstance(record, MetadataChangeEventClass):
        snapshot = record.proposedSnapshot
        if not isinstance(snapshot, DatasetSnapshotClass):
            return None
        schema = next((a for a in snapshot.aspects if isinstance(a, SchemaMetadataClass)), None)
        if schema is None:
            return None
        properties = next(
            (a for a in snapshot.aspects if isinstance(a, DatasetPropertiesClass)), None
        )
        return DatasetRecord(snapshot.urn, schema, properties)
    if (
        isinstance(record, MetadataChangeProposalWrapper)
        and isinstance(record.aspect, SchemaMetadataClass)
        and record.entityUrn
    ):
        return DatasetRecord(record.entityUrn, record.aspect, None)
    return None
