"""`cdw-datahub ddl comments`: the dictionary's definitions as column-comment DDL."""

from __future__ import annotations

import click

from cdw_datahub import ddl as ddl_mod
from cdw_datahub.catalog import Catalog, open_catalog
from cdw_datahub.cli import console
from cdw_datahub.cli.options import catalog_option, get_settings
from cdw_datahub.errors import InputError
from cdw_datahub.policy import load_policy


@click.group(short_help="Write the dictionary back into databases.")
def ddl() -> None:
    """Write the data dictionary back into the databases."""


@ddl.command(short_help="Column-comment DDL from the dictionary.")
@click.option(
    "--dialect",
    type=click.Choice(ddl_mod.DIALECTS, case_sensitive=False),
    required=True,
    help="SQL dialect of the target database.",
)
@click.option("--program", help="Program id or display name (default: every program).")
@click.option("--schema", help="Schema (or database) to qualify tables with (mssql: dbo).")
@catalog_option
def comments(dialect: str, program: str | None, schema: str | None, catalog: str | None) -> None:
    """Emit statements that load the dictionary definitions as column comments.

    mysql must restate each column's type: it is taken from the catalog (--catalog); columns the
    catalog does not know are skipped with a note.

    \b
    Example:
      cdw-datahub ddl comments --dialect postgresql --program w2w --schema w2w
    """
    dialect = dialect.lower()
    settings = get_settings(catalog=catalog)
    policy = load_policy(*settings.policy_dirs())
    cat: Catalog | None = None
    if dialect == "mysql":
        try:
            cat = open_catalog(settings.catalog)
        except InputError as e:
            if catalog:
                raise
            click.echo(f"note: no catalog for column types ({e})", err=True)
    written = skipped = 0
    try:
        for st in ddl_mod.comment_statements(policy, dialect, program, schema, cat):
            if st.sql is None:
                skipped += 1
                click.echo(st.skipped_comment)
                console.warn(f"{st.program}.{st.table}.{st.column}: {st.note}")
            else:
                written += 1
                click.echo(st.sql)
    finally:
        if cat is not None:
            cat.close()
    click.echo(f"{written} comment statement(s), {skipped} skipped", err=True)


commands = [ddl]
