"""Dataset priority scores (play 4): a weighted rubric over catalog properties and the register.

    ranking = rank("lite:datahub-lite.db", "sqlite:///bucp-register.db", "policies/rubric.yml")
    ranking.programs[0].program   # "w2w"

Every criterion of `policies/rubric.yml` turns one input into a value between 0 and 1; the
criterion's contribution is weight x value, and a dataset's score is the sum of contributions, so
each score explains itself. Datasets are keyed `<program>.<table>`, the same names BUCP requests
use. A program's score is the mean (or max / sum, per the rubric) of its datasets' scores.

`emit_scores` writes `cdw.dataset.priorityScore` and `cdw.dataset.priorityRank` back to the
catalog. DataHub replaces a dataset's whole `structuredProperties` aspect on UPSERT, so the
dataset's other assignments (from the DatasetView) are written back with them.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdw_datahub.bucp.register import states
from cdw_datahub.bucp.register.store import BucpRecord, open_register
from cdw_datahub.catalog import Catalog, DatasetView, open_catalog
from cdw_datahub.contract import program_of_domain
from cdw_datahub.contract import properties as props
from cdw_datahub.policy.rubric import CATALOG_MEASURES, Criterion, Rubric, load_rubric

SCORE_PROPERTY = "cdw.dataset.priorityScore"
RANK_PROPERTY = "cdw.dataset.priorityRank"
TRUE_VALUES = {"true", "yes", "1", "y"}
SHOWN_DECIMALS = 2  # table, csv and the demo summary; ties are decided on this
JSON_DECIMALS = 4  # json and --emit: rounded once, from the full-precision sum


# ---------------------------------------------------------------- scoring


@dataclass
class Contribution:
    criterion: str
    input: Any  # what was read: property values, BUCP ids, ...
    value: float  # 0..1
    weight: float
    points: float  # weight x value


@dataclass
class DatasetScore:
    dataset: str  # <program>.<table>
    urn: str
    program: str
    score: float
    contributions: list[Contribution]
    rank: int = 0
    tied: bool = False


@dataclass
class ProgramScore:
    program: str
    name: str
    score: float
    datasets: int
    contributions: dict[str, float]  # criterion id -> points (aggregated like the score)
    top_dataset: str
    rank: int = 0
    tied: bool = False


@dataclass
class Ranking:
    rubric: Rubric
    datasets: list[DatasetScore]
    programs: list[ProgramScore]
    notes: list[str] = field(default_factory=list)

    @property
    def max_score(self) -> float:
        return self.rubric.max_score


def dataset_key(view: DatasetView) -> str | None:
    return f"{view.program}.{view.table}" if view.program else None


def _register_inputs(
    records: Iterable[BucpRecord],
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(dataset -> submitted BUCPs requesting it, dataset -> current / in-review BUCPs)."""
    requested: dict[str, list[str]] = defaultdict(list)
    current: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if r.first("submitted") is None:
            continue
        for dataset in r.datasets:
            requested[dataset].append(r.id)
            if r.state in states.CURRENT or r.state in states.IN_REVIEW:
                current[dataset].append(r.id)
    return requested, current


def _score(
    criterion: Criterion,
    view: DatasetView,
    key: str,
    requested: dict[str, list[str]],
    current: dict[str, list[str]],
) -> Contribution:
    raw: Any
    if criterion.measure in CATALOG_MEASURES:
        values = view.properties.get(criterion.property or "", [])
        raw = values
        if criterion.measure == "flag":
            value = 1.0 if any(v.strip().lower() in TRUE_VALUES for v in values) else 0.0
        elif criterion.measure == "count":
            value = min(len([v for v in values if v.strip()]) / criterion.full, 1.0)
        else:
            levels = {k.lower(): v for k, v in (criterion.levels or {}).items()}
            value = max((levels.get(v.strip().lower(), 0.0) for v in values), default=0.0)
    elif criterion.measure == "request_count":
        raw = requested.get(key, [])
        value = min(len(raw) / criterion.full, 1.0)
    else:
        raw = current.get(key, [])
        value = 1.0 if raw else 0.0
    # full precision here; outputs round (SHOWN_DECIMALS, JSON_DECIMALS)
    return Contribution(criterion.id, raw, value, criterion.weight, criterion.weight * value)


def score(
    rubric: Rubric,
    views: Iterable[DatasetView],
    records: Iterable[BucpRecord],
    program_names: dict[str, str] | None = None,
) -> Ranking:
    """Score and rank every program dataset; ties rank by name so output is stable."""
    requested, current = _register_inputs(records)
    scores = []
    for view in views:
        key = dataset_key(view)
        if key is None or view.program is None:
            continue
        parts = [_score(c, view, key, requested, current) for c in rubric.criteria]
        scores.append(
            DatasetScore(key, view.urn, view.program, sum(p.points for p in parts), parts)
        )
    scores.sort(key=lambda s: (-s.score, s.dataset))
    _assign_ranks(scores)

    by_program: dict[str, list[DatasetScore]] = defaultdict(list)
    for s in scores:
        by_program[s.program].append(s)
    programs = []
    for program, items in by_program.items():
        per: dict[str, float] = {}
        for c in rubric.criteria:
            points = [next(p.points for p in s.contributions if p.criterion == c.id) for s in items]
            per[c.id] = _aggregate(rubric.program_score, points)
        total = _aggregate(rubric.program_score, [s.score for s in items])
        programs.append(
            ProgramScore(
                program=program,
                name=(program_names or {}).get(program, program),
                score=total,
                datasets=len(items),
                contributions=per,
                top_dataset=items[0].dataset,
            )
        )
    programs.sort(key=lambda p: (-p.score, p.program))
    _assign_ranks(programs)
    return Ranking(rubric, scores, programs)


def _assign_ranks(items: Sequence[DatasetScore | ProgramScore]) -> None:
    """Competition ranking (1, 1, 3) on the score as shown: scores equal to SHOWN_DECIMALS
    share a rank and are marked tied, so a reader never sees 14.50 ranked 1 and 14.50 ranked 2."""
    for i, item in enumerate(items):
        shown = round(item.score, SHOWN_DECIMALS)
        before = items[i - 1] if i else None
        if before is not None and round(before.score, SHOWN_DECIMALS) == shown:
            item.rank = before.rank
            item.tied = before.tied = True
        else:
            item.rank = i + 1


def rank_label(rank: int, tied: bool) -> str:
    """`1=` for a shared rank (the usual sports-table mark), else `1`."""
    return f"{rank}=" if tied else str(rank)


def shown(value: float) -> str:
    """Scores and points as every table, csv and the demo print them: two decimals."""
    return f"{value:.{SHOWN_DECIMALS}f}"


def _aggregate(how: str, values: list[float]) -> float:
    if not values:
        return 0.0
    if how == "max":
        return max(values)
    if how == "sum":
        return sum(values)
    return sum(values) / len(values)


def register_records(register_url: str | None) -> tuple[list[BucpRecord], str | None]:
    """The register's BUCPs, or none (with a note) when a SQLite register file does not exist:
    scoring must not create an empty register as a side effect."""
    if not register_url:
        return [], "no BUCP register configured; register criteria score 0"
    if register_url.startswith("sqlite:///"):
        path = register_url[len("sqlite:///") :]
        if path and path != ":memory:" and not os.path.exists(path):
            return [], f"no BUCP register at {path}; register criteria score 0"
    with open_register(register_url) as register:
        return register.records(), None


def _program_names(catalog: Catalog) -> dict[str, str]:
    return {pid: name for urn, name in catalog.domains().items() if (pid := program_of_domain(urn))}


def rank(catalog: Catalog | str, register_url: str | None, rubric_path: Path | str) -> Ranking:
    """What `cdw-datahub priority` (and the demo) prints: datasets and programs, ranked."""
    rubric = load_rubric(Path(rubric_path))
    records, note = register_records(register_url)
    own = isinstance(catalog, str)
    cat = open_catalog(catalog) if isinstance(catalog, str) else catalog
    try:
        views = list(cat.datasets())
        ranking = score(rubric, views, records, _program_names(cat))
    finally:
        if own:
            cat.close()
    if note:
        ranking.notes.append(note)
    if not ranking.datasets:
        ranking.notes.append(f"no program datasets (with a cdw domain) in {cat.location}")
    return ranking


# ---------------------------------------------------------------- writing back


def emission(ranking: Ranking, catalog: Catalog) -> list[Any]:
    """The proposals `--emit` writes: the two property definitions (contract.properties), then
    per dataset a PATCH that sets only its score and rank, so every other property (people's,
    other tools', ingestion's) stays as it is."""
    from datahub.specific.dataset import DatasetPatchBuilder

    mcps: list[Any] = [props.definition_mcp(SCORE_PROPERTY), props.definition_mcp(RANK_PROPERTY)]
    for s in ranking.datasets:
        patch = DatasetPatchBuilder(s.urn)
        patch.set_structured_property(SCORE_PROPERTY, round(s.score, JSON_DECIMALS))
        patch.set_structured_property(RANK_PROPERTY, float(s.rank))
        mcps += patch.build()
    return mcps


def emit_scores(ranking: Ranking, catalog: Catalog) -> int:
    """Write scores and ranks into the catalog; returns how many datasets were updated."""
    catalog.emit(emission(ranking, catalog))
    return len(ranking.datasets)


# ---------------------------------------------------------------- rendering


def _short(value: float) -> str:
    return f"{value:g}"


def dataset_rows(ranking: Ranking) -> tuple[list[str], list[list[Any]]]:
    ids = [c.id for c in ranking.rubric.criteria]
    header = ["rank", "dataset", "program", "score", "max", *ids]
    rows = [
        [
            rank_label(s.rank, s.tied),
            s.dataset,
            s.program,
            shown(s.score),
            _short(ranking.max_score),
            *[shown(p.points) for p in s.contributions],
        ]
        for s in ranking.datasets
    ]
    return header, rows


def program_rows(ranking: Ranking) -> tuple[list[str], list[list[Any]]]:
    ids = [c.id for c in ranking.rubric.criteria]
    header = ["rank", "program", "name", "score", "datasets", "top_dataset", *ids]
    rows = [
        [
            rank_label(p.rank, p.tied),
            p.program,
            p.name,
            shown(p.score),
            p.datasets,
            p.top_dataset,
            *[shown(p.contributions[i]) for i in ids],
        ]
        for p in ranking.programs
    ]
    return header, rows


def render_table(ranking: Ranking, by: str = "both", limit: int | None = None) -> str:
    from cdw_datahub.output import text_table

    rubric = ranking.rubric
    legend = ", ".join(f"{c.id} (x{_short(c.weight)})" for c in rubric.criteria)
    parts = [f"Priority rubric: {legend}; maximum {_short(rubric.max_score)} points", ""]
    if by in ("program", "both"):
        header, rows = program_rows(ranking)
        parts += [
            f"Programs (score = {rubric.program_score} of their datasets' scores)",
            text_table(header, rows),
            "",
        ]
    if by in ("dataset", "both"):
        header, rows = dataset_rows(ranking)
        parts += [
            "Datasets (each column: the criterion's points)",
            text_table(header, rows[:limit] if limit else rows),
        ]
    if any(p.tied for p in ranking.programs) or any(d.tied for d in ranking.datasets):
        parts += ["", "N= : tied (scores equal to two decimals share a rank)"]
    return "\n".join(parts).rstrip()


def _j(value: float) -> float:
    return round(value, JSON_DECIMALS)


def to_json(ranking: Ranking) -> dict[str, Any]:
    """Stable keys; numbers rounded once to JSON_DECIMALS; `tied` marks a shared rank."""
    return {
        "max_score": ranking.max_score,
        "program_score": ranking.rubric.program_score,
        "criteria": [c.model_dump(exclude_none=True) for c in ranking.rubric.criteria],
        "programs": [
            {
                "rank": p.rank,
                "tied": p.tied,
                "program": p.program,
                "name": p.name,
                "score": _j(p.score),
                "datasets": p.datasets,
                "top_dataset": p.top_dataset,
                "contributions": {k: _j(v) for k, v in p.contributions.items()},
            }
            for p in ranking.programs
        ],
        "datasets": [
            {
                "rank": s.rank,
                "tied": s.tied,
                "dataset": s.dataset,
                "urn": s.urn,
                "program": s.program,
                "score": _j(s.score),
                "contributions": {
                    p.criterion: {
                        "input": p.input,
                        "value": _j(p.value),
                        "weight": p.weight,
                        "points": _j(p.points),
                    }
                    for p in s.contributions
                },
            }
            for s in ranking.datasets
        ],
        "notes": ranking.notes,
    }
