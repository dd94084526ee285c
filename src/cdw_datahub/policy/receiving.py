"""`policies/receiving.yml` (owned by security): the department's receiving environments (play 8).

    environments = load_receiving(policies_dir / RECEIVING_FILE)
    enclave = environments.environment("cdw-research-enclave")   # InputError naming the known ones

Typed like every policy file: unknown keys, a control id that is not NIST SP 800-53 rev. 5, a
transfer method outside SFTP / REST API / streaming, or the same environment or control twice
are errors naming `file:line`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from cdw_datahub.errors import InputError
from cdw_datahub.policy.nist import satisfies
from cdw_datahub.policy.schema import ControlId, Strict
from cdw_datahub.policy.yamlfile import load_yaml, suggest, validate

FIPS199_LEVELS = ("Low", "Moderate", "High")


class ImplementedControl(Strict):
    id: ControlId = Field(description="NIST SP 800-53 rev. 5 control id, e.g. AC-2 or SC-8(1).")
    evidence: str = Field(
        min_length=1,
        description="Where a provider's reviewer finds proof: SSP section, audit, procedure.",
    )


class TransferMethod(Strict):
    method: Literal["SFTP", "REST API", "streaming"] = Field(description="How data arrives.")
    description: str = Field(min_length=1, description="The service and how it is protected.")


class Environment(Strict):
    name: str = Field(description="The id used with --environment, e.g. cdw-research-enclave.")
    title: str = Field(description="Display name.")
    description: str | None = Field(None, description="What the environment is for.")
    hosting: str = Field(description="Where it runs and who operates it.")
    fips199: Literal["Low", "Moderate", "High"] = Field(
        description="FIPS 199 impact level the environment is authorized for."
    )
    transfer_methods: list[TransferMethod] = Field(min_length=1, description="How data arrives.")
    retention: str = Field(description="How long received data is kept.")
    destruction: str = Field(description="How and when it is destroyed.")
    controls: list[ImplementedControl] = Field(
        default_factory=list, description="Implemented controls, each with its evidence."
    )

    @field_validator("controls")
    @classmethod
    def _unique(cls, value: list[ImplementedControl]) -> list[ImplementedControl]:
        seen: set[str] = set()
        for control in value:
            if control.id in seen:
                raise ValueError(f"control {control.id} is listed twice; keep one")
            seen.add(control.id)
        return value

    def implementing(self, required: str) -> ImplementedControl | None:
        """The implemented control that covers `required` (itself or an enhancement of it)."""
        return next((c for c in self.controls if satisfies(c.id, required)), None)


class ReceivingFile(Strict):
    environments: list[Environment] = Field(min_length=1, description="Receiving environments.")

    def environment(self, name: str, where: str) -> Environment:
        wanted = name.strip().casefold()
        for env in self.environments:
            if wanted == env.name.casefold():
                return env
        names = [e.name for e in self.environments]
        raise InputError(
            f"no receiving environment '{name}'{suggest(name, names)}; known: {', '.join(names)}",
            where,
            "--environment",
        )


def load_receiving(path: Path) -> ReceivingFile:
    """Load and validate receiving.yml; every error names the file and line."""
    doc = load_yaml(path)
    model = validate(doc, ReceivingFile)
    seen: dict[str, int] = {}
    for i, env in enumerate(model.environments):
        key = env.name.casefold()
        if key in seen:
            raise doc.error(
                f"environment '{env.name}' is defined twice (first as item {seen[key]}); keep one",
                "environments",
                i,
                "name",
            )
        seen[key] = i
    return model
