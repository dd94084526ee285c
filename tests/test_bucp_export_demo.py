"""End to end: the real `cdw-datahub demo` catalog (real datahub pipeline), then `bucp export`
run as a subprocess inside the demo folder (settings from its cdw.yml, no flags)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CLI = str(Path(sys.executable).parent / "cdw-datahub")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("demo")
    done = subprocess.run([CLI, "demo", "--workdir", str(workdir)], capture_output=True,
                          text=True, check=False, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert (workdir / "cdw.yml").is_file()
    return workdir


def _cli(demo_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], cwd=demo_dir, capture_output=True, text=True, check=False)


def _rows(demo_dir: Path, *args: str) -> dict[str, dict[str, Any]]:
    done = _cli(demo_dir, "bucp", "export", "--program", "Walk2Work", "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return {r["field"]: r for r in json.loads(done.stdout)["fields"]}


def test_w2w_commute_from_the_demo_catalog(demo_dir: Path) -> None:
    rows = _rows(demo_dir, "--dataset", "commute")
    assert len({r["dataset_urn"] for r in rows.values()}) == 1
    assert next(iter(rows.values()))["dataset"] == "w2w.commute"  # <program>.<table>
    assert next(iter(rows.values()))["dataset_urn"].endswith("w2w.main.commute,PROD)")
    date = rows["commute_date"]
    assert date["field_name"] == "Commute Date"
    assert (date["type"], date["native_type"]) == ("date and time", "DATE")
    assert date["classification_status"] == "reviewed"
    assert "quasi_identifier" in date["categories"]
    assert any("1798.24" in s["citation"] and s["url"].startswith("https://leginfo")
               for s in date["statutes"])  # fmt: skip
    assert rows["commute_id"]["required"] == "yes"
    assert rows["commute_id"]["glossary_terms"] == ["Commute"]
    assert rows["commute_id"]["steward"]  # the program's point of contact, by name
    for row in rows.values():  # unclassified is never shown as Public
        if row["classification_status"] == "unclassified":
            assert row["classification"] == "unclassified - protect as Moderate"


def test_w2w_participant_from_the_demo_catalog(demo_dir: Path) -> None:
    done = _cli(
        demo_dir,
        "bucp",
        "export",
        "--program",
        "w2w",
        "--dataset",
        "participant",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    rows = {r["field"]: r for r in json.loads(done.stdout)["fields"]}
    assert rows["participant_id"]["field_name"]
    assert rows["participant_id"]["classification_status"] != "unclassified"
    # the W2W table, not Healthy Habits' table of the same name
    assert all(r["dataset"].startswith("w2w.") for r in rows.values())


def test_demo_workbook_and_csv(demo_dir: Path) -> None:
    from openpyxl import load_workbook

    args = ["--dataset", "commute", "--dataset", "stop", "--title", "W2W commute request"]
    done = _cli(demo_dir, "bucp", "export", "--program", "w2w", *args, "-o", "w2w.xlsx")
    assert done.returncode == 0, done.stderr
    wb = load_workbook(demo_dir / "w2w.xlsx")
    assert wb.sheetnames == ["Cover", "Fields", "Statutes", "Summary", "Glossary"]
    glossary_terms = {r[0] for r in wb["Glossary"].iter_rows(min_row=2, values_only=True)}
    assert {"Commute", "Stop"} <= glossary_terms
    done = _cli(demo_dir, "bucp", "export", "--program", "w2w", "--field", "stop.geocode_*",
                "--format", "csv")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(done.stdout.splitlines()))
    assert [r["Type"] for r in rows] == ["coordinates", "coordinates"]


def test_the_workbook_sheet_exports_like_a_table(demo_dir: Path) -> None:
    """Healthy Habits' hand-kept workbook (cdw-excel): typed, defined, classified, statutes."""
    done = _cli(demo_dir, "bucp", "export", "--dataset", "workshop_signins", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "not in the BUCP type table" not in done.stderr  # pandas dtypes are known
    rows = {r["field"]: r for r in json.loads(done.stdout)["fields"]}
    assert list(rows) == [
        "workshop_date", "cbo_partner", "workshop_topic", "county", "attendee_name", "follow_up",
        "zip_code", "preferred_language", "wants_coaching", "minutes_attended",
    ]  # fmt: skip
    assert {r["dataset"] for r in rows.values()} == {"healthy-habits.workshop_signins"}
    types = {f: (r["type"], r["native_type"]) for f, r in rows.items()}
    assert types["workshop_date"] == ("date and time", "datetime64[ns]")
    assert types["attendee_name"] == ("text", "object")
    assert types["wants_coaching"] == ("boolean", "bool")
    assert types["minutes_attended"] == ("numeric", "int64")
    assert all(r["definition"] and r["field_name"] for r in rows.values())
    follow_up = rows["follow_up"]
    assert follow_up["field_name"] == "Follow-up Contact"
    assert (follow_up["classification"], follow_up["classification_status"]) == (
        "Personal",
        "suggested",
    )
    assert follow_up["classification_reason"] == "value.phone: value detector phone"
    assert [s["citation"] for s in follow_up["statutes"]] == [
        "California Civil Code section 1798.24"
    ]
    assert rows["workshop_date"]["glossary_terms"] == ["Workshop"]
    assert rows["attendee_name"]["steward"]  # the program's point of contact


def test_register_style_names_select_datasets_and_fields(demo_dir: Path) -> None:
    """`<program>.<table>` (the register's form) works in --dataset and --field."""
    rows = _rows(demo_dir, "--dataset", "w2w.participant", "--field", "w2w.participant.ssn")
    assert list(rows) == ["ssn"]
