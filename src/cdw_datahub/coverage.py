"""How completely the catalog describes each program's data (play 6), field by field.

    cov = coverage.compute(catalog, program="w2w")
    for ds in cov.datasets:
        print(ds.name, ds.share("definitions"))

Four measures per field, read from the catalog exactly as docs/catalog-model.md stores them:
- `definitions`: the field has a description (DB comment, dictionary or UI);
- `classification`: a level tag `urn:li:tag:cdw.level.*` whose provenance is `reviewed` or `ui`
  (a suggestion from a detection rule does not count);
- `statutes`: a statute term `urn:li:glossaryTerm:cdw.statute.*`, or the structured property
  `cdw.field.statuteAssessment` = `none-apply` (assessed, nothing applies);
- `steward`: the field's dataset has an owner;
- `comments`: the database comment is current: no comment that differs from the field
  dictionary's definition (`cdw.field.databaseComment`, kept by ingestion when they differ).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cdw_datahub.catalog import Catalog, DatasetView, FieldView
from cdw_datahub.catalog.model import LEVEL_TAG, STATUTE_TERM, winning_level
from cdw_datahub.contract import program_of_domain
from cdw_datahub.errors import InputError

METRICS = ("definitions", "classification", "statutes", "steward", "comments")
STATUTE_ASSESSMENT = "cdw.field.statuteAssessment"
STALE_COMMENT = "cdw.field.databaseComment"
NONE_APPLY = "none-apply"
REVIEWED_PROVENANCE = ("reviewed", "ui")
NO_PROGRAM = "(no program)"


@dataclass(frozen=True)
class FieldStatus:
    """One field and which of the four measures it meets."""

    program: str
    dataset: str  # the table name, as the dictionary keys it
    dataset_urn: str
    field: str
    definitions: bool
    classification: bool
    statutes: bool
    steward: bool
    comments: bool  # no out-of-date database comment
    level: str | None  # the winning level id, reviewed or not
    level_provenance: str | None

    def meets(self, metric: str) -> bool:
        return bool(getattr(self, metric))


@dataclass
class DatasetCoverage:
    program: str
    name: str  # table name
    urn: str
    fields: list[FieldStatus] = field(default_factory=list)

    def count(self, metric: str) -> int:
        return sum(f.meets(metric) for f in self.fields)

    def share(self, metric: str) -> float:
        return share(self.fields, metric)


def share(fields: Iterable[FieldStatus], metric: str) -> float:
    """The fraction (0..1) of `fields` meeting `metric`; 1.0 for no fields (nothing missing)."""
    items = list(fields)
    if not items:
        return 1.0
    return sum(f.meets(metric) for f in items) / len(items)


@dataclass
class Coverage:
    datasets: list[DatasetCoverage]

    @property
    def fields(self) -> list[FieldStatus]:
        return [f for ds in self.datasets for f in ds.fields]

    @property
    def programs(self) -> list[str]:
        return sorted({ds.program for ds in self.datasets})

    def program_fields(self, program: str) -> list[FieldStatus]:
        return [f for ds in self.datasets if ds.program == program for f in ds.fields]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `coverage --format json`."""

        def measures(fields: list[FieldStatus]) -> dict[str, Any]:
            return {
                "fields": len(fields),
                **{
                    m: {
                        "count": sum(f.meets(m) for f in fields),
                        "share": round(share(fields, m), 4),
                    }
                    for m in METRICS
                },
            }

        return {
            "programs": [
                {
                    "program": p,
                    **measures(self.program_fields(p)),
                    "datasets": [
                        {"dataset": ds.name, "urn": ds.urn, **measures(ds.fields)}
                        for ds in self.datasets
                        if ds.program == p
                    ],
                }
                for p in self.programs
            ],
            "total": measures(self.fields),
        }


def field_status(ds: DatasetView, fv: FieldView, program: str) -> FieldStatus:
    best = winning_level(fv.tags)
    level = best.urn.removeprefix(LEVEL_TAG) if best else None
    provenance = best.provenance if best else None
    statute = any(t.urn.startswith(STATUTE_TERM) for t in fv.terms) or (
        NONE_APPLY in fv.properties.get(STATUTE_ASSESSMENT, [])
    )
    return FieldStatus(
        program=program,
        dataset=ds.table,
        dataset_urn=ds.urn,
        field=fv.path,
        definitions=bool((fv.description or "").strip()),
        classification=provenance in REVIEWED_PROVENANCE,
        statutes=statute,
        steward=bool(ds.owners),
        comments=STALE_COMMENT not in fv.properties,
        level=level,
        level_provenance=provenance,
    )


def resolve_program(catalog: Catalog, value: str) -> str:
    """A program id from its id or display name, case-insensitively (the catalog's domains)."""
    wanted = value.strip().lower()
    known: dict[str, str] = {}
    for urn, name in catalog.domains().items():
        pid = program_of_domain(urn)
        if pid:
            known[pid] = name
            if wanted in (pid.lower(), (name or "").lower()):
                return pid
    for ds in catalog.datasets():  # no domain entities (e.g. a partial catalog): dataset programs
        if ds.program and ds.program.lower() == wanted:
            return ds.program
    choices = ", ".join(f"{k} ({v})" for k, v in sorted(known.items())) or "none in this catalog"
    raise InputError(f"unknown program '{value}'; known programs: {choices}", key="--program")


def compute(catalog: Catalog, program: str | None = None) -> Coverage:
    """Coverage of every dataset (of one program: id or display name) in the catalog."""
    wanted = resolve_program(catalog, program) if program else None
    datasets: list[DatasetCoverage] = []
    for ds in catalog.datasets():
        pid = ds.program or NO_PROGRAM
        if wanted is not None and pid != wanted:
            continue
        cov = DatasetCoverage(program=pid, name=ds.table, urn=ds.urn)
        cov.fields = [field_status(ds, fv, pid) for fv in ds.fields]
        datasets.append(cov)
    datasets.sort(key=lambda d: (d.program, d.name))
    return Coverage(datasets)


# ------------------------------------------------------------------ the Definition-of-Done gate

# Words that mean "every field" for a metric (`classification=reviewed`, `steward=required`).
ALL_WORDS = {"all", "reviewed", "required", "yes", "true", "assessed", "defined", "current"}


@dataclass(frozen=True)
class Requirement:
    metric: str
    threshold: float  # 0..1
    text: str  # as the user wrote it

    @classmethod
    def parse(cls, text: str, where: str | None = None) -> Requirement:
        """`definitions=100%`, `classification=reviewed`, `statutes=0.9`, `steward=required`."""
        metric, sep, value = (part.strip() for part in str(text).partition("="))
        if not sep or not metric or not value:
            raise InputError(
                f"'{text}' is not a requirement; write METRIC=THRESHOLD, e.g. definitions=100%",
                where,
            )
        if metric not in METRICS:
            raise InputError(
                f"unknown metric '{metric}'; use one of {', '.join(METRICS)}", where, metric
            )
        low = value.lower()
        if low in ALL_WORDS:
            return cls(metric, 1.0, text)
        try:
            number = float(low.removesuffix("%"))
        except ValueError:
            number = -1.0
        if low.endswith("%") or number > 1:  # `definitions=80` means 80%
            number /= 100
        if not 0 <= number <= 1:
            raise InputError(
                f"threshold '{value}' for {metric} is not a share; use 0-100%, 0.0-1.0 or 'all'",
                where,
                metric,
            )
        return cls(metric, number, text)


@dataclass(frozen=True)
class CheckResult:
    requirement: Requirement
    scope: str  # program id
    share: float
    failing: list[FieldStatus]

    @property
    def passed(self) -> bool:
        return self.share + 1e-9 >= self.requirement.threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement.text,
            "metric": self.requirement.metric,
            "threshold": self.requirement.threshold,
            "program": self.scope,
            "share": round(self.share, 4),
            "passed": self.passed,
            "failing_fields": [
                {"dataset": f.dataset, "field": f.field, "dataset_urn": f.dataset_urn}
                for f in self.failing
            ],
        }


def check(cov: Coverage, requirements: Iterable[Requirement]) -> list[CheckResult]:
    """Each requirement per program (a program's CI gates that program's fields)."""
    results = []
    for program in cov.programs:
        fields = cov.program_fields(program)
        for req in requirements:
            results.append(
                CheckResult(
                    requirement=req,
                    scope=program,
                    share=share(fields, req.metric),
                    failing=[f for f in fields if not f.meets(req.metric)],
                )
            )
    return results
