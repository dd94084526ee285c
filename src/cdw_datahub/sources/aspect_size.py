"""DataHub's aspect-size check, answered by a bound first where the answer is plainly "it fits".

Every DataHub source runs `EnsureAspectSizeProcessor`, which serializes each `schemaMetadata`
(`to_obj()`, with a full Avro validation) only to compare its JSON length with the server's
payload limit (about 16 MB), and trims the schema when it is over. For a table of 30 columns that
serialization is about 40% of everything a stock SQL source does per table (instruction counts,
README "Performance"), and the answer is always the same: it fits.

`len(repr(aspect))` bounds that JSON length without serializing: DataHub's JSON of an aspect is
at most `JSON_PER_REPR_CHAR` times its repr. Both render the same tree (the Avro object's
`__repr__` shows its class and every field, defaults included); a key, a number, `True`/`true`
or `None`/`null` take the same room in both; a union member's JSON wraps it in its type name
(`{"com.linkedin.schema.NullType": {}}`, 36 characters, against `NullTypeClass({})`, 17); and a
character of a string takes at most 12 characters in JSON (an astral character, written as two
`\\uXXXX` escapes, is one character in the repr). So when 12 x the repr is under DataHub's own
limit, DataHub's check would have found the aspect fits and changed nothing: it is skipped.
Otherwise DataHub's check runs as it is (and trims the schema if it must), so the result is
always exactly the stock one (tested on hostile text in tests/test_sources.py).
"""

from __future__ import annotations

from typing import Any

from datahub.ingestion.workunit_processors import EnsureAspectSizeProcessor
from datahub.metadata.schema_classes import SchemaMetadataClass

JSON_PER_REPR_CHAR = 12


def certainly_fits(schema: SchemaMetadataClass, limit: int) -> bool:
    """True when DataHub's JSON of `schema` is certainly shorter than `limit` characters."""
    return JSON_PER_REPR_CHAR * len(repr(schema)) < limit


class _BoundedAspectSize(EnsureAspectSizeProcessor):
    def ensure_schema_metadata_size(self, dataset_urn: str, schema: SchemaMetadataClass) -> None:
        if certainly_fits(schema, self.schema_size_constraint):
            return
        super().ensure_schema_metadata_size(dataset_urn, schema)


class BoundedAspectSizeMixin:
    """Mixed in before a DataHub `Source`: its aspect-size processor, bounded first."""

    def get_workunit_processors(self) -> list[Any]:
        processors: list[Any] = super().get_workunit_processors()  # type: ignore[misc]
        for i, process in enumerate(processors):
            stock = getattr(process, "__self__", None)
            if type(stock) is EnsureAspectSizeProcessor:
                bounded = _BoundedAspectSize(stock.ctx)
                bounded.report = stock.report  # the report DataHub registered for the source
                processors[i] = bounded.process
        return processors
