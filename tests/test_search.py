"""`cdw-datahub search` over the sample catalog of test_bucp_export."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from test_bucp_export import CLI, lite_catalog, run, workdir  # noqa: F401

pytestmark = pytest.mark.usefixtures("workdir")


def _search(catalog: str, *words: str) -> list[dict]:
    result = run("search", *words, "--catalog", catalog, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_all_words_must_match_case_insensitively(lite_catalog: str) -> None:  # noqa: F811
    hits = _search(lite_catalog, "SOCIAL", "security")
    assert [(h["kind"], h["field"]) for h in hits] == [("field", "ssn_nbr")]
    assert hits[0]["matched"] == ["label"]
    assert _search(lite_catalog, "social", "geocode") == []


def test_ranking_name_over_label_over_definition(lite_catalog: str) -> None:  # noqa: F811
    hits = _search(lite_catalog, "stop")
    ranked = [(h["field"], h["score"], h["matched"]) for h in hits]
    # stop_geocode: in its name (3); nothing else has "stop" in a name or label
    assert ranked[0] == ("stop_geocode", 3, ["name", "label", "definition", "terms"])
    hits = _search(lite_catalog, "participant")
    assert hits[0]["kind"] == "dataset" and hits[0]["dataset"] == "w2w.participant"
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert {h["score"] for h in hits if h["dataset"] == "w2w.participant"} == {3}  # in the name
    assert (hits[-1]["field"], hits[-1]["score"], hits[-1]["matched"]) == (
        "started_at",
        1,
        ["definition"],
    )


def test_term_names_are_searched(lite_catalog: str) -> None:  # noqa: F811
    hits = _search(lite_catalog, "hipaa")  # the statute term's name
    assert [(h["field"], h["matched"]) for h in hits] == [("diagnosis_cd", ["terms"])]


def test_table_output_and_no_match(lite_catalog: str, tmp_path: Path) -> None:  # noqa: F811
    result = run("search", "reward", "--catalog", lite_catalog)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "score",
        "kind",
        "dataset",
        "field",
        "label",
        "matched",
        "definition",
    ]
    assert set(lines[1].replace(" ", "")) == {"-"}  # the header rule, as in every table
    assert "reward_amt" in lines[2] and "Reward Amount" in lines[2]
    result = run("search", "xyzzy", "--catalog", lite_catalog)
    assert result.exit_code == 0 and result.stdout == ""
    assert "no dataset or field matches 'xyzzy'" in result.stderr


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
