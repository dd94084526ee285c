"""The rules engine: a column's name, type and table context -> one suggested label.

Everything a security officer may want to change lives in `policies/detection.yml`; this module
only knows how to evaluate it. A decision is the first rule (in file order) whose conditions all
hold; value evidence (detector ids) may then raise it to a stronger label unless the rule is final.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from cdw_datahub.classify.tokens import Tokenizer
from cdw_datahub.policy.cache import cached
from cdw_datahub.policy.detection import (
    LABELS,
    Condition,
    DetectionPolicy,
    TableClause,
    load_detection,
)

# How strong a label is, for value evidence that may only raise a decision.
_RANK = {"NONE": 0, "INTERNAL_KEY": 1, "HEALTH": 2, "QUASI_ID": 2, "DIRECT_ID": 3}
_TYPE_BASE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*(\(|\[|$)")


class ColumnInfo(NamedTuple):
    """One column as the rules see it. A tuple: a pipeline builds one per field, and a frozen
    dataclass costs several times more to construct."""

    table: str
    name: str
    sql_type: str
    table_columns: tuple[str, ...] = ()
    is_primary_key: bool = False
    is_foreign_key: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class Suggestion:
    label: str  # DIRECT_ID | QUASI_ID | HEALTH | INTERNAL_KEY | NONE
    category: str | None  # direct_identifier | quasi_identifier | health | None
    rule_id: str
    # What fired, for the reviewer: the concepts and the words that carried them, the table
    # kind, the type, key flag or value detector the rule tested ("" when no rule matched).
    evidence: str = ""


@dataclass(frozen=True, eq=False)
class NameAnalysis:
    """What the rules see of one name: its words and the concepts found in them.

    Compared and hashed by identity: `Classifier.analyze` returns one object per name, and
    decisions are cached by it (hashing the fields costs more than the decision)."""

    tokens: tuple[str, ...]
    concepts: frozenset[str]
    covers: tuple[frozenset[str], ...]  # per word: the concepts whose phrase covers it
    last: frozenset[str]  # concepts covering the last word
    text: str  # words joined by one space, for `pattern`
    shape: str  # key | coded | plain


class _Facts(NamedTuple):
    """Everything a rule can test about one column; also the decision cache's key."""

    name: NameAnalysis
    kinds: frozenset[str]  # of its table
    family: str  # of its SQL type
    pk: bool
    fk: bool
    comment: frozenset[str]  # concepts in its comment
    hits: frozenset[str]  # value detector ids


class _CompiledRule:
    __slots__ = (
        "id",
        "label",
        "final",
        "any",
        "all",
        "none",
        "only",
        "last",
        "pattern",
        "types",
        "not_types",
        "shape",
        "table",
        "not_table",
        "key",
        "values",
        "comment",
    )

    def __init__(self, rule_id: str, label: str, final: bool, w: Condition):
        self.id = rule_id
        self.label = label
        self.final = final
        self.any = frozenset(w.any)
        self.all = frozenset(w.all)
        self.none = frozenset(w.none)
        self.only = frozenset(w.only)
        self.last = frozenset(w.last)
        self.pattern = re.compile(w.pattern) if w.pattern else None
        self.types = frozenset(w.types)
        self.not_types = frozenset(w.not_types)
        self.shape = frozenset(w.shape)
        self.table = frozenset(w.table)
        self.not_table = frozenset(w.not_table)
        self.key = w.key
        self.values = frozenset(w.values)
        self.comment = frozenset(w.comment)


class _CompiledClause(NamedTuple):
    """A table clause with its lists as frozensets (tested for every table of a run)."""

    kinds: frozenset[str]
    name_any: frozenset[str]
    name_last: frozenset[str]
    columns_any: frozenset[str]
    columns_all: frozenset[str]
    column_only: frozenset[str]
    column_needs: frozenset[str]

    @classmethod
    def of(cls, clause: TableClause) -> _CompiledClause:
        return cls(*(frozenset(getattr(clause, name)) for name in cls._fields))


class Classifier:
    """Compiled detection rules. Build once (`from_file`), call `classify` per column."""

    def __init__(self, policy: DetectionPolicy, source: str = "<policy>"):
        self.policy = policy
        self.source = source
        self._categories = {label: policy.categories.get(label) for label in LABELS}  # type: ignore[call-overload]
        vocab: set[str] = set(policy.words)
        for phrases in policy.concepts.values():
            for p in phrases:
                if not p.startswith("re:"):
                    vocab.update(p.lower().split())
        concept_words = {
            w
            for ps in policy.concepts.values()
            for p in ps
            if not p.startswith("re:")
            for w in p.lower().split()
        }
        self.tokenizer = Tokenizer(
            policy.abbreviations, vocab, prefix_words=concept_words, glue_words=policy.words
        )
        self._type_family: dict[str, str] = {}
        for family, names in policy.types.items():
            for n in names:
                self._type_family[" ".join(n.upper().split())] = family
        # Phrase index: first word -> [(words, concept)], longest phrases first.
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._regexes: list[tuple[re.Pattern[str], str]] = []
        for concept, phrases in policy.concepts.items():
            for p in phrases:
                if p.startswith("re:"):
                    self._regexes.append((re.compile(p[3:]), concept))
                    continue
                words = self.tokenizer.tokens(p)
                if words:
                    self._phrases.setdefault(words[0], []).append((words, concept))
        for entries in self._phrases.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._table_suffix = frozenset({"table_suffix"} & set(policy.concepts))
        self._key_concepts = frozenset(policy.shapes.key)
        self._coded_concepts = frozenset(policy.shapes.coded)
        self._rules = [_CompiledRule(r.id, r.label, r.final, r.when) for r in policy.rules]
        self._value_rules = [(v.id, v.detector, v.label) for v in policy.value_rules]
        self._kinds = [
            (
                k.id,
                [_CompiledClause.of(c) for c in k.when],
                [_CompiledClause.of(c) for c in k.unless],
            )
            for k in policy.table_kinds
        ]
        self.analyze = lru_cache(maxsize=65536)(self._analyze)
        self.family = lru_cache(maxsize=4096)(self._family)
        self.table_kinds = lru_cache(maxsize=16384)(self._table_kinds)
        self._last_table: tuple[str, tuple[str, ...], frozenset[str]] = ("", (), frozenset())
        self._comment_concepts = lru_cache(maxsize=16384)(self._comment_concepts_uncached)
        self._decide = lru_cache(maxsize=65536)(self._decide_uncached)

    @classmethod
    def from_file(cls, path: Path) -> Classifier:
        """Load and compile a rule file, once per path and file state (the policy cache)."""
        resolved = Path(path).resolve()
        return cached(
            ("classifier", str(resolved)),
            [resolved],
            lambda: cls(load_detection(resolved), source=str(resolved)),
        )

    # -- analysis ---------------------------------------------------------------------------

    def _analyze(self, name: str) -> NameAnalysis:
        return self._analyze_tokens(self.tokenizer.tokens(name))

    def _analyze_tokens(self, tokens: tuple[str, ...]) -> NameAnalysis:
        covers: list[set[str]] = [set() for _ in tokens]
        found: set[str] = set()
        for i, tok in enumerate(tokens):
            for words, concept in self._phrases.get(tok, ()):
                n = len(words)
                if tokens[i : i + n] == words:
                    found.add(concept)
                    for j in range(i, i + n):
                        covers[j].add(concept)
            for rx, concept in self._regexes:
                if rx.fullmatch(tok):
                    found.add(concept)
                    covers[i].add(concept)
        frozen = tuple(frozenset(c) for c in covers)
        last = frozen[-1] if frozen else frozenset()
        if last & self._coded_concepts:
            shape = "coded"
        elif last & self._key_concepts:
            shape = "key"
        else:
            shape = "plain"
        return NameAnalysis(tokens, frozenset(found), frozen, last, " ".join(tokens), shape)

    def _family(self, sql_type: str) -> str:
        m = _TYPE_BASE.match(sql_type or "")
        if not m:
            return "other"
        base = " ".join(m.group(1).upper().split())
        if base in self._type_family:
            return self._type_family[base]
        first = base.split(" ", 1)[0]
        return self._type_family.get(first, "other")

    def _comment_concepts_uncached(self, comment: str) -> frozenset[str]:
        # Prose is matched on whole words: no glued-word splitting or truncation ("performed",
        # "well-formed" hold no "med"); two-letter abbreviations only in capitals, so "no" and
        # "st" in a sentence stay words. Phrases match across the words.
        return self._analyze_tokens(self.tokenizer.prose(comment)).concepts

    @staticmethod
    def _clause(
        c: _CompiledClause,
        table: NameAnalysis,
        head: NameAnalysis,
        cols: list[NameAnalysis],
        in_columns: frozenset[str],
        kinds: set[str],
    ) -> bool:
        # `in_columns`: every concept of any column name, so "some column holds X" is one test.
        if c.kinds and kinds.isdisjoint(c.kinds):
            return False
        if c.name_any and table.concepts.isdisjoint(c.name_any):
            return False
        if c.name_last and head.last.isdisjoint(c.name_last):
            return False
        if c.columns_any and in_columns.isdisjoint(c.columns_any):
            return False
        if c.columns_all and not c.columns_all <= in_columns:
            return False
        if c.column_only:
            allowed, needs = c.column_only, c.column_needs
            if not any(
                a.tokens
                and all(cov & allowed for cov in a.covers)
                and (not needs or a.concepts & needs)
                for a in cols
            ):
                return False
        return True

    def _head(self, table: str) -> NameAnalysis:
        """The table name without trailing container words (`patient_data`, `customer_list`,
        `visit_dimension` are about a patient, a customer, a visit): `name_last` tests its head."""
        t = self.analyze(table)
        n = len(t.tokens)
        while n > 1 and t.covers[n - 1] and t.covers[n - 1] <= self._table_suffix:
            n -= 1
        return t if n == len(t.tokens) else self.analyze("_".join(t.tokens[:n]))

    def _table_kinds(self, table: str, columns: tuple[str, ...]) -> frozenset[str]:
        t, head = self.analyze(table), self._head(table)
        cols = [self.analyze(c) for c in columns]
        in_columns = frozenset().union(*(a.concepts for a in cols))
        kinds: set[str] = set()
        for kind_id, when, unless in self._kinds:
            if any(self._clause(c, t, head, cols, in_columns, kinds) for c in when) and not any(
                self._clause(c, t, head, cols, in_columns, kinds) for c in unless
            ):
                kinds.add(kind_id)
        return frozenset(kinds)

    # -- decision ---------------------------------------------------------------------------

    def classify(self, column: ColumnInfo, value_hits: frozenset[str] = frozenset()) -> Suggestion:
        """The suggested label for one column; `value_hits` comes from `detect_values`."""
        a = self.analyze(column.name)
        columns = column.table_columns or (column.name,)
        # Callers classify a table's columns one after another with the same tuple: remember
        # the last table's kinds rather than hash that tuple again per column. (One attribute,
        # read and written whole, so concurrent callers at worst miss.)
        table, last_columns, kinds = self._last_table
        if last_columns is not columns or table != column.table:
            kinds = self.table_kinds(column.table, columns)
            self._last_table = (column.table, columns, kinds)
        comment = self._comment_concepts(column.comment) if column.comment else frozenset()
        facts = _Facts(
            a,
            kinds,
            self.family(column.sql_type),
            column.is_primary_key or _own_key(column.table, column.name),
            column.is_foreign_key,
            comment,
            frozenset(value_hits),
        )
        return self._decide(facts)

    def _decide_uncached(self, f: _Facts) -> Suggestion:
        label, rule_id, final, evidence = "NONE", "default.none", False, ""
        for r in self._rules:
            if self._holds(r, f):
                label, rule_id, final, evidence = r.label, r.id, r.final, _evidence(r, f)
                break
        if f.hits and not final:
            for vid, detector, vlabel in self._value_rules:
                if detector in f.hits and _RANK[vlabel] > _RANK[label]:
                    label, rule_id, evidence = vlabel, vid, f"value detector {detector}"
        return Suggestion(label, self._categories[label], rule_id, evidence)

    @staticmethod
    def _holds(r: _CompiledRule, f: _Facts) -> bool:
        a, kinds, family, pk, fk, comment, hits = f
        c = a.concepts
        if r.any and not (c & r.any):
            return False
        if r.all and not (r.all <= c):
            return False
        if r.none and c & r.none:
            return False
        if r.last and not (a.last & r.last):
            return False
        if r.shape and a.shape not in r.shape:
            return False
        if r.types and family not in r.types:
            return False
        if r.not_types and family in r.not_types:
            return False
        if r.table and not (kinds & r.table):
            return False
        if r.not_table and kinds & r.not_table:
            return False
        if r.key is not None:
            if r.key == "primary" and not pk:
                return False
            if r.key == "foreign" and not fk:
                return False
            if r.key == "any" and not (pk or fk):
                return False
            if r.key == "none" and (pk or fk):
                return False
        if r.values and not (hits & r.values):
            return False
        if r.comment and not (comment & r.comment):
            return False
        if r.only and not (a.tokens and all(cov & r.only for cov in a.covers)):
            return False
        return not (r.pattern is not None and not r.pattern.search(a.text))


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=65536)
def _own_key(table: str, column: str) -> bool:
    """`apacheapsvarid` in table `apacheapsvar`: the table's own key, even undeclared and glued."""
    low = column.lower()
    if not low.endswith(("id", "key")):  # most columns: no regex, no work
        return False
    c, t = _NOT_ALNUM.sub("", low), _NOT_ALNUM.sub("", table.lower())
    for suffix in ("id", "key"):
        if c.endswith(suffix) and len(c) > len(suffix) + 3:
            stem = c[: -len(suffix)]
            if stem == t or (stem.startswith(t) and len(stem) - len(t) <= 2):
                return True
    return False


def _evidence(r: _CompiledRule, f: _Facts) -> str:
    """The facts a matching rule tested, as one short line: `concept 'words'`, table kind, ..."""
    a = f.name
    parts = []
    tested = r.any | r.all | r.last | r.only
    for concept in sorted(a.concepts & tested):
        words = " ".join(t for t, cov in zip(a.tokens, a.covers, strict=True) if concept in cov)
        parts.append(f"{concept} '{words}'")
    if r.shape:
        parts.append(f"shape {a.shape}")
    if r.table:
        parts.append("table " + "/".join(sorted(f.kinds & r.table)))
    if r.types:
        parts.append(f"type {f.family}")
    if r.key is not None:
        parts.append("declared key" if f.pk or f.fk else "no declared key")
    if r.values:
        parts.append("value detector " + "/".join(sorted(f.hits & r.values)))
    if r.comment:
        parts.append("comment " + "/".join(sorted(f.comment & r.comment)))
    return "; ".join(parts)
