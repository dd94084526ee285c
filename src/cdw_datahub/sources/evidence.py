"""What value detectors found, carried from the source to `cdw_describe` with the dataset.

Detectors look at sampled values inside the source process and keep only detector ids (`ssn`,
`email`, ...), never a value. The ids ride on the dataset's own `schemaMetadata` object as a plain
Python attribute: it travels with the work unit through the pipeline, in the same process, and is
never serialized (Avro serialization writes only the schema's declared fields), so nothing reaches
an aspect, and no module state outlives the dataset.
"""

from __future__ import annotations

from datahub.metadata.schema_classes import SchemaMetadataClass

_ATTRIBUTE = "_cdw_value_hits"

Hits = dict[str, frozenset[str]]


def attach(schema: SchemaMetadataClass, hits_by_field: Hits) -> None:
    """Record the detector ids per field path on the schema the source is about to emit."""
    setattr(schema, _ATTRIBUTE, {f: h for f, h in hits_by_field.items() if h})


def of(schema: SchemaMetadataClass) -> Hits:
    """The detector ids per field path (empty when the source sampled nothing)."""
    hits: Hits = getattr(schema, _ATTRIBUTE, {})
    return hits
