"""`cdw-datahub metrics`: sharing metrics from the BUCP register (plays 1 and 3)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cdw_datahub.bucp import metrics as metrics_mod
from cdw_datahub.bucp.register.store import parse_date
from cdw_datahub.cli.options import format_option, get_settings, register_option
from cdw_datahub.cli.render import Table, View, show


@dataclass(frozen=True)
class MetricsView(View):
    metrics: metrics_mod.Metrics

    def text(self) -> str:
        return metrics_mod.render_table(self.metrics)

    def data(self) -> dict[str, Any]:
        return self.metrics.to_json()

    def rows(self) -> Table:
        header, *rows = metrics_mod.csv_rows(self.metrics)
        return Table(header, rows)


@click.command("metrics", short_help="BUCP durations, outcomes and disputes.")
@click.option("--since", metavar="YYYY-MM-DD", help="Only BUCPs submitted on or after DATE.")
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    help="Measure open BUCPs' age at this date (default: today).",
)
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(1),
    help="How many most-requested datasets and fields.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a PNG chart (durations, most-requested datasets).",
)
@format_option(MetricsView)
@register_option
def metrics(
    since: str | None,
    as_of: str | None,
    top: int,
    chart: Path | None,
    fmt: str,
    register: str | None,
) -> None:
    """Durations per stage and submission to fulfillment (median, 90th percentile), outcomes,
    dispute rate, restriction solutions, most-requested datasets and fields, open BUCPs by age.

    Percentiles interpolate linearly between closest ranks (Excel PERCENTILE.INC).

    \b
    Example:
      cdw-datahub metrics
      cdw-datahub metrics --since 2025-07-01 --chart metrics.png
    """
    since_date = parse_date(since, "--since") if since else None
    as_of_date = parse_date(as_of, "--as-of") if as_of else None
    result = metrics_mod.compute(
        get_settings(register=register).register, since_date, as_of_date, top
    )
    show(MetricsView(result), fmt)
    if chart is not None:
        metrics_mod.write_chart(result, chart)
        click.echo(f"wrote chart {chart}", err=True)


commands = [metrics]
