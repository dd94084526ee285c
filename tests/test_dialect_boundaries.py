"""What can be proven here without a SQL Server or an Oracle server, at the closest real boundary:
DataHub's own source classes configured from `scan` URLs and from the example recipes, the URL
they would connect with, the real drivers' connection attempt, and the type names those
dialects reflect. Also: missing drivers, and the sampling guard on the servers we do have."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from datahub.ingestion.api.common import PipelineContext
from sqlalchemy.dialects import mssql, oracle

from cdw_datahub.bucp.types import native_bucp_type
from cdw_datahub.ingest import load_recipe, recipe_path
from cdw_datahub.scan import source_config
from cdw_datahub.sources.dialects import (
    CdwMySQLConfig,
    CdwOracleSource,
    CdwSQLServerConfig,
    CdwSQLServerSource,
)
from cdw_datahub.sources.mixins import true_native_type
from cdw_datahub.sources.sampling import guarded, sample_query, sample_sql

CLI = str(Path(sys.executable).with_name("cdw-datahub"))


def _scan(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "scan", url], capture_output=True, text=True, timeout=120)


def _ctx() -> PipelineContext:
    return PipelineContext(run_id="boundary-test")


def test_mssql_scan_url_keeps_its_options_and_scope() -> None:
    url = "mssql+pytds://sa:S3cret!@db.example.org:1433/Programs?cafile=/etc/ssl/ca.pem"
    source = source_config(url)[0]
    assert source["type"] == "cdw-mssql"
    config = CdwSQLServerConfig.model_validate(source["config"], context={"is_odbc": False})
    built = sa.engine.make_url(config.database_url())
    assert built.database == "Programs" and built.query == {"cafile": "/etc/ssl/ca.pem"}
    assert built.password == "S3cret!"
    assert config.is_single_database_recipe()
    for system in ("sys", "INFORMATION_SCHEMA", "db_owner", "guest"):
        assert not config.schema_pattern.allowed(system), system
    assert config.schema_pattern.allowed("dbo")


def test_mssql_odbc_driver_name_reaches_the_url() -> None:
    url = (
        "mssql+pyodbc://sa:pw@db.example.org:1433/Programs"
        "?driver=ODBC+Driver+18+for+SQL+Server&Encrypt=yes&TrustServerCertificate=no"
    )
    config = CdwSQLServerConfig.model_validate(_odbc_config(url), context={"is_odbc": True})
    assert config.uses_odbc()
    built = sa.engine.make_url(config.database_url())
    assert built.query["driver"] == "ODBC Driver 18 for SQL Server"
    assert built.query["Encrypt"] == "yes" and built.query["TrustServerCertificate"] == "no"


def _odbc_config(url: str) -> dict[str, Any]:
    # pyodbc itself needs unixODBC, which this machine does not have: build the block the way
    # scan does, past its driver check
    parsed = sa.engine.make_url(url)
    return {"sqlalchemy_uri": parsed.render_as_string(hide_password=False), "host_port": "x"}


def test_mssql_source_connects_with_the_urls_options(tmp_path: Path) -> None:
    """`create()` reads the MS_Description comments, so it connects: a real pytds attempt to a
    closed local port fails as one line, without the password."""
    # login_timeout reaches python-tds from the query string: the attempt gives up in 2 s
    url = "mssql+pytds://sa:pw-SECRET-51@127.0.0.1:1/Programs?login_timeout=2"
    with pytest.raises(OSError):  # refused, then pytds's retries time out
        CdwSQLServerSource.create(source_config(url)[0]["config"], _ctx())
    result = _scan(url)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Connection refused" in result.stderr
    assert "127.0.0.1:1/Programs" in result.stderr and "pw-SECRET-51" not in result.stderr


def test_oracle_scan_url_is_scoped_to_the_login_schema() -> None:
    url = "oracle+oracledb://hr:S3cret@db.example.org:1521/?service_name=XEPDB1&ssl_server_dn_match=true"
    source = source_config(url)[0]
    assert source["type"] == "cdw-oracle"
    created = CdwOracleSource.create(source["config"], _ctx())
    built = sa.engine.make_url(created.config.get_sql_alchemy_url())
    assert built.query == {"service_name": "XEPDB1", "ssl_server_dn_match": "true"}
    pattern = created.config.schema_pattern
    assert pattern.allowed("hr") and pattern.allowed("HR")
    assert not pattern.allowed("sys") and not pattern.allowed("scott")


def test_oracle_unreachable_is_one_line_without_the_password() -> None:
    result = _scan("oracle+oracledb://hr:pw-SECRET-52@127.0.0.1:1/?service_name=XEPDB1")
    assert result.returncode == 2
    assert "cannot connect to database" in result.stderr
    assert "pw-SECRET-52" not in result.stdout + result.stderr


@pytest.mark.parametrize("recipe", ["example.mssql.lite.yml", "example.oracle.lite.yml"])
def test_example_recipes_configure_the_stock_sources(recipe: str) -> None:
    from datahub.ingestion.source.sql.mssql.source import SQLServerConfig
    from datahub.ingestion.source.sql.oracle import OracleConfig

    config = load_recipe(recipe_path(recipe), env={"CDW_DB_PASSWORD": "pw"})
    block = config["source"]["config"]
    if config["source"]["type"] == "mssql":
        parsed = SQLServerConfig.model_validate(block, context={"is_odbc": False})
        assert parsed.options["connect_args"]["cafile"]
        assert sa.engine.make_url(parsed.database_url()).database == "Programs"
    else:
        assert config["source"]["type"] == "oracle"
        parsed_oracle = OracleConfig.model_validate(block)
        assert parsed_oracle.options["connect_args"]["ssl_server_dn_match"] is True
        assert "service_name=" in parsed_oracle.get_sql_alchemy_url()


# How each dialect's SQLAlchemy reflection hands a column type to DataHub (the stock sources'
# nativeDataType is the type compiled by the dialect), and the BUCP type it must map to.
MSSQL_TYPES = [
    (mssql.MONEY(), "currency"),
    (mssql.SMALLMONEY(), "currency"),
    (mssql.BIT(), "boolean"),
    (mssql.DATETIMEOFFSET(), "date and time"),
    (mssql.DATETIME2(), "date and time"),
    (mssql.SMALLDATETIME(), "date and time"),
    (mssql.UNIQUEIDENTIFIER(), "text"),
    (mssql.NVARCHAR(None), "text"),  # nvarchar(max)
    (mssql.NTEXT(), "text"),
    (mssql.TINYINT(), "numeric"),
    (mssql.DECIMAL(10, 2), "numeric"),
    (mssql.XML(), "text"),
    (mssql.IMAGE(), "other"),
    (mssql.TIMESTAMP(), "other"),  # a rowversion, not a time
]
ORACLE_TYPES = [
    (oracle.NUMBER(10, 2), "numeric"),
    (oracle.VARCHAR2(100), "text"),
    (oracle.NVARCHAR2(30), "text"),
    (oracle.DATE(), "date and time"),  # Oracle DATE holds a date and a time
    (oracle.TIMESTAMP(timezone=True), "date and time"),
    (oracle.TIMESTAMP(local_timezone=True), "date and time"),
    (oracle.INTERVAL(), "date and time"),
    (oracle.CLOB(), "text"),
    (oracle.NCLOB(), "text"),
    (oracle.BINARY_DOUBLE(), "numeric"),
    (oracle.FLOAT(), "numeric"),
    (oracle.RAW(16), "other"),
    (oracle.BLOB(), "other"),
]


def _native(column_type: Any, dialect: sa.Dialect) -> str:
    fixed = true_native_type(column_type, dialect)
    return fixed[0] if fixed else column_type.compile(dialect=dialect)


@pytest.mark.parametrize(("column_type", "bucp"), MSSQL_TYPES, ids=lambda x: repr(x)[:40])
def test_sql_server_types_map(column_type: Any, bucp: str) -> None:
    assert native_bucp_type(_native(column_type, mssql.dialect())) == bucp


@pytest.mark.parametrize(("column_type", "bucp"), ORACLE_TYPES, ids=lambda x: repr(x)[:40])
def test_oracle_types_map(column_type: Any, bucp: str) -> None:
    assert native_bucp_type(_native(column_type, oracle.dialect())) == bucp


def test_types_the_dialects_do_not_know_keep_their_name() -> None:
    """Oracle SDO_GEOMETRY and XMLTYPE are registered by DataHub (while its source runs) as
    placeholder types that compile as BLOB; SQL Server geography is read from the catalog by name
    (CATALOG_TYPES)."""
    from datahub.ingestion.source.sql.oracle import extra_oracle_types

    placeholders = {klass.__name__: klass for klass in extra_oracle_types}
    sdo = placeholders["SDO_GEOMETRY"]()
    assert sdo.compile(dialect=oracle.dialect()) == "BLOB"  # what the stock source reports
    assert _native(sdo, oracle.dialect()) == "SDO_GEOMETRY"
    assert native_bucp_type("SDO_GEOMETRY") == "coordinates"
    assert native_bucp_type(_native(placeholders["XMLTYPE"](), oracle.dialect())) == "text"
    for declared in ("GEOGRAPHY", "GEOMETRY", "INTERVAL YEAR(2) TO MONTH"):
        assert native_bucp_type(declared) in ("coordinates", "date and time"), declared


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("mysql+mysqldb://root@127.0.0.1/x", "mysql"),
        ("oracle+cx_oracle://hr@127.0.0.1/x", "oracle"),
        ("mssql+pymssql://sa@127.0.0.1/x", "mssql"),
        ("mssql+pyodbc://sa@127.0.0.1/x?driver=ODBC+Driver+18+for+SQL+Server", "mssql-odbc"),
    ],
)
def test_missing_driver_names_the_extra(url: str, extra: str) -> None:
    result = _scan(url)
    assert result.returncode == 2
    assert f"pip install 'cdw-datahub[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_mysql_connect_args_come_from_the_urls_query() -> None:
    url = (
        "mysql+pymysql://u:p%40ss@db.example.org/hr?ssl_ca=/ca.pem&ssl_cert=/c.pem"
        "&ssl_key=/k.pem&charset=utf8mb4"
    )
    config = CdwMySQLConfig.model_validate(source_config(url)[0]["config"])
    assert config.options["connect_args"] == {
        "ssl": {"ca": "/ca.pem", "cert": "/c.pem", "key": "/k.pem"},
        "charset": "utf8mb4",
    }
    assert config.password is not None and config.password.get_secret_value() == "p@ss"
    assert config.database == "hr"
    for system in ("mysql", "sys", "information_schema", "performance_schema"):
        assert not config.database_pattern.allowed(system)


def test_sample_query_is_bounded_and_quoted_by_each_dialect() -> None:
    from sqlalchemy.dialects import mysql, postgresql

    query = sample_query("Sales Data", "Order", ["ssn", "Full Name"], 50)
    rendered = {
        name: str(query.compile(dialect=d, compile_kwargs={"literal_binds": True}))
        for name, d in {
            "postgresql": postgresql.dialect(),
            "mysql": mysql.dialect(),
            "mssql": mssql.dialect(),
            "oracle": oracle.dialect(),
        }.items()
    }
    assert rendered["postgresql"].endswith('FROM "Sales Data"."Order" \n LIMIT 50')
    assert "`Full Name`" in rendered["mysql"] and rendered["mysql"].endswith("LIMIT 50")
    assert rendered["mssql"].startswith("SELECT TOP 50 ssn, [Full Name]")
    assert "FETCH FIRST 50 ROWS ONLY" in rendered["oracle"]


def test_sample_sql_is_the_statement_each_dialect_compiles() -> None:
    """The text the sampler runs is exactly the dialect's compiled statement, for names that
    need quoting, look like SQL or like the template's own markers; a name with a "%" (doubled
    by dialects whose parameters are written %s) and a limit that wraps the query (Oracle before
    12c) are left to the compiler."""
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    names = ["id", "Full Name", "select", 'a"b', "a`b", "a]b", "Ünï", "cdw_sampled_table"]
    dialects = [
        sqlite.dialect(),
        postgresql.dialect(),
        mysql.dialect(),
        mysql.dialect(is_mariadb=True),
        mssql.dialect(),
        oracle.dialect(),
    ]
    for d in dialects:
        for schema, table in (("Sales Data", "Order"), (None, "cdw_sampled_columns")):
            compiled = sample_query(schema, table, names, 50).compile(
                dialect=d, compile_kwargs={"literal_binds": True}
            )
            assert sample_sql(d, schema, table, names, 50) == str(compiled), d.name
        assert sample_sql(d, "s", "t", ["rate_%"], 50) is None
    before_12c = oracle.dialect()
    before_12c._supports_offset_fetch = False
    assert sample_sql(before_12c, "s", "t", ["a"], 50) is None


def _guard_checks(url: str, slow_sql: str, write_sql: str) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError), guarded(conn, 0.3):
            conn.exec_driver_sql(slow_sql)
        with pytest.raises(sa.exc.DBAPIError), guarded(conn, 5):
            conn.exec_driver_sql(write_sql)
        with guarded(conn, 5):  # the connection is usable again afterwards
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()


@pytest.mark.postgres
def test_guard_on_postgres_is_read_only_and_times_out(pg_url: str, pg_schema: str) -> None:
    _guard_checks(
        pg_url, "SELECT pg_sleep(3)", f'CREATE TABLE "{pg_schema}".written_in_a_sample (x int)'
    )


@pytest.mark.mysql
def test_guard_on_mariadb_is_read_only_and_times_out(mysql_url: str, mysql_database: str) -> None:
    engine = sa.create_engine(sa.engine.make_url(mysql_url).set(database=mysql_database))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INT)")
    engine.dispose()
    slow = (
        "SELECT COUNT(*) FROM information_schema.columns a, information_schema.columns b, "
        "information_schema.columns c"
    )
    url = sa.engine.make_url(mysql_url).set(database=mysql_database)
    _guard_checks(url.render_as_string(hide_password=False), slow, "INSERT INTO t VALUES (1)")


def test_guard_on_sqlite_is_read_only_and_times_out(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x INT)")
    slow = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
        "SELECT COUNT(*) FROM n"
    )
    _guard_checks(f"sqlite:///{db}", slow, "INSERT INTO t VALUES (1)")


@pytest.mark.parametrize(
    "stock",
    ["PostgresSource", "MySQLSource", "SQLServerSource", "OracleSource", "SQLAlchemyGenericSource"],
)
def test_the_stock_hooks_the_mixins_override_are_still_there(stock: str) -> None:
    """The mixins override private hooks of DataHub's SQL source (and of its aspect-size
    processor): re-run after an upgrade."""
    import inspect

    from cdw_datahub.sources import dialects, sqlite

    ours = {
        "PostgresSource": dialects.CdwPostgresSource,
        "MySQLSource": dialects.CdwMySQLSource,
        "SQLServerSource": dialects.CdwSQLServerSource,
        "OracleSource": dialects.CdwOracleSource,
        "SQLAlchemyGenericSource": sqlite.CdwSQLiteSource,
    }[stock]
    base = next(c for c in ours.__mro__ if c.__name__ == stock)
    expected = {
        "_classify": ["dataset_name", "schema", "table", "data_reader", "schema_metadata"],
        "_get_columns": ["dataset_name", "inspector", "schema", "table"],
        "get_schema_fields": ["dataset_name", "columns", "inspector"],
        "get_schema_fields_for_column": ["dataset_name", "column", "inspector"],
        "make_data_reader": ["inspector"],
        "_get_view_definition": ["inspector", "schema", "view"],
        "get_workunit_processors": [],
    }
    for hook, params in expected.items():
        names = list(inspect.signature(getattr(base, hook)).parameters)[1:]
        assert names[: len(params)] == params, (stock, hook, names)
    assert callable(base.get_schema_resolver)
    from datahub.ingestion.workunit_processors import EnsureAspectSizeProcessor

    check = inspect.signature(EnsureAspectSizeProcessor.ensure_schema_metadata_size)
    assert list(check.parameters)[1:] == ["dataset_urn", "schema"]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:pw-SECRET-61@127.0.0.1:1/db?sslmode=require&application_name=cdw",
        "mysql://u:pw-SECRET-61@127.0.0.1:1/db?ssl_ca=/etc/ssl/certs/ca-certificates.crt",
        "mssql+pytds://u:pw-SECRET-61@127.0.0.1:1/db?login_timeout=1",
        "oracle+oracledb://u:pw-SECRET-61@127.0.0.1:1/?service_name=X",
    ],
)
def test_no_secret_in_any_output_of_a_failing_connection_even_with_debug(url: str) -> None:
    result = subprocess.run(
        [CLI, "--debug", "scan", url], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "127.0.0.1" in result.stderr
    assert "pw-SECRET-61" not in result.stdout + result.stderr
