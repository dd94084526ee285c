"""The cdw-sqlite source: the unnamed-foreign-key fix (with a regression test against the stock
source), missing databases, and value sampling that never leaks a value."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

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
