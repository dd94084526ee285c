"""Value sampling shared by every cdw source: bounded, read-only, time-limited, values in memory.

The SELECT is built with SQLAlchemy Core and compiled by the connection's own dialect, so the row
limit is that dialect's (`LIMIT`, `TOP`, `FETCH FIRST`) and identifiers are quoted by its
preparer. Before it runs, the dialect's guard makes the transaction read-only and bounds the
statement's time, so a huge or locked table cannot stall a run; the transaction is rolled back
afterwards. Only detector ids (`ssn`, `email`, ...) leave this module, never a value.
"""

from __future__ import annotations

import contextlib
import functools
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from datahub.configuration.common import ConfigModel
from pydantic import Field

# Detectors look for text patterns and birth dates: numbers, flags and binary cannot match, so
# such columns are not read at all.
NOT_SAMPLED = re.compile(
    r"INT|NUM|DEC|REAL|FLOAT|DOUBLE|BOOL|BIT|BLOB|BINARY|SERIAL|MONEY|BYTEA|RAW|IMAGE|GEOM|GEOG"
    r"|POINT|POLYGON|LINESTRING|SDO_|TSVECTOR|JSON|XML",
    re.I,
)


class SamplingConfig(ConfigModel):
    sample_values: bool = Field(
        default=False,
        description="Read a bounded sample of each table in memory so value detectors (SSN, "
        "email, phone, date of birth) can support classification. No value leaves the process.",
    )
    sample_size: int = Field(
        default=100, ge=1, le=10_000, description="Rows sampled per table when sample_values."
    )
    sample_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Longest one sampling statement may run; a slower table is classified by "
        "name only, with a warning.",
    )


@dataclass(frozen=True)
class Guard:
    """What makes one dialect's sampling transaction read-only and time-limited."""

    statements: tuple[str, ...] = ()  # run first; {ms} / {s} are the timeout
    # (DBAPI connection, timeout in seconds) -> undo; for limits only the driver can set
    driver_hook: Callable[[Any, float], Callable[[], None]] | None = None


def _sqlite_hook(dbapi: Any, timeout_s: float) -> Callable[[], None]:
    # SQLite has no statement timeout: a progress handler aborts the statement past the deadline.
    deadline = time.monotonic() + timeout_s
    dbapi.execute("PRAGMA query_only = ON")
    dbapi.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)

    def undo() -> None:
        dbapi.set_progress_handler(None, 0)
        dbapi.execute("PRAGMA query_only = OFF")

    return undo


def _oracle_hook(dbapi: Any, timeout_s: float) -> Callable[[], None]:
    # python-oracledb's round-trip limit, in milliseconds
    previous = getattr(dbapi, "call_timeout", 0)
    dbapi.call_timeout = int(timeout_s * 1000)

    def undo() -> None:
        dbapi.call_timeout = previous

    return undo


def _odbc_hook(dbapi: Any, timeout_s: float) -> Callable[[], None]:
    # pyodbc's query timeout (seconds); python-tds has none settable per connection
    if not hasattr(dbapi, "timeout"):
        return lambda: None
    previous = dbapi.timeout
    dbapi.timeout = max(1, int(timeout_s))

    def undo() -> None:
        dbapi.timeout = previous

    return undo


GUARDS: dict[str, Guard] = {
    "postgresql": Guard(("SET TRANSACTION READ ONLY", "SET LOCAL statement_timeout = {ms}")),
    "mariadb": Guard(("SET SESSION max_statement_time = {s}", "SET TRANSACTION READ ONLY")),
    "mysql": Guard(("SET SESSION max_execution_time = {ms}", "SET TRANSACTION READ ONLY")),
    # SQL Server has no read-only transaction: the statement is a SELECT, and lock waits are cut
    "mssql": Guard(("SET LOCK_TIMEOUT {ms}",), _odbc_hook),
    "oracle": Guard(("SET TRANSACTION READ ONLY",), _oracle_hook),
    "sqlite": Guard((), _sqlite_hook),
}


def dialect_key(dialect: sa.Dialect) -> str:
    if dialect.name in ("mysql", "mariadb"):
        return "mariadb" if getattr(dialect, "is_mariadb", False) else "mysql"
    return dialect.name


@contextlib.contextmanager
def guarded(connection: sa.Connection, timeout_s: float) -> Iterator[None]:
    """A read-only, time-limited transaction on `connection`, rolled back afterwards."""
    guard = GUARDS.get(dialect_key(connection.dialect))
    if guard is None:
        raise ValueError(f"no sampling guard for the {connection.dialect.name} dialect")
    undo: Callable[[], None] = lambda: None  # noqa: E731
    try:
        if guard.driver_hook is not None:
            undo = guard.driver_hook(connection.connection.driver_connection, timeout_s)
        for statement in guard.statements:
            text = statement.format(ms=int(timeout_s * 1000), s=timeout_s)
            connection.exec_driver_sql(text)
        yield
    finally:
        connection.rollback()
        undo()


def sample_query(schema: str | None, table: str, columns: list[str], size: int) -> sa.Select:
    """SELECT the columns of schema.table, at most `size` rows; the dialect renders it."""
    return (
        sa.select(*(sa.column(c) for c in columns))
        .select_from(sa.table(table, schema=schema))
        .limit(size)
    )


_COLUMNS, _TABLE = "cdw_sampled_columns", "cdw_sampled_table"


@functools.lru_cache(maxsize=64)
def _template(dialect: sa.Dialect, size: int) -> tuple[str, str, str] | None:
    """The dialect's rendering of `sample_query`, cut where the column list and the table go,
    or None when it does not name them once each, in that order (a dialect that wraps the
    query to limit it, such as Oracle before 12c, repeats the columns)."""
    marked: sa.Select[Any] = (
        sa.select(sa.literal_column(_COLUMNS)).select_from(sa.text(_TABLE)).limit(size)
    )
    sql = str(marked.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    before, *rest = sql.split(_COLUMNS)
    if len(rest) != 1 or rest[0].count(_TABLE) != 1:
        return None
    between, after = rest[0].split(_TABLE)
    return before, between, after


def sample_sql(
    dialect: sa.Dialect, schema: str | None, table: str, columns: list[str], size: int
) -> str | None:
    """`sample_query` as the dialect renders it, with the row limit written in; None where
    only compiling the statement gives that (a "%" in a name, which dialects whose parameters
    are written %s double, and only a statement run with parameters undoes; see `_template`).

    SQLAlchemy's statement cache is keyed by the names, so it compiles the query anew for every
    table, at several times the cost of the read itself: here the dialect renders the query's
    shape once, and its own preparer quotes each table's names, as its compiler quotes them."""
    template = _template(dialect, size)
    if template is None or "%" in "".join((schema or "", table, *columns)):
        return None
    preparer = dialect.identifier_preparer
    listed = ", ".join(preparer.quote(c) for c in columns)
    named = preparer.quote(table)
    if schema is not None:
        named = f"{preparer.quote_schema(schema)}.{named}"
    before, between, after = template
    return f"{before}{listed}{between}{named}{after}"


def sample_columns(
    connection: sa.Connection,
    schema: str | None,
    table: str,
    columns: list[str],
    size: int,
    timeout_s: float,
) -> dict[str, list[Any]]:
    """Up to `size` values per column, read inside `guarded`."""
    sql = sample_sql(connection.dialect, schema, table, columns, size)
    with guarded(connection, timeout_s):
        if sql is None:
            rows = connection.execute(sample_query(schema, table, columns, size)).all()
        else:
            rows = connection.exec_driver_sql(sql).all()
    if not rows:
        return {c: [] for c in columns}
    return {c: list(values) for c, values in zip(columns, zip(*rows, strict=True), strict=True)}


def sampled_columns(native_types: dict[str, str]) -> list[str]:
    """The columns worth reading, from {column: native type}."""
    return [c for c, native in native_types.items() if not NOT_SAMPLED.search(native or "")]
