"""Receiving readiness (play 8): `policies/receiving.yml` and `bucp readiness` on the demo
department, with the register copied (readiness stores its draft there)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cdw_datahub.errors import InputError
from cdw_datahub.policy.nist import check_control, satisfies
from cdw_datahub.policy.receiving import load_receiving
from cdw_datahub.settings import packaged_dir

CLI = str(Path(sys.executable).parent / "cdw-datahub")
SAMPLE = packaged_dir("policies") / "receiving.yml"
ENCLAVE = "cdw-research-enclave"


@pytest.fixture
def register(demo_dir: Path, tmp_path: Path) -> str:
    shutil.copy(demo_dir / "bucp-register.db", tmp_path / "register.db")
    return f"sqlite:///{tmp_path / 'register.db'}"


def cli(demo_dir: Path, register: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args, "--register", register], cwd=demo_dir,
                          capture_output=True, text=True, check=False)  # fmt: skip


def readiness(demo_dir: Path, register: str, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(demo_dir, register, "bucp", "readiness", "--environment", ENCLAVE, *args)


def _json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    return json.loads(done.stdout)


def test_sample_environment_has_the_expected_gaps(demo_dir: Path, register: str) -> None:
    done = readiness(demo_dir, register, "--bucp", "BUCP-2026-003", "--format", "json")
    assert done.returncode == 1, done.stderr
    data = _json(done)
    # 4 of its 6 fields are unclassified: the data is protected as FIPS 199 Moderate
    assert data["classification"] == "unclassified - protect as Moderate"
    assert data["gaps"] == ["MP-6", "SC-28"]
    by_id = {r["control"]: r for r in data["required"]}
    assert by_id["SC-8"]["implemented_as"] == "SC-8(1)"  # the enhancement counts for the base
    assert by_id["AC-2"]["evidence"].startswith("SSP 3.1")
    assert "specialized_security_draft" not in data  # restricted: only with --specialized
    text = readiness(demo_dir, register, "--bucp", "BUCP-2026-003")
    assert text.returncode == 1 and "2 gap(s): MP-6, SC-28" in text.stdout
    assert "OPEN ITEMS" not in text.stdout
    personal = _json(readiness(demo_dir, register, "--bucp", "BUCP-2025-003", "--format", "json"))
    assert personal["classification"] == "Personal"
    assert personal["gaps"] == ["MP-6", "PM-21", "PT-2", "PT-3", "PT-5", "RA-8", "SC-28"]


def test_draft_is_stored_and_shown_only_as_specialized_content(
    demo_dir: Path, register: str
) -> None:
    readiness(demo_dir, register, "--bucp", "BUCP-2026-003")
    shown = _json(cli(demo_dir, register, "bucp", "show", "BUCP-2026-003", "--specialized",
                      "--format", "json"))  # fmt: skip
    draft = shown["specialized_security_draft"]
    assert draft.startswith("Specialized Security - DRAFT for BUCP-2026-003")
    assert "CDW Research Data Enclave" in draft and "SFTP" in draft
    assert "- MP-6 Media Protection: not implemented" in draft
    plain = cli(demo_dir, register, "bucp", "show", "BUCP-2026-003", "--format", "json")
    assert "specialized_security_draft" not in _json(plain)
    assert "DRAFT" not in cli(demo_dir, register, "bucp", "show", "BUCP-2026-003").stdout
    listed = cli(demo_dir, register, "bucp", "list", "--format", "json").stdout
    assert "DRAFT" not in listed and "Research Data Enclave" not in listed
    with_flag = readiness(demo_dir, register, "--bucp", "BUCP-2026-003", "--specialized")
    assert "OPEN ITEMS - resolve before the BUCP is submitted" in with_flag.stdout


def test_closing_the_gaps_in_a_copy_exits_0(demo_dir: Path, register: str, tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    closed = text.replace(
        "      - id: SI-2\n",
        "      - id: MP-6\n        evidence: Media sanitization procedure MS-3 (NIST SP 800-88)\n"
        "      - id: SC-28(1)\n        evidence: SSP 8.6; AES-256 volume encryption\n"
        "      - id: SI-2\n",
    )
    assert closed != text
    copy = tmp_path / "receiving.yml"
    copy.write_text(closed, encoding="utf-8")
    done = readiness(demo_dir, register, "--bucp", "BUCP-2026-003", "--receiving", str(copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ready: the environment implements all 8 controls" in done.stdout
    still = readiness(demo_dir, register, "--bucp", "BUCP-2025-003", "--receiving", str(copy))
    assert still.returncode == 1  # Personal data needs the privacy controls too


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--bucp", "BUCP-2026-093"), "no BUCP 'BUCP-2026-093' in the register"),
        (("--bucp", "nonsense"), "no BUCP 'NONSENSE'"),
    ],
)
def test_unknown_bucp_exits_2(
    demo_dir: Path, register: str, args: tuple[str, ...], expected: str
) -> None:
    done = readiness(demo_dir, register, *args)
    assert done.returncode == 2 and expected in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_environment_exits_2_naming_the_file(demo_dir: Path, register: str) -> None:
    done = cli(demo_dir, register, "bucp", "readiness", "--bucp", "BUCP-2026-003",
               "--environment", "cdw-research-enclav")  # fmt: skip
    assert done.returncode == 2
    assert "receiving.yml" in done.stderr and "'--environment'" in done.stderr
    assert "did you mean 'cdw-research-enclave'" in done.stderr


@pytest.mark.parametrize(
    ("control", "message"),
    [
        ("XY-2", "there is no family 'XY'"),
        ("AC2", "not a NIST SP 800-53 control id"),
        ("ac-2", "not a NIST SP 800-53 control id"),
        ("SC-8(1", "not a NIST SP 800-53 control id"),
    ],
)
def test_a_control_id_that_is_not_nist_exits_2_at_its_line(
    demo_dir: Path, register: str, tmp_path: Path, control: str, message: str
) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: AU-6")
    lines[at] = lines[at].replace("AU-6", control)
    bad = tmp_path / "receiving.yml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = readiness(demo_dir, register, "--bucp", "BUCP-2026-003", "--receiving", str(bad))
    assert done.returncode == 2, done.stdout
    assert f"{bad}:{at + 1}:" in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- the loader on its own


def test_sample_file_loads_typed() -> None:
    env = load_receiving(SAMPLE).environment("CDW-Research-Enclave", str(SAMPLE))
    assert env.fips199 == "Moderate"
    assert {t.method for t in env.transfer_methods} == {"SFTP", "REST API"}
    assert all(c.evidence for c in env.controls)
    assert env.implementing("IA-2") is not None and env.implementing("IA-2(2)") is None


def test_hostile_receiving_files(tmp_path: Path) -> None:
    def load(text: str) -> str:
        path = tmp_path / "r.yml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as err:
            load_receiving(path)
        return str(err.value)

    env = (
        "environments:\n  - name: e\n    title: E\n    hosting: h\n    fips199: {fips}\n"
        "    transfer_methods: [{{method: {method}, description: d}}]\n"
        "    retention: r\n    destruction: d\n    controls:\n{controls}"
    )
    ok = "      - {id: AC-2, evidence: x}\n"
    assert "r.yml:5" in load(env.format(fips="Severe", method="SFTP", controls=ok))
    assert "r.yml:6" in load(env.format(fips="Low", method="FTP", controls=ok))
    twice = load(env.format(fips="Low", method="SFTP", controls=ok + ok))
    assert "AC-2 is listed twice" in twice
    empty = load(
        env.format(fips="Low", method="SFTP", controls="      - {id: AC-2, evidence: ''}\n")
    )
    assert "r.yml:10" in empty
    typo = load(env.format(fips="Low", method="SFTP", controls=ok) + "    hostng: x\n")
    assert "unknown key 'hostng'" in typo
    assert "file not found" in load_error(tmp_path / "missing.yml")


def load_error(path: Path) -> str:
    with pytest.raises(InputError) as err:
        load_receiving(path)
    return str(err.value)


@pytest.mark.parametrize("good", ["AC-2", "SC-8(1)", "PT-5", "SR-12", "AC-20(12)"])
def test_nist_ids_accepted(good: str) -> None:
    assert check_control(good) == good


@pytest.mark.parametrize("bad", ["AC-0", "AC-100", "QQ-1", "AC-2()", "AC-2(0)", " AC-2", "AC-2a"])
def test_nist_ids_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        check_control(bad)


def test_an_enhancement_covers_its_base_not_the_other_way() -> None:
    assert satisfies("SC-8(1)", "SC-8") and satisfies("SC-8", "SC-8")
    assert not satisfies("SC-8", "SC-8(1)") and not satisfies("SC-28", "SC-2")
