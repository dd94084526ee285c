"""The PostgreSQL recipe on the real server: column comments become field descriptions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from cdw_datahub.catalog import open_catalog
from cdw_datahub.demo.postgres import load_postgres
from cdw_datahub.demo.schema import program
from cdw_datahub.ingest import load_recipe, recipe_path, run_pipeline, run_recipe
from cdw_datahub.policy import load_policy
from conftest import assert_dictionary_definitions_harvested

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[str]:
    """A throw-away database on the real server, so runs never collide."""
    name = f"cdw_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgres_comments_become_field_descriptions(
    pg_url: str, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sa.engine.make_url(pg_url).set(database=pg_database)
    load_postgres(url.render_as_string(hide_password=False), ["w2w"], rows=20)
    monkeypatch.setenv("CDW_PG_DATABASE", pg_database)
    monkeypatch.setenv("CDW_GLOSSARY_DIR", str(REPO / "glossary"))
    monkeypatch.setenv("CDW_POLICIES_DIR", str(REPO / "policies"))
    config = load_recipe(recipe_path("w2w.postgres.lite.yml"))
    out = tmp_path / "pg.json"
    config["sink"] = {"type": "file", "config": {"filename": str(out)}}
    run_pipeline(config, "w2w.postgres")

    with open_catalog(f"file:{out}") as catalog:
        datasets = {d.name: d for d in catalog.datasets()}
    policy = load_policy(REPO / "glossary", REPO / "policies")
    w2w = program("w2w")
    compared = 0
    for table in w2w.tables:
        dataset = datasets[f"{pg_database}.w2w.{table.name}"]
        assert dataset.platform == "postgres"
        fields = {f.path: f for f in dataset.fields}
        assert set(fields) == {c.name for c in table.columns}
        entry = policy.dataset_entry("w2w", table.name)
        for column in table.columns:
            if column.comment:
                fact = entry.fields.find(column.name) if entry else None
                field = fields[column.name]
                if fact and fact.definition:  # the steward's dictionary wins over the comment
                    assert field.description == fact.definition
                    if field.description != column.comment:
                        assert field.prop("cdw.field.databaseComment") == column.comment
                else:  # harvested as-is where the dictionary says nothing
                    assert field.description == column.comment
                compared += 1
    assert compared >= 20


def test_ddl_comments_round_trip_through_the_postgres_source(
    pg_url: str, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dictionary -> `ddl comments` -> the real server -> the stock postgres source -> the
    same definitions in the catalog (the database stays the source of truth, play 5)."""
    from click.testing import CliRunner

    from cdw_datahub.cli import main

    url = sa.engine.make_url(pg_url).set(database=pg_database)
    load_postgres(url.render_as_string(hide_password=False), ["w2w"], rows=5)
    monkeypatch.setenv("CDW_GLOSSARY_DIR", str(REPO / "glossary"))
    monkeypatch.setenv("CDW_POLICIES_DIR", str(REPO / "policies"))
    ddl = CliRunner().invoke(
        main, ["ddl", "comments", "--dialect", "postgresql", "--program", "w2w", "--schema", "w2w"]
    )
    assert ddl.exit_code == 0, ddl.output
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(ddl.stdout)
    engine.dispose()

    monkeypatch.setenv("CDW_PG_DATABASE", pg_database)
    config = load_recipe(recipe_path("w2w.postgres.lite.yml"))
    out = tmp_path / "pg.json"
    config["sink"] = {"type": "file", "config": {"filename": str(out)}}
    run_pipeline(config, "w2w.postgres")

    with open_catalog(f"file:{out}") as catalog:
        harvested = {(d.table, f.path): f.description for d in catalog.datasets() for f in d.fields}
    assert_dictionary_definitions_harvested(harvested)


def test_demo_postgres_loads_the_department_for_the_postgres_recipes(
    pg_url: str, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cdw-datahub demo --postgres URL`, then the shipped recipe, as the README shows."""
    from click.testing import CliRunner

    from cdw_datahub.cli import main

    url = sa.engine.make_url(pg_url).set(database=pg_database)
    result = CliRunner().invoke(
        main, ["demo", "--postgres", url.render_as_string(hide_password=False)]
    )
    assert result.exit_code == 0, result.output
    assert f"CDW_PG_DATABASE={pg_database} datahub ingest -c recipes/w2w.postgres.lite.yml" in (
        result.stderr
    )
    monkeypatch.setenv("CDW_PG_DATABASE", pg_database)
    monkeypatch.setenv("CDW_LITE_FILE", str(tmp_path / "pg-lite.db"))
    monkeypatch.setenv("CDW_GLOSSARY_DIR", str(REPO / "glossary"))
    monkeypatch.setenv("CDW_POLICIES_DIR", str(REPO / "policies"))
    for p in ("w2w", "your-environment"):
        ingested = run_recipe(recipe_path(f"{p}.postgres.lite.yml"))
        # the one deliberate finding (W2W stop.duration's comment) may show; nothing else
        others = [w for w in ingested.warnings if not w.startswith("stop.duration:")]
        assert others == [], others
    with open_catalog(f"lite:{tmp_path / 'pg-lite.db'}") as catalog:
        names = {d.name for d in catalog.datasets()}
    for p in ("w2w", "your-environment"):
        expected = {t.name for t in program(p).tables} | {v.name for v in program(p).views}
        schema = program(p).schema_name
        assert {f"{pg_database}.{schema}.{t}" for t in expected} <= names


def test_a_recipe_matching_no_table_warns(
    pg_url: str, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty database: our runner and the stock `datahub ingest` both say nothing matched,
    instead of only "finished successfully"."""
    import os
    import shutil
    import subprocess
    import sys

    from cdw_datahub.sinks.fast_lite import NO_DATASET_WARNING

    env = {
        "CDW_PG_DATABASE": pg_database,
        "CDW_LITE_FILE": str(tmp_path / "empty-lite.db"),
        "CDW_GLOSSARY_DIR": str(REPO / "glossary"),
        "CDW_POLICIES_DIR": str(REPO / "policies"),
    }
    result = run_recipe(recipe_path("w2w.postgres.lite.yml"), env)
    assert NO_DATASET_WARNING in result.warnings

    datahub = shutil.which("datahub", path=str(Path(sys.executable).parent))
    assert datahub is not None
    run = subprocess.run(
        [datahub, "ingest", "-c", str(REPO / "recipes" / "w2w.postgres.lite.yml")],
        env={**os.environ, **env, "DATAHUB_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "wrote no dataset" in run.stdout + run.stderr
    assert "finished with at least 1 warning" in run.stdout + run.stderr
