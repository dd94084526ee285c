"""The sample department in PostgreSQL: DDL with real comments, and a loader for a live server.

Each program becomes one schema (`healthy-habits` -> `healthy_habits`) with the same tables,
foreign keys and views as the SQLite files, and `COMMENT ON` statements carrying the column and
table comments, which the stock DataHub `postgres` source harvests as descriptions.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cdw_datahub.demo.build import table_rows
from cdw_datahub.demo.schema import PROGRAMS, Program, Table, program, quote, table_definitions
from cdw_datahub.errors import InputError


def _literal(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no bind parameters); quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def _table_ddl(schema: str, table: Table) -> str:
    lines = [definition for definition, _ in table_definitions(table, schema)]
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {quote(schema)}.{quote(table.name)} (\n  {body}\n);"


def postgres_ddl(program_id: str) -> str:
    """CREATE SCHEMA, tables, foreign keys, views and comments for one program (id or name)."""
    p = program(program_id)
    schema = p.schema_name
    out = [f"CREATE SCHEMA {quote(schema)};"]
    comments = []
    for t in p.tables:
        out.append(_table_ddl(schema, t))
        qualified = f"{quote(schema)}.{quote(t.name)}"
        if t.comment:
            comments.append(f"COMMENT ON TABLE {qualified} IS {_literal(t.comment)};")
        for c in t.columns:
            if c.comment:
                comments.append(
                    f"COMMENT ON COLUMN {qualified}.{quote(c.name)} IS {_literal(c.comment)};"
                )
    out.extend(comments)
    if p.views:
        # View bodies name the program's tables unqualified, as in SQLite.
        out.append(f"SET search_path TO {quote(schema)};")
        for v in p.views:
            qualified = f"{quote(schema)}.{quote(v.name)}"
            out.append(f"CREATE VIEW {qualified} AS\n{v.select};")
            if v.comment:
                out.append(f"COMMENT ON VIEW {qualified} IS {_literal(v.comment)};")
        out.append("RESET search_path;")
    return "\n\n".join(out) + "\n"


def _insert(schema: str, table: Table) -> sa.TextClause:
    names = ", ".join(quote(c.name) for c in table.columns)
    params = ", ".join(f":p{i}" for i in range(len(table.columns)))
    return sa.text(f"INSERT INTO {quote(schema)}.{quote(table.name)} ({names}) VALUES ({params})")


def load_program(conn: sa.Connection, p: Program, rows: int, seed: int) -> None:
    """Drop and recreate the program's schema, then insert `rows` rows per table."""
    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {quote(p.schema_name)} CASCADE")
    # The DBAPI cursor directly: no parameter substitution inside the comments' text.
    cursor = conn.connection.cursor()
    try:
        cursor.execute(postgres_ddl(p.id))
    finally:
        cursor.close()
    for table in p.tables:
        data = [{f"p{i}": v for i, v in enumerate(row)} for row in table_rows(p, table, rows, seed)]
        conn.execute(_insert(p.schema_name, table), data)


def load_postgres(
    url: str, programs: Iterable[str] | None = None, rows: int = 50, seed: int = 7
) -> None:
    """Create (drop and recreate) each program's schema in the database at `url`, with rows.

    `programs` takes ids or display names; default all. Re-runnable.
    """
    chosen = [program(x) for x in programs] if programs is not None else list(PROGRAMS)
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception as e:  # SQLAlchemy raises ArgumentError and ValueError for bad URLs
        raise InputError(f"not a database URL ({e})", key="url") from e
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for p in chosen:
                load_program(conn, p, rows, seed)
    except sa.exc.OperationalError as e:
        raise InputError(
            f"cannot reach the database ({str(e.orig).strip().splitlines()[0]}); "
            "check host, port and credentials",
            shown,
        ) from e
    finally:
        engine.dispose()
