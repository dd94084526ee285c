"""`cdw-datahub priority`: the rubric's ranking on a Lite catalog built here, weights steering it,
`--emit` read back from Lite, rubric errors with file and line, and the real demo catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli import main
from cdw_datahub.priority import RANK_PROPERTY, SCORE_PROPERTY
from cdw_datahub.settings import packaged_dir

RUBRIC = packaged_dir("policies") / "rubric.yml"
P = "urn:li:structuredProperty:"

# program, table -> structured properties (catalog-model.md names)
DATASETS: dict[tuple[str, str], dict[str, list[str | float]]] = {
    ("w2w", "participant"): {
        "cdw.dataset.crossProgramUse": ["healthy-habits", "your-environment"],
        "cdw.dataset.modernizationCandidate": ["true"],
        "cdw.dataset.agencyInitiative": ["CalHHS Healthy Californians"],
        "cdw.dataset.internalReportUse": ["high"],
        "cdw.dataset.title": ["W2W Participants"],
        "cdw.test.rowCount": [1200.0],  # a number property that must stay a number
    },
    ("w2w", "commute"): {
        "cdw.dataset.modernizationCandidate": ["true"],
        "cdw.dataset.internalReportUse": ["medium"],
    },
    ("healthy-habits", "campaign"): {
        "cdw.dataset.crossProgramUse": ["w2w"],
        "cdw.dataset.internalReportUse": ["high"],
    },
    ("healthy-habits", "referral"): {},
    ("your-environment", "park"): {
        "cdw.dataset.agencyInitiative": ["Outdoor Access for All"],
        "cdw.dataset.internalReportUse": ["low"],
    },
}

TRACKER = """\
id,title,program,requesting_department,providing_department,requested,drafted,submitted,under_review,approved,denied,fulfilled,closed
BUCP-2025-001,Campaign reach A,healthy-habits,DPH,CDW,healthy-habits.campaign,2025-01-02,2025-01-03,2025-01-06,2025-02-01,,2025-02-10,
BUCP-2025-002,Campaign reach B,healthy-habits,DHCS,CDW,healthy-habits.campaign,2025-01-02,2025-01-03,2025-01-06,2025-02-01,,2025-02-10,2025-06-30
BUCP-2025-003,Campaign reach C,healthy-habits,CDSS,CDW,healthy-habits.campaign,2025-01-02,2025-01-03,2025-01-06,,2025-02-01,,2025-02-05
BUCP-2025-004,Park visits,your-environment,Parks,CDW,your-environment.park,2025-03-01,2025-03-02,2025-03-05,,,,
BUCP-2025-005,Draft only,w2w,DPH,CDW,w2w.commute,2025-03-01,,,,,,
"""  # noqa: E501

pytestmark = pytest.mark.usefixtures("sample_department")


def dataset_urn(program: str, table: str) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:sqlite,{program}.main.{table},PROD)"


def build_lite(path: Path) -> str:
    """A small Lite catalog written through DataHub's own Lite API, like the datahub-lite sink."""
    from datahub.emitter.mcp import MetadataChangeProposalWrapper as Mcp
    from datahub.lite.lite_util import LiteLocalConfig, get_datahub_lite
    from datahub.metadata.schema_classes import (
        DatasetPropertiesClass,
        DomainPropertiesClass,
        DomainsClass,
        StructuredPropertiesClass,
        StructuredPropertyDefinitionClass,
        StructuredPropertyValueAssignmentClass,
    )

    lite = get_datahub_lite(
        LiteLocalConfig(type="sqlite", config={"file": str(path)}), read_only=False
    )
    names = {"w2w": "Walk2Work", "healthy-habits": "Healthy Habits",
             "your-environment": "Your Environment"}  # fmt: skip
    for program, name in names.items():
        lite.write(Mcp(entityUrn=f"urn:li:domain:cdw.{program}",
                       aspect=DomainPropertiesClass(name=name)))  # fmt: skip
    lite.write(Mcp(entityUrn=f"{P}cdw.test.rowCount", aspect=StructuredPropertyDefinitionClass(
        qualifiedName="cdw.test.rowCount", valueType="urn:li:dataType:datahub.number",
        entityTypes=["urn:li:entityType:datahub.dataset"])))  # fmt: skip
    for (program, table), props in DATASETS.items():
        urn = dataset_urn(program, table)
        lite.write(Mcp(entityUrn=urn, aspect=DatasetPropertiesClass(
            name=table, qualifiedName=f"{program}.main.{table}")))  # fmt: skip
        lite.write(
            Mcp(entityUrn=urn, aspect=DomainsClass(domains=[f"urn:li:domain:cdw.{program}"]))
        )
        if props:
            lite.write(Mcp(entityUrn=urn, aspect=StructuredPropertiesClass(properties=[
                StructuredPropertyValueAssignmentClass(propertyUrn=P + k, values=v)
                for k, v in props.items()])))  # fmt: skip
    lite.close()
    return f"lite:{path}"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    catalog = build_lite(tmp_path / "lite.db")
    register = f"sqlite:///{tmp_path / 'register.db'}"
    (tmp_path / "tracker.csv").write_text(TRACKER)
    result = CliRunner().invoke(main, ["bucp", "import", "tracker.csv", "--register", register])
    assert result.exit_code == 0, result.output
    return {"catalog": catalog, "register": register, "dir": str(tmp_path)}


def priority(env: dict[str, str], *args: str, ok: int = 0) -> tuple[str, str]:
    result = CliRunner().invoke(
        main, ["priority", "--catalog", env["catalog"], "--register", env["register"], *args]
    )
    assert result.exit_code == ok, (result.stdout, result.stderr, result.exception)
    return result.stdout, result.stderr


def test_ranking_follows_the_rubric(env: dict[str, str]) -> None:
    out, _ = priority(env, "--format", "json")
    data = json.loads(out)
    scores = {d["dataset"]: d["score"] for d in data["datasets"]}
    # hand-computed from policies/rubric.yml (weights 5, 4, 3, 2, 2, 1)
    assert scores == {
        "w2w.participant": 11.0,  # cross 2/2*5 + modernization 3 + initiative 2 + report 1
        "healthy-habits.campaign": 9.5,  # cross 1/2*5 + 3 requests*4/3 + current 2 + report 1
        "your-environment.park": 5.5833,  # 1 request 4/3 + under review 2 + initiative 2 + 0.25
        "w2w.commute": 3.5,  # modernization 3 + report 0.5 (its only BUCP is a draft)
        "healthy-habits.referral": 0.0,
    }
    assert [d["dataset"] for d in data["datasets"]][:2] == [
        "w2w.participant", "healthy-habits.campaign"]  # fmt: skip
    campaign = next(d for d in data["datasets"] if d["dataset"] == "healthy-habits.campaign")
    assert campaign["contributions"]["outside_requests"] == {
        "input": ["BUCP-2025-001", "BUCP-2025-002", "BUCP-2025-003"],
        "value": 1.0, "weight": 4.0, "points": 4.0}  # fmt: skip
    assert campaign["contributions"]["current_bucp"]["input"] == ["BUCP-2025-001"]
    # programs: mean of their datasets' scores
    assert [(p["program"], p["score"]) for p in data["programs"]] == [
        ("w2w", 7.25), ("your-environment", 5.5833), ("healthy-habits", 4.75)]  # fmt: skip
    assert data["programs"][0]["name"] == "Walk2Work"

    table, _ = priority(env)
    assert "w2w.participant" in table and "cross_program_use (x5)" in table
    csv_out, _ = priority(env, "--format", "csv", "--by", "program")
    assert csv_out.splitlines()[1].startswith("1,w2w,Walk2Work,7.25,2,w2w.participant,2.50,")


def test_changing_a_weight_changes_the_ranking(env: dict[str, str], tmp_path: Path) -> None:
    rubric = yaml.safe_load(RUBRIC.read_text())
    for criterion in rubric["criteria"]:
        if criterion["id"] == "cross_program_use":
            criterion["weight"] = 0
        if criterion["id"] == "outside_requests":
            criterion["weight"] = 10
    changed = tmp_path / "rubric.yml"
    changed.write_text(yaml.safe_dump(rubric))
    out, _ = priority(env, "--format", "json", "--rubric", str(changed))
    data = json.loads(out)
    assert [d["dataset"] for d in data["datasets"]][:2] == [
        "healthy-habits.campaign", "your-environment.park"]  # fmt: skip
    assert data["datasets"][0]["score"] == 13.0  # 10 + current 2 + report 1


def test_emit_writes_scores_and_keeps_other_properties(env: dict[str, str]) -> None:
    priority(env, "--emit", "--format", "json")
    priority(env, "--emit", "--format", "json")  # idempotent: one value each, not appended
    with open_catalog(env["catalog"]) as catalog:
        views = {f"{v.program}.{v.table}": v for v in catalog.datasets()}
        participant = views["w2w.participant"]
        assert participant.properties[SCORE_PROPERTY] == ["11"]
        assert participant.properties[RANK_PROPERTY] == ["1"]
        assert participant.properties["cdw.dataset.title"] == ["W2W Participants"]
        assert participant.properties["cdw.dataset.crossProgramUse"] == [
            "healthy-habits", "your-environment"]  # fmt: skip
        assert views["your-environment.park"].properties[SCORE_PROPERTY] == ["5.5833"]
        assert views["healthy-habits.referral"].properties[RANK_PROPERTY] == ["5"]
        raw = catalog.backend.get(participant.urn)["structuredProperties"]["properties"]
        row_count = next(p for p in raw if p["propertyUrn"] == f"{P}cdw.test.rowCount")
        assert row_count["values"] in ([{"double": 1200.0}], [1200.0])
        for name in (SCORE_PROPERTY, RANK_PROPERTY):
            definition = catalog.backend.get(P + name)["propertyDefinition"]
            assert definition["valueType"] == "urn:li:dataType:datahub.number"
            assert definition["qualifiedName"] == name


def test_rubric_errors_name_file_and_line(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "rubric.yml"
    text = RUBRIC.read_text().replace("    weight: 4\n", "    weight: heavy\n")
    bad.write_text(text)
    line = text.splitlines().index("    weight: heavy") + 1
    _, err = priority(env, "--rubric", str(bad), ok=2)
    assert f"{bad}:{line}" in err and "weight" in err
    bad.write_text(
        RUBRIC.read_text().replace("    property: cdw.dataset.modernizationCandidate\n", "")
    )
    _, err = priority(env, "--rubric", str(bad), ok=2)
    assert str(bad) in err and "needs `property`" in err


@pytest.mark.slow
def test_demo_catalog_ranks_w2w_then_healthy_habits_then_your_environment(
    demo_dir: Path, tmp_path: Path
) -> None:
    from cdw_datahub import priority as priority_mod
    from cdw_datahub.demo.register_seed import seed_register

    register = f"sqlite:///{tmp_path / 'seeded.db'}"
    seed_register(register)
    ranking = priority_mod.rank(f"lite:{demo_dir / 'datahub-lite.db'}", register, RUBRIC)
    assert [p.name for p in ranking.programs] == ["Walk2Work", "Healthy Habits",
                                                  "Your Environment"]  # fmt: skip
    # the register shapes the ranking: requested datasets score outside_requests points
    by_name = {d.dataset: d for d in ranking.datasets}
    requested = next(c for c in by_name["w2w.commute"].contributions
                     if c.criterion == "outside_requests")  # fmt: skip
    assert requested.points > 0


def test_scores_show_two_decimals_and_ties_share_a_rank() -> None:
    """Shown scores are rounded once, from the full-precision sum (7/6 -> 1.17, not 1.1666 from
    summing rounded parts); equal shown scores share a rank, marked `N=`."""
    from cdw_datahub import priority as priority_mod

    rubric = priority_mod.Rubric(criteria=[priority_mod.Criterion(
        id="cross_program_use", name="Cross-program use", weight=5, source="catalog",
        measure="count", property="cdw.dataset.usedBy")])  # fmt: skip

    def ds(name: str, points: float) -> priority_mod.DatasetScore:
        part = priority_mod.Contribution("cross_program_use", [], points / 5, 5.0, points)
        return priority_mod.DatasetScore(name, f"urn:{name}", "w2w", points, [part])

    items = [ds("w2w.a", 14.5), ds("w2w.b", 14.5), ds("w2w.c", 7 / 6), ds("w2w.d", 1.16666)]
    priority_mod._assign_ranks(items)
    assert [(i.rank, i.tied) for i in items] == [(1, True), (1, True), (3, True), (3, True)]
    ranking = priority_mod.Ranking(rubric, items, [])
    _, rows = priority_mod.dataset_rows(ranking)
    assert [(r[0], r[3], r[5]) for r in rows] == [
        ("1=", "14.50", "14.50"), ("1=", "14.50", "14.50"), ("3=", "1.17", "1.17"),
        ("3=", "1.17", "1.17")]  # fmt: skip
    assert "N= : tied" in priority_mod.render_table(ranking, by="dataset")
    data = priority_mod.to_json(ranking)
    assert [(d["rank"], d["tied"], d["score"]) for d in data["datasets"]] == [
        (1, True, 14.5), (1, True, 14.5), (3, True, 1.1667), (3, True, 1.1667)]  # fmt: skip


@pytest.mark.slow
def test_the_demo_and_priority_print_the_same_numbers(demo_dir: Path) -> None:
    """The demo's ranking and `cdw-datahub priority` agree digit for digit (two decimals, the
    same rank marks), as do the demo's dispute rate and `cdw-datahub metrics`."""
    import csv as csv_mod

    log = (demo_dir / "demo-output.log").read_text()
    args = ["--catalog", f"lite:{demo_dir / 'datahub-lite.db'}",
            "--register", f"sqlite:///{demo_dir / 'bucp-register.db'}"]  # fmt: skip
    result = CliRunner().invoke(main, ["priority", "--format", "csv", "--by", "program", *args])
    assert result.exit_code == 0, result.output
    rows = list(csv_mod.DictReader(result.stdout.splitlines()))
    section = log[log.index("What to describe next") : log.index("BUCP register (")]
    for row in rows:
        assert re.search(
            rf"^{re.escape(row['rank'])}\s+{row['name']}\s+{row['score']}\s", section, re.M
        ), (
            row,
            section,
        )
    metrics = CliRunner().invoke(main, ["metrics", "--register", args[3]])
    rate = re.search(r"dispute rate (\d+\.\d%)", metrics.stdout)
    assert rate and re.search(rf"dispute rate\s+{re.escape(rate.group(1))}", log), log
