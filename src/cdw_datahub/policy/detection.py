"""`policies/detection.yml` as typed input: pydantic models, and file:line in every error.

The file is owned by security, so every mistake in it (unknown key, unknown label, unknown concept,
bad regular expression) must point at the line to fix. PyYAML's composer keeps a start mark on every
node; we walk the node tree once, remember the line of every key path, and translate pydantic's
error location back into that line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cdw_datahub.errors import InputError
from cdw_datahub.policy.yamlfile import YamlDoc, load_yaml

LABELS = ("DIRECT_ID", "QUASI_ID", "HEALTH", "INTERNAL_KEY", "NONE")
Label = Literal["DIRECT_ID", "QUASI_ID", "HEALTH", "INTERNAL_KEY", "NONE"]
Shape = Literal["key", "coded", "plain"]
_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
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


class Rule(_Strict):
    id: str = Field(pattern=_ID, description="stable id, reported with every suggestion")
    label: Label
    when: Condition = Field(default_factory=Condition)
    final: bool = Field(False, description="value evidence never changes this decision")
    why: str | None = Field(None, description="the reason, for the reviewer")


class TableClause(_Strict):
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


class TableKind(_Strict):
    id: str = Field(pattern=_ID)
    when: list[TableClause] = Field(min_length=1, description="any clause recognizes the kind")
    unless: list[TableClause] = Field(default_factory=list, description="any clause vetoes it")
    why: str | None = None


class ValueRule(_Strict):
    id: str = Field(pattern=_ID)
    detector: Literal["ssn", "email", "phone", "dob", "zip", "ipv4", "credit_card"]
    label: Label


class Shapes(_Strict):
    key: list[str] = Field(min_length=1, description="last-word concepts that make a key")
    coded: list[str] = Field(default_factory=list, description="concepts that make a coded value")


class DetectionPolicy(_Strict):
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


def load_policy(path: Path) -> DetectionPolicy:
    """Parse and check detection.yml; every problem raises InputError naming file:line."""
    doc = load_yaml(path)  # keys stay as written, so an abbreviation `no` is not a boolean
    if doc.data is None:
        raise InputError("the file is empty", location=f"{path}:1")
    try:
        policy = DetectionPolicy.model_validate(doc.data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(err["loc"])
        key = next((str(p) for p in reversed(loc) if isinstance(p, str)), None)
        raise InputError(
            f"{err['msg']} (fix the rule file; see docs/policy-files.md)",
            location=doc.where(*loc),
            key=key,
        ) from e
    _check_references(policy, doc)
    return policy


def _check_references(policy: DetectionPolicy, doc: YamlDoc) -> None:
    """Every concept, kind, type family and regex a rule names must exist / compile."""
    concepts = set(policy.concepts)
    kinds = {k.id for k in policy.table_kinds}
    families = set(policy.types) | {"other"}

    def fail(msg: str, loc: tuple[Any, ...], key: str) -> None:
        raise InputError(msg, location=doc.where(*loc), key=key)

    for name, phrases in policy.concepts.items():
        for i, phrase in enumerate(phrases):
            if phrase.startswith("re:"):
                try:
                    re.compile(phrase[3:])
                except re.error as e:
                    fail(f"bad regular expression: {e}", ("concepts", name, i), name)
    for field, names in (("key", policy.shapes.key), ("coded", policy.shapes.coded)):
        for i, c in enumerate(names):
            if c not in concepts:
                fail(f"unknown concept '{c}'", ("shapes", field, i), field)
    seen_kinds: set[str] = set()
    for ki, kind in enumerate(policy.table_kinds):
        for part in ("when", "unless"):
            for ci, clause in enumerate(getattr(kind, part)):
                for field in (
                    "name_any",
                    "name_last",
                    "columns_any",
                    "columns_all",
                    "column_only",
                    "column_needs",
                ):
                    for i, c in enumerate(getattr(clause, field)):
                        if c not in concepts:
                            fail(
                                f"unknown concept '{c}'",
                                ("table_kinds", ki, part, ci, field, i),
                                field,
                            )
                for i, k in enumerate(clause.kinds):
                    if k not in seen_kinds:
                        fail(
                            f"unknown or later table kind '{k}' (kinds are checked in order)",
                            ("table_kinds", ki, part, ci, "kinds", i),
                            "kinds",
                        )
        seen_kinds.add(kind.id)
    rule_ids: set[str] = set()
    for ri, rule in enumerate(policy.rules):
        if rule.id in rule_ids:
            fail(f"duplicate rule id '{rule.id}'", ("rules", ri, "id"), "id")
        rule_ids.add(rule.id)
        w = rule.when
        for field in ("any", "all", "none", "only", "last", "comment"):
            for i, c in enumerate(getattr(w, field)):
                if c not in concepts:
                    fail(f"unknown concept '{c}'", ("rules", ri, "when", field, i), field)
        for field in ("table", "not_table"):
            for i, k in enumerate(getattr(w, field)):
                if k not in kinds:
                    fail(f"unknown table kind '{k}'", ("rules", ri, "when", field, i), field)
        for field in ("types", "not_types"):
            for i, t in enumerate(getattr(w, field)):
                if t not in families:
                    fail(f"unknown type family '{t}'", ("rules", ri, "when", field, i), field)
        if w.pattern is not None:
            try:
                re.compile(w.pattern)
            except re.error as e:
                fail(f"bad regular expression: {e}", ("rules", ri, "when", "pattern"), "pattern")
    for vi, vr in enumerate(policy.value_rules):
        if vr.id in rule_ids:
            fail(f"duplicate rule id '{vr.id}'", ("value_rules", vi, "id"), "id")
        rule_ids.add(vr.id)
