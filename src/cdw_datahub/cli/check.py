"""`cdw-datahub check`: the Definition-of-Done gate a program's CI runs after a schema change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cdw_datahub import coverage as coverage_mod
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli import console
from cdw_datahub.cli.options import catalog_option, format_option, get_settings
from cdw_datahub.cli.render import View, show
from cdw_datahub.errors import InputError
from cdw_datahub.policy.checkfile import load_check_file


@dataclass(frozen=True)
class CheckView(View):
    results: list[coverage_mod.CheckResult]

    def text(self) -> str:
        lines = []
        for r in self.results:
            share, required = r.share * 100, r.requirement.threshold * 100
            lines.append(
                f"{console.mark(r.passed)}  {r.scope}  {r.requirement.metric}: {share:.1f}% "
                f"(required {required:.0f}%)"
            )
            if not r.passed:
                lines += [f"      {f.dataset}.{f.field}" for f in r.failing]
        return "\n".join(lines)

    def data(self) -> dict[str, Any]:
        passed = all(r.passed for r in self.results)
        return {"passed": passed, "results": [r.to_dict() for r in self.results]}


@click.command(short_help="Definition-of-Done gate: exit 1 on gaps.")
@catalog_option
@click.option("--program", help="Program id or display name (default: every program).")
@click.option(
    "--require",
    "requires",
    multiple=True,
    metavar="METRIC=THRESHOLD",
    help="e.g. definitions=100%, classification=reviewed, statutes=90%, steward=required, "
    "comments=current. Repeatable.",
)
@click.option(
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A check.yml with `program:` and `require:` (flags add to it).",
)
@format_option(CheckView)
def check(
    catalog: str | None,
    program: str | None,
    requires: tuple[str, ...],
    config_file: Path | None,
    fmt: str,
) -> None:
    """Fail (exit 1) when a program's fields miss the Definition-of-Done thresholds.

    Metrics: definitions, classification (reviewed level), statutes (assessed), steward,
    comments (the database comment agrees with the field dictionary).

    \b
    Example:
      cdw-datahub check --program w2w --require definitions=100% --require classification=reviewed
    """
    requirements: list[coverage_mod.Requirement] = []
    if config_file is not None:
        spec = load_check_file(config_file)
        program = program or spec.program
        requirements = [coverage_mod.Requirement.parse(t, at) for t, at in spec.requirements]
    requirements += [coverage_mod.Requirement.parse(r, "--require") for r in requires]
    if not requirements:
        raise InputError(
            "nothing to check; give --require METRIC=THRESHOLD or --config-file check.yml",
            key="--require",
        )
    settings = get_settings(catalog=catalog)
    with open_catalog(settings.catalog) as cat:
        cov = coverage_mod.compute(cat, program)
    if not cov.datasets:
        raise InputError("no datasets to check in this catalog", settings.catalog, program)
    results = coverage_mod.check(cov, requirements)
    failed = [r for r in results if not r.passed]
    show(CheckView(results), fmt)
    if failed:
        click.echo(f"{len(failed)} requirement(s) not met", err=True)
        raise SystemExit(1)


commands = [check]
