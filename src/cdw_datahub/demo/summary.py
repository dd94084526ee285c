"""What the demo prints: the catalog it built, how well it is described, what to describe next,
how BUCPs are going, and where the Walk2Work BUCP sheet is."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from cdw_datahub import coverage as coverage_mod
from cdw_datahub.bucp.metrics import Metrics
from cdw_datahub.bucp.metrics import _pct as metrics_pct
from cdw_datahub.catalog import Catalog
from cdw_datahub.contract import program_of_domain
from cdw_datahub.output import text_table
from cdw_datahub.priority import Ranking, rank_label, shown


def _pct(value: float) -> str:
    return f"{value:.0%}"


def print_summary(
    catalog: Catalog,
    ranking: Ranking,
    metrics: Metrics,
    sheets: list[Path],
    out: TextIO,
) -> None:
    out.write(f"Catalog {catalog.location}: what was harvested and how well it is described\n")
    out.write(coverage_table(catalog) + "\n")
    out.write(
        "(classification = reviewed by a person; suggestions await review. `cdw-datahub "
        "coverage` shows every dataset.)\n\n"
    )
    out.write("What to describe next (`cdw-datahub priority`)\n")
    out.write(priority_table(ranking) + "\n\n")
    out.write("BUCP register (`cdw-datahub metrics`)\n")
    out.write(metrics_table(metrics) + "\n\n")
    out.write("Walk2Work BUCP technical fields (`cdw-datahub bucp export --bucp`):\n")
    for sheet in sheets:
        out.write(f"  {sheet}\n")


def coverage_table(catalog: Catalog) -> str:
    """Per program (by display name) and in total: datasets, fields, each metric's share."""
    names = {program_of_domain(u): n for u, n in catalog.domains().items()}
    cov = coverage_mod.compute(catalog)  # one pass over the catalog gives the counts too
    datasets = Counter(ds.program for ds in cov.datasets)

    def row(name: str, count: int, fields: list[coverage_mod.FieldStatus]) -> list[Any]:
        shares = (_pct(coverage_mod.share(fields, m)) for m in coverage_mod.METRICS)
        return [name, count, len(fields), *shares]

    rows = [row(names.get(p, p), datasets[p], cov.program_fields(p)) for p in sorted(datasets)]
    rows.append(row("total", sum(datasets.values()), cov.fields))
    header = ["program", "datasets", "fields", *(f"{m} %" for m in coverage_mod.METRICS)]
    return text_table(header, rows)


def priority_table(ranking: Ranking) -> str:
    return text_table(
        ["rank", "program", "score", "top dataset"],
        [
            [rank_label(p.rank, p.tied), p.name, shown(p.score), p.top_dataset]
            for p in ranking.programs
        ],
    )


def metrics_table(metrics: Metrics) -> str:
    facts: list[list[Any]] = [
        ["BUCPs", metrics.bucps],
        ["outcomes", ", ".join(f"{k} {v}" for k, v in sorted(metrics.outcomes.items())) or "-"],
        # as `cdw-datahub metrics` prints it (one decimal), so the two never disagree
        ["dispute rate", metrics_pct(metrics.dispute_rate)],
        ["most requested", ", ".join(d for d, _ in metrics.top_datasets[:3]) or "-"],
    ]
    fulfilled = next((s for s in metrics.stages if s.stage == "submission to fulfillment"), None)
    if fulfilled is not None and fulfilled.median_days is not None:
        facts.insert(
            1,
            [
                "submission to fulfillment, days",
                f"median {fulfilled.median_days:g}, 90th percentile {fulfilled.p90_days:g}",
            ],
        )
    return text_table(["measure", "value"], facts)
