"""The sample department's file extracts: Walk2Work's monthly extract to another department.

Obviously fake, deterministic values, like the databases (`build.py`): row 1 carries the
`SAMPLE_SENTINELS` the no-value-leak tests grep for. `notify_to` holds e-mail addresses under a
name that says nothing: only the value detectors, reading a bounded sample of the file, can tell.
"""

from __future__ import annotations

import csv
import io
import os
import random
from pathlib import Path

from cdw_datahub.demo.build import (
    COUNTIES,
    FIRST_NAMES,
    LAST_NAMES,
    SENTINEL_EMAIL,
    SENTINEL_LAST_NAME,
)

W2W_EXTRACT = "w2w_monthly_extract.csv"
COLUMNS = (
    "participant_id",
    "first_name",
    "last_name",
    "notify_to",
    "home_county",
    "report_month",
    "commutes_logged",
    "steps_total",
    "reward_points",
)


def w2w_rows(rows: int, seed: int) -> list[list[object]]:
    rng = random.Random(seed)
    out: list[list[object]] = []
    for n in range(1, rows + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first.lower()}.{last.lower()}{n}@example.invalid"
        if n == 1:
            first, last, email = "Testy", SENTINEL_LAST_NAME, SENTINEL_EMAIL
        out.append(
            [
                n,
                first,
                last,
                email,
                rng.choice(COUNTIES),
                f"2026-{rng.randrange(1, 13):02d}-01",
                rng.randrange(0, 23),
                rng.randrange(10_000, 400_000),
                rng.randrange(0, 500),
            ]
        )
    return out


def build_extracts(workdir: Path, rows: int = 300, seed: int = 11) -> Path:
    """Write `workdir/extracts/` (atomically per file); returns the folder."""
    folder = Path(workdir) / "extracts"
    folder.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(w2w_rows(rows, seed))
    target = folder / W2W_EXTRACT
    tmp = target.with_suffix(".csv.tmp")
    tmp.write_text(text.getvalue(), encoding="utf-8")
    os.replace(tmp, target)
    return folder
