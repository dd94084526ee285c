"""The MySQL recipes on the real MariaDB server, read back as for PostgreSQL: column COMMENTs
become field definitions, the classification and the BUCP export match the SQLite path, and the
harvested metadata is pinned by a golden file."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from datahub.testing.mce_helpers import check_golden_file

from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli import main
from cdw_datahub.demo.mysql import load_mysql, mysql_ddl
from cdw_datahub.demo.schema import program
from cdw_datahub.ingest import load_recipe, recipe_path, run_pipeline
from conftest import assert_dictionary_definitions_harvested

pytestmark = pytest.mark.mysql
REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def w2w_database(mysql_url: str) -> Iterator[str]:
    """The sample w2w program loaded into a unique database, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:10]}_w2w"
    load_mysql(mysql_url, ["w2w"], rows=20, databases={"w2w": name})
    yield name
    engine = sa.create_engine(mysql_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    engine.dispose()


def _ingest(database: str, out: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CDW_MYSQL_DATABASE", database)
    monkeypatch.setenv("CDW_GLOSSARY_DIR", str(REPO / "glossary"))
    monkeypatch.setenv("CDW_POLICIES_DIR", str(REPO / "policies"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # pins association timestamps
    config = load_recipe(recipe_path("w2w.mysql.lite.yml"))
    config["sink"] = {"type": "file", "config": {"filename": str(out)}}
    config["pipeline_name"] = "cdw-golden-w2w-mysql"
    run_pipeline(config, "w2w.mysql")
    return out


def test_mysql_ddl_carries_every_comment() -> None:
    ddl = mysql_ddl("w2w")
    w2w = program("w2w")
    comments = [c.comment for t in w2w.tables for c in t.columns if c.comment]
    assert ddl.count(" COMMENT '") == len(comments)
    assert '"' not in ddl.split("CREATE VIEW")[0]  # backticks, not ANSI quotes


def test_mysql_comments_become_field_descriptions(
    w2w_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _ingest(w2w_database, tmp_path / "mysql.json", monkeypatch)
    with open_catalog(f"file:{out}") as catalog:
        datasets = {d.name: d for d in catalog.datasets()}
    w2w = program("w2w")
    compared, stale = 0, []
    for table in w2w.tables:
        dataset = datasets[f"{w2w_database}.{table.name}"]
        assert dataset.platform == "mysql"
        assert dataset.description == table.comment
        fields = {f.path: f for f in dataset.fields}
        assert set(fields) == {c.name for c in table.columns}
        for column in table.columns:
            if column.comment:
                harvested = fields[column.name]
                if harvested.description != column.comment:
                    # the steward's dictionary wins; the comment stays visible
                    assert harvested.prop("cdw.field.databaseComment") == column.comment
                    stale.append(f"{table.name}.{column.name}")
                compared += 1
    assert compared >= 20
    assert stale == ["stop.duration"]  # the one comment that disagrees on purpose
    assert set(datasets) == {f"{w2w_database}.{t.name}" for t in (*w2w.tables, *w2w.views)}


def test_mysql_classification_and_export_match_the_sqlite_path(
    w2w_database: str, demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _ingest(w2w_database, tmp_path / "mysql.json", monkeypatch)
    runner = CliRunner()
    mysql = runner.invoke(
        main, ["bucp", "export", "--catalog", f"file:{out}", "--program", "w2w", "--format", "json"]
    )
    assert mysql.exit_code == 0, mysql.output
    sqlite = runner.invoke(
        main,
        ["bucp", "export", "--catalog", f"lite:{demo_dir / 'datahub-lite.db'}"]
        + ["--program", "w2w", "--format", "json"],
    )
    assert sqlite.exit_code == 0, sqlite.output
    keys = ("classification", "categories", "classification_status", "definition", "type")

    def by_field(text: str) -> dict[tuple[str, str], tuple]:
        rows = json.loads(text)["fields"]
        return {
            (r["dataset"].rsplit(".", 1)[-1], r["field"]): tuple(
                json.dumps(r[k], sort_keys=True) for k in keys
            )
            for r in rows
        }

    from_mysql = by_field(mysql.stdout)
    from_sqlite = by_field(sqlite.stdout)
    assert len(from_mysql) > 60
    assert from_mysql == {k: v for k, v in from_sqlite.items() if k in from_mysql}
    # the demo also catalogs W2W's CSV extract, which is not in the database
    assert set(from_mysql) == {k for k in from_sqlite if k[0] != "w2w_monthly_extract"}
    ssn = next(r for r in json.loads(mysql.stdout)["fields"] if r["field"] == "ssn")
    assert ssn["classification"] == "Personal" and ssn["classification_status"] == "reviewed"


@pytest.fixture
def golden_database(mysql_url: str) -> Iterator[str]:
    """A fixed name: container URNs are hashes of the database name, so the golden file pins it.
    (Only this test uses it; a parallel run of the same test on one server would collide.)"""
    name = "cdw_golden_w2w"
    load_mysql(mysql_url, ["w2w"], rows=20, databases={"w2w": name})
    yield name
    engine = sa.create_engine(mysql_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    engine.dispose()


def test_mysql_recipe_output_matches_golden(
    golden_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pytestconfig: pytest.Config,
) -> None:
    out = _ingest(golden_database, tmp_path / "mysql.json", monkeypatch)
    check_golden_file(pytestconfig, output_path=out, golden_path=GOLDEN / "w2w.mysql_golden.json")


def test_ddl_comments_round_trip_through_the_mysql_source(
    w2w_database: str, mysql_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dictionary -> `ddl comments --dialect mysql` (types from the catalog) -> the real server
    -> the stock mysql source -> the same definitions in the catalog."""

    engine = sa.create_engine(sa.engine.make_url(mysql_url).set(database=w2w_database))
    with engine.begin() as conn:  # start from a database without comments
        for table in program("w2w").tables:
            for column in table.columns:
                if column.comment:
                    native = conn.exec_driver_sql(
                        "SELECT column_type, is_nullable FROM information_schema.columns "
                        "WHERE table_schema = %s AND table_name = %s AND column_name = %s",
                        (w2w_database, table.name, column.name),
                    ).one()
                    null = "" if native[1] == "YES" else " NOT NULL"
                    conn.exec_driver_sql(
                        f"ALTER TABLE `{table.name}` MODIFY COLUMN `{column.name}` "
                        f"{native[0]}{null} COMMENT ''"
                    )
    first = _ingest(w2w_database, tmp_path / "first.json", monkeypatch)
    monkeypatch.setenv("CDW_GLOSSARY_DIR", str(REPO / "glossary"))
    monkeypatch.setenv("CDW_POLICIES_DIR", str(REPO / "policies"))
    ddl = CliRunner().invoke(
        main,
        ["ddl", "comments", "--dialect", "mysql", "--program", "w2w"]
        + ["--schema", w2w_database, "--catalog", f"file:{first}"],
    )
    assert ddl.exit_code == 0, ddl.output
    with engine.begin() as conn:
        for statement in ddl.stdout.split(";\n"):
            if statement.strip() and not statement.lstrip().startswith("--"):
                conn.exec_driver_sql(statement.replace("%", "%%"))
    engine.dispose()
    second = _ingest(w2w_database, tmp_path / "second.json", monkeypatch)

    with open_catalog(f"file:{second}") as catalog:
        harvested = {(d.table, f.path): f.description for d in catalog.datasets() for f in d.fields}
    assert_dictionary_definitions_harvested(harvested)
