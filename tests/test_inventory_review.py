"""`cdw-datahub inventory review` on the real demo catalog and register (play 2)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cdw_datahub.cli import main


def review(demo_dir: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(
        main,
        [
            "inventory",
            "review",
            "--catalog",
            f"lite:{demo_dir / 'datahub-lite.db'}",
            "--register",
            f"sqlite:///{demo_dir / 'bucp-register.db'}",
            "--format",
            "json",
            *args,
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_candidates_come_first_with_harvest_owners_and_the_bucps_using_them(
    demo_dir: Path,
) -> None:
    rows = review(demo_dir)
    by_name = {r["dataset"]: r for r in rows}
    order = [r["lifecycle"] for r in rows]
    assert order.index("deprecate-candidate") < order.index("active")
    assert order == sorted(order, key=["deprecate-candidate", "unset", "active"].index)
    report = by_name["healthy-habits.quarterly_outcomes_report"]  # inventory/, a report
    assert report["lifecycle"] == "deprecate-candidate" and report["bucps"] == []
    assert report["last_harvest"] and report["last_harvest"].endswith("+00:00")
    # a retirement candidate that a BUCP still requests: what the working group must see
    assert by_name["your-environment.air_quality_reading"]["bucps"] == ["BUCP-2026-003"]
    vendor = by_name["healthy-habits.coaching_enrollment"]
    assert vendor["owners"] == ["urn:li:corpuser:marcus.ortiz", "urn:li:corpuser:wellcoach.support"]
    workbook = by_name["healthy-habits.workshop_signins"]  # a hand-kept workbook's sheet
    assert (workbook["platform"], workbook["lifecycle"]) == ("excel", "active")
    assert workbook["owners"] == ["urn:li:corpuser:marcus.ortiz"] and workbook["last_harvest"]
    assert not any(r["missing_owner"] for r in rows)


def test_filters_by_program_and_lifecycle(demo_dir: Path) -> None:
    rows = review(demo_dir, "--program", "Healthy Habits", "--lifecycle", "deprecate-candidate")
    assert [r["dataset"] for r in rows] == ["healthy-habits.quarterly_outcomes_report"]


def test_a_dataset_without_an_owner_is_flagged(tmp_path: Path) -> None:
    from cdw_datahub.ingest import run_pipeline

    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "orphan.csv").write_text("id,amount\n1,2\n")
    out = tmp_path / "out.json"
    run_pipeline(
        {
            "source": {"type": "cdw-files", "config": {"path_specs": [{"include": f"{folder}/*"}]}},
            "sink": {"type": "file", "config": {"filename": str(out)}},
        },
        "test",
    )
    result = CliRunner().invoke(
        main,
        ["inventory", "review", "--catalog", f"file:{out}", "--register", "sqlite:///:memory:"],
    )
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "orphan" in line)
    assert line.startswith("unset") and "MISSING" in line
