"""Load the dictionary's definitions into the database as column comments (play 5).

    for statement in ddl.comment_statements(policy, "postgresql", program="w2w", schema="w2w"):
        print(statement.sql)

The database stays the source of truth: the steward-owned dictionary is written back as column
comments, which the next ingestion harvests again. Identifiers are quoted and literals escaped
by the dialect's own SQLAlchemy rules (`quote`, `literal`), apart from the statement shapes;
names shown in `--` comments are escaped (`comment_text`), so no name can end a comment.

- postgresql, oracle: `COMMENT ON COLUMN "schema"."table"."column" IS '...'`.
- mssql: `sys.sp_addextendedproperty` (`MS_Description`), or `sp_updateextendedproperty` when the
  column already has one.
- mysql: `ALTER TABLE ... MODIFY COLUMN col <type> [NOT NULL] COMMENT '...'` restates the column,
  so it needs the type and nullability: they come from the catalog; a column the catalog does not
  know is skipped with a note (a guessed type would silently change the column).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cdw_datahub.catalog import Catalog, FieldView
from cdw_datahub.policy import Policy

DIALECTS = ("postgresql", "mssql", "oracle", "mysql")
# Longest comment each database stores (characters); longer definitions are reported.
MAX_COMMENT = {"postgresql": None, "mssql": 7500, "oracle": 4000, "mysql": 1024}


# PostgreSQL: an E'' literal, whose backslash escapes mean the same whatever the server's
# standard_conforming_strings (a plain '' literal with a backslash before the closing quote
# would end early on a server with it off).
_BACKSLASH_LITERAL = {"postgresql": "E"}
# Characters no statement needs: NUL and the other C0/C1 controls (whitespace is folded before).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A type MySQL's MODIFY COLUMN may restate: words, an optional (digits) or ('a','b') list, and
# trailing words (UNSIGNED, CHARACTER SET utf8mb4, ...). Any other catalog type is not pasted
# into a statement.
_TYPE_STRING = r"'(?:[^'\\\x00-\x1f]|'')*'"
_SQL_TYPE = re.compile(
    r"[A-Za-z][A-Za-z0-9_]*(?: [A-Za-z][A-Za-z0-9_]*)*"
    rf"(?:\((?:\d+(?:, ?\d+)?|{_TYPE_STRING}(?:, ?{_TYPE_STRING})*)\))?"
    r"(?: [A-Za-z0-9_]+)*"
)


@functools.cache
def _dialect(name: str) -> Any:
    """SQLAlchemy's dialect object (no driver needed), with literal parameters: a `%` stays one."""
    from sqlalchemy.dialects import registry

    return registry.load(name)(paramstyle="named")


def quote(dialect: str, identifier: str) -> str:
    """The identifier quoted by the dialect's own preparer (always quoted, so case is kept)."""
    return str(_dialect(dialect).identifier_preparer.quote_identifier(identifier))


def literal(dialect: str, text: str) -> str:
    """A string literal escaped by the dialect's own rules (SQLAlchemy's literal rendering;
    MySQL and PostgreSQL escape backslashes, SQL Server literals are N'...')."""
    from sqlalchemy import Unicode

    d = _dialect(dialect)
    rendered = str(d.statement_compiler(d, None).render_literal_value(text, Unicode()))
    prefix = _BACKSLASH_LITERAL.get(dialect, "")
    return prefix + rendered if prefix and "\\" in text else rendered


def comment_text(text: str) -> str:
    """Text safe inside a `--` comment: every line break or control shown escaped (`\\n`)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@dataclass(frozen=True)
class Statement:
    program: str
    table: str
    column: str
    definition: str
    sql: str | None  # None: could not be written (see note)
    note: str | None = None

    @property
    def skipped_comment(self) -> str:
        """The `-- skipped` line for the script; names escaped so no line break ends it."""
        name = f"{comment_text(self.table)}.{comment_text(self.column)}"
        return f"-- skipped {name}: {comment_text(self.note or '')}"


def _qualified(dialect: str, schema: str | None, table: str) -> str:
    name = quote(dialect, table)
    return f"{quote(dialect, schema)}.{name}" if schema else name


def _mssql(schema: str | None, table: str, column: str, text: str) -> str:
    def lit(value: str) -> str:
        return literal("mssql", value)

    schema = schema or "dbo"
    obj = lit(_qualified("mssql", schema, table))
    args = (
        f"@name = N'MS_Description', @value = {lit(text)}, "
        f"@level0type = N'SCHEMA', @level0name = {lit(schema)}, "
        f"@level1type = N'TABLE', @level1name = {lit(table)}, "
        f"@level2type = N'COLUMN', @level2name = {lit(column)}"
    )
    return (
        "IF EXISTS (SELECT 1 FROM sys.extended_properties WHERE name = N'MS_Description' "
        f"AND major_id = OBJECT_ID({obj}) "
        f"AND minor_id = COLUMNPROPERTY(OBJECT_ID({obj}), {lit(column)}, 'ColumnId'))\n"
        f"    EXEC sys.sp_updateextendedproperty {args};\n"
        f"ELSE\n    EXEC sys.sp_addextendedproperty {args};"
    )


def _mysql(schema: str | None, table: str, column: str, text: str, f: FieldView | None) -> str:
    """MODIFY COLUMN restates the column: its type from the catalog, only when it is plain."""
    if f is None or not f.native_type:
        raise _Skip(
            "column type unknown (not in the catalog); MySQL's MODIFY COLUMN must restate "
            "it, so this comment was not written"
        )
    native = f.native_type.strip()
    if not _SQL_TYPE.fullmatch(native):
        raise _Skip(f"column type '{native}' from the catalog is not a plain SQL type; not written")
    null = "" if f.nullable else " NOT NULL"
    return (
        f"ALTER TABLE {_qualified('mysql', schema, table)} MODIFY COLUMN {quote('mysql', column)} "
        f"{native}{null} COMMENT {literal('mysql', text)};"
    )


class _Skip(Exception):
    """This column's statement cannot be written; the message says why."""


def _check_names(dialect: str, names: list[str]) -> None:
    for name in names:
        if "\x00" in name:
            raise _Skip("a name contains a NUL character, which no database accepts")
        if dialect == "oracle" and '"' in name:
            raise _Skip("Oracle names cannot contain a double quote")


def statement(
    dialect: str,
    program: str,
    schema: str | None,
    table: str,
    column: str,
    definition: str,
    catalog_field: FieldView | None = None,
) -> Statement:
    # one line (YAML folded text may carry newlines), without control characters
    text = _CONTROL.sub("", " ".join(definition.split()))
    limit = MAX_COMMENT[dialect]
    try:
        if limit is not None and len(text) > limit:
            raise _Skip(f"definition is {len(text)} characters; {dialect} stores at most {limit}")
        _check_names(dialect, [n for n in (schema, table, column) if n])
        if dialect in ("postgresql", "oracle"):
            target = f"{_qualified(dialect, schema, table)}.{quote(dialect, column)}"
            sql = f"COMMENT ON COLUMN {target} IS {literal(dialect, text)};"
        elif dialect == "mssql":
            sql = _mssql(schema, table, column, text)
        else:
            sql = _mysql(schema, table, column, text, catalog_field)
    except _Skip as skip:
        return Statement(program, table, column, text, None, str(skip))
    return Statement(program, table, column, text, sql)


def catalog_fields(catalog: Catalog | None, program: str) -> dict[tuple[str, str], FieldView]:
    """(table, column) -> field, lower-cased, for the program's datasets in the catalog."""
    out: dict[tuple[str, str], FieldView] = {}
    if catalog is None:
        return out
    for ds in catalog.datasets():
        if ds.program == program:
            for f in ds.fields:
                out[(ds.table.lower(), f.path.lower())] = f
    return out


def comment_statements(
    policy: Policy,
    dialect: str,
    program: str | None = None,
    schema: str | None = None,
    catalog: Catalog | None = None,
) -> Iterator[Statement]:
    """One statement per dictionary field with a definition, in dictionary order."""
    programs = [policy.program(program).id] if program else list(policy.programs)
    for pid in programs:
        known = catalog_fields(catalog, pid) if dialect == "mysql" else {}
        for table, entry in policy.datasets(pid).items():
            if entry.kind != "table":  # a file, an API endpoint: no database to comment
                continue
            for column, field in entry.fields.items():
                if not (field.definition or "").strip():
                    continue
                yield statement(
                    dialect,
                    pid,
                    schema,
                    table,
                    column,
                    field.definition or "",
                    known.get((table.lower(), column.lower())),
                )
