"""`cdw-datahub scan`: preview classifications and statutes of a database before ingestion."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click

from cdw_datahub.bucp import writers
from cdw_datahub.bucp.model import FieldRow
from cdw_datahub.cli import console
from cdw_datahub.cli.options import format_option, get_settings
from cdw_datahub.cli.render import Table, View, show


@dataclass(frozen=True)
class ScanView(View):
    """One row per field, laid out as `bucp export` lays out its rows."""

    fields: list[FieldRow]

    def text(self) -> str:
        return writers.table_text(self.fields)

    def data(self) -> list[FieldRow]:
        return self.fields

    def rows(self) -> Table:
        return Table(writers.HEADERS, [writers.cells(row) for row in self.fields])


@click.command(short_help="Classify a database's fields (no catalog).")
@click.argument("url", metavar="SQLALCHEMY_URL")
@click.option(
    "--program",
    metavar="ID|NAME",
    help="Program whose field dictionary and reviewed assignments apply (default: rules only).",
)
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    metavar="REGEX",
    help="Only schemas (databases on MySQL) whose whole name matches; repeatable. Default: "
    "the URL's database, every schema in it but the system ones (on Oracle: the login's own).",
)
@click.option(
    "--table",
    "tables",
    multiple=True,
    metavar="REGEX",
    help="Only tables and views whose whole name matches; repeatable.",
)
@format_option(ScanView)
def scan(
    url: str, program: str | None, schemas: tuple[str, ...], tables: tuple[str, ...], fmt: str
) -> None:
    """Classify a database's fields without cataloguing anything.

    Runs the same source and transformers as ingestion through the real DataHub pipeline
    (DataHub's own source for the URL's dialect: PostgreSQL, MySQL/MariaDB, SQL Server, Oracle,
    SQLite; each with bounded, read-only, in-memory value sampling) and prints one row per
    field: classification, categories, whether it was reviewed or only suggested, and the
    statutes that would govern it. No sampled value is ever printed.
    DataHub's warnings go to stderr; exit 1 when a table or view could not be read (skipped).

    Every query parameter of the URL reaches the driver (e.g. ?sslmode=verify-full&sslrootcert=
    ca.pem). Drivers: pip install 'cdw-datahub[mysql]' (or [mssql], [oracle]).

    \b
    Example:
      cdw-datahub scan sqlite:///demo-out/w2w.db --program w2w
      cdw-datahub scan postgresql+psycopg2://postgres@127.0.0.1:5432/test --format json
    """
    from cdw_datahub.bucp.export import ExportReport
    from cdw_datahub.scan import scan as run_scan

    settings = get_settings()
    report = ExportReport()
    rows, ingested = run_scan(url, program, *settings.policy_dirs(), report, schemas, tables)
    for message in ingested.warnings + report.messages():
        console.warn(message)
    show(ScanView(rows), fmt)
    if ingested.skipped:
        # the rows above are incomplete: a script must not take them for the whole database
        click.secho(
            f"Error: {len(ingested.skipped)} table(s) or view(s) were skipped; the list above "
            "is incomplete (see the warnings)",
            fg="red",
            err=True,
        )
        sys.exit(1)


commands = [scan]
