"""lint: each planted problem in fixtures/lint/planted is found; the clean folder has none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cdw_datahub import lint
from cdw_datahub.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
PLANTED = FIXTURES / "planted"
CLEAN = FIXTURES / "clean"

# (slug, severity, location) of every planted problem, and nothing else.
EXPECTED = {
    ("definition-circular", "error", "glossary/business_glossary.yml:21"),  # Stop: "Stop."
    ("term-duplicate", "error", "glossary/business_glossary.yml:24"),
    ("reference-dangling", "error", "glossary/business_glossary.yml:30"),  # related_terms
    ("term-conflict", "warning", "glossary/business_glossary.yml:35"),  # across program groups
    ("term-conflict", "error", "glossary/business_glossary.yml:41"),  # inside one group
    ("term-duplicate-name", "warning", "glossary/business_glossary.yml:38"),  # two "Commute"s
    ("reference-dangling", "error", "glossary/dictionary/w2w.yml:10"),  # cdw.w2w.stopp
    ("definition-circular", "error", "glossary/dictionary/w2w.yml:14"),  # the guidebook's example
    ("definition-missing", "error", "glossary/dictionary/w2w.yml:17"),  # definition: ""
    ("reference-dangling", "error", "glossary/dictionary/w2w.yml:20"),  # program healthy-habit
    ("definition-no-unit", "warning", "glossary/dictionary/w2w.yml:24"),
    ("acronym-undefined", "warning", "glossary/dictionary/w2w.yml:27"),  # EDD
    ("definition-purpose", "warning", "glossary/dictionary/w2w.yml:30"),
    ("info", "friendly-name-missing", "glossary/dictionary/w2w.yml:31"),
    ("reference-dangling", "error", "glossary/dictionary/w2w.yml:33"),  # cdw.w2w.wether
    ("definition-missing", "error", "glossary/dictionary/w2w.yml:34"),  # notes_txt: (nothing)
    ("reference-dangling", "error", "policies/classification.yml:6"),  # level restricted
    ("reference-dangling", "error", "policies/reviewed.yml:3"),  # level secret
    ("reference-dangling", "error", "policies/reviewed.yml:4"),  # category quasi_identifier
    ("reference-dangling", "error", "policies/reviewed.yml:5"),  # program wellness
    ("reference-dangling", "error", "policies/statutes.yml:3"),  # cdw.statute.nope
    ("reference-dangling", "error", "policies/statutes.yml:8"),  # near-miss statute id
}


def _key(f: lint.Finding) -> tuple[str, str, str]:
    if f.severity == "info":
        return ("info", f.slug, f.location)
    return (f.slug, f.severity, f.location)


def test_every_planted_problem_is_found_and_nothing_else() -> None:
    findings = lint.run(PLANTED / "glossary", PLANTED / "policies")
    assert {_key(f) for f in findings} == EXPECTED
    assert len(findings) == len(EXPECTED)
    by_loc = {f.location: f for f in findings}
    assert "'EDD'" in by_loc["glossary/dictionary/w2w.yml:27"].message
    assert "'used to'" in by_loc["glossary/dictionary/w2w.yml:30"].message
    assert (
        by_loc["policies/statutes.yml:8"].suggestion == "Did you mean 'cdw.statute.ca-civ-1798.24'?"
    )
    # errors come first
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_clean_glossary_has_no_findings() -> None:
    assert lint.run(CLEAN / "glossary", CLEAN / "policies") == []


@pytest.mark.parametrize(
    ("definition", "names", "circular"),
    [
        ("Duration: the duration in minutes", ("duration", "Duration"), True),
        ("The duration.", ("duration",), True),
        ("Number of the participant", ("participant_number", "Participant Number"), True),
        (
            "Whole minutes the participant remained at a location during the commute.",
            ("duration", "Stop Duration"),
            False,
        ),
        ("The geocode of the stop in decimal-degree format.", ("geocode", "Stop Geocode"), False),
        ("Family name (surname) of the participant.", ("last_name", "Last Name"), False),
    ],
)
def test_circular(definition: str, names: tuple[str, ...], circular: bool) -> None:
    assert lint.is_circular(definition, *names) is circular


def test_units_purpose_acronyms() -> None:
    assert lint.needs_unit("Time the participant spent at the stop.", "stop_duration")
    assert not lint.needs_unit("Whole minutes spent at the stop.", "stop_duration")
    assert not lint.needs_unit("Legal business name of the employer.", "employer_name")
    assert lint.purpose_phrase("Kept for reporting to sponsors.") == "for reporting"
    assert lint.purpose_phrase("Calendar date on which the participant was born.") is None
    assert lint.purpose_phrase("Means of travel used for the commute.") is None
    assert lint.purpose_phrase("Official name as used by its managing agency.") is None
    assert lint.purpose_phrase("This column is used for billing.") == "is used for"
    assert lint.undefined_acronyms("Fine particulate matter (PM2.5), in ug/m3.", set()) == []
    assert lint.undefined_acronyms("Social Security Number (SSN), as NNN-NN-NNNN.", set()) == []
    assert lint.undefined_acronyms("Code from the EDD and the W2W list.", {"W2W"}) == ["EDD"]


def test_cli_json_and_fail_on() -> None:
    runner = CliRunner()
    args = [
        "lint",
        "--glossary",
        str(PLANTED / "glossary"),
        "--policies",
        str(PLANTED / "policies"),
    ]
    result = runner.invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data[0]) == {"slug", "severity", "location", "message", "suggestion"}
    assert len(data) == len(EXPECTED)
    assert "16 error(s), 5 warning(s), 1 info" in result.stderr

    clean = ["lint", "--glossary", str(CLEAN / "glossary"), "--policies", str(CLEAN / "policies")]
    assert runner.invoke(main, [*clean, "--fail-on", "info"]).exit_code == 0


def test_fail_on_threshold(tmp_path: Path) -> None:
    """Only a warning left: exit 0 at --fail-on error, 1 at --fail-on warning."""
    shutil.copytree(CLEAN, tmp_path / "c")
    dictionary = tmp_path / "c" / "glossary" / "dictionary" / "w2w.yml"
    text = dictionary.read_text()
    dictionary.write_text(text.replace("Whole minutes the participant", "Time the participant"))
    args = [
        "lint",
        "--glossary",
        str(tmp_path / "c/glossary"),
        "--policies",
        str(tmp_path / "c/policies"),
    ]
    runner = CliRunner()
    table = runner.invoke(main, args)
    assert table.exit_code == 0
    assert "glossary/dictionary/w2w.yml:24: warning [definition-no-unit]" in table.stdout
    assert runner.invoke(main, [*args, "--fail-on", "warning"]).exit_code == 1


def test_malformed_file_is_bad_input(tmp_path: Path) -> None:
    shutil.copytree(CLEAN, tmp_path / "c")
    (tmp_path / "c/policies/reviewed.yml").write_text("w2w:\n  t:\n    c: {levl: public}\n")
    result = CliRunner().invoke(
        main,
        [
            "lint",
            "--glossary",
            str(tmp_path / "c/glossary"),
            "--policies",
            str(tmp_path / "c/policies"),
        ],
    )
    assert result.exit_code == 2
    assert "reviewed.yml:3" in result.stderr
    assert "missing required key 'level'" in result.stderr
