"""Receiving readiness (play 8): the controls a BUCP's data requires against what a receiving
environment implements, and the "Specialized Security" text that follows from it.

    readiness = assess(request, summary, environment)
    readiness.gaps                  # required controls the environment does not implement
    security_draft(readiness)       # restricted text, stored with the register's Specialized terms

What the data requires comes from its classification (policies/classification.yml maps each
level, and unclassified data, to NIST SP 800-53 controls); what the environment implements comes
from policies/receiving.yml, each control with its evidence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cdw_datahub.bucp.model import Summary
from cdw_datahub.bucp.package import Request
from cdw_datahub.output import text_table
from cdw_datahub.policy.nist import family_name
from cdw_datahub.policy.receiving import FIPS199_LEVELS, Environment


@dataclass(frozen=True)
class Requirement:
    control: str
    required_by: tuple[str, ...]  # "Personal", "unclassified - protect as Moderate"
    implemented_as: str | None  # the environment's control id (an enhancement counts)
    evidence: str | None

    @property
    def met(self) -> bool:
        return self.implemented_as is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "family": family_name(self.control),
            "required_by": list(self.required_by),
            "status": "implemented" if self.met else "gap",
            "implemented_as": self.implemented_as,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Readiness:
    request: Request
    environment: Environment
    summary: Summary
    requirements: tuple[Requirement, ...]
    impact_needed: str | None  # FIPS 199 level the data needs, when the scheme says

    @property
    def gaps(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.met]

    @property
    def impact_gap(self) -> bool:
        if self.impact_needed is None:
            return False
        rank = FIPS199_LEVELS.index
        return rank(self.environment.fips199) < rank(self.impact_needed)

    @property
    def ready(self) -> bool:
        return not self.gaps and not self.impact_gap

    def as_dict(self) -> dict[str, Any]:
        c = self.summary["classification"]
        return {
            "bucp": self.request.id,
            "environment": self.environment.name,
            "environment_title": self.environment.title,
            "environment_fips199": self.environment.fips199,
            "classification": c["strictest"],
            "fips199_required": self.impact_needed,
            "ready": self.ready,
            "required": [r.as_dict() for r in self.requirements],
            "gaps": [r.control for r in self.gaps],
            "impact_gap": self.impact_gap,
        }


def assess(request: Request, summary: Summary, environment: Environment) -> Readiness:
    sources = summary["classification"]["control_sources"]
    requirements = []
    for control, required_by in sources.items():
        found = environment.implementing(control)
        requirements.append(
            Requirement(
                control,
                tuple(required_by),
                found.id if found else None,
                found.evidence if found else None,
            )
        )
    return Readiness(
        request,
        environment,
        summary,
        tuple(requirements),
        summary["classification"]["fips199"],
    )


def _data_line(summary: Summary) -> str:
    c = summary["classification"]
    names = ", ".join(d["dataset"] for d in summary["datasets"])
    line = f"{summary['field_count']} field(s) from {names}; strictest classification: "
    line += c["strictest"]
    if c["unclassified_fields"]:
        line += (
            f" ({c['unclassified_fields']} field(s) not yet classified, protected as FIPS 199 "
            "Moderate until they are)"
        )
    return line


def security_draft(readiness: Readiness, today: dt.date | None = None) -> str:
    """The BUCP's "Specialized Security" text, drafted from the environment's documentation."""
    env, request = readiness.environment, readiness.request
    day = (today or dt.date.today()).isoformat()
    lines = [
        f"Specialized Security - DRAFT for {request.id} ({day}, from policies/receiving.yml)",
        "",
        f"Receiving environment: {env.title} ({env.name})",
        f"Hosting: {env.hosting}",
        f"FIPS 199 impact level: {env.fips199}",
        f"Data to be received: {_data_line(readiness.summary)}",
        "Transfer methods:",
        *(f"- {t.method}: {t.description}" for t in env.transfer_methods),
        f"Retention: {env.retention}",
        f"Destruction: {env.destruction}",
        "",
        "NIST SP 800-53 rev. 5 controls the data's classification requires, as implemented:",
    ]
    for r in readiness.requirements:
        if r.met:
            shown = (
                r.control
                if r.implemented_as == r.control
                else f"{r.control} (as {r.implemented_as})"
            )
            lines.append(f"- {shown} {family_name(r.control)}: {r.evidence}")
    if readiness.gaps or readiness.impact_gap:
        lines += ["", "OPEN ITEMS - resolve before the BUCP is submitted:"]
        lines += [
            f"- {r.control} {family_name(r.control)}: not implemented" for r in readiness.gaps
        ]
        if readiness.impact_gap:
            lines.append(
                f"- the environment is authorized for FIPS 199 {env.fips199}; the data needs "
                f"{readiness.impact_needed}"
            )
    return "\n".join(lines) + "\n"


def gap_text(readiness: Readiness) -> str:
    """The terminal report: every required control, then the verdict."""
    env = readiness.environment
    head = [
        f"{readiness.request.id} -> {env.title} ({env.name}), FIPS 199 {env.fips199}",
        f"data: {_data_line(readiness.summary)}",
        "",
    ]
    table = text_table(
        ["control", "family", "required by", "status", "evidence"],
        [
            [r.control, family_name(r.control), ", ".join(r.required_by),
             "implemented" if r.met else "GAP",
             (r.evidence or "") if r.implemented_as == r.control or not r.met
             else f"as {r.implemented_as}: {r.evidence}"]
            for r in readiness.requirements
        ],
    )  # fmt: skip
    gaps = readiness.gaps
    if readiness.ready:
        verdict = f"ready: the environment implements all {len(readiness.requirements)} controls"
    else:
        verdict = f"{len(gaps)} gap(s): " + ", ".join(r.control for r in gaps)
        if readiness.impact_gap:
            verdict += f"; FIPS 199 {env.fips199} < {readiness.impact_needed} needed"
    return "\n".join([*head, table, "", verdict]) + "\n"
