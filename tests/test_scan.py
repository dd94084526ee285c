"""`cdw-datahub scan`: a preview through the real pipeline, with no catalog and no value leaks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cdw_datahub.bucp.export import ROW_KEYS
from cdw_datahub.demo.build import SAMPLE_SENTINELS

CLI = str(Path(sys.executable).with_name("cdw-datahub"))


def _scan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "scan", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_scan_previews_a_program_database(demo_dir: Path) -> None:
    result = _scan(f"sqlite:///{demo_dir / 'w2w.db'}", "--program", "Walk2Work", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert all(tuple(row) == ROW_KEYS for row in rows)
    ssn = next(r for r in rows if r["dataset"].endswith("participant") and r["field"] == "ssn")
    assert ssn["classification"] == "Personal"
    assert ssn["classification_status"] == "reviewed"
    assert "direct_identifier" in ssn["categories"]
    assert any("1798.24" in s["citation"] for s in ssn["statutes"])
    legacy = next(r for r in rows if r["field"] == "PRTCPNT_SSN_NBR")
    assert "direct_identifier" in legacy["categories"]
    # a reviewed level says where it was reviewed
    assert ssn["classification_reason"].startswith("policies/reviewed.yml:"), ssn
    # the summary view's columns take their level through column lineage
    assert {r["classification_status"] for r in rows} == {
        "reviewed",
        "suggested",
        "unclassified",
        "inherited",
    }
    # the scan wrote nothing next to the database
    assert not list(demo_dir.glob("*.json"))


def test_scan_never_prints_a_sampled_value(demo_dir: Path) -> None:
    for fmt in ("table", "json", "csv"):
        result = _scan(f"sqlite:///{demo_dir / 'w2w.db'}", "--format", fmt)
        assert result.returncode == 0, result.stderr
        for sentinel in SAMPLE_SENTINELS:
            assert sentinel not in result.stdout + result.stderr, (fmt, sentinel)


def test_scan_without_a_program_only_suggests(demo_dir: Path) -> None:
    result = _scan(f"sqlite:///{demo_dir / 'healthy-habits.db'}", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    statuses = {r["classification_status"] for r in rows}
    assert statuses <= {"suggested", "unclassified"} and "suggested" in statuses
    # every suggestion says why: the rule id and the evidence it fired on
    for r in rows:
        if r["classification_status"] == "suggested":
            rule, _, evidence = r["classification_reason"].partition(": ")
            assert rule and evidence, r
        else:
            assert r["classification_reason"] is None, r


def test_unreachable_database_is_one_line_without_the_password() -> None:
    result = _scan("postgresql://postgres:s3cret-pw@127.0.0.1:1/test")
    assert result.returncode == 2
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "127.0.0.1" in result.stderr


def test_missing_sqlite_file_names_the_path(tmp_path: Path) -> None:
    result = _scan(f"sqlite:///{tmp_path / 'missing.db'}")
    assert result.returncode == 2
    assert f"no SQLite database at {tmp_path / 'missing.db'}" in result.stderr
    assert not (tmp_path / "missing.db").exists()


def test_a_malformed_url_is_bad_input() -> None:
    result = _scan("notaurl")
    assert result.returncode == 2
    assert "'notaurl' is not a SQLAlchemy database URL" in result.stderr
    assert "Traceback" not in result.stderr
