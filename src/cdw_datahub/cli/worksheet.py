"""`cdw-datahub worksheet export|import`: the steward spreadsheet round trip (play 5)."""

from __future__ import annotations

import getpass
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli import console
from cdw_datahub.cli.options import catalog_option, format_option, get_settings
from cdw_datahub.cli.render import View, show
from cdw_datahub.errors import InputError
from cdw_datahub.output import atomic_write_bytes
from cdw_datahub.policy import load_policy
from cdw_datahub.worksheet import export as export_mod
from cdw_datahub.worksheet import importer


@dataclass(frozen=True)
class PlanView(View):
    """What an import would write (json: with its conflicts, ignored cells and warnings)."""

    plan: importer.Plan

    def text(self) -> str:
        return "\n".join(c.text() for c in self.plan.changes)

    def data(self) -> dict[str, Any]:
        return self.plan.to_dict()


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
@click.option(
    "--take-worksheet",
    is_flag=True,
    help="Write the worksheet's value where the files also changed since the export "
    "(default: list such conflicts and leave the files' value).",
)
@click.option(
    "--reviewer",
    metavar="NAME",
    help="Who signs the reviewed classifications and statutes (default: git config user.name, "
    "else the login name).",
)
@format_option(PlanView)
def import_cmd(
    workbook: Path, do_apply: bool, take_worksheet: bool, reviewer: str | None, fmt: str
) -> None:
    """Check every cell, merge three ways (the cells at export, the files now, the worksheet),
    list the changes, and with --apply write them into glossary/ and policies/ (comments and
    order kept; a blank cell never erases a value; a cell the worksheet did not change is never
    written). Exit 1 when conflicts were left unwritten.

    \b
    Example:
      cdw-datahub worksheet import w2w-worksheet.xlsx
      cdw-datahub worksheet import w2w-worksheet.xlsx --apply --reviewer "Linda Nguyen"
    """
    settings = get_settings()
    policy = load_policy(*settings.policy_dirs())
    try:
        plan = importer.read_workbook(workbook, policy, take_worksheet)
    except importer.WorksheetError as e:
        if len(e.problems) > 1:
            for where, message in e.problems:
                console.error(f"{where}: {message}")
        raise
    show(PlanView(plan), fmt)
    _notes(plan)
    if do_apply and plan.changes:
        sign = importer.Signature(reviewer or default_reviewer(), date.today())
        written = importer.apply(plan, policy, *settings.policy_dirs(), sign)
        for path in written:
            click.echo(f"updated {path}", err=True)
    _summary(plan, do_apply)


def _notes(plan: importer.Plan) -> None:
    for note in plan.ignored:
        click.echo(f"ignored: {note.cell}: {note.message}", err=True)
    for note in plan.warnings:
        click.echo(f"warning: {note.cell}: {note.message}", err=True)
    for conflict in plan.conflicts:
        click.secho(f"conflict: {conflict.text()}", fg="yellow", err=True)


def _summary(plan: importer.Plan, do_apply: bool) -> None:
    if not plan.changes:
        click.echo("no changes", err=True)
    elif not do_apply:
        click.echo(f"{len(plan.changes)} change(s); dry run, run again with --apply", err=True)
    if plan.conflicts:
        click.echo(
            f"{len(plan.conflicts)} conflict(s) not written: the files changed since the export; "
            "keep the files' value, or run again with --take-worksheet",
            err=True,
        )
        raise SystemExit(1)


def default_reviewer() -> str:
    """`git config user.name`, else the login name: who signs a review nobody named."""
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


commands = [worksheet]
