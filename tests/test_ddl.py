"""ddl comments: quoting per dialect; on real PostgreSQL the comments equal the definitions."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cdw_datahub import ddl
from cdw_datahub.cli import main
from cdw_datahub.policy import load_policy
from test_coverage import D, F, build_lite

CLEAN = Path(__file__).parent / "fixtures" / "lint" / "clean"
TRICKY = 'Owner\'s "nickname"; a back\\slash and 100% -- not a comment'


def _policy():  # type: ignore[no-untyped-def]
    return load_policy(CLEAN / "glossary", CLEAN / "policies")


def test_quoting_per_dialect() -> None:
    pg = ddl.statement("postgresql", "w2w", 'we"ird', "stop", "geo code", TRICKY)
    assert pg.sql == (
        'COMMENT ON COLUMN "we""ird"."stop"."geo code" IS '
        # E'': the doubled backslash is one backslash whatever standard_conforming_strings says
        "E'Owner''s \"nickname\"; a back\\\\slash and 100% -- not a comment';"
    )
    ora = ddl.statement("oracle", "w2w", None, "STOP", "GEOCODE", "It's here.")
    assert ora.sql == "COMMENT ON COLUMN \"STOP\".\"GEOCODE\" IS 'It''s here.';"
    ms = ddl.statement("mssql", "w2w", None, "od]d", "c", "It's")
    assert ms.sql is not None
    assert "OBJECT_ID(N'[dbo].[od]]d]')" in ms.sql
    assert "EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'It''s'" in ms.sql
    assert "@level1name = N'od]d'" in ms.sql
    assert "sp_updateextendedproperty" in ms.sql  # re-running updates instead of failing
    my = ddl.statement("mysql", "w2w", "db", "t`x", "c", TRICKY)
    assert my.sql is None and "type unknown" in (my.note or "")


def test_long_definition_reported() -> None:
    st = ddl.statement("mysql", "w2w", None, "t", "c", "x" * 1025)
    assert st.sql is None and "at most 1024" in (st.note or "")


def _config(tmp_path: Path) -> str:
    cfg = tmp_path / "cdw.yml"
    cfg.write_text(f"glossary: {CLEAN / 'glossary'}\npolicies: {CLEAN / 'policies'}\n")
    return str(cfg)


def test_mysql_types_from_catalog(tmp_path: Path) -> None:
    uri = build_lite(
        tmp_path / "lite.db",
        [
            D(
                "w2w",
                "stop",
                [
                    F("geocode", "NUMERIC(9,6)"),
                    F("duration", "INTEGER", nullable=False),
                    F("location", "VARCHAR(120)"),
                ],
            )
        ],
    )
    args = ["--config", _config(tmp_path), "ddl", "comments", "--dialect", "mysql"]
    result = CliRunner().invoke(main, [*args, "--program", "w2w", "--catalog", uri])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "ALTER TABLE `stop` MODIFY COLUMN `geocode` NUMERIC(9,6) "
        "COMMENT 'The geocode of the stop in decimal-degree format.';"
    )
    assert lines[2].startswith(
        "ALTER TABLE `stop` MODIFY COLUMN `duration` INTEGER NOT NULL COMMENT"
    )
    # participant is not in this catalog: said, not guessed
    assert lines[3].startswith("-- skipped participant.home_zip_code: column type unknown")
    assert "3 comment statement(s), 1 skipped" in result.stderr


def test_unknown_program_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--config", _config(tmp_path), "ddl", "comments", "--dialect", "oracle", "--program", "x"],
    )
    assert result.exit_code == 2
    assert "unknown program 'x'" in result.stderr


# ------------------------------------------------------------------ PostgreSQL


@pytest.fixture
def pg_schema() -> Iterator[tuple[object, str]]:
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        conn = psycopg2.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="test", connect_timeout=3
        )
    except psycopg2.OperationalError as e:
        if os.environ.get("CDW_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable: {e}")
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432 ({e})")
    conn.autocommit = True
    schema = f"cdw_ddl_{uuid.uuid4().hex[:10]}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield conn, schema
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
        conn.close()


@pytest.mark.postgres
def test_postgres_comments_equal_definitions(tmp_path: Path, pg_schema: tuple[object, str]) -> None:
    conn, schema = pg_schema
    with conn.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(
            f'CREATE TABLE "{schema}".stop (geocode NUMERIC(9,6), location VARCHAR(120), '
            f"duration INTEGER)"
        )
        cur.execute(f'CREATE TABLE "{schema}".participant (home_zip_code CHAR(5))')
        # a hand-made statement with every quoting hazard, through the same code path
        cur.execute(f'CREATE TABLE "{schema}"."Odd ""Table""" ("Col""1" TEXT)')
    result = CliRunner().invoke(
        main,
        [
            "--config",
            _config(tmp_path),
            "ddl",
            "comments",
            "--dialect",
            "postgresql",
            "--program",
            "Walk2Work",
            "--schema",
            schema,
        ],
    )
    assert result.exit_code == 0, result.output
    tricky = ddl.statement("postgresql", "w2w", schema, 'Odd "Table"', 'Col"1', TRICKY)
    with conn.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(result.stdout)
        cur.execute(tricky.sql)
        cur.execute(
            "SELECT c.relname, a.attname, d.description FROM pg_description d "
            "JOIN pg_class c ON c.oid = d.objoid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid "
            "WHERE n.nspname = %s",
            (schema,),
        )
        got = {(t, c): d for t, c, d in cur.fetchall()}
    policy = _policy()
    expected = {
        (table, column): " ".join((f.definition or "").split())
        for table, entry in policy.datasets("w2w").items()
        for column, f in entry.fields.items()
    }
    expected[('Odd "Table"', 'Col"1')] = TRICKY
    assert got == expected
    assert got[("participant", "home_zip_code")] == (
        "Five-digit USPS ZIP Code of the participant's home address."
    )
