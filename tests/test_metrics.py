"""`cdw-datahub metrics` on a register built through the CLI, against hand-computed values."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cdw_datahub.bucp.metrics import percentile
from cdw_datahub.cli import main

pytestmark = pytest.mark.usefixtures("sample_department")


def cli(register: str, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--register", register])
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


# id: (program, drafted, [(event, date, note)], [(dataset, fields)], restriction solution)
HISTORY = {
    "BUCP-2026-001": ("w2w", "2026-01-01",
        [("submitted", "2026-01-05"), ("under review", "2026-01-10"), ("approved", "2026-02-09"),
         ("fulfilled", "2026-02-19")],
        [("w2w.commute", ["commute_date"])], "aggregation"),
    "BUCP-2026-002": ("w2w", "2026-01-02",
        [("submitted", "2026-01-04"), ("under review", "2026-01-06"), ("disputed", "2026-01-10"),
         ("dispute resolved", "2026-01-24"), ("approved", "2026-02-05"),
         ("fulfilled", "2026-03-07")],
        [("w2w.commute", []), ("w2w.stop", ["geocode_latitude"])], "de-identification"),
    "BUCP-2026-003": ("healthy-habits", "2026-01-03",
        [("submitted", "2026-01-13"), ("under review", "2026-01-20"), ("denied", "2026-03-01"),
         ("closed", "2026-03-05")],
        [("healthy-habits.campaign", [])], None),
    "BUCP-2026-004": ("w2w", "2026-02-01",
        [("submitted", "2026-02-03"), ("under review", "2026-02-23"), ("approved", "2026-03-25")],
        [("w2w.commute", ["commute_date"])], None),
    "BUCP-2026-005": ("your-environment", "2026-03-01", [], [("your-environment.park", [])], None),
    "BUCP-2026-006": ("w2w", "2026-01-15", [("closed", "2026-01-20")], [], None),
}  # fmt: skip


@pytest.fixture
def register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'register.db'}"
    for bucp_id, (program, drafted, events, requests, solution) in HISTORY.items():
        cli(url, "bucp", "new", "--id", bucp_id, "--title", f"Study {bucp_id}", "--program",
            program, "--requesting", "Department of Public Health", "--date", drafted)  # fmt: skip
        for dataset, fields in requests:
            cli(url, "bucp", "request", bucp_id, dataset, *fields)
        for event, date in events:
            cli(url, "bucp", "event", bucp_id, event, "--date", date)
        if solution:
            cli(url, "bucp", "restriction", bucp_id, "Civil Code 1798.24", "--solution", solution)
    return url


def test_percentile_is_excel_percentile_inc() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([15, 20, 35, 40, 50], 40) == 29.0  # rank 1.6: 20 + 0.6 * 15
    assert percentile([2, 2, 4, 10], 90) == pytest.approx(8.2)


def test_metrics_equal_hand_computed_values(register: str) -> None:
    data = json.loads(cli(register, "metrics", "--format", "json", "--as-of", "2026-04-30"))
    stages = {s["stage"]: s for s in data["stages"]}

    def stat(stage: str) -> tuple:
        s = stages[stage]
        return s["count"], s["median_days"], pytest.approx(s["p90_days"]), s["mean_days"]

    # drafting: 4, 2, 10, 2 days
    assert stat("drafting") == (4, 3, pytest.approx(8.2), 4.5)
    # waiting for review: 5, 2, 7, 20
    assert stat("waiting for review") == (4, 6, pytest.approx(16.1), 8.5)
    # review to decision (approved or denied): 30, 30, 40, 30
    assert stat("review to decision") == (4, 30, pytest.approx(37), 32.5)
    assert stat("approval to fulfillment") == (2, 20, pytest.approx(28), 20)  # 10, 30
    assert stat("submission to fulfillment") == (2, 53.5, pytest.approx(60.3), 53.5)  # 45, 62
    assert stat("dispute to resolution") == (1, 14, pytest.approx(14), 14)

    assert data["bucps"] == 6 and data["submitted"] == 4
    assert data["outcomes"] == {"approved": 3, "denied": 1, "withdrawn": 1, "pending": 1}
    assert (data["disputed_bucps"], data["dispute_rate"]) == (1, 0.25)
    assert (data["disputes"], data["disputes_open"]) == (1, 0)
    assert data["restriction_solutions"] == {"aggregation": 1, "de-identification": 1}
    assert data["top_datasets"] == [
        {"dataset": "w2w.commute", "bucps": 3},
        {"dataset": "healthy-habits.campaign", "bucps": 1},
        {"dataset": "w2w.stop", "bucps": 1},
        {"dataset": "your-environment.park", "bucps": 1},
    ]
    assert data["top_fields"] == [
        {"field": "w2w.commute.commute_date", "bucps": 2},
        {"field": "w2w.stop.geocode_latitude", "bucps": 1},
    ]
    assert [(o["id"], o["state"], o["age_days"]) for o in data["open_bucps"]] == [
        ("BUCP-2026-004", "approved", 88), ("BUCP-2026-005", "drafted", 60)]  # fmt: skip
    assert data["open_by_age"] == {"0-30 days": 0, "31-90 days": 2, "91-180 days": 0,
                                   "over 180 days": 0}  # fmt: skip


def test_since_keeps_bucps_submitted_on_or_after(register: str) -> None:
    data = json.loads(cli(register, "metrics", "--format", "json", "--since", "2026-01-10"))
    # 003 (submitted 01-13), 004 (02-03); never submitted: 005, 006 by their drafted date
    assert (data["bucps"], data["submitted"]) == (4, 2)
    drafting = next(s for s in data["stages"] if s["stage"] == "drafting")
    assert (drafting["count"], drafting["median_days"]) == (2, 6)  # 10 and 2 days
    assert data["dispute_rate"] == 0


def test_table_csv_and_chart(register: str, tmp_path: Path) -> None:
    table = cli(register, "metrics", "--as-of", "2026-04-30")
    line = next(x for x in table.splitlines() if x.startswith("submission to fulfillment"))
    assert line.split()[3:] == ["2", "53.5", "60.3", "53.5", "45", "62"]
    assert "dispute rate 25.0%" in table
    rows = list(csv.reader(io.StringIO(cli(register, "metrics", "--format", "csv"))))
    assert rows[0] == ["section", "item", "measure", "value"]
    assert ["duration", "submission to fulfillment", "p90_days", "60.3"] in [
        r[:3] + [f"{float(r[3]):g}"] if r[2] == "p90_days" else r for r in rows]  # fmt: skip
    assert ["disputes", "all", "dispute_rate", "0.25"] in rows
    chart = tmp_path / "metrics.png"
    cli(register, "metrics", "--chart", str(chart), "--format", "json")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 10_000


def test_bad_since_exits_2(register: str) -> None:
    result = CliRunner().invoke(main, ["metrics", "--since", "01/10/2026", "--register", register])
    assert result.exit_code == 2 and "is not an ISO date" in result.stderr


def test_as_of_measures_the_register_as_it_stood(register: str) -> None:
    """On 2026-01-31 only BUCPs 001-003 and 006 existed; none was decided or fulfilled yet."""
    data = json.loads(cli(register, "metrics", "--as-of", "2026-01-31", "--format", "json"))
    assert data["bucps"] == 4
    assert data["outcomes"] == {"approved": 0, "denied": 0, "withdrawn": 1, "pending": 3}
    fulfilled = next(s for s in data["stages"] if s["stage"] == "submission to fulfillment")
    assert fulfilled["count"] == 0
    ages = {b["id"]: b["age_days"] for b in data["open_bucps"]}
    assert ages == {"BUCP-2026-001": 30, "BUCP-2026-002": 29, "BUCP-2026-003": 28}
    # BUCP-2026-002's dispute was raised and resolved by then
    assert data["disputes"] == 1 and data["disputes_open"] == 0
    before = json.loads(cli(register, "metrics", "--as-of", "2025-12-31", "--format", "json"))
    assert before["bucps"] == 0 and before["open_bucps"] == []


def test_the_sample_register_is_dated_relative_to_today(tmp_path: Path) -> None:
    """Seeded for any `today`, the sample register has the same durations and the same open
    BUCPs, weeks old (not years); ids stay as written (the demo names BUCP-2026-003)."""
    import datetime as dt

    from cdw_datahub.bucp.metrics import compute
    from cdw_datahub.demo.register_seed import AS_WRITTEN, seed_register, tracker_csv

    assert "BUCP-2025-001" in tracker_csv(AS_WRITTEN)  # as written: the literal dates
    assert "2025-01-13" in tracker_csv(AS_WRITTEN)
    seen = []
    for today in (AS_WRITTEN, dt.date(2031, 1, 3)):
        url = f"sqlite:///{tmp_path / f'seed-{today}.db'}"
        seed_register(url, today=today)
        seed_register(url, today=today + dt.timedelta(days=40))  # a second run adds nothing
        m = compute(url, as_of=today)
        assert m.bucps == 12
        seen.append(
            (
                sorted(o.age_days for o in m.open_bucps),
                [(s.stage, s.median_days) for s in m.stages],
            )
        )
    assert seen[0] == seen[1]
    ages = seen[0][0]
    assert ages and max(ages) < 180 and min(ages) == 7, ages
    later = tracker_csv(dt.date(2031, 1, 3))
    assert "BUCP-2026-003" in later and "2025-01-13" not in later and "2029-11-02" in later
