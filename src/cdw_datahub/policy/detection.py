"""`policies/detection.yml` (owned by security): the classifier's rules, as typed input.

    rules = load_detection(policies_dir / DETECTION_FILE)      # InputError at the first problem
    findings = detection_findings(policies_dir / DETECTION_FILE)  # every problem, as data

Every mistake (unknown key, unknown label, unknown concept, table kind or type family, a bad
regular expression, a rule id twice) names the line to fix. `cdw_datahub.classify` evaluates the
rules; this module only knows their shape and references.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import Field

from cdw_datahub.errors import InputError
from cdw_datahub.policy.findings import Finding, close_to, raise_first_error
from cdw_datahub.policy.schema import Strict
from cdw_datahub.policy.yamlfile import YamlDoc, load_yaml, validate

LABELS = ("DIRECT_ID", "QUASI_ID", "HEALTH", "INTERNAL_KEY", "NONE")
Label = Literal["DIRECT_ID", "QUASI_ID", "HEALTH", "INTERNAL_KEY", "NONE"]
Shape = Literal["key", "coded", "plain"]
_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"


class Condition(Strict):
    """All given keys must hold (an empty condition always holds)."""

    any: list[str] = Field(default_factory=list, description="any of these concepts in the name")
    all: list[str] = Field(default_factory=list, description="all of these concepts in the name")
    none: list[str] = Field(default_factory=list, description="none of these concepts in the name")
    only: list[str] = Field(
        default_factory=list, description="every word of the name belongs to one of these concepts"
    )
    last: list[str] = Field(
        default_factory=list, description="the last word of the name belongs to one of these"
    )
    pattern: str | None = Field(
        None, description="regular expression searched in the normalized name (words joined by ' ')"
    )
    types: list[str] = Field(default_factory=list, description="SQL type family is one of these")
    not_types: list[str] = Field(default_factory=list, description="type family is none of these")
    shape: list[Shape] = Field(
        default_factory=list, description="key: ends in id/key; coded: ends in code/concept id"
    )
    table: list[str] = Field(default_factory=list, description="the table is any of these kinds")
    not_table: list[str] = Field(default_factory=list, description="the table is none of these")
    key: Literal["primary", "foreign", "any", "none"] | None = Field(
        None, description="declared primary / foreign key flags of the column"
    )
    values: list[str] = Field(default_factory=list, description="any of these value detectors hit")
    comment: list[str] = Field(
        default_factory=list, description="any of these concepts in the column comment"
    )


class Rule(Strict):
    id: str = Field(pattern=_ID, description="stable id, reported with every suggestion")
    label: Label
    when: Condition = Field(default_factory=Condition)
    final: bool = Field(False, description="value evidence never changes this decision")
    why: str | None = Field(None, description="the reason, for the reviewer")


class TableClause(Strict):
    """One way to recognize a table kind; all given keys must hold."""

    name_any: list[str] = Field(default_factory=list, description="concepts in the table name")
    name_last: list[str] = Field(
        default_factory=list, description="concepts of the table name's last word (its head noun)"
    )
    columns_any: list[str] = Field(
        default_factory=list, description="some column name holds any of these concepts"
    )
    columns_all: list[str] = Field(
        default_factory=list, description="each of these concepts is in some column name"
    )
    column_only: list[str] = Field(
        default_factory=list, description="some column name is made only of these concepts"
    )
    column_needs: list[str] = Field(
        default_factory=list, description="with column_only: that column holds one of these"
    )
    kinds: list[str] = Field(default_factory=list, description="already recognized as any kind")


class TableKind(Strict):
    id: str = Field(pattern=_ID)
    when: list[TableClause] = Field(min_length=1, description="any clause recognizes the kind")
    unless: list[TableClause] = Field(default_factory=list, description="any clause vetoes it")
    why: str | None = None


class ValueRule(Strict):
    id: str = Field(pattern=_ID)
    detector: Literal["ssn", "email", "phone", "dob", "zip", "ipv4", "credit_card"]
    label: Label


class Shapes(Strict):
    key: list[str] = Field(min_length=1, description="last-word concepts that make a key")
    coded: list[str] = Field(default_factory=list, description="concepts that make a coded value")


class DetectionPolicy(Strict):
    version: Literal[1]
    categories: dict[Label, str | None]
    types: dict[str, list[str]] = Field(description="type family -> SQL base type names")
    abbreviations: dict[str, str] = Field(default_factory=dict)
    words: list[str] = Field(default_factory=list, description="extra words for glued names")
    concepts: dict[str, list[str]]
    shapes: Shapes
    table_kinds: list[TableKind] = Field(default_factory=list)
    rules: list[Rule] = Field(min_length=1)
    value_rules: list[ValueRule] = Field(default_factory=list)


def load_detection(path: Path) -> DetectionPolicy:
    """Parse and check detection.yml; the first problem raises InputError naming file:line."""
    doc = load_yaml(Path(path))  # keys stay as written, so an abbreviation `no` is not a boolean
    policy = _validate(doc)
    raise_first_error(_References(policy, doc).findings())
    return policy


def detection_findings(path: Path) -> list[Finding]:
    """Every reference problem of detection.yml, as data (a wrong shape raises InputError)."""
    doc = load_yaml(Path(path))
    return _References(_validate(doc), doc).findings()


def _validate(doc: YamlDoc) -> DetectionPolicy:
    if doc.data is None:
        raise InputError("the file is empty", location=f"{doc.path}:1")
    return validate(doc, DetectionPolicy)


# Where a rule or table-kind clause names concepts.
CLAUSE_CONCEPTS = (
    "name_any",
    "name_last",
    "columns_any",
    "columns_all",
    "column_only",
    "column_needs",
)
RULE_CONCEPTS = ("any", "all", "none", "only", "last", "comment")


class _References:
    """Every concept, kind, type family and regex a rule names must exist / compile; every rule
    id is unique. Checked in file order, so the first finding is the first problem."""

    def __init__(self, policy: DetectionPolicy, doc: YamlDoc):
        self.policy, self.doc = policy, doc
        self.concepts = set(policy.concepts)
        self.kinds = {k.id for k in policy.table_kinds}
        self.families = set(policy.types) | {"other"}

    def findings(self) -> list[Finding]:
        return [
            *self._regexes(),
            *self._shapes(),
            *self._table_kinds(),
            *self._rules(),
            *self._value_rules(),
        ]

    def _finding(
        self, slug: str, message: str, at: tuple[str | int, ...], key: str, suggestion: str = ""
    ) -> Finding:
        doc = self.doc
        location = f"{doc.path.parent.name}/{doc.path.name}:{doc.line(*at)}"
        return Finding(slug, "error", location, message, suggestion, doc.where(*at), key)

    def _unknown(
        self, what: str, name: str, known: set[str], at: tuple[str | int, ...], key: str
    ) -> Iterator[Finding]:
        if name not in known:
            message = f"unknown {what} '{name}'"
            yield self._finding("reference-dangling", message, at, key, close_to(name, known))

    def _regex(self, pattern: str, at: tuple[str | int, ...], key: str) -> Iterator[Finding]:
        try:
            re.compile(pattern)
        except re.error as e:
            yield self._finding("regex-invalid", f"bad regular expression: {e}", at, key)

    def _regexes(self) -> Iterator[Finding]:
        for name, phrases in self.policy.concepts.items():
            for i, phrase in enumerate(phrases):
                if phrase.startswith("re:"):
                    yield from self._regex(phrase[3:], ("concepts", name, i), name)

    def _shapes(self) -> Iterator[Finding]:
        shapes = self.policy.shapes
        for field, names in (("key", shapes.key), ("coded", shapes.coded)):
            for i, c in enumerate(names):
                yield from self._unknown("concept", c, self.concepts, ("shapes", field, i), field)

    def _table_kinds(self) -> Iterator[Finding]:
        earlier: set[str] = set()  # a clause may name only the kinds checked before it
        for ki, kind in enumerate(self.policy.table_kinds):
            for part in ("when", "unless"):
                for ci, clause in enumerate(getattr(kind, part)):
                    yield from self._clause(clause, ("table_kinds", ki, part, ci), earlier)
            earlier.add(kind.id)

    def _clause(
        self, clause: TableClause, at: tuple[str | int, ...], earlier: set[str]
    ) -> Iterator[Finding]:
        for field in CLAUSE_CONCEPTS:
            for i, c in enumerate(getattr(clause, field)):
                yield from self._unknown("concept", c, self.concepts, (*at, field, i), field)
        for i, k in enumerate(clause.kinds):
            if k not in earlier:
                message = f"unknown or later table kind '{k}' (kinds are checked in order)"
                yield self._finding("reference-dangling", message, (*at, "kinds", i), "kinds")

    def _rules(self) -> Iterator[Finding]:
        named = (
            ("concept", self.concepts, RULE_CONCEPTS),
            ("table kind", self.kinds, ("table", "not_table")),
            ("type family", self.families, ("types", "not_types")),
        )
        seen: set[str] = set()
        for ri, rule in enumerate(self.policy.rules):
            at = ("rules", ri, "when")
            yield from self._duplicate(rule.id, seen, ("rules", ri, "id"))
            for what, known, fields in named:
                for field in fields:
                    for i, name in enumerate(getattr(rule.when, field)):
                        yield from self._unknown(what, name, known, (*at, field, i), field)
            if rule.when.pattern is not None:
                yield from self._regex(rule.when.pattern, (*at, "pattern"), "pattern")

    def _value_rules(self) -> Iterator[Finding]:
        seen = {rule.id for rule in self.policy.rules}  # one id space with the name rules
        for vi, vr in enumerate(self.policy.value_rules):
            yield from self._duplicate(vr.id, seen, ("value_rules", vi, "id"))

    def _duplicate(
        self, rule_id: str, seen: set[str], at: tuple[str | int, ...]
    ) -> Iterator[Finding]:
        if rule_id in seen:
            yield self._finding("rule-duplicate", f"duplicate rule id '{rule_id}'", at, "id")
        seen.add(rule_id)
