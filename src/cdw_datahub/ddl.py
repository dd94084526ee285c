"""Load the dictionary's definitions into the database as column comments (play 5).

    for statement in ddl.comment_statements(policy, "postgresql", program="w2w", schema="w2w"):
        print(statement.sql)

The database stays the source of truth: the steward-owned dictionary is written back as column
comments, which the next ingestion harvests again. Quoting per dialect is a table of functions
(identifier, string literal), apart from the statement shapes.

- postgresql, oracle: `COMMENT ON COLUMN "schema"."table"."column" IS '...'`.
- mssql: `sys.sp_addextendedproperty` (`MS_Description`), or `sp_updateextendedproperty` when the
  column already has one.
- mysql: `ALTER TABLE ... MODIFY COLUMN col <type> [NOT NULL] COMMENT '...'` restates the column,
  so it needs the type and nullability: they come from the catalog; a column the catalog does not
  know is skipped with a note (a guessed type would silently change the column).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cdw_datahub.catalog import Catalog, FieldView
from cdw_datahub.policy import Policy

DIALECTS = ("postgresql", "mssql", "oracle", "mysql")
# Longest comment each database stores (characters); longer definitions are reported.
MAX_COMMENT = {"postgresql": None, "mssql": 7500, "oracle": 4000, "mysql": 1024}


def quote_ansi(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def quote_mssql(identifier: str) -> str:
    return "[" + identifier.replace("]", "]]") + "]"


def quote_mysql(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def literal_standard(text: str) -> str:
    """A SQL string literal: single quotes doubled (PostgreSQL with standard strings, Oracle)."""
    return "'" + text.replace("'", "''") + "'"


def literal_mssql(text: str) -> str:
    return "N'" + text.replace("'", "''") + "'"


def literal_mysql(text: str) -> str:
    """MySQL treats backslash as an escape by default (unless NO_BACKSLASH_ESCAPES)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


QUOTING: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    "postgresql": (quote_ansi, literal_standard),
    "oracle": (quote_ansi, literal_standard),
    "mssql": (quote_mssql, literal_mssql),
    "mysql": (quote_mysql, literal_mysql),
}


@dataclass(frozen=True)
class Statement:
    program: str
    table: str
    column: str
    definition: str
    sql: str | None  # None: could not be written (see note)
    note: str | None = None


def _qualified(schema: str | None, table: str, quote: Callable[[str], str]) -> str:
    return f"{quote(schema)}.{quote(table)}" if schema else quote(table)


def _mssql(schema: str | None, table: str, column: str, text: str) -> str:
    lit = literal_mssql
    schema = schema or "dbo"
    obj = lit(f"{quote_mssql(schema)}.{quote_mssql(table)}")
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


def statement(
    dialect: str,
    program: str,
    schema: str | None,
    table: str,
    column: str,
    definition: str,
    catalog_field: FieldView | None = None,
) -> Statement:
    quote, literal = QUOTING[dialect]
    text = " ".join(definition.split())  # one line: YAML folded text may carry newlines
    limit = MAX_COMMENT[dialect]
    if limit is not None and len(text) > limit:
        return Statement(
            program,
            table,
            column,
            text,
            None,
            f"definition is {len(text)} characters; {dialect} stores at most {limit}",
        )
    if dialect in ("postgresql", "oracle"):
        target = f"{_qualified(schema, table, quote)}.{quote(column)}"
        sql = f"COMMENT ON COLUMN {target} IS {literal(text)};"
    elif dialect == "mssql":
        sql = _mssql(schema, table, column, text)
    else:
        if catalog_field is None or not catalog_field.native_type:
            return Statement(
                program,
                table,
                column,
                text,
                None,
                "column type unknown (not in the catalog); MySQL's MODIFY COLUMN must restate "
                "it, so this comment was not written",
            )
        null = "" if catalog_field.nullable else " NOT NULL"
        sql = (
            f"ALTER TABLE {_qualified(schema, table, quote)} MODIFY COLUMN {quote(column)} "
            f"{catalog_field.native_type}{null} COMMENT {literal(text)};"
        )
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
