"""`check.yml` (a program's CI owns it): what `cdw-datahub check --config-file` requires.

    program: w2w                        # optional: id or display name
    require: {definitions: 100%, classification: reviewed}   # or ["definitions=100%", ...]

    spec = load_check_file(path)
    spec.requirements   # [("definitions=100%", "check.yml:3"), ...]: text and where it is

The metrics and thresholds are `cdw_datahub.coverage`'s to parse; this module only knows the
file's shape and where each requirement is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cdw_datahub.policy.yamlfile import load_yaml

KEYS = ("program", "require")


@dataclass(frozen=True)
class CheckFile:
    program: str | None
    requirements: list[tuple[str, str]]  # ("METRIC=THRESHOLD", "file:line")


def load_check_file(path: Path) -> CheckFile:
    doc = load_yaml(Path(path))
    data = doc.data or {}
    if not isinstance(data, dict):
        raise doc.error("expected a mapping with 'require' (and optionally 'program')")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise doc.error(f"unknown key; allowed keys are {', '.join(KEYS)}", unknown[0])
    program = data.get("program")
    raw = data.get("require")
    if isinstance(raw, dict):
        requirements = [(f"{m}={v}", doc.where("require", m)) for m, v in raw.items()]
    elif isinstance(raw, list):
        requirements = [(str(item), doc.where("require", i)) for i, item in enumerate(raw)]
    else:
        raise doc.error(
            "'require' must map metrics to thresholds, e.g. require: {definitions: 100%}",
            "require",
        )
    return CheckFile(str(program) if program is not None else None, requirements)
