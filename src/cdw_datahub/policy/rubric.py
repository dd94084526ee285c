"""`policies/rubric.yml` (the working group's): the priority rubric's criteria and weights.

    rubric = load_rubric(policies_dir / RUBRIC_FILE)   # InputError naming file:line and key

`cdw_datahub.priority` scores datasets with it; this module only knows its shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from cdw_datahub.policy.schema import Strict
from cdw_datahub.policy.yamlfile import load_model

CATALOG_MEASURES = ("flag", "count", "levels")
REGISTER_MEASURES = ("request_count", "current_bucp")


class Criterion(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable id, used in outputs.")
    name: str = Field(description="What the working group calls it.")
    weight: float = Field(ge=0, description="Points this criterion is worth at full value.")
    source: Literal["catalog", "register"] = Field(description="Where the input comes from.")
    measure: Literal["flag", "count", "levels", "request_count", "current_bucp"]
    property: str | None = Field(None, description="Structured property (catalog source).")
    full: float = Field(1, gt=0, description="count / request_count giving full value.")
    levels: dict[str, float] | None = Field(None, description="Value per level (measure levels).")
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Criterion:
        if self.source == "catalog":
            if self.measure not in CATALOG_MEASURES:
                raise ValueError(
                    f"measure '{self.measure}' reads the register; use source: register, or a "
                    f"catalog measure ({', '.join(CATALOG_MEASURES)})"
                )
            if not self.property:
                raise ValueError("a catalog criterion needs `property` (e.g. cdw.dataset.topic)")
        else:
            if self.measure not in REGISTER_MEASURES:
                raise ValueError(
                    f"measure '{self.measure}' reads the catalog; use source: catalog, or a "
                    f"register measure ({', '.join(REGISTER_MEASURES)})"
                )
            if self.property:
                raise ValueError("a register criterion takes no `property`")
        if self.measure == "levels":
            if not self.levels:
                raise ValueError("measure levels needs `levels` (e.g. {high: 1, low: 0.25})")
            bad = [k for k, v in self.levels.items() if not 0 <= v <= 1]
            if bad:
                raise ValueError(f"level values must be between 0 and 1 ('{bad[0]}')")
        return self


class Rubric(Strict):
    version: Literal[1] = 1
    program_score: Literal["mean", "max", "sum"] = "mean"
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Rubric:
        seen: set[str] = set()
        for c in self.criteria:
            if c.id in seen:
                raise ValueError(f"criterion id '{c.id}' appears twice")
            seen.add(c.id)
        return self

    @property
    def max_score(self) -> float:
        return sum(c.weight for c in self.criteria)


def load_rubric(path: Path) -> Rubric:
    """Load and validate rubric.yml; errors name the file, line and key."""
    return load_model(Path(path), Rubric)
