"""Coverage of the real demo catalog equals counts made by hand from the source files."""

from __future__ import annotations

from pathlib import Path

from cdw_datahub import coverage
from cdw_datahub.catalog import open_catalog
from cdw_datahub.demo.schema import PROGRAMS
from cdw_datahub.policy import load_policy

REPO = Path(__file__).resolve().parents[1]


def _hand_counts(program_id: str) -> tuple[dict[str, int], dict[tuple[str, str], bool]]:
    """Counted from the schema, the dictionary and the policies, without the catalog."""
    policy = load_policy(REPO / "glossary", REPO / "policies")
    program = next(p for p in PROGRAMS if p.id == program_id)
    counts = dict.fromkeys(("fields", "definitions", "classification"), 0)
    statutes: dict[tuple[str, str], bool] = {}
    tables = [(t.name, [(c.name, c.comment) for c in t.columns]) for t in program.tables]
    for table, columns in tables:
        for column, comment in columns:
            fact = policy.field_entry(program_id, table, column)
            counts["fields"] += 1
            counts["definitions"] += bool(comment or (fact and fact.definition))
            reviewed = policy.reviewed(program_id, table, column)
            counts["classification"] += reviewed is not None
            if reviewed is not None:  # its categories are known without the classifier
                decision = policy.statutes_for(program_id, table, column, reviewed.categories)
                statutes[(table, column)] = decision.assessed
    return counts, statutes


def test_w2w_coverage_equals_hand_counts(demo_catalog: str) -> None:
    with open_catalog(demo_catalog) as catalog:
        cov = coverage.compute(catalog, "Walk2Work")
    tables = {t.name for t in next(p for p in PROGRAMS if p.id == "w2w").tables}
    fields = [f for f in cov.program_fields("w2w") if f.dataset in tables]  # views aside
    hand, statutes = _hand_counts("w2w")
    assert len(fields) == hand["fields"]
    assert sum(f.definitions for f in fields) == hand["definitions"]
    assert sum(f.classification for f in fields) == hand["classification"]
    assert all(f.steward for f in fields)
    # statute assessment of every reviewed field (unreviewed ones depend on suggestions)
    assert len(statutes) > 30
    assert {
        (f.dataset, f.field): f.statutes for f in fields if (f.dataset, f.field) in statutes
    } == (statutes)


def test_out_of_date_comments_are_counted_and_gate_check(demo_catalog: str) -> None:
    """A database comment that differs from the dictionary (the demo's stop.duration) is
    reported by `coverage` and fails `check --require comments=current`, naming the field."""
    import json

    from click.testing import CliRunner

    from cdw_datahub.cli import main

    runner = CliRunner()
    cov = json.loads(
        runner.invoke(main, ["coverage", "--catalog", demo_catalog, "--format", "json"]).stdout
    )
    w2w = next(p for p in cov["programs"] if p["program"] == "w2w")
    assert w2w["comments"]["count"] == w2w["fields"] - 1
    others = [p for p in cov["programs"] if p["program"] != "w2w"]
    assert all(p["comments"]["count"] == p["fields"] for p in others)

    gate = runner.invoke(
        main, ["check", "--catalog", demo_catalog, "--require", "comments=current"]
    )
    assert gate.exit_code == 1
    assert "FAIL  w2w  comments" in gate.stdout
    assert "stop.duration" in gate.stdout
    assert "PASS  healthy-habits  comments: 100.0%" in gate.stdout
