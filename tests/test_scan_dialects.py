"""`scan` on real MariaDB and PostgreSQL servers loaded with public sample schemas (Sakila,
employees, Pagila; DDL in tests/fixtures/public): the dedicated source per dialect, scoped to the
URL's database, system schemas never read, every native type mapped, the URL's options kept."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import run_sql_file

CLI = str(Path(sys.executable).with_name("cdw-datahub"))
PUBLIC = Path(__file__).parent / "fixtures" / "public"
# Known binary types: "other" by design (the BUCP template has no binary type)
BINARY = ("BLOB", "BINARY", "VARBINARY", "BYTEA", "BIT(8)", "BIT VARYING")


def _scan(*args: str, debug: bool = False) -> subprocess.CompletedProcess[str]:
    root = ["--debug"] if debug else []
    return subprocess.run([CLI, *root, "scan", *args], capture_output=True, text=True, timeout=300)


def _rows(*args: str) -> tuple[list[dict], str]:
    result = _scan(*args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


@pytest.fixture
def sakila(mysql_url: str, mysql_database: str) -> str:
    url = sa.engine.make_url(mysql_url).set(database=mysql_database)
    run_sql_file(url.render_as_string(hide_password=False), PUBLIC / "sakila.mysql.sql")
    return url.render_as_string(hide_password=False)


@pytest.fixture
def employees(mysql_url: str) -> Iterator[str]:
    """A second database beside Sakila, with a few rows: one person's fake SSN in a column
    whose name says nothing."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(mysql_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
    url = sa.engine.make_url(mysql_url).set(database=name)
    run_sql_file(url.render_as_string(hide_password=False), PUBLIC / "employees.mysql.sql")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE `{name}`.badge (badge_id INT PRIMARY KEY, ref CHAR(11))"
        )
        conn.exec_driver_sql(
            f"INSERT INTO `{name}`.badge VALUES (1, '123-45-6789'), (2, '987-65-4329'), "
            "(3, '234-56-7890')"
        )
    yield url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE `{name}`")
    engine.dispose()


@pytest.mark.mysql
def test_mysql_scan_reads_exactly_the_urls_database(sakila: str, employees: str) -> None:
    rows, _ = _rows(employees)
    database = sa.engine.make_url(employees).database
    tables = {r["dataset"] for r in rows}
    # employees' six tables and two views, plus the badge table; nothing of Sakila or mysql.*
    assert tables == {
        f"{database}.{t}"
        for t in (
            "employees",
            "departments",
            "dept_manager",
            "dept_emp",
            "titles",
            "salaries",
            "dept_emp_latest_date",
            "current_dept_emp",
            "badge",
        )
    }
    assert len(rows) == 6 + 2 + 4 + 4 + 4 + 4 + 3 + 4 + 2
    assert {r["type"] for r in rows} <= {"numeric", "text", "date and time"}


@pytest.mark.mysql
def test_mysql_scan_samples_values_and_never_prints_them(employees: str) -> None:
    rows, stderr = _rows(employees, "--table", "badge")
    ref = next(r for r in rows if r["field"] == "ref")
    assert "direct_identifier" in ref["categories"], ref
    for value in ("123-45-6789", "987-65-4329", "234-56-7890"):
        assert value not in json.dumps(rows) + stderr


@pytest.mark.mysql
def test_mysql_types_of_sakila_are_all_mapped(sakila: str) -> None:
    rows, stderr = _rows(sakila)
    assert len({r["dataset"] for r in rows}) == 11 + 2
    by_field = {(r["dataset"].rsplit(".", 1)[1], r["field"]): r for r in rows}
    assert by_field[("language", "name")]["native_type"].startswith("CHAR(20) CHARACTER SET")
    expected = {
        ("language", "name"): "text",
        ("customer", "active"): "boolean",  # BOOLEAN is TINYINT(1)
        ("film", "release_year"): "date and time",  # YEAR
        ("film", "rating"): "text",  # ENUM
        ("film", "special_features"): "text",  # SET
        ("device_event", "payload"): "text",  # JSON (LONGTEXT on MariaDB)
        ("address", "location"): "coordinates",  # GEOMETRY, which the stock source calls BLOB
        ("device_event", "area"): "coordinates",
        ("device_event", "enabled"): "boolean",  # BIT(1)
        ("payment", "amount"): "currency",
        ("sales_by_customer", "total_sales"): "numeric",  # SUM(amount)
        ("actor_film_count", "film_count"): "numeric",
    }
    assert {k: by_field[k]["type"] for k in expected} == expected
    other = {r["native_type"] for r in rows if r["type"] == "other"}
    assert other and all(n.startswith(BINARY) for n in other), other
    assert "not in the BUCP type table" not in stderr


@pytest.mark.mysql
def test_schema_and_table_patterns_narrow_the_scan(sakila: str) -> None:
    rows, _ = _rows(sakila, "--table", "film.*", "--table", "actor")
    assert {r["dataset"].rsplit(".", 1)[1] for r in rows} == {
        "film",
        "film_actor",
        "film_text",
        "actor",
    }


@pytest.fixture
def pagila(pg_url: str, pg_schema: str) -> str:
    # psycopg2's `options` query parameter sets the search path: the fixture's unqualified DDL
    # lands in the test's schema (and this proves a URL option reaches the driver)
    url = sa.engine.make_url(pg_url).update_query_dict({"options": f"-csearch_path={pg_schema}"})
    run_sql_file(url.render_as_string(hide_password=False), PUBLIC / "pagila.postgres.sql")
    return pg_url


@pytest.mark.postgres
def test_postgres_types_of_pagila_are_all_mapped(pagila: str, pg_schema: str) -> None:
    rows, stderr = _rows(pagila, "--schema", pg_schema)
    assert len({r["dataset"] for r in rows}) == 11 + 2
    assert {r["dataset"].split(".")[1] for r in rows} == {pg_schema}
    by_field = {(r["dataset"].rsplit(".", 1)[1], r["field"]): r for r in rows}
    expected = {
        ("customer", "first_name"): "text",  # domain "Name" over VARCHAR
        ("customer", "activebool"): "boolean",  # domain "Flag" over BOOLEAN
        ("address", "phone"): "text",  # domain "Phone"
        ("film", "release_year"): "numeric",  # domain year over INTEGER
        ("film", "rating"): "text",  # enum mpaa_rating
        ("film", "special_features"): "text",  # TEXT[]
        ("film", "fulltext"): "text",  # TSVECTOR
        ("device_event", "event_id"): "text",  # UUID
        ("device_event", "attributes"): "text",  # JSONB
        ("device_event", "fee"): "currency",  # MONEY
        ("device_event", "session_length"): "date and time",  # INTERVAL
        ("device_event", "location"): "coordinates",  # POINT
        ("device_event", "client_ip"): "text",  # INET
        ("sales_by_customer", "total_sales"): "numeric",  # SUM(amount)
    }
    assert {k: by_field[k]["type"] for k in expected} == expected
    assert by_field[("customer", "first_name")]["native_type"].endswith('DOMAIN "Name"') or (
        f'{pg_schema}."Name"' in by_field[("customer", "first_name")]["native_type"]
    )
    other = {r["native_type"] for r in rows if r["type"] == "other"}
    # the one type SQLAlchemy does not know is named from the catalog and reported, once
    assert other - {"PG_LSN"} and all(n.startswith(BINARY) for n in other - {"PG_LSN"}), other
    reported = [line for line in stderr.splitlines() if "not in the BUCP type table" in line]
    assert len(reported) == 1 and "'PG_LSN'" in reported[0], stderr
    assert "device_event.wal_position" in reported[0]


@pytest.mark.postgres
def test_postgres_scan_samples_values_and_never_prints_them(pg_url: str, pg_schema: str) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE TABLE "{pg_schema}"."Badge" ("Ref" char(11))')
        conn.exec_driver_sql(
            f"INSERT INTO \"{pg_schema}\".\"Badge\" VALUES ('123-45-6789'), ('234-56-7890')"
        )
    engine.dispose()
    rows, stderr = _rows(pg_url, "--schema", pg_schema)
    ref = next(r for r in rows if r["field"] == "Ref")  # mixed case: quoted by the dialect
    assert "direct_identifier" in ref["categories"], ref
    assert "123-45-6789" not in json.dumps(rows) + stderr


@pytest.mark.postgres
def test_postgres_system_schemas_are_never_read(pg_url: str) -> None:
    from cdw_datahub.scan import source_config

    config = source_config(pg_url)[0]["config"]
    deny = config["schema_pattern"]["deny"]
    for schema in ("information_schema", "pg_catalog", "pg_toast", "pg_temp_3"):
        assert any(re.match(p, schema) for p in deny), schema


@pytest.mark.postgres
def test_sslmode_require_against_a_server_without_tls_is_one_clear_line(pg_url: str) -> None:
    url = sa.engine.make_url(pg_url).set(password="pw-SECRET-42")
    shown = url.update_query_dict({"sslmode": "require"})
    result = _scan(shown.render_as_string(hide_password=False))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SSL was required" in lines[0], result.stderr
    assert "sslmode=require" in lines[0]
    assert "pw-SECRET-42" not in result.stdout + result.stderr


@pytest.mark.mysql
def test_mysql_tls_options_reach_the_driver(mysql_url: str, tmp_path: Path) -> None:
    """A root certificate the client cannot read must stop the connection, not be dropped."""
    missing = tmp_path / "no-such-ca.pem"
    url = sa.engine.make_url(mysql_url).set(database="mysql", password="pw-SECRET-43")
    url = url.update_query_dict({"ssl_ca": str(missing)})
    result = _scan(url.render_as_string(hide_password=False))
    assert result.returncode != 0
    assert "no-such-ca.pem" in result.stderr
    assert "pw-SECRET-43" not in result.stdout + result.stderr
