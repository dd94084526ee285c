"""The sample department in MySQL/MariaDB: DDL with column `COMMENT`s, and a loader.

Each program becomes one database (`healthy-habits` -> `healthy_habits`, or a caller's name for
it) with the same tables, foreign keys and views as the SQLite files. Column and table comments
are inline `COMMENT '...'` clauses, which the stock DataHub `mysql` source harvests as
descriptions. MySQL has no view comments, so views carry none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cdw_datahub import ddl
from cdw_datahub.demo.build import table_rows
from cdw_datahub.demo.schema import PROGRAMS, Program, Table, program, table_definitions
from cdw_datahub.errors import InputError


def quote_mysql(identifier: str) -> str:
    return ddl.quote("mysql", identifier)


def literal_mysql(text: str) -> str:
    return ddl.literal("mysql", text)


# Portable SQL the sample's view bodies use that MySQL spells differently.
VIEW_SPELLING = ((" AS VARCHAR(", " AS CHAR("),)


def _table_ddl(table: Table) -> str:
    lines = [
        f"{definition} COMMENT {literal_mysql(comment)}" if comment else definition
        for definition, comment in table_definitions(table, quote=quote_mysql)
    ]
    body = ",\n  ".join(lines)
    comment = f" COMMENT={literal_mysql(table.comment)}" if table.comment else ""
    return (
        f"CREATE TABLE {quote_mysql(table.name)} (\n  {body}\n) DEFAULT CHARSET=utf8mb4{comment};"
    )


def mysql_ddl(program_id: str) -> str:
    """Tables (with comments), foreign keys and views of one program (id or name), to run
    inside its database."""
    p = program(program_id)
    out = [_table_ddl(t) for t in p.tables]
    for v in p.views:
        select = v.select
        for portable, mysql in VIEW_SPELLING:
            select = select.replace(portable, mysql)
        out.append(f"CREATE VIEW {quote_mysql(v.name)} AS\n{select};")
    return "\n\n".join(out) + "\n"


def _insert(table: Table) -> sa.TextClause:
    names = ", ".join(quote_mysql(c.name) for c in table.columns)
    params = ", ".join(f":p{i}" for i in range(len(table.columns)))
    return sa.text(f"INSERT INTO {quote_mysql(table.name)} ({names}) VALUES ({params})")


def load_program(conn: sa.Connection, p: Program, rows: int, seed: int) -> None:
    """Create the program's tables and views in the connection's database, with rows."""
    for statement in mysql_ddl(p.id).split(";\n"):
        if statement.strip():
            # exec_driver_sql hands the text to pymysql, which %-formats it: a literal % is %%
            conn.exec_driver_sql(statement.replace("%", "%%"))
    for table in p.tables:
        data = [{f"p{i}": v for i, v in enumerate(row)} for row in table_rows(p, table, rows, seed)]
        conn.execute(_insert(table), data)


def load_mysql(
    url: str,
    programs: Iterable[str] | None = None,
    rows: int = 50,
    seed: int = 7,
    databases: Mapping[str, str] | None = None,
) -> None:
    """Drop and recreate one database per program on the server at `url`, with rows.

    `programs` takes ids or display names (default all); `databases` maps a program id to its
    database name (default the program's schema name, e.g. `healthy_habits`). Re-runnable.
    """
    chosen = [program(x) for x in programs] if programs is not None else list(PROGRAMS)
    try:
        base = make_url(url)
    except Exception as e:  # SQLAlchemy raises ArgumentError and ValueError for bad URLs
        raise InputError(f"not a database URL ({e})", key="url") from e
    shown = base.render_as_string(hide_password=True)
    names = {p.id: (databases or {}).get(p.id, p.schema_name) for p in chosen}
    try:
        for p in chosen:
            name = quote_mysql(names[p.id])
            admin = sa.create_engine(base.set(database=None))
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
                conn.exec_driver_sql(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
            admin.dispose()
            engine = sa.create_engine(base.set(database=names[p.id]))
            with engine.begin() as conn:
                load_program(conn, p, rows, seed)
            engine.dispose()
    except sa.exc.OperationalError as e:
        raise InputError(
            f"cannot reach the database ({str(e.orig).strip().splitlines()[0]}); "
            "check host, port and credentials",
            shown,
        ) from e
