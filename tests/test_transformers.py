"""The describe transformers on hand-built records: shared Avro objects never leak."""

from __future__ import annotations

from pathlib import Path

from datahub.ingestion.api.common import PipelineContext
from datahub.ingestion.transformer.transform_registry import transform_registry
from datahub.metadata.schema_classes import (
    GlobalTagsClass,
    OtherSchemaClass,
    SchemaFieldClass,
    SchemaFieldDataTypeClass,
    SchemaMetadataClass,
    StringTypeClass,
    TagAssociationClass,
)

from cdw_datahub.transformers.describe import CdwDescribeTransformer
from cdw_datahub.transformers.record import DatasetRecord

REPO = Path(__file__).resolve().parents[1]
CONFIG = {"glossary_dir": str(REPO / "glossary"), "policies_dir": str(REPO / "policies")}
SOURCE_TAG = "urn:li:tag:from-the-source"


def _record(table: str, *columns: str, tagged: str | None = None) -> DatasetRecord:
    fields = [
        SchemaFieldClass(
            fieldPath=c,
            type=SchemaFieldDataTypeClass(type=StringTypeClass()),
            nativeDataType="VARCHAR(80)",
            globalTags=GlobalTagsClass(tags=[TagAssociationClass(tag=SOURCE_TAG)])
            if c == tagged
            else None,
        )
        for c in columns
    ]
    schema = SchemaMetadataClass(
        schemaName=table,
        platform="urn:li:dataPlatform:sqlite",
        version=0,
        hash="",
        platformSchema=OtherSchemaClass(rawSchema=""),
        fields=fields,
    )
    urn = f"urn:li:dataset:(urn:li:dataPlatform:sqlite,main.{table},PROD)"
    return DatasetRecord(urn, schema, None)


def _tags(record: DatasetRecord, column: str) -> list[str]:
    field = next(f for f in record.schema.fields if f.fieldPath == column)
    return [t.tag for t in field.globalTags.tags] if field.globalTags else []


def test_fields_with_one_decision_share_tags_but_keep_their_own() -> None:
    describe = CdwDescribeTransformer.create(CONFIG, PipelineContext(run_id="t"))
    person = _record("person", "email", "home_email", tagged="home_email")
    contact = _record("contact", "email")
    for record in (person, contact):
        list(describe.describe(record))

    level, category = "urn:li:tag:cdw.level.personal", "urn:li:tag:cdw.category.direct_identifier"
    assert _tags(person, "email") == [level, category]
    assert _tags(person, "home_email") == [SOURCE_TAG, level, category]
    # The shared aspect of the decision was not touched by the field that had a tag of its own.
    assert _tags(contact, "email") == [level, category]

    # Classifying again (a re-run on the same record) replaces, never appends.
    list(describe.describe(person))
    assert _tags(person, "home_email") == [SOURCE_TAG, level, category]
    assert _tags(contact, "email") == [level, category]


def test_rollup_shares_dataset_aspects_per_decision() -> None:
    describe = CdwDescribeTransformer.create(CONFIG, PipelineContext(run_id="t"))
    aspects = []
    for table in ("person", "contact"):
        record = _record(table, "email")
        mcps = list(describe.describe(record))
        aspects.append({m.aspectName: m.aspect for m in mcps if m.entityUrn == record.urn})
    first, second = aspects
    assert first["globalTags"] is second["globalTags"]  # same level and categories: one object
    assert [t.tag for t in first["globalTags"].tags] == [
        "urn:li:tag:cdw.level.personal",
        "urn:li:tag:cdw.category.direct_identifier",
    ]
    assert first["structuredProperties"] is not second["structuredProperties"]


def test_dictionary_columns_are_found_ignoring_case() -> None:
    # Oracle and Snowflake report unquoted names in upper case: the dictionary still applies.
    config = {**CONFIG, "program": "w2w"}
    record = _record("PARTICIPANT", "PARTICIPANT_ID")
    transformer = transform_registry.get("cdw_describe").create(config, PipelineContext(run_id="t"))
    list(transformer.describe(record))
    field = record.schema.fields[0]
    assert field.label == "Participant Identifier"
    assert field.description and field.description.startswith("Number the system assigns")
    assert field.glossaryTerms is not None
    assert [t.urn for t in field.glossaryTerms.terms] == ["urn:li:glossaryTerm:cdw.w2w.participant"]
