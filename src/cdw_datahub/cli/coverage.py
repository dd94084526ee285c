"""`cdw-datahub coverage`: how much of each program's data is described (play 6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from cdw_datahub import coverage as coverage_mod
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli.options import catalog_option, format_option, get_settings
from cdw_datahub.cli.render import Table, View, show
from cdw_datahub.output import text_table


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def coverage_rows(cov: coverage_mod.Coverage) -> list[list[str]]:
    header = ["program", "dataset", "fields", *coverage_mod.METRICS]
    rows = [header]
    for program in cov.programs:
        for ds in cov.datasets:
            if ds.program == program:
                rows.append(
                    [
                        program,
                        ds.name,
                        str(len(ds.fields)),
                        *(_pct(ds.share(m)) for m in coverage_mod.METRICS),
                    ]
                )
        fields = cov.program_fields(program)
        rows.append(
            [
                program,
                "(all)",
                str(len(fields)),
                *(_pct(coverage_mod.share(fields, m)) for m in coverage_mod.METRICS),
            ]
        )
    return rows


@dataclass(frozen=True)
class CoverageView(View):
    cov: coverage_mod.Coverage

    def text(self) -> str:
        if not self.cov.datasets:
            return ""
        rows = coverage_rows(self.cov)
        return text_table(rows[0], rows[1:])

    def notes(self) -> list[str]:
        return [] if self.cov.datasets else ["no datasets in the catalog"]

    def data(self) -> dict[str, Any]:
        return self.cov.to_dict()

    def rows(self) -> Table:
        """Per dataset, each metric's count and share (four decimals)."""
        metrics = coverage_mod.METRICS
        return Table(
            [
                "program",
                "dataset",
                "fields",
                *(f"{m}_{k}" for m in metrics for k in ("count", "share")),
            ],
            [
                [
                    ds.program,
                    ds.name,
                    len(ds.fields),
                    *(v for m in metrics for v in (ds.count(m), f"{ds.share(m):.4f}")),
                ]
                for ds in self.cov.datasets
            ],
        )


@click.command(short_help="How much of each program is described.")
@catalog_option
@click.option("--program", help="Program id or display name (default: every program).")
@format_option(CoverageView)
def coverage(catalog: str | None, program: str | None, fmt: str) -> None:
    """Share of fields with a definition, a reviewed classification, a statute assessment and a
    steward, current database comments, per program and dataset.

    \b
    Example:
      cdw-datahub coverage --program w2w
    """
    settings = get_settings(catalog=catalog)
    with open_catalog(settings.catalog) as cat:
        cov = coverage_mod.compute(cat, program)
    show(CoverageView(cov), fmt)


commands = [coverage]
