"""`cdw-datahub scan`: preview classifications and statutes of a database before ingestion."""

from __future__ import annotations

import datetime as dt
import json

import click

from cdw_datahub.bucp import writers
from cdw_datahub.cli.options import format_option, get_settings


@click.command()
@click.argument("url", metavar="SQLALCHEMY_URL")
@click.option(
    "--program",
    metavar="ID|NAME",
    help="Program whose field dictionary and reviewed assignments apply (default: rules only).",
)
@format_option("table", "json", "csv")
def scan(url: str, program: str | None, fmt: str) -> None:
    """Classify a database's fields without cataloguing anything.

    Runs the same source and transformers as ingestion through the real DataHub pipeline
    (SQLite via cdw-sqlite with in-memory value sampling, PostgreSQL via the stock source) and
    prints one row per field: classification, categories, whether it was reviewed or only
    suggested, and the statutes that would govern it. No sampled value is ever printed.

    Example: cdw-datahub scan sqlite:///demo-out/w2w.db --program w2w
    """
    from cdw_datahub.bucp.export import ExportReport
    from cdw_datahub.scan import scan as run_scan

    settings = get_settings()
    report = ExportReport()
    rows = run_scan(url, program, *settings.policy_dirs(), report)
    for message in report.messages():
        click.secho(f"Warning: {message}", fg="yellow", err=True)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        doc = writers.ExportDocument(
            title="scan", catalog=url, generated=dt.date.today().isoformat(), rows=rows, summary={}
        )
        click.echo(writers.render(doc, "csv"), nl=False)
    else:
        click.echo(writers.table_text(rows))


commands = [scan]
