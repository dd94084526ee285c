"""The describe transformers on hand-built records: shared Avro objects never leak."""

from __future__ import annotations

import json
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


def _lineage(view: DatasetRecord, column: str, upstream: DatasetRecord, operation: str):  # type: ignore[no-untyped-def]
    from datahub.emitter.mce_builder import make_schema_field_urn
    from datahub.emitter.mcp import MetadataChangeProposalWrapper
    from datahub.metadata.schema_classes import (
        DatasetLineageTypeClass,
        FineGrainedLineageClass,
        UpstreamClass,
        UpstreamLineageClass,
    )

    return MetadataChangeProposalWrapper(
        entityUrn=view.urn,
        aspect=UpstreamLineageClass(
            upstreams=[UpstreamClass(dataset=upstream.urn, type=DatasetLineageTypeClass.VIEW)],
            fineGrainedLineages=[
                FineGrainedLineageClass(
                    upstreamType="FIELD_SET",
                    downstreamType="FIELD",
                    upstreams=[make_schema_field_urn(upstream.urn, column)],
                    downstreams=[make_schema_field_urn(view.urn, column)],
                    transformOperation=operation,
                )
            ],
        ),
    )


def _stream(describe: CdwDescribeTransformer, *records: object) -> list[object]:
    from datahub.ingestion.api.common import RecordEnvelope
    from datahub.metadata.schema_classes import DatasetSnapshotClass, MetadataChangeEventClass

    envelopes = []
    for r in records:
        if isinstance(r, DatasetRecord):
            snapshot = DatasetSnapshotClass(urn=r.urn, aspects=[r.schema])
            r = MetadataChangeEventClass(proposedSnapshot=snapshot)
        envelopes.append(RecordEnvelope(r, metadata={}))
    return [e.record for e in describe.transform(envelopes)]


def _inherited_schema(out: list[object], urn: str):  # type: ignore[no-untyped-def]
    from datahub.metadata.schema_classes import SchemaMetadataClass

    return [
        m.aspect
        for m in out
        if getattr(m, "entityUrn", None) == urn
        and isinstance(getattr(m, "aspect", None), SchemaMetadataClass)
    ][-1]


def test_views_inherit_through_lineage_chains_and_never_loop() -> None:
    """participant.birth_date is reviewed Personal in the sample department: a view copying it,
    and a view of that view, inherit its level, marked with the upstream field; an aggregate
    inherits the level but not the definition; a lineage edge to a field not yet described
    (a cycle, or an unknown table) inherits nothing."""
    config = {**CONFIG, "program": "w2w"}
    describe = CdwDescribeTransformer.create(config, PipelineContext(run_id="t"))
    table = _record("participant", "birth_date")
    view = _record("participant_view", "birth_date")
    view_of_view = _record("participant_view_2", "birth_date")
    aggregate = _record("birth_summary", "birth_date")
    later = _record("later_table", "birth_date")
    out = _stream(
        describe,
        table,
        view,
        _lineage(view, "birth_date", table, 'COPY: "p"."birth_date" AS "birth_date"'),
        view_of_view,
        _lineage(view_of_view, "birth_date", view, "COPY: birth_date"),
        aggregate,
        _lineage(aggregate, "birth_date", table, "SQL: MIN(birth_date)"),
        _lineage(table, "birth_date", later, "COPY: birth_date"),  # `later` not described yet
        later,
    )
    source = table.schema.fields[0]
    assert source.description and source.globalTags is not None
    level = next(t.tag for t in source.globalTags.tags if "cdw.level." in t.tag)
    for urn, upstream in ((view.urn, table.urn), (view_of_view.urn, view.urn)):
        field = _inherited_schema(out, urn).fields[0]
        assert field.description == source.description
        assert field.label == source.label
        tags = {t.tag: t.attribution.sourceDetail for t in field.globalTags.tags}
        assert tags[level]["cdw.provenance"] == "reviewed"
        assert json.loads(tags[level]["cdw.inheritedFrom"])[0].startswith(
            f"urn:li:schemaField:({upstream},"
        )
    field = _inherited_schema(out, aggregate.urn).fields[0]
    assert not field.description  # an aggregate means something else: no definition copied
    assert level in {t.tag for t in field.globalTags.tags}
    # the record already sent was never changed
    assert view.schema.fields[0].description is None
    # no schema re-emitted for the table whose lineage pointed at a field not yet described
    assert (
        sum(
            1
            for m in out
            if getattr(m, "entityUrn", None) == table.urn and m.aspectName == "schemaMetadata"
        )
        == 0
    )
