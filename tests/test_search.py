"""`cdw-datahub search`: over the small sample catalog of test_bucp_export (no policy files, so
no abbreviations), and over the real demo department (its detection.yml's abbreviations)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cdw_datahub.demo.schema import PROGRAMS
from cdw_datahub.search import QueryRules, pieces
from test_bucp_export import CLI, lite_catalog, run, workdir  # noqa: F401


def _search(catalog: str, *words: str) -> list[dict]:
    result = run("search", *words, "--catalog", catalog, "--format", "json", "--limit", "0")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.usefixtures("workdir")
def test_all_words_must_match_case_insensitively(lite_catalog: str) -> None:  # noqa: F811
    hits = _search(lite_catalog, "SOCIAL", "security")
    assert [(h["kind"], h["field"]) for h in hits] == [("field", "ssn_nbr")]
    assert hits[0]["matched"] == ["label"]  # the UI edit of its definition says "SSN"
    assert hits[0]["classification"] == "Personal"  # the reviewed tag wins over the suggestion
    result = run("search", "social", "geocode", "--catalog", lite_catalog)
    assert result.exit_code == 1


@pytest.mark.usefixtures("workdir")
def test_own_matches_rank_above_the_table_name(lite_catalog: str) -> None:  # noqa: F811
    hits = _search(lite_catalog, "commute")
    ranked = [(h["kind"], h["field"], h["matched"]) for h in hits]
    assert ranked[0] == ("dataset", None, ["name", "table"])
    assert ranked[1] == ("field", "commute_id", ["name", "label", "table"])
    assert ranked[2] == ("field", "started_at", ["label", "table"])
    # stop_geocode only shares the table's name: last, below every field matching on its own
    assert ranked[-1] == ("field", "stop_geocode", ["table"])
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[-1] < scores[-2]


@pytest.mark.usefixtures("workdir")
def test_terms_and_statutes_are_searched(lite_catalog: str) -> None:  # noqa: F811
    hits = _search(lite_catalog, "hipaa")
    # the statute's own glossary term first (its name), then the field it governs
    assert [(h["kind"], h["field"], h["matched"]) for h in hits] == [
        ("term", None, ["name"]),
        ("field", "diagnosis_cd", ["terms"]),
    ]
    assert hits[0]["label"].startswith("HIPAA") and hits[0]["term"]["source"] == "INTERNAL"


@pytest.mark.usefixtures("workdir")
def test_table_output_and_no_match(lite_catalog: str) -> None:  # noqa: F811
    result = run("search", "reward", "--catalog", lite_catalog)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "score", "kind", "dataset", "field", "label", "classification", "matched", "definition",
    ]  # fmt: skip
    assert set(lines[1].replace(" ", "")) == {"-"}  # the header rule, as in every table
    assert "reward_amt" in lines[2] and "Reward Amount" in lines[2] and "Public" in lines[2]
    result = run("search", "xyzzy", "--catalog", lite_catalog)
    assert result.exit_code == 1 and result.stdout == ""  # nothing matched: exit 1, like grep
    assert "no dataset, field or glossary term matches 'xyzzy'" in result.stderr
    result = run("search", "--catalog", lite_catalog, "--", "--- ;")
    assert result.exit_code == 2 and "at least one word" in result.stderr


@pytest.mark.usefixtures("workdir")
def test_subprocess_and_bad_catalog(lite_catalog: str) -> None:  # noqa: F811
    done = subprocess.run(
        [CLI, "search", "latitude", "--catalog", lite_catalog, "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [h["field"] for h in json.loads(done.stdout)] == ["home_lat"]
    bad = subprocess.run([CLI, "search", "x", "--catalog", "nowhere.db"], capture_output=True,
                         text=True, check=False)  # fmt: skip
    assert bad.returncode == 2 and "not a catalog URI" in bad.stderr


def test_query_reading() -> None:
    rules = QueryRules({"dob": ("date", "of", "birth"), "incm": ("income",)})
    assert pieces("PRTCPNT_DOB_DT walk2work homeZipCode") == [
        "prtcpnt", "dob", "dt", "walk", "2", "work", "home", "zip", "code",
    ]  # fmt: skip
    # stop words go, plurals get their singular forms, abbreviations their expansion
    assert rules.terms("the dobs of INCM") == [
        [[[("dobs",), ("dob",), ("date", "birth")]]],
        [[[("incm",), ("income",)]]],
    ]
    assert rules.terms("of the") == [[[[("of",)]]], [[[("the",)]]]]  # only stop words: literal
    # a word of several pieces may also match joined; a possessive 's goes
    assert rules.terms("Participant's e-mail") == [
        [[[("participant",)]]],
        [[[("e",)], [("mail",)]], [[("email",)]]],
    ]


# ---------------------------------------------------------------- the demo department


def _demo(demo_dir: Path, *words: str) -> list[dict]:
    done = subprocess.run(
        [CLI, "search", *words, "--format", "json", "--limit", "0"],
        cwd=demo_dir, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_demo_abbreviations_both_ways(demo_dir: Path) -> None:
    income = [(h["dataset"].split(".")[-1], h["field"]) for h in _demo(demo_dir, "income")]
    assert ("legacy_prtcpnt", "HH_INCM_AMT") in income
    birth = {h["field"] for h in _demo(demo_dir, "date", "of", "birth")}
    assert {"PRTCPNT_DOB_DT", "birth_date"} <= birth
    assert {h["field"] for h in _demo(demo_dir, "dob")} == birth  # and back again
    first = _demo(demo_dir, "income")[0]
    assert first["classification"] == "Personal" and "name" in first["matched"]


def test_demo_commute_fields_before_the_audit_columns(demo_dir: Path) -> None:
    hits = _demo(demo_dir, "commute")
    in_table = [h for h in hits if h["dataset"] == "w2w.main.commute" and h["field"]]
    position = {h["field"]: i for i, h in enumerate(hits) if h in in_table}
    audit = [f for f in position if f in ("created_at", "updated_at", "updated_by")]
    assert audit, sorted(position)
    own = [f for f in ("commute_id", "commute_date", "start_time") if f in position]
    assert len(own) == 3
    assert max(position[f] for f in own) < min(position[f] for f in audit)
    # every hit that only shares the table's name comes after every hit matching on its own
    context_only = [i for i, h in enumerate(hits) if set(h["matched"]) <= {"table", "program"}]
    own_match = [i for i, h in enumerate(hits) if not set(h["matched"]) <= {"table", "program"}]
    assert max(own_match) < min(context_only)


NOT_DATABASES = {
    "w2w": {"w2w_monthly_extract"},
    "healthy-habits": {"coaching_enrollment", "quarterly_outcomes_report", "workshop_signins"},
    "your-environment": {"air-quality-readings", "visit-reports"},
}


@pytest.mark.parametrize("name", ["walk2work", "W2W", "Healthy Habits", "your-environment"])
def test_demo_program_name_finds_all_its_datasets(demo_dir: Path, name: str) -> None:
    program = next(
        p for p in PROGRAMS if name.lower() in (p.id, p.name.lower().replace(" ", ""), "w2w")
        or name.lower() == p.name.lower()
    )  # fmt: skip
    hits = _demo(demo_dir, *name.split())
    datasets = [h for h in hits if h["kind"] == "dataset"]
    expected = {t.name for t in program.tables} | {v.name for v in program.views}
    expected |= NOT_DATABASES[program.id]  # the demo's extract, workbook, inventory/, API
    assert {h["dataset"].split(".")[-1] for h in datasets} == expected
    data = [h for h in hits if h["kind"] != "term"]  # a term may rank first ("W2W", the acronym)
    assert data[: len(datasets)] == datasets  # the datasets come before their fields
