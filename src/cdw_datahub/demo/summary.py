"""What the demo prints: the catalog it built, per program."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TextIO

from cdw_datahub.catalog import Catalog


def print_summary(catalog: Catalog, workdir: Path, out: TextIO) -> None:
    datasets: Counter[str] = Counter()
    fields: Counter[str] = Counter()
    for dataset in catalog.datasets():
        program = dataset.program or "(no program)"
        datasets[program] += 1
        fields[program] += len(dataset.fields)
    domains = catalog.domains()
    out.write(f"Catalog {catalog.location}\n")
    out.write(f"{'program':<22}{'datasets':>10}{'fields':>10}\n")
    for program in sorted(datasets):
        name = domains.get(f"urn:li:domain:cdw.{program}", program)
        out.write(f"{name:<22}{datasets[program]:>10}{fields[program]:>10}\n")
    out.write(f"{'total':<22}{sum(datasets.values()):>10}{sum(fields.values()):>10}\n")
