"""`cdw-datahub worksheet export|import`: the steward spreadsheet round trip (play 5)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli import console
from cdw_datahub.cli.options import catalog_option, format_option, get_settings
from cdw_datahub.errors import InputError
from cdw_datahub.output import atomic_write_bytes
from cdw_datahub.policy import load_policy
from cdw_datahub.worksheet import export as export_mod
from cdw_datahub.worksheet import importer


@click.group(short_help="The steward spreadsheet round trip.")
def worksheet() -> None:
    """Export fields to a spreadsheet for stewards, and import their edits."""


@worksheet.command("export", short_help="Export an Excel worksheet for stewards.")
@catalog_option
@click.option("--program", help="Program id or display name.")
@click.option("--dataset", "datasets", multiple=True, help="Table name (repeatable; default all).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .xlsx file to write.",
)
def export_cmd(
    catalog: str | None, program: str | None, datasets: tuple[str, ...], output: Path
) -> None:
    """One row per field: harvested facts locked, definitions and classification editable.

    \b
    Example:
      cdw-datahub worksheet export --program w2w -o w2w-worksheet.xlsx
    """
    if output.suffix.lower() != ".xlsx":
        raise InputError("the worksheet is an Excel workbook; name it FILE.xlsx", str(output))
    settings = get_settings(catalog=catalog)
    policy = load_policy(*settings.policy_dirs())
    with open_catalog(settings.catalog) as cat:
        data, count = export_mod.build_workbook(cat, policy, program, datasets)
    atomic_write_bytes(output, data)
    click.echo(f"wrote {count} field row(s) to {output}", err=True)


@worksheet.command("import", short_help="Check, then apply, a steward worksheet.")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--apply", "do_apply", is_flag=True, help="Write the changes (default: dry run).")
@format_option("table", "json")
def import_cmd(workbook: Path, do_apply: bool, fmt: str) -> None:
    """Check every cell, list the changes, and with --apply write them into glossary/ and
    policies/ (comments and order kept; a blank cell never erases a value).

    \b
    Example:
      cdw-datahub worksheet import w2w-worksheet.xlsx
      cdw-datahub worksheet import w2w-worksheet.xlsx --apply
    """
    settings = get_settings()
    policy = load_policy(*settings.policy_dirs())
    try:
        plan = importer.read_workbook(workbook, policy)
    except importer.WorksheetError as e:
        for where, message in e.problems[1:]:
            console.error(f"{where}: {message}")
        raise
    if fmt == "json":
        click.echo(json.dumps([c.to_dict() for c in plan.changes], indent=2))
    else:
        for c in plan.changes:
            new = "(erase)" if c.new is None else repr(c.new)
            click.echo(f"{c.cell}  {c.dataset}.{c.field}  {c.column}: {c.old!r} -> {new}")
    if not plan.changes:
        click.echo("no changes", err=True)
        return
    if not do_apply:
        click.echo(f"{len(plan.changes)} change(s); dry run, run again with --apply", err=True)
        return
    written = importer.apply(plan, policy, *settings.policy_dirs())
    for path in written:
        click.echo(f"updated {path}", err=True)


commands = [worksheet]
