"""The description's fingerprint: the same inputs give the same one, any input changes it."""

from __future__ import annotations

import shutil
from pathlib import Path

from datahub.metadata.schema_classes import (
    DatasetSnapshotClass,
    MetadataChangeEventClass,
    NumberTypeClass,
    OtherSchemaClass,
    SchemaFieldClass,
    SchemaFieldDataTypeClass,
    SchemaMetadataClass,
    SystemMetadataClass,
)

from cdw_datahub.sources import evidence
from cdw_datahub.transformers import stamps

REPO = Path(__file__).resolve().parents[1]
URN = "urn:li:dataset:(urn:li:dataPlatform:sqlite,t,PROD)"


def _record(column: str = "id", run_id: str = "run-1") -> MetadataChangeEventClass:
    schema = SchemaMetadataClass(
        schemaName="t", platform="urn:li:dataPlatform:sqlite", version=0, hash="",
        platformSchema=OtherSchemaClass(rawSchema=""),
        fields=[SchemaFieldClass(fieldPath=column, nativeDataType="INTEGER",
                                 type=SchemaFieldDataTypeClass(type=NumberTypeClass()))],
    )  # fmt: skip
    return MetadataChangeEventClass(
        proposedSnapshot=DatasetSnapshotClass(urn=URN, aspects=[schema]),
        systemMetadata=SystemMetadataClass(runId=run_id, lastObserved=1),
    )


def _fingerprint(run: object, record: MetadataChangeEventClass) -> str:
    schema = record.proposedSnapshot.aspects[0]
    assert isinstance(schema, SchemaMetadataClass)
    return stamps.dataset_fingerprint(run, record, schema)


def test_the_same_inputs_give_the_same_fingerprint_and_each_input_changes_it(
    tmp_path: Path,
) -> None:
    shutil.copytree(REPO / "policies", tmp_path / "policies")
    folders = (REPO / "glossary", tmp_path / "policies")
    run = stamps.run_fingerprint(folders, "w2w")
    base = _fingerprint(run, _record())
    # another run of the same inputs: its run id and time are not inputs
    assert _fingerprint(stamps.run_fingerprint(folders, "w2w"), _record(run_id="run-2")) == base
    assert _fingerprint(run, _record(column="person_id")) != base  # the table changed
    assert _fingerprint(stamps.run_fingerprint(folders, "other"), _record()) != base
    with_hits = _record()
    evidence.attach(with_hits.proposedSnapshot.aspects[0], {"id": frozenset({"ssn"})})  # type: ignore[arg-type]
    assert _fingerprint(run, with_hits) != base  # a value detector fired on the sample
    reviewed = tmp_path / "policies" / "reviewed.yml"
    reviewed.write_text(reviewed.read_text() + "\n# signed again\n")
    assert _fingerprint(stamps.run_fingerprint(folders, "w2w"), _record()) != base


def test_a_stamp_gives_back_its_time_and_only_for_its_fingerprint() -> None:
    stamp = {stamps.KEY: stamps.stamp("abc", 1767225600000)}
    assert stamps.time_of(stamp) == 1767225600000
    inherited = stamps.inherited(stamp, 1767225600001)
    assert stamps.time_of(inherited) == 1767225600001 and inherited != stamp
    systems = [None, {"properties": {"clientId": "acryl-datahub"}}, {"properties": stamp}]
    assert stamps.stored_time("abc", systems) == 1767225600000
    assert stamps.stored_time("abd", systems) is None
    assert stamps.stored_time("abc", [{"properties": {stamps.KEY: "abc@not-a-time"}}]) is None
