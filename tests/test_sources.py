"""The cdw-sqlite source: the unnamed-foreign-key fix (with a regression test against the stock
source), missing databases, and value sampling that never leaks a value."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cdw_datahub.errors import InputError
from cdw_datahub.ingest import run_pipeline

SCHEMA = """
CREATE TABLE person (  -- People known to the program.
    id INTEGER PRIMARY KEY,
    full_name TEXT,  -- Legal name of the person, as on a government-issued identity document.
    ssn TEXT
);
CREATE TABLE visit (
    id INTEGER PRIMARY KEY,
    person_id INTEGER REFERENCES person(id),          -- unnamed: SQLAlchemy reports name=None
    visit_date DATE
);
CREATE TABLE zz_later (id INTEGER PRIMARY KEY, note TEXT);  -- sorts after visit
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "fk.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA)
        conn.execute("INSERT INTO person VALUES (1, 'Testy McTestface', '987-65-4321')")
    return path


def _config(source_type: str, db: Path, out: Path, **extra: object) -> dict:
    source_config = {"connect_uri": f"sqlite:///{db}", **extra}
    if source_type == "sqlalchemy":
        source_config["platform"] = "sqlite"
    return {
        "source": {"type": source_type, "config": source_config},
        "sink": {"type": "file", "config": {"filename": str(out)}},
    }


def _datasets(out: Path) -> set[str]:
    return {
        r["proposedSnapshot"]["com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot"]["urn"]
        for r in json.loads(out.read_text())
        if "proposedSnapshot" in r
    }


def test_stock_source_loses_tables_on_unnamed_foreign_key(db: Path, tmp_path: Path) -> None:
    """The bug our subclass exists for: if the stock source ever handles this, drop the fix."""
    out = tmp_path / "stock.json"
    with pytest.raises(InputError, match="ingestion failed"):
        run_pipeline(_config("sqlalchemy", db, out), "stock")
    assert not any("zz_later" in urn for urn in _datasets(out)) if out.exists() else True


def test_cdw_sqlite_names_unnamed_foreign_keys_and_keeps_every_table(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ours.json"
    run_pipeline(_config("cdw-sqlite", db, out), "ours")
    assert {urn.split(",")[1] for urn in _datasets(out)} == {
        "main.person",
        "main.visit",
        "main.zz_later",
    }
    records = json.loads(out.read_text())
    snapshot = next(
        r["proposedSnapshot"]["com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot"]
        for r in records
        if "proposedSnapshot" in r and "main.visit" in json.dumps(r)
    )
    schema = next(a for a in snapshot["aspects"] if "SchemaMetadata" in next(iter(a)))
    fks = next(iter(schema.values()))["foreignKeys"]
    assert [fk["name"] for fk in fks] == ["fk_visit_person_id__person"]


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(InputError) as excinfo:
        run_pipeline(_config("cdw-sqlite", missing, tmp_path / "o.json"), "recipe.yml")
    assert "no SQLite database at" in str(excinfo.value)
    assert str(missing) in str(excinfo.value)
    assert not missing.exists(), "must not create an empty database"


def test_sampled_values_never_leave_the_process(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "sampled.json"
    result = run_pipeline(_config("cdw-sqlite", db, out, sample_values=True), "sampled")
    assert result.warnings == []
    assert "main.person" in "".join(_datasets(out))
    text = out.read_text()
    assert "987-65-4321" not in text
    assert "Testy McTestface" not in text


def test_trailing_ddl_comments_become_descriptions(db: Path, tmp_path: Path) -> None:
    from cdw_datahub.catalog import open_catalog

    out = tmp_path / "comments.json"
    run_pipeline(_config("cdw-sqlite", db, out), "comments")
    with open_catalog(f"file:{out}") as catalog:
        person = next(d for d in catalog.datasets() if d.table == "person")
    assert person.description == "People known to the program."
    described = {f.path: f.description for f in person.fields}
    assert described == {
        "id": None,
        "full_name": "Legal name of the person, as on a government-issued identity document.",
        "ssn": None,
    }


def _schema(paths: list[str], raw: str = "", description: str | None = None):  # type: ignore[no-untyped-def]
    from datahub.metadata.schema_classes import (
        MySqlDDLClass,
        NullTypeClass,
        SchemaFieldClass,
        SchemaFieldDataTypeClass,
        SchemaMetadataClass,
        StringTypeClass,
    )

    types = [NullTypeClass(), StringTypeClass()]
    return SchemaMetadataClass(
        schemaName="s",
        platform="urn:li:dataPlatform:sqlite",
        version=0,
        hash="",
        platformSchema=MySqlDDLClass(tableSchema=raw),
        fields=[
            SchemaFieldClass(
                fieldPath=p,
                type=SchemaFieldDataTypeClass(type=types[i % 2]),
                nativeDataType="TEXT",
                description=description,
            )
            for i, p in enumerate(paths)
        ],
    )


HOSTILE = ["", "a", "\U0001f600" * 40, "é" * 300, "\x00\x01\x1f", '"\\', "漢字" * 50, "'" * 9]


def test_the_aspect_size_bound_never_undercounts_datahubs_json() -> None:
    from datahub.emitter.serialization_helper import pre_json_transform

    from cdw_datahub.sources.aspect_size import JSON_PER_REPR_CHAR

    for text in HOSTILE:
        for schema in (_schema([text]), _schema(["x"] * 3, raw=text, description=text)):
            size = len(json.dumps(pre_json_transform(schema.to_obj())))
            assert size <= JSON_PER_REPR_CHAR * len(repr(schema)), text


def test_the_bounded_aspect_size_check_does_what_datahubs_does(tmp_path: Path) -> None:
    """Over any limit, the bounded processor leaves or trims a schema exactly as DataHub's own;
    every cdw SQL source runs it in place of DataHub's, with DataHub's report."""
    import copy

    from datahub.ingestion.api.common import PipelineContext
    from datahub.ingestion.workunit_processors import EnsureAspectSizeProcessor

    from cdw_datahub.sources.aspect_size import _BoundedAspectSize
    from cdw_datahub.sources.sqlite import CdwSQLiteConfig, CdwSQLiteSource

    sqlite3.connect(tmp_path / "x.db").close()
    source = CdwSQLiteSource(
        CdwSQLiteConfig(connect_uri=f"sqlite:///{tmp_path / 'x.db'}"), PipelineContext("t")
    )
    owners = [getattr(p, "__self__", None) for p in source.get_workunit_processors()]
    bounded = next(o for o in owners if isinstance(o, EnsureAspectSizeProcessor))
    assert type(bounded) is _BoundedAspectSize
    assert source.get_report().workunit_processor_reports["EnsureAspectSizeProcessor"] is (
        bounded.report
    )
    stock = EnsureAspectSizeProcessor.create(bounded.ctx)
    schema = _schema([f"column_{i}" for i in range(40)], raw="x" * 3000, description="é" * 50)
    kept = set()
    for limit in (100, 2_000, 5_000, 10_000, 20_000, 60_000, 200_000, 10**6):
        results = []
        for processor in (stock, bounded):
            processor.schema_size_constraint = limit
            trimmed = copy.deepcopy(schema)
            processor.ensure_schema_metadata_size("urn:li:dataset:x", trimmed)
            results.append(trimmed)
        assert results[0] == results[1], limit
        kept.add(len(results[0].fields))
    assert results[0] == schema  # the largest limit: untouched (the bound answered)
    assert 0 in kept and len(kept) > 2  # the smaller ones: trimmed by DataHub's own check


def test_a_tables_reflection_is_dropped_once_it_is_processed(db: Path) -> None:
    """SQLAlchemy's Inspector caches every reflection call for the whole run; the cdw sources
    keep only what the schema as a whole needs (memory at 10,000 tables)."""
    import sqlalchemy as sa
    from datahub.ingestion.api.common import PipelineContext

    from cdw_datahub.sources.sqlite import CdwSQLiteConfig, CdwSQLiteSource

    source = CdwSQLiteSource(CdwSQLiteConfig(connect_uri=f"sqlite:///{db}"), PipelineContext("t"))
    inspectors: list[Any] = []
    own = source.get_inspectors

    def kept() -> Any:
        for inspector in own():
            inspectors.append(inspector)
            yield inspector

    source.get_inspectors = kept  # type: ignore[method-assign]
    units = list(source.get_workunits())
    engine = sa.create_engine(f"sqlite:///{db}")
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert len(tables) >= 3 and len(units) > len(tables)
    cached = [key for i in inspectors for key in i.info_cache if set(key[1]) & tables]
    assert inspectors and cached == []
