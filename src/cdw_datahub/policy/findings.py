"""Findings: what the loaders (and `lint`) found in the steward files, as data.

A loader records every problem it can name, and goes on; `load_policy` and the other loaders then
stop at the first error (`Finding.error()`), while `lint` lists them all, with its definition
checks added. Warnings are what DataHub accepts but a steward should look at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cdw_datahub.errors import InputError
from cdw_datahub.policy.yamlfile import suggest

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Finding:
    slug: str  # stable: reference-dangling, term-duplicate, definition-circular, ...
    severity: str  # info | warning | error
    location: str  # "policies/reviewed.yml:3": the folder and file, the same on every machine
    message: str
    suggestion: str = ""  # how to fix it
    where: str = ""  # the file's own path and line, as an InputError names it
    key: str | None = None  # the key path inside the file

    def at_least(self, severity: str) -> bool:
        return SEVERITIES.index(self.severity) >= SEVERITIES.index(severity)

    def text(self) -> str:
        """The message and its suggestion as one line: `unknown level 'x' (did you mean 'y'?)`."""
        if not self.suggestion:
            return self.message
        return f"{self.message} ({self.suggestion[:1].lower()}{self.suggestion[1:]})"

    def error(self) -> InputError:
        """The finding as the one line a command stops with."""
        return InputError(self.text(), self.where or self.location, self.key)

    def to_dict(self) -> dict[str, str]:
        """The stable keys of `lint --format json`."""
        return {
            "slug": self.slug,
            "severity": self.severity,
            "location": self.location,
            "message": self.message,
            "suggestion": self.suggestion,
        }


def close_to(word: str, candidates: Iterable[str]) -> str:
    """ "Did you mean 'a', 'b'?" for the closest candidates; "" when none is close."""
    hint = suggest(word, list(candidates)).strip(" ()")
    return hint[:1].upper() + hint[1:]


def raise_first_error(findings: Iterable[Finding]) -> None:
    """Stop at the first error, in file order (warnings do not stop anything)."""
    for finding in findings:
        if finding.severity == "error":
            raise finding.error()
