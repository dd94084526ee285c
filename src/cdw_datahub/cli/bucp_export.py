"""`cdw-datahub bucp export` and `bucp summary`: the BUCP Technical Fields from the catalog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cdw_datahub.bucp import writers
from cdw_datahub.bucp.assemble import collect, document
from cdw_datahub.bucp.model import FieldRow, Summary
from cdw_datahub.bucp.package import Request, load_request
from cdw_datahub.bucp.select import Selection
from cdw_datahub.bucp.summary import summary_text
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli import console
from cdw_datahub.cli.bucp import bucp
from cdw_datahub.cli.options import (
    catalog_option,
    format_option,
    get_settings,
    register_option,
)
from cdw_datahub.cli.render import View, show
from cdw_datahub.errors import InputError


@dataclass(frozen=True)
class ExportView(View):
    """The Technical Fields as bucp/writers.py writes each format (xlsx only to a file)."""

    formats = writers.FORMATS
    doc: writers.ExportDocument

    def render(self, fmt: str) -> str:
        return writers.render(self.doc, fmt)


@dataclass(frozen=True)
class SummaryView(View):
    summary: Summary

    def text(self) -> str:
        return summary_text(self.summary)

    def markdown(self) -> str:
        return summary_text(self.summary, markdown=True)

    def data(self) -> Summary:
        return self.summary


def selection_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed(
        (
            catalog_option,
            click.option(
                "--dataset",
                "datasets",
                multiple=True,
                metavar="NAME",
                help="Dataset name, table name, URN or glob (repeatable). Default: all.",
            ),
            click.option(
                "--field",
                "fields",
                multiple=True,
                metavar="DATASET.FIELD",
                help="Field as dataset.field or a glob such as 'participant.*_id' (repeatable).",
            ),
            click.option(
                "--program",
                metavar="ID|NAME",
                help="Program id or display name (w2w, Walk2Work), ignoring case.",
            ),
            click.option(
                "--bucp",
                "bucp_id",
                metavar="ID",
                help="A BUCP in the register: export exactly the datasets and fields it "
                "requests, with its id, title, parties and legal authority on the cover.",
            ),
            register_option,
        )
    ):
        f = decorator(f)
    return f


def _request(
    bucp_id: str | None, register: str | None, selectors: dict[str, Any]
) -> Request | None:
    if bucp_id is None:
        return None
    given = [name for name, value in selectors.items() if value]
    if given:
        raise InputError(
            "--bucp takes the datasets and fields from the register's request; "
            f"drop {', '.join(given)} (or drop --bucp)",
            key="--bucp",
        )
    return load_request(get_settings(register=register).register, bucp_id)


def _collect(
    catalog_uri: str | None,
    datasets: tuple[str, ...],
    fields: tuple[str, ...],
    program: str | None,
    request: Request | None = None,
) -> tuple[list[FieldRow], Summary, str]:
    settings = get_settings(catalog_uri)
    with open_catalog(settings.catalog) as catalog:
        return collect(
            catalog,
            Selection(datasets, fields, None),
            program,
            settings.glossary_dir,
            settings.policies_dir,
            warn=console.warn,
            request=request,
        )


@click.command("export", short_help="Export the BUCP Technical Fields.")
@selection_options
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (atomically). Default: stdout (table, json, csv, md).",
)
@format_option(ExportView, default=None)
@click.option(
    "--title",
    help="Title for the cover. Default: the BUCP's id and title, else 'BUCP technical fields'.",
)
def export(
    catalog: str | None,
    datasets: tuple[str, ...],
    fields: tuple[str, ...],
    program: str | None,
    bucp_id: str | None,
    register: str | None,
    output: Path | None,
    fmt: str | None,
    title: str | None,
) -> None:
    """Export the BUCP Technical Fields: one row per field, with classification and statutes.

    The format comes from --format, else from the --output extension (.csv, .xlsx, .md, .json);
    without either, a table of the main columns goes to stdout (the other formats carry every
    column).

    \b
    Example:
      cdw-datahub bucp export --program w2w -o w2w-bucp.xlsx
      cdw-datahub bucp export --dataset participant --format md
    """
    chosen = writers.format_for(output, fmt)
    if chosen is None:
        raise InputError(
            "cannot tell the format from the file extension; use .csv, .xlsx, .md or .json, "
            "or give --format",
            str(output),
            "--output",
        )
    if chosen == "xlsx" and output is None:
        raise InputError("an xlsx workbook needs a file; add --output FILE.xlsx", key="--format")
    selectors = {"--dataset": datasets, "--field": fields, "--program": program}
    request = _request(bucp_id, register, selectors)
    rows, result, location = _collect(catalog, datasets, fields, program, request)
    doc = document(rows, result, location, title, request)
    if output is None:
        show(ExportView(doc), chosen)
        return
    writers.write(doc, chosen, output)
    click.echo(f"Wrote {len(rows)} field(s) to {output} ({chosen})", err=True)


@click.command("summary", short_help="Statutes, strictest level, gaps, glossary.")
@selection_options
@format_option(SummaryView)
def summary(
    catalog: str | None,
    datasets: tuple[str, ...],
    fields: tuple[str, ...],
    program: str | None,
    bucp_id: str | None,
    register: str | None,
    fmt: str,
) -> None:
    """Statutes by dataset and field with their review status, the strictest classification and
    its NIST SP 800-53 controls, categories, late-statute risk, glossary.

    \b
    Example:
      cdw-datahub bucp summary --program w2w
      cdw-datahub bucp summary --bucp BUCP-2026-003
    """
    selectors = {"--dataset": datasets, "--field": fields, "--program": program}
    request = _request(bucp_id, register, selectors)
    _, result, _ = _collect(catalog, datasets, fields, program, request)
    show(SummaryView(result), fmt)


bucp.add_command(export)
bucp.add_command(summary)

commands = [bucp]
