"""The sample department's hand-kept workbook: Healthy Habits' community workshop sign-ins.

Program staff keep it in Excel beside the vendor-run system (which has no place for workshops),
so IT does not know it exists: the kind of dataset play 2 asks a department to find. Generated
by the demo build like the W2W extract (`extracts.py`), with obviously fake, deterministic values;
row 1 carries the `SAMPLE_SENTINELS` the no-value-leak tests grep for. `follow_up` holds
telephone numbers under a name that says nothing: only the value detectors, reading a bounded
sample of the sheet, can tell.

Reading it back needs DataHub's `excel` source (`pip install 'cdw-datahub[excel]'`);
`excel_source_missing()` says so in one line when it is not installed. Writing it needs only
openpyxl, a default dependency.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from cdw_datahub.demo.build import (
    COUNTIES,
    LANGUAGES,
    SAMPLE_KINDS,
    SENTINEL_PHONE,
)
from cdw_datahub.output import append_row, atomic_output

HH_WORKBOOK = "workshop_tracker.xlsx"
SHEET = "workshop_signins"  # the dataset's name in the catalog and the dictionary
COLUMNS = (
    "workshop_date",
    "cbo_partner",
    "workshop_topic",
    "county",
    "attendee_name",
    "follow_up",
    "zip_code",
    "preferred_language",
    "wants_coaching",
    "minutes_attended",
)
TOPICS = ("Healthy eating on a budget", "Diabetes prevention", "Blood pressure basics", "Move more")
SENTINEL_ATTENDEE = "Testy McTestface"
WORKSHOP_SIZE = 12  # sign-ins per workshop


def signin_rows(rows: int, seed: int) -> list[list[object]]:
    """One row per attendee, grouped by workshop (a date, a partner, a topic, a county)."""
    rng = random.Random(seed)
    out: list[list[object]] = []
    workshop: list[object] = []
    for n in range(1, rows + 1):
        if (n - 1) % WORKSHOP_SIZE == 0:
            number = (n - 1) // WORKSHOP_SIZE
            workshop = [
                date(2025, 1, 8) + timedelta(weeks=number),
                SAMPLE_KINDS["org"](rng, number + 1, {}),
                TOPICS[number % len(TOPICS)],
                rng.choice(COUNTIES),
            ]
        name = SAMPLE_KINDS["full_name"](rng, n, {})
        phone = SAMPLE_KINDS["phone"](rng, n, {})
        if n == 1:
            name, phone = SENTINEL_ATTENDEE, SENTINEL_PHONE
        out.append(
            [
                *workshop,
                name,
                phone,
                SAMPLE_KINDS["zip"](rng, n, {}),
                rng.choice(LANGUAGES),
                rng.random() < 0.3,
                rng.randrange(20, 121, 5),
            ]
        )
    return out


def build_workbooks(workdir: Path, rows: int = 200, seed: int = 13) -> Path:
    """Write `workdir/workbooks/` (the workbook atomically); returns the folder."""
    from openpyxl import Workbook

    folder = Path(workdir) / "workbooks"
    folder.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    append_row(sheet, COLUMNS)
    for row in signin_rows(rows, seed):
        append_row(sheet, row)
    # DataHub's excel source harvests the workbook's own properties as dataset properties
    book.properties.title = "Healthy Habits community workshop sign-ins"
    book.properties.creator = "Healthy Habits program staff"
    with atomic_output(folder / HH_WORKBOOK, "wb") as handle:
        book.save(handle)
    return folder


def excel_source_missing() -> str | None:
    """Why the workbook cannot be catalogued here, in one line naming the fix (DataHub's `excel`
    source or one of its packages is not installed); None when it can."""
    try:
        import cdw_datahub.sources.excel  # noqa: F401  (imports DataHub's excel source)
    except ImportError as e:
        return (
            f"skipped the Healthy Habits workbook (recipes/healthy-habits-workbooks.lite.yml): "
            f"DataHub's excel source is not installed ({e}); "
            f"pip install 'cdw-datahub[excel]' to catalog it"
        )
    return None
