"""`cdw-datahub priority`: rank datasets and programs with policies/rubric.yml (play 4)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cdw_datahub import priority as priority_mod
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli.options import catalog_option, format_option, get_settings, register_option
from cdw_datahub.cli.render import Table, View, show
from cdw_datahub.policy.files import RUBRIC_FILE


@dataclass(frozen=True)
class PriorityView(View):
    ranking: priority_mod.Ranking
    by: str = "both"  # the table shows programs, datasets or both; csv is one of them
    limit: int | None = None  # datasets in the table

    def text(self) -> str:
        return priority_mod.render_table(self.ranking, self.by, self.limit)

    def data(self) -> dict[str, Any]:
        return priority_mod.to_json(self.ranking)

    def rows(self) -> Table:
        if self.by == "program":
            return Table(*priority_mod.program_rows(self.ranking))
        return Table(*priority_mod.dataset_rows(self.ranking))


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
@format_option(PriorityView)
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
    show(PriorityView(ranking, by, limit), fmt)


commands = [priority]
