"""One strictest-level rule (`contract.strictest_level`): the dataset roll-up at ingestion, the
export's summary and the winning level tag of a field all decide by it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from cdw_datahub.bucp.export import Facts, Level
from cdw_datahub.contract import LEVEL_TAG, strictest_level, winning_level
from cdw_datahub.policy import load_policy

REPO = Path(__file__).resolve().parents[1]
ORDER = ("public", "confidential", "sensitive", "personal")


def rank(level_id: str) -> int:
    return ORDER.index(level_id)


def test_the_rule() -> None:
    assert strictest_level(["confidential", "public"], rank, 3) == "confidential"
    assert strictest_level(["sensitive", None], rank, 3) is None  # protect as Moderate
    assert strictest_level([None, "personal", "public"], rank, 3) == "personal"  # at the top
    assert strictest_level([None, None], rank, 3) is None
    assert strictest_level([], rank, 3) is None
    # without a top level nothing outranks an unclassified field
    assert strictest_level(["personal", None], rank) is None
    # equal ranks: the first listed
    assert strictest_level(["b", "a", "b"], lambda level: 0) == "b"


def test_ingestion_and_export_decide_alike_on_every_combination() -> None:
    """Policy.strictest (the roll-up of `cdw_describe`) and Facts.strictest (the summary of an
    export) on the shipped scheme, for every three levels a dataset's fields can carry."""
    policy = load_policy(REPO / "glossary", REPO / "policies")
    facts = Facts([Level(lvl.id, lvl.name) for lvl in policy.levels], {}, "unclassified",
                  "Moderate", (), {}, {}, {}, {})  # fmt: skip
    choices = [lvl.id for lvl in policy.levels] + [None]
    decided = set()
    for levels in itertools.product(choices, repeat=3):
        assert policy.strictest(levels) == facts.strictest(levels), levels
        decided.add(facts.strictest(levels))
    assert decided == set(choices)  # every outcome occurs, unclassified included


@dataclass(frozen=True)
class Tag:
    urn: str
    provenance: str


def test_the_winning_level_is_the_best_provenance_then_the_strictest() -> None:
    public = Tag(LEVEL_TAG + "public", "reviewed")
    personal = Tag(LEVEL_TAG + "personal", "suggested")
    sensitive = Tag(LEVEL_TAG + "sensitive", "suggested")
    assert winning_level([personal, public], rank) == public  # reviewed beats suggested
    assert winning_level([sensitive, personal], rank) == personal  # then the strictest
    assert winning_level([sensitive, personal]) == sensitive  # no ranks: the first listed
    assert winning_level([Tag("urn:li:tag:other", "ui")], rank) is None
