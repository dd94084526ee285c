"""The BUCP register through the real CLI: lifecycle rules, bad input, Specialized content, the
tracker spreadsheet import/export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cdw_datahub.bucp.register import open_register
from cdw_datahub.cli import main

SECRET = "SPECIALIZED-SECURITY-XYZZY: encrypt at rest with agency HSM key 7"
PRIVACY = "SPECIALIZED-PRIVACY-PLUGH: no re-disclosure without consent"

pytestmark = pytest.mark.usefixtures("sample_department")


def run(args: list[str], register: str, ok: int | None = 0) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, [*args, "--register", register])
    if ok is not None:
        assert result.exit_code == ok, (result.stdout, result.stderr, result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # no cdw.yml and no catalog in the working folder: request checks are skipped with a note
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CDW_CATALOG", raising=False)
    return f"sqlite:///{tmp_path / 'register.db'}"


def new_bucp(register: str, *extra: str) -> str:
    _, out, _ = run(
        [
            "bucp",
            "new",
            "--title",
            "Commute data for the active transport study",
            "--program",
            "Walk2Work",
            "--requesting",
            "California Department of Public Health",
            "--sponsor",
            "Dr. Ana Ruiz",
            "--coordinator",
            "Sam Lee",
            "--authority",
            "Welfare and Institutions Code 10850",
            "--date",
            "2026-01-05",
            *extra,
        ],
        register,
    )
    return out.strip()


def counts(register: str) -> dict[str, int]:
    with open_register(register) as reg:
        return reg.counts()


def test_lifecycle_through_the_cli(register: str) -> None:
    bucp_id = new_bucp(register)
    assert bucp_id == "BUCP-2026-001"
    assert new_bucp(register) == "BUCP-2026-002"
    for event, date, note in [
        ("submitted", "2026-01-09", None),
        ("under_review", "2026-01-12", None),
        ("disputed", "2026-01-20", "providing program objects to home addresses"),
        ("dispute resolved", "2026-02-02", "addresses replaced by ZIP Code"),
        ("approved", "2026-02-10", None),
        ("fulfilled", "2026-02-24", None),
    ]:
        run(
            ["bucp", "event", bucp_id, event, "--date", date] + (["--note", note] if note else []),
            register,
        )
    _, _, err = run(
        ["bucp", "request", bucp_id, "w2w.commute", "commute_date", "distance_miles"], register
    )
    assert "not checked against a catalog" in err
    run(
        ["bucp", "restriction", bucp_id, "Civil Code 1798.24", "--solution", "aggregation"],
        register,
    )
    run(
        ["bucp", "close", bucp_id, "--date", "2026-06-30", "--benefits", "Study published"],
        register,
    )

    _, out, _ = run(["bucp", "show", bucp_id, "--format", "json"], register)
    shown = json.loads(out)
    assert shown["state"] == "closed" and shown["outcome"] == "approved"
    assert [e["event"] for e in shown["events"]] == [
        "drafted",
        "submitted",
        "under review",
        "disputed",
        "dispute resolved",
        "approved",
        "fulfilled",
        "closed",
    ]
    assert shown["disputes"] == [
        {
            "raised": "2026-01-20",
            "issue": "providing program objects to home addresses",
            "resolved": "2026-02-02",
            "resolution": "addresses replaced by ZIP Code",
        }
    ]
    assert shown["requested"] == [
        {"dataset": "w2w.commute", "field": None},
        {"dataset": "w2w.commute", "field": "commute_date"},
        {"dataset": "w2w.commute", "field": "distance_miles"},
    ]
    assert shown["restrictions"][0]["solution"] == "aggregation"
    assert shown["benefits"] == "Study published"
    assert shown["legal_authority"] == ["Welfare and Institutions Code 10850"]
    assert shown["program"] == "w2w"

    _, out, _ = run(["bucp", "list", "--format", "json", "--open"], register)
    assert [r["id"] for r in json.loads(out)] == ["BUCP-2026-002"]
    _, out, _ = run(["bucp", "list", "--state", "closed"], register)
    assert bucp_id in out and "BUCP-2026-002" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["bucp", "event", "BUCP-2026-001", "fulfilled", "--date", "2026-01-10"],
            "event 'fulfilled' is not allowed for a BUCP in state 'drafted'",
        ),
        (
            ["bucp", "event", "BUCP-2026-001", "submitted", "--date", "2026-13-01"],
            "'2026-13-01' is not an ISO date",
        ),
        (["bucp", "event", "BUCP-2026-001", "submitted", "--date", "2026-01-01"], "out of order"),
        (["bucp", "event", "BUCP-2026-011", "submitted"], "did you mean 'BUCP-2026-001'"),
        (["bucp", "event", "BUCP-2026-001", "shipped"], "'shipped' is not a BUCP event"),
        (["bucp", "close", "BUCP-2099-001"], "no BUCP 'BUCP-2099-001'"),
        (["bucp", "request", "BUCP-2026-077", "w2w.commute"], "no BUCP 'BUCP-2026-077'"),
        (
            ["bucp", "new", "--title", "x", "--program", "Walk 2 Work!", "--requesting", "DHCS"],
            "unknown program 'Walk 2 Work!'",
        ),
        (
            [
                "bucp",
                "new",
                "--title",
                "x",
                "--program",
                "w2w",
                "--requesting",
                "DHCS",
                "--id",
                "BUCP-2026-001",
            ],
            "already in the register",
        ),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(
    register: str, args: list[str], message: str
) -> None:
    new_bucp(register)
    before = counts(register)
    code, out, err = run(args, register, ok=None)
    assert code == 2, (out, err)
    assert message in err
    assert "Traceback" not in err
    assert counts(register) == before


def test_fulfillment_before_approval_names_event_and_state(register: str) -> None:
    bucp_id = new_bucp(register)
    run(["bucp", "event", bucp_id, "submitted", "--date", "2026-01-06"], register)
    run(["bucp", "event", bucp_id, "under review", "--date", "2026-01-07"], register)
    code, _, err = run(
        ["bucp", "event", bucp_id, "fulfilled", "--date", "2026-01-08"], register, ok=None
    )
    assert code == 2
    assert "'fulfilled'" in err and "'under review'" in err and "'approved'" in err


def test_specialized_text_only_with_the_flag(register: str, tmp_path: Path) -> None:
    bucp_id = new_bucp(register, "--specialized-security", SECRET, "--specialized-privacy", PRIVACY)
    run(["bucp", "event", bucp_id, "submitted", "--date", "2026-01-06"], register)
    outputs = []
    for fmt in ("table", "json", "csv"):
        outputs.append(run(["bucp", "list", "--format", fmt], register))
        outputs.append(run(["metrics", "--format", fmt], register))
    for fmt in ("table", "json"):
        outputs.append(run(["bucp", "show", bucp_id, "--format", fmt], register))
    outputs.append(run(["bucp", "export-register", "-"], register))
    run(["bucp", "export-register", str(tmp_path / "tracker.csv")], register)
    files = (tmp_path / "tracker.csv").read_text()
    for _, out, err in outputs:
        assert "XYZZY" not in out + err and "PLUGH" not in out + err
    assert "XYZZY" not in files and "specialized_security" not in files

    _, out, _ = run(["bucp", "show", bucp_id, "--specialized"], register)
    assert SECRET in out and PRIVACY in out
    _, out, _ = run(["bucp", "show", bucp_id, "--specialized", "--format", "json"], register)
    assert json.loads(out)["specialized_security"] == SECRET
    _, out, _ = run(["bucp", "export-register", "-", "--specialized"], register)
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["specialized_security"] == SECRET and row["specialized_privacy"] == PRIVACY


TRACKER = """\
id,title,program,requesting_department,providing_department,sponsor,coordinator,legal_authority,requested,drafted,submitted,under_review,approved,denied,fulfilled,closed,disputed,dispute_issue,dispute_resolved,dispute_resolution,restrictions,benefits
BUCP-2025-001,Active commute study,w2w,Department of Public Health,California Department of Wellness,Ana Ruiz,Sam Lee,Welfare and Institutions Code 10850,"w2w.commute: commute_date, distance_miles; w2w.participant: home_zip_code",2025-02-03,2025-02-10,2025-02-14,2025-03-20,,2025-04-01,,2025-02-20,Addresses too precise,2025-03-05,ZIP Code only,Civil Code 1798.24 = aggregation,Study of 4000 commuters
BUCP-2025-002,Campaign reach,Healthy Habits,Department of Health Care Services,California Department of Wellness,,,,healthy-habits.campaign,2025-03-01,2025-03-04,2025-03-10,,2025-04-15,,2025-04-20,,,,,,
"""  # noqa: E501


def test_tracker_import_and_round_trip(register: str, tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text(TRACKER)
    _, _, err = run(["bucp", "import", str(path)], register)
    assert "imported 2 BUCP(s)" in err
    _, out, _ = run(["bucp", "show", "BUCP-2025-001", "--format", "json"], register)
    shown = json.loads(out)
    assert [(e["event"], e["date"]) for e in shown["events"]] == [
        ("drafted", "2025-02-03"),
        ("submitted", "2025-02-10"),
        ("under review", "2025-02-14"),
        ("disputed", "2025-02-20"),
        ("dispute resolved", "2025-03-05"),
        ("approved", "2025-03-20"),
        ("fulfilled", "2025-04-01"),
    ]
    assert shown["restrictions"] == [
        {"citation": "Civil Code 1798.24", "solution": "aggregation", "note": None}
    ]
    _, out, _ = run(["bucp", "show", "BUCP-2025-002", "--format", "json"], register)
    assert json.loads(out)["outcome"] == "denied"
    assert json.loads(out)["program"] == "healthy-habits"

    exported = tmp_path / "out.csv"
    run(["bucp", "export-register", str(exported)], register)
    again = f"sqlite:///{tmp_path / 'again.db'}"
    run(["bucp", "import", str(exported)], again)
    run(["bucp", "export-register", str(tmp_path / "out2.csv")], again)
    assert (tmp_path / "out2.csv").read_text() == exported.read_text()


@pytest.mark.parametrize(
    ("row2", "where"),
    [
        ("2025-02-03,2025-02-10,2025-02-14,,,2025-04-01,", "row 3: 'fulfilled'"),
        ("2025-02-03,2025-02-31,,,,,", "row 3: 'submitted'"),
        ("2025-02-03,2025-01-10,,,,,", "row 3: 'submitted'"),
    ],
)
def test_a_bad_tracker_row_imports_nothing(
    register: str, tmp_path: Path, row2: str, where: str
) -> None:
    header, good = TRACKER.splitlines()[:2]
    bad = f"BUCP-2025-009,Bad row,w2w,DPH,CDW,,,,w2w.commute,{row2},,,,,,"
    path = tmp_path / "tracker.csv"
    path.write_text("\n".join([header, good, bad]) + "\n")
    before = counts(register)
    code, _, err = run(["bucp", "import", str(path)], register, ok=None)
    assert code == 2, err
    assert f"{path}:{where}" in err
    assert counts(register) == before


def test_import_of_an_existing_id_names_the_row(register: str, tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text(TRACKER)
    run(["bucp", "import", str(path)], register)
    before = counts(register)
    code, _, err = run(["bucp", "import", str(path)], register, ok=None)
    assert code == 2 and f"{path}:row 2: 'id'" in err and "already in the register" in err
    assert counts(register) == before


def test_unknown_column_is_reported(register: str, tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text("id,title,program,requesting_department,providing_department,colour\n")
    code, _, err = run(["bucp", "import", str(path)], register, ok=None)
    assert code == 2 and "'colour'" in err and "row 1" in err


def test_register_url_errors_exit_2(tmp_path: Path) -> None:
    code, _, err = run(["bucp", "list"], "nonsense-url", ok=None)
    assert code == 2 and "is not a database URL" in err
    code, _, err = run(["bucp", "list"], f"sqlite:///{tmp_path}/missing/dir/r.db", ok=None)
    assert code == 2 and "folder does not exist" in err


@pytest.mark.postgres
def test_postgres_register_through_the_cli(pg_url: str, pg_schema: str, tmp_path: Path) -> None:
    register = f"{pg_url}?options=-csearch_path%3D{pg_schema}"
    header, good = TRACKER.splitlines()[:2]
    bad = "BUCP-2025-009,Bad row,w2w,DPH,CDW,,,,w2w.commute,2025-02-03,2025-02-10,,,,2025-03-01,"
    path = tmp_path / "tracker.csv"
    path.write_text("\n".join([header, good, bad + ",,,,,,"]) + "\n")
    code, _, err = run(["bucp", "import", str(path)], register, ok=None)
    assert code == 2 and "row 3: 'fulfilled'" in err
    assert counts(register)["bucp"] == 0  # the good first row was rolled back too
    path.write_text(TRACKER)
    run(["bucp", "import", str(path)], register)
    run(["bucp", "event", "BUCP-2025-001", "closed", "--date", "2025-12-01"], register)
    _, out, _ = run(["bucp", "list", "--format", "json"], register)
    assert [(r["id"], r["state"]) for r in json.loads(out)] == [
        ("BUCP-2025-001", "closed"), ("BUCP-2025-002", "closed")]  # fmt: skip
    data = json.loads(run(["metrics", "--format", "json"], register)[1])
    assert data["outcomes"]["approved"] == 1 and data["dispute_rate"] == 0.5


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from cdw_datahub.bucp.register.models import Base

    url = f"sqlite:///{tmp_path / 'register.db'}"
    with open_register(url) as reg, reg.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == "0002"
        assert compare_metadata(context, Base.metadata) == []
    with open_register(url) as reg:  # opening again is a no-op, not a second migration
        assert reg.counts()["bucp"] == 0


def test_programs_are_checked_against_the_department(tmp_path: Path) -> None:
    """An id or display name of a real program, any case; anything else is bad input."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    runner = CliRunner()
    ok = runner.invoke(
        main,
        ["bucp", "new", "--title", "t", "--program", "HEALTHY HABITS", "--requesting", "x",
         "--register", url],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        main,
        [
            "bucp",
            "new",
            "--title",
            "t",
            "--program",
            "nope",
            "--requesting",
            "x",
            "--register",
            url,
        ],
    )
    assert bad.exit_code == 2 and "unknown program 'nope'" in bad.output
    listed = runner.invoke(main, ["bucp", "list", "--program", "nope", "--register", url])
    assert listed.exit_code == 2
