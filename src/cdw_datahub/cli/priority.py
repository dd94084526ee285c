"""`cdw-datahub priority`: rank datasets and programs with policies/rubric.yml (play 4)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cdw_datahub import priority as priority_mod
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli.options import catalog_option, format_option, get_settings, register_option
from cdw_datahub.output import csv_text
from cdw_datahub.policy.files import RUBRIC_FILE


@click.command("priority", short_help="Rank datasets and programs by the rubric.")
@click.option(
    "--rubric",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rubric file (default: rubric.yml in the policies folder).",
)
@click.option(
    "--by",
    type=click.Choice(["both", "program", "dataset"]),
    default="both",
    show_default=True,
    help="Rank programs, datasets, or both (csv: dataset).",
)
@click.option("--limit", type=click.IntRange(1), help="Show only the top N datasets (table).")
@click.option(
    "--emit",
    is_flag=True,
    help="Write cdw.dataset.priorityScore / priorityRank back to the catalog.",
)
@format_option("table", "json", "csv")
@catalog_option
@register_option
def priority(
    rubric: Path | None,
    by: str,
    limit: int | None,
    emit: bool,
    fmt: str,
    catalog: str | None,
    register: str | None,
) -> None:
    """Score every dataset with the weighted rubric, per dataset and per program, ranked.

    Each criterion's points are shown, so every score explains itself. Inputs: the catalog's
    structured properties and the BUCP register.

    \b
    Example:
      cdw-datahub priority --by program
      cdw-datahub priority --limit 5 --emit
    """
    settings = get_settings(catalog=catalog, register=register)
    rubric_path = rubric or settings.policy_dirs()[1] / RUBRIC_FILE
    with open_catalog(settings.catalog) as cat:
        ranking = priority_mod.rank(cat, settings.register, rubric_path)
        if emit:
            count = priority_mod.emit_scores(ranking, cat)
            click.echo(
                f"wrote priority score and rank on {count} dataset(s) in {cat.location}", err=True
            )
    for note in ranking.notes:
        click.echo(f"note: {note}", err=True)
    if fmt == "json":
        click.echo(json.dumps(priority_mod.to_json(ranking), indent=2, default=str))
    elif fmt == "csv":
        header, rows = (
            priority_mod.program_rows(ranking)
            if by == "program"
            else priority_mod.dataset_rows(ranking)
        )
        click.echo(csv_text([header, *rows]), nl=False)
    else:
        click.echo(priority_mod.render_table(ranking, by, limit))


commands = [priority]
