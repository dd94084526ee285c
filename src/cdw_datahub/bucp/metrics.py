"""BUCP sharing metrics (play 1) and the evidence for the business case (play 3).

    m = compute("sqlite:///bucp-register.db", since=date(2025, 7, 1))
    print(render_table(m))

Durations are whole calendar days between two events of one BUCP:

| stage | from | to |
|---|---|---|
| drafting | first `drafted` | first `submitted` after it |
| waiting for review | first `submitted` | first `under review` after it |
| review to decision | first `under review` | first `approved` / `denied` after it |
| approval to fulfillment | first `approved` | first `fulfilled` after it |
| submission to fulfillment | first `submitted` | first `fulfilled` after it |
| dispute to resolution | each dispute raised | its resolution |

A BUCP that has not reached a stage's end is left out of that stage. "Open BUCPs by age" lists
those still in the pipeline (drafted, submitted, in review or dispute, approved but not yet
fulfilled), aged from their first event to `--as-of` (default today).

**Percentiles** use linear interpolation between closest ranks: for sorted values x[0..n-1] the
p-th percentile is at rank r = p/100 * (n-1), i.e. x[floor(r)] + (r - floor(r)) * (x[floor(r)+1] -
x[floor(r)]). This is Excel's PERCENTILE.INC and numpy's default, so a coordinator can check every
figure in a spreadsheet. The median is the 50th percentile by the same rule.

`--since DATE` keeps BUCPs submitted on or after DATE (BUCPs never submitted: drafted on or after).
Dispute rate = BUCPs with at least one dispute / BUCPs submitted. Specialized Security / Privacy
content is never read here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cdw_datahub.bucp.register import states
from cdw_datahub.bucp.register.store import BucpRecord, open_register
from cdw_datahub.output import atomic_output, text_table

STAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("drafting", "drafted", ("submitted",)),
    ("waiting for review", "submitted", ("under review",)),
    ("review to decision", "under review", ("approved", "denied")),
    ("approval to fulfillment", "approved", ("fulfilled",)),
    ("submission to fulfillment", "submitted", ("fulfilled",)),
)
DISPUTE_STAGE = "dispute to resolution"
AGE_BUCKETS = ((30, "0-30 days"), (90, "31-90 days"), (180, "91-180 days"), (None, "over 180 days"))
OUTCOMES = ("approved", "denied", "withdrawn", "pending")


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (Excel PERCENTILE.INC); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = p / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


@dataclass
class StageStat:
    stage: str
    count: int
    median_days: float | None
    p90_days: float | None
    mean_days: float | None
    min_days: int | None
    max_days: int | None

    @classmethod
    def of(cls, stage: str, days: Sequence[int]) -> StageStat:
        return cls(
            stage=stage,
            count=len(days),
            median_days=percentile(days, 50),
            p90_days=percentile(days, 90),
            mean_days=round(sum(days) / len(days), 1) if days else None,
            min_days=min(days) if days else None,
            max_days=max(days) if days else None,
        )


@dataclass
class OpenBucp:
    id: str
    state: str
    program: str
    requesting_department: str
    opened: str  # first event date
    age_days: int


@dataclass
class Metrics:
    as_of: str
    since: str | None
    bucps: int
    submitted: int
    stages: list[StageStat]
    outcomes: dict[str, int]
    disputed_bucps: int
    dispute_rate: float | None  # disputed BUCPs / submitted BUCPs
    disputes: int
    disputes_open: int
    restriction_solutions: dict[str, int]
    top_datasets: list[tuple[str, int]]  # (dataset, BUCPs requesting it)
    top_fields: list[tuple[str, int]]
    open_bucps: list[OpenBucp]
    open_by_age: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["top_datasets"] = [{"dataset": d, "bucps": n} for d, n in self.top_datasets]
        data["top_fields"] = [{"field": f, "bucps": n} for f, n in self.top_fields]
        return data


def _after(record: BucpRecord, start: str, ends: tuple[str, ...]) -> int | None:
    begin = next((e for e in record.events if e.event == start), None)
    if begin is None:
        return None
    end = next((e for e in record.events if e.seq > begin.seq and e.event in ends), None)
    return (end.on - begin.on).days if end else None


def _in_scope(record: BucpRecord, since: dt.date | None) -> bool:
    if since is None:
        return True
    start = record.first("submitted") or (record.events[0].on if record.events else None)
    return start is not None and start >= since


def compute_records(
    records: Iterable[BucpRecord],
    since: dt.date | None = None,
    as_of: dt.date | None = None,
    top: int = 10,
) -> Metrics:
    as_of = as_of or dt.date.today()
    # the register as it stood on `as_of`: later events, and BUCPs drafted later, do not count
    standing = [s for r in records if (s := r.as_of(as_of)) is not None]
    scope = [r for r in standing if _in_scope(r, since)]
    submitted = [r for r in scope if r.first("submitted")]
    disputed = [r for r in submitted if r.disputes]
    outcomes = Counter(r.outcome for r in scope)
    open_bucps = _open_bucps(scope, as_of)
    return Metrics(
        as_of=str(as_of),
        since=str(since) if since else None,
        bucps=len(scope),
        submitted=len(submitted),
        stages=_stages(scope),
        outcomes={o: outcomes.get(o, 0) for o in OUTCOMES},
        disputed_bucps=len(disputed),
        dispute_rate=round(len(disputed) / len(submitted), 4) if submitted else None,
        disputes=sum(len(r.disputes) for r in scope),
        disputes_open=sum(1 for r in scope for d in r.disputes if d.resolved_on is None),
        restriction_solutions=dict(
            sorted(Counter(x.solution for r in scope for x in r.restrictions).items())
        ),
        top_datasets=_most_requested(Counter(d for r in scope for d in r.datasets), top),
        top_fields=_most_requested(Counter(f for r in scope for f in r.fields), top),
        open_bucps=open_bucps,
        open_by_age=_by_age(open_bucps),
    )


def _stages(scope: Sequence[BucpRecord]) -> list[StageStat]:
    stages = [
        StageStat.of(name, [d for r in scope if (d := _after(r, start, ends)) is not None])
        for name, start, ends in STAGES
    ]
    resolved = [
        (d.resolved_on - d.raised_on).days for r in scope for d in r.disputes if d.resolved_on
    ]
    return [*stages, StageStat.of(DISPUTE_STAGE, resolved)]


def _open_bucps(scope: Sequence[BucpRecord], as_of: dt.date) -> list[OpenBucp]:
    """The BUCPs still in the pipeline, oldest first."""
    records = sorted(
        (r for r in scope if r.state in states.IN_PROGRESS),
        key=lambda r: (r.events[0].on, r.id),
    )
    return [
        OpenBucp(
            r.id,
            r.state or "",
            r.program,
            r.requesting_department,
            str(r.events[0].on),
            (as_of - r.events[0].on).days,
        )
        for r in records
    ]


def _by_age(open_bucps: Sequence[OpenBucp]) -> dict[str, int]:
    by_age: dict[str, int] = {label: 0 for _, label in AGE_BUCKETS}
    for item in open_bucps:
        label = next(lbl for limit, lbl in AGE_BUCKETS if limit is None or item.age_days <= limit)
        by_age[label] += 1
    return by_age


def _most_requested(counts: Counter[str], top: int) -> list[tuple[str, int]]:
    """The `top` most requested, ties by name."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def compute(
    register_url: str,
    since: dt.date | None = None,
    as_of: dt.date | None = None,
    top: int = 10,
) -> Metrics:
    """Metrics of the register at `register_url` (what `cdw-datahub metrics` and the demo show)."""
    with open_register(register_url) as register:
        return compute_records(register.records(), since, as_of, top)


# ---------------------------------------------------------------- rendering


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def render_table(m: Metrics) -> str:
    scope = f"BUCPs submitted since {m.since}" if m.since else "all BUCPs"
    parts = [
        f"BUCP metrics as of {m.as_of} ({scope}): {m.bucps} BUCPs, {m.submitted} submitted",
        "",
        "Durations (days; median and 90th percentile by linear interpolation)",
        text_table(
            ["stage", "n", "median", "p90", "mean", "min", "max"],
            [
                [s.stage, s.count, s.median_days, s.p90_days, s.mean_days, s.min_days, s.max_days]
                for s in m.stages
            ],
        ),
        "",
        "Outcomes",
        text_table(["outcome", "bucps"], list(m.outcomes.items())),
        "",
        f"Disputes: {m.disputed_bucps} of {m.submitted} submitted BUCPs disputed "
        f"(dispute rate {_pct(m.dispute_rate)}); {m.disputes} dispute(s), {m.disputes_open} open",
        "",
        "Statutory restrictions, by solution",
        text_table(["solution", "restrictions"], list(m.restriction_solutions.items()))
        if m.restriction_solutions
        else "(none recorded)",
        "",
        "Most-requested datasets",
        text_table(["dataset", "bucps"], m.top_datasets) if m.top_datasets else "(none)",
        "",
        "Most-requested fields",
        text_table(["field", "bucps"], m.top_fields) if m.top_fields else "(none)",
        "",
        "Open BUCPs by age",
        text_table(["age", "bucps"], list(m.open_by_age.items())),
    ]
    if m.open_bucps:
        parts += [
            "",
            text_table(
                ["id", "state", "program", "requesting_department", "opened", "age_days"],
                [
                    [o.id, o.state, o.program, o.requesting_department, o.opened, o.age_days]
                    for o in sorted(m.open_bucps, key=lambda o: -o.age_days)
                ],
            ),
        ]
    return "\n".join(parts)


def csv_rows(m: Metrics) -> list[list[Any]]:
    """Long format (section, item, measure, value): one table that every spreadsheet can pivot."""
    rows: list[list[Any]] = [["section", "item", "measure", "value"]]
    rows += [
        ["scope", "register", "bucps", m.bucps],
        ["scope", "register", "submitted", m.submitted],
    ]
    for s in m.stages:
        for measure in ("count", "median_days", "p90_days", "mean_days", "min_days", "max_days"):
            value = getattr(s, measure)
            rows.append(["duration", s.stage, measure, "" if value is None else value])
    rows += [["outcome", k, "bucps", v] for k, v in m.outcomes.items()]
    rows += [
        ["disputes", "all", "disputed_bucps", m.disputed_bucps],
        ["disputes", "all", "dispute_rate", "" if m.dispute_rate is None else m.dispute_rate],
        ["disputes", "all", "disputes", m.disputes],
        ["disputes", "all", "open", m.disputes_open],
    ]
    rows += [
        ["restriction_solution", k, "restrictions", v] for k, v in m.restriction_solutions.items()
    ]
    rows += [["dataset", d, "bucps", n] for d, n in m.top_datasets]
    rows += [["field", f, "bucps", n] for f, n in m.top_fields]
    rows += [["open_by_age", k, "bucps", v] for k, v in m.open_by_age.items()]
    rows += [["open_bucp", o.id, "age_days", o.age_days] for o in m.open_bucps]
    return rows


def write_chart(m: Metrics, path: Path) -> None:
    """A two-panel PNG for the business case: stage durations, and most-requested datasets."""
    # matplotlib only here: it takes about half a second to import, and only --chart needs it
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on servers and CI
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    stages = [s for s in m.stages if s.count]
    names = [s.stage for s in stages]
    ys = list(range(len(stages)))
    left.barh(
        [y + 0.2 for y in ys],
        [s.median_days or 0 for s in stages],
        height=0.4,
        label="median",
        color="#1f77b4",
    )
    left.barh(
        [y - 0.2 for y in ys],
        [s.p90_days or 0 for s in stages],
        height=0.4,
        label="90th percentile",
        color="#ff7f0e",
    )
    left.set_yticks(ys, names)
    left.invert_yaxis()
    left.set_xlabel("days")
    left.set_title("How long sharing takes")
    left.legend(loc="lower right")
    top = m.top_datasets[:8]
    right.barh(range(len(top)), [n for _, n in top], color="#2ca02c")
    right.set_yticks(range(len(top)), [d for d, _ in top])
    right.invert_yaxis()
    right.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of BUCPs: no 0.5 ticks
    right.set_xlabel("BUCPs requesting")
    right.set_title("Most-requested datasets")
    fig.suptitle(
        f"BUCP metrics as of {m.as_of}: {m.bucps} BUCPs, dispute rate {_pct(m.dispute_rate)}"
    )
    with atomic_output(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=100)
    plt.close(fig)
