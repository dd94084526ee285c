"""`cdw-datahub coverage`: how much of each program's data is described (play 6)."""

from __future__ import annotations

import io
import json

import click

from cdw_datahub import coverage as coverage_mod
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli.options import catalog_option, format_option, get_settings
from cdw_datahub.output import SafeCsvWriter, text_table


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


@click.command(short_help="How much of each program is described.")
@catalog_option
@click.option("--program", help="Program id or display name (default: every program).")
@format_option("table", "json", "csv")
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
    if fmt == "json":
        click.echo(json.dumps(cov.to_dict(), indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = SafeCsvWriter(out)
        writer.writerow(
            [
                "program",
                "dataset",
                "fields",
                *(f"{m}_{k}" for m in coverage_mod.METRICS for k in ("count", "share")),
            ]
        )
        for ds in cov.datasets:
            writer.writerow(
                [
                    ds.program,
                    ds.name,
                    len(ds.fields),
                    *(v for m in coverage_mod.METRICS for v in (ds.count(m), f"{ds.share(m):.4f}")),
                ]
            )
        click.echo(out.getvalue(), nl=False)
    else:
        if not cov.datasets:
            click.echo("no datasets in the catalog", err=True)
            return
        rows = coverage_rows(cov)
        click.echo(text_table(rows[0], rows[1:]))


commands = [coverage]
