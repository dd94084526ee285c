"""`--catalog file:` reads DataHub file-sink JSON as plain JSON, and `scan` reads its pipeline in
memory: both give what DataHub's own reader (Avro classes, `to_obj`) gives.

Inputs: files written by DataHub itself (the stock `sqlalchemy` source over a Chinook-shaped
schema, in both of the file sink's formats; DataHub's `write_metadata_file` with MCEs, MCPs and a
PATCH; the stock glossary source's golden output), and broken files.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from datahub.emitter.mce_builder import make_schema_field_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.mcp_builder import mcps_from_mce
from datahub.ingestion.run.pipeline import Pipeline
from datahub.ingestion.sink.file import write_metadata_file
from datahub.ingestion.source.file import read_metadata_file
from datahub.metadata import schema_classes as m
from datahub.specific.dataset import DatasetPatchBuilder

from cdw_datahub.bucp.export import export_rows, load_facts
from cdw_datahub.catalog import Catalog
from cdw_datahub.catalog import file_sink as reader
from cdw_datahub.catalog.backends import FileBackend
from cdw_datahub.catalog.views import READ_ASPECTS
from cdw_datahub.demo.build import build_sqlite
from cdw_datahub.errors import InputError
from cdw_datahub.ingest import run_pipeline
from cdw_datahub.scan import scan, source_config
from cdw_datahub.sinks import memory

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"

# Chinook's shape (artist -> album -> track, invoice lines, an employee self-reference)
CHINOOK = """
CREATE TABLE artist (artist_id INTEGER PRIMARY KEY, name NVARCHAR(120));
CREATE TABLE album (album_id INTEGER PRIMARY KEY, title NVARCHAR(160) NOT NULL,
  artist_id INTEGER NOT NULL, CONSTRAINT fk_album_artist FOREIGN KEY (artist_id)
  REFERENCES artist (artist_id));
CREATE TABLE media_type (media_type_id INTEGER PRIMARY KEY, name NVARCHAR(120));
CREATE TABLE track (track_id INTEGER PRIMARY KEY, name NVARCHAR(200) NOT NULL, album_id INTEGER,
  media_type_id INTEGER NOT NULL, composer NVARCHAR(220), milliseconds INTEGER NOT NULL,
  bytes INTEGER, unit_price NUMERIC(10,2) NOT NULL,
  CONSTRAINT fk_track_album FOREIGN KEY (album_id) REFERENCES album (album_id),
  CONSTRAINT fk_track_media FOREIGN KEY (media_type_id) REFERENCES media_type (media_type_id));
CREATE TABLE employee (employee_id INTEGER PRIMARY KEY, last_name NVARCHAR(20) NOT NULL,
  first_name NVARCHAR(20) NOT NULL, title NVARCHAR(30), reports_to INTEGER, birth_date DATETIME,
  hire_date DATETIME, address NVARCHAR(70), city NVARCHAR(40), state NVARCHAR(40),
  postal_code NVARCHAR(10), phone NVARCHAR(24), email NVARCHAR(60),
  CONSTRAINT fk_employee_manager FOREIGN KEY (reports_to) REFERENCES employee (employee_id));
CREATE TABLE customer (customer_id INTEGER PRIMARY KEY, first_name NVARCHAR(40) NOT NULL,
  last_name NVARCHAR(20) NOT NULL, company NVARCHAR(80), email NVARCHAR(60) NOT NULL,
  support_rep_id INTEGER, CONSTRAINT fk_customer_rep FOREIGN KEY (support_rep_id)
  REFERENCES employee (employee_id));
CREATE TABLE invoice (invoice_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL,
  invoice_date DATETIME NOT NULL, billing_address NVARCHAR(70), total NUMERIC(10,2) NOT NULL,
  CONSTRAINT fk_invoice_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id));
CREATE VIEW album_tracks AS SELECT a.title, t.name FROM album a JOIN track t USING (album_id);
"""


def datahub_reads(path: Path) -> dict[str, dict[str, Any]]:
    """What DataHub's own reader makes of a file-sink file (what FileBackend used to do)."""
    entities: dict[str, dict[str, Any]] = {}
    for record in read_metadata_file(path):
        if isinstance(record, m.MetadataChangeEventClass):
            mcps: Any = mcps_from_mce(record)
        elif isinstance(record, MetadataChangeProposalWrapper):
            mcps = [record]
        else:
            continue
        for mcp in mcps:
            obj = mcp.to_obj(simplified_structure=True)
            entities.setdefault(mcp.entityUrn, {})[mcp.aspectName] = obj["aspect"]["json"]
    return entities


@pytest.fixture(scope="module")
def chinook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("chinook") / "chinook.db"
    conn = sqlite3.connect(db)
    conn.executescript(CHINOOK)
    conn.close()
    return db


def _stock_to_file(db: Path, out: Path, legacy: bool) -> Path:
    Pipeline.create(
        {
            "source": {
                "type": "sqlalchemy",
                "config": {"platform": "sqlite", "connect_uri": f"sqlite:///{db}"},
            },
            "sink": {
                "type": "file",
                "config": {"filename": str(out), "legacy_nested_json_string": legacy},
            },
        }
    ).run()
    return out


@pytest.mark.parametrize("legacy", [False, True])
def test_stock_pipeline_output_reads_as_datahub_reads_it(
    chinook: Path, tmp_path: Path, legacy: bool
) -> None:
    out = _stock_to_file(chinook, tmp_path / "chinook.json", legacy)
    expected = datahub_reads(out)
    assert len([u for u in expected if u.startswith("urn:li:dataset:")]) == 8
    assert reader.read_entities(out) == expected


def test_mces_mcps_and_a_patch_read_as_datahub_reads_them(tmp_path: Path) -> None:
    urn = "urn:li:dataset:(urn:li:dataPlatform:postgres,sakila.public.rental,PROD)"
    field = m.SchemaFieldClass(
        fieldPath="rental_date",
        type=m.SchemaFieldDataTypeClass(m.TimeTypeClass()),
        nativeDataType="timestamp",
        globalTags=m.GlobalTagsClass([m.TagAssociationClass("urn:li:tag:cdw.level.sensitive")]),
    )
    schema = m.SchemaMetadataClass(
        schemaName="rental", platform="urn:li:dataPlatform:postgres", version=0, hash="",
        platformSchema=m.OtherSchemaClass(rawSchema=""), fields=[field],
    )  # fmt: skip
    mce = m.MetadataChangeEventClass(
        proposedSnapshot=m.DatasetSnapshotClass(
            urn=urn, aspects=[schema, m.StatusClass(removed=False)]
        )
    )
    props = m.StructuredPropertiesClass(
        [m.StructuredPropertyValueAssignmentClass("urn:li:structuredProperty:x", ["1-99", 2.5])]
    )
    later = m.DatasetPropertiesClass(name="rental", description="the later record wins")
    records: list[Any] = [
        mce,
        MetadataChangeProposalWrapper(entityUrn=urn, aspect=m.DatasetPropertiesClass(name="x")),
        MetadataChangeProposalWrapper(entityUrn=make_schema_field_urn(urn, "day"), aspect=props),
        *DatasetPatchBuilder(urn).add_tag(m.TagAssociationClass("urn:li:tag:x")).build(),
        MetadataChangeProposalWrapper(entityUrn=urn, aspect=later),
    ]  # fmt: skip
    out = tmp_path / "mixed.json"
    write_metadata_file(out, records)
    ours = reader.read_entities(out)
    assert ours == datahub_reads(out)
    assert set(ours[urn]) == {"schemaMetadata", "status", "datasetProperties"}  # no PATCH
    assert ours[urn]["datasetProperties"]["description"] == "the later record wins"
    # one record, not in an array, as DataHub's file source also takes
    single, in_array = tmp_path / "single.json", tmp_path / "one.json"
    single.write_text(json.dumps(json.loads(out.read_text())[0]))
    in_array.write_text(f"[{single.read_text()}]")
    assert reader.read_entities(single) == datahub_reads(in_array)


@pytest.mark.parametrize("name", ["glossary", "w2w", "healthy-habits"])
def test_golden_outputs_read_the_same_in_tiny_chunks(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = GOLDEN / f"{name}_golden.json"
    expected = datahub_reads(path)
    monkeypatch.setattr(reader, "CHUNK", 7)  # every record spans many reads
    assert reader.read_entities(path) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a JSON array of records"),
        ('[{"entityUrn": "urn:li:tag:a", "aspectName": "status"}\n,\n{"entityUrn": ', "line 3"),
        ('[{"entityUrn": "urn:li:tag:a", "aspectName": "status"} {}]', "expected ',' or ']'"),
        ("[1]", "record 0 is not a JSON object"),
        ('[{"entityType": "dataset"}]', "record 0 is neither an MCE nor an MCP"),
        ('[{"proposedSnapshot": {"x": {"urn": "u", "aspects": [{"com.x.Nope": {}}]}}}]', "Nope"),
        ("[] []", "text after the end of the records"),
    ],
)
def test_broken_files_are_bad_input_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        FileBackend(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_cli_reports_a_broken_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"entityUrn": "urn:li:tag:a", "aspectName": "status", "aspect": {"json": {')
    cli = str(Path(sys.executable).with_name("cdw-datahub"))
    result = subprocess.run(
        [cli, "bucp", "export", "--catalog", f"file:{path}", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{path}: not DataHub file-sink JSON (line 1:" in result.stderr


def test_scan_in_memory_equals_the_file_round_trip(tmp_path: Path) -> None:
    """The rows `scan` gives equal those of the same pipeline into DataHub's file sink, read
    back by `--catalog file:` (DataHub's own reader agreeing on that file)."""
    db = build_sqlite(tmp_path)["w2w"]
    url = f"sqlite:///{db}"
    glossary, policies = REPO / "glossary", REPO / "policies"
    rows, _ = scan(url, "w2w", glossary, policies)

    source, shown = source_config(url)
    describe = {"program": "w2w", "glossary_dir": str(glossary), "policies_dir": str(policies)}
    out = tmp_path / "scan.json"
    run_pipeline(
        {
            "source": source,
            "transformers": [{"type": "cdw_describe", "config": describe}],
            "sink": {"type": "file", "config": {"filename": str(out)}},
        },
        shown,
    )
    assert reader.read_entities(out) == datahub_reads(out)
    with Catalog(FileBackend(out)) as catalog:
        facts = load_facts(catalog, glossary, policies)
        expected = export_rows(((d, d.fields) for d in catalog.datasets()), facts, None)
    assert len(rows) > 50 and rows == expected
    assert {"reviewed", "suggested", "unclassified"} <= {r["classification_status"] for r in rows}


def test_memory_sink_keeps_only_reader_aspects_and_only_in_its_process() -> None:
    urn = "urn:li:dataset:(urn:li:dataPlatform:sqlite,chinook.main.track,PROD)"
    with memory.collecting() as collected:
        sink = memory.MemorySink.create(collected.sink_config()["config"], _ctx())
        for aspect in (m.StatusClass(removed=False), m.DatasetPropertiesClass(name="track")):
            record = MetadataChangeProposalWrapper(entityUrn=urn, aspect=aspect)
            sink.write_record_async(_envelope(record), None)  # type: ignore[arg-type]
    assert collected.entities == {urn: {"datasetProperties": aspect}}
    assert "status" not in READ_ASPECTS and collected.records == 2
    with pytest.raises(ValueError, match="no open in-memory collection"):
        memory.MemorySink.create(collected.sink_config()["config"], _ctx())


def _ctx() -> Any:
    from datahub.ingestion.api.common import PipelineContext

    return PipelineContext(run_id="test")


def _envelope(record: Any) -> Any:
    from datahub.ingestion.api.common import RecordEnvelope

    return RecordEnvelope(record, metadata={})
