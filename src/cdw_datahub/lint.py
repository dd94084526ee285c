"""Lint the steward-owned files against the guidebook's definition criteria (play 6).

    findings = lint.run(glossary_dir, policies_dir)

Unlike `load_policy` (which stops at the first bad reference), lint reads every file and reports
every problem as data: a stable slug, a severity, `file:line`, a message and a suggestion. A file
that is not even the right shape (bad YAML, unknown keys) is bad input: InputError, exit 2.

Checks (slug: severity):
- `definition-missing`: error. A dictionary field or glossary term with no definition.
- `definition-circular`: error. The definition only restates the field or term name
  ("Duration: the duration in minutes").
- `definition-no-unit`: warning. A duration, distance, amount or count of time with no unit.
- `definition-purpose`: warning. States why or how the field is used ("used to", "for reporting")
  instead of what it means.
- `acronym-undefined`: warning. An acronym that is neither a glossary acronym nor spelled out in
  the same text ("Social Security Number (SSN)").
- `term-duplicate`: error. The same term id twice; `term-conflict`: error. Two terms with the same
  name and different definitions; `term-duplicate-name`: warning. Same name, same definition.
- `reference-dangling`: error. A term, statute, level, category or program that does not exist.
- `friendly-name-missing`: info. A dictionary field without a friendly name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cdw_datahub.errors import InputError
from cdw_datahub.policy.schema import (
    ClassificationFile,
    DictionaryFile,
    GlossaryFile,
    ReviewedFile,
    StatutesFile,
)
from cdw_datahub.policy.yamlfile import YamlDoc, load_yaml, suggest, validate

SEVERITIES = ("info", "warning", "error")
STATUTE_GROUP = "cdw.statutes"


@dataclass(frozen=True)
class Finding:
    slug: str
    severity: str  # info | warning | error
    location: str  # file:line
    message: str
    suggestion: str = ""

    def at_least(self, severity: str) -> bool:
        return SEVERITIES.index(self.severity) >= SEVERITIES.index(severity)

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


# ------------------------------------------------------------------ word tables (data, not code)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _wordset(
    "a an the of in on at to for by with from and or as is are be its it this that which who whom"
    " whose per into within each any all field value column code number"
)
# Units of measure that satisfy `definition-no-unit`.
UNIT_WORDS = _wordset(
    """second seconds sec secs minute minutes min mins hour hours hr hrs day days week weeks
    month months year years decade millisecond milliseconds
    mile miles kilometer kilometers kilometre kilometres km meter meters metre metres m feet foot ft
    yard yards inch inches step steps
    dollar dollars cent cents usd currency
    pound pounds lb lbs kilogram kilograms kg gram grams ounce ounces
    percent percentage %
    calorie calories kcal"""
)
# Words in a field or term name that call for a unit.
NEEDS_UNIT_WORDS = _wordset(
    """duration distance length elapsed amount cost price fee payment paid balance
    weight height age interval seconds minutes hours days weeks months years"""
)
# Phrases that state why or how a field is used. "Means of travel used for the commute" and
# "the name as used by its agency" describe meaning, so a bare "used for/by" is not enough.
PURPOSE_PATTERNS = (
    re.compile(r"\bused to\b", re.I),
    re.compile(r"\b(is|are) used (for|in|by)\b", re.I),
    re.compile(r"\b(for|in) (reporting|tracking|analysis|analytics|auditing|billing)\b", re.I),
    re.compile(r"\bin order to\b", re.I),
    re.compile(r"\b(helps?|allows?|enables?) (us|staff|the program|users?)\b", re.I),
)
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*\b(?!\.\d)")  # not PM2 of PM2.5
SPELLED_OUT = re.compile(r"\(([A-Z][A-Z0-9]+)\)")


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9'-]*|%", text)]


def _stem(word: str) -> str:
    word = word.lower().strip("'")
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _name_words(*names: str | None) -> set[str]:
    out: set[str] = set()
    for name in names:
        if name:
            out |= {_stem(w) for w in re.split(r"[^A-Za-z0-9]+", name) if w}
    return out - {""}


# ------------------------------------------------------------------ definition checks


def is_circular(definition: str, *names: str | None) -> bool:
    """True when the definition says nothing beyond the name (and maybe a unit).

    "Duration: the duration in minutes" for `duration` is circular; "Whole minutes the participant
    remained at a location" is not, and neither is "The geocode of the stop in decimal degrees".
    """
    name_words = _name_words(*names)
    if not name_words:
        return False
    text = definition
    head, sep, rest = text.partition(":")
    if sep and _name_words(head) <= name_words:  # "Duration: ..." restates the label first
        text = rest
    content = {_stem(w) for w in _words(text)} - {_stem(w) for w in STOPWORDS}
    content -= {_stem(w) for w in UNIT_WORDS}
    return not content or content <= name_words


def needs_unit(definition: str, *names: str | None) -> bool:
    """A duration, distance, amount or count of time (by its name) whose definition has no unit."""
    tokens = {w.lower() for n in names if n for w in re.split(r"[^A-Za-z0-9]+", n) if w}
    if not tokens & NEEDS_UNIT_WORDS:
        return False
    return not set(_words(definition)) & UNIT_WORDS


def purpose_phrase(definition: str) -> str | None:
    for pattern in PURPOSE_PATTERNS:
        match = pattern.search(definition)
        if match:
            return match.group(0)
    return None


def undefined_acronyms(text: str, known: set[str]) -> list[str]:
    """Acronyms in `text` that the glossary does not define and the text does not spell out."""
    spelled = set(SPELLED_OUT.findall(text))
    out = []
    for token in ACRONYM.findall(text):
        if len(set(token)) == 1:  # a format mask such as NNN or XX
            continue
        if token in known or token in spelled or token in out:
            continue
        out.append(token)
    return out


# ------------------------------------------------------------------ the linter


@dataclass
class _GlossaryTerm:
    id: str
    name: str
    description: str
    statute: bool
    location: str
    custom_properties: dict[str, str]
    group: str  # the glossary node id


class Linter:
    def __init__(self, glossary_dir: Path, policies_dir: Path):
        self.glossary_dir = Path(glossary_dir)
        self.policies_dir = Path(policies_dir)
        self.findings: list[Finding] = []
        self.terms: dict[str, _GlossaryTerm] = {}
        self.node_ids: set[str] = set()
        self.name_paths: set[str] = set()
        self.acronyms: set[str] = set()
        self.programs: set[str] = set()
        self.levels: set[str] = set()
        self.categories: set[str] = set()

    def add(
        self, slug: str, severity: str, location: str, message: str, suggestion: str = ""
    ) -> None:
        self.findings.append(Finding(slug, severity, location, message, suggestion))

    def _rel(self, doc: YamlDoc, *parts: str | int) -> str:
        for base in (self.glossary_dir, self.policies_dir):
            try:
                rel = doc.path.relative_to(base)
            except ValueError:
                continue
            return f"{base.name}/{rel.as_posix()}:{doc.line(*parts)}"
        return doc.where(*parts)

    # -- loading (shape errors are bad input)

    def run(self) -> list[Finding]:
        for folder, what in ((self.glossary_dir, "glossary"), (self.policies_dir, "policies")):
            if not folder.is_dir():
                raise InputError(f"the {what} folder does not exist", str(folder))
        glossary_path = self.glossary_dir / "business_glossary.yml"
        if not glossary_path.is_file():
            raise InputError("required file is missing", str(glossary_path))
        gdoc = load_yaml(glossary_path)
        self._glossary(gdoc, validate(gdoc, GlossaryFile))
        dictionaries = []
        dict_dir = self.glossary_dir / "dictionary"
        if dict_dir.is_dir():
            for path in sorted(dict_dir.iterdir()):
                if path.suffix in (".yml", ".yaml"):
                    doc = load_yaml(path)
                    model = validate(doc, DictionaryFile)
                    self.programs.add(model.program.id)
                    dictionaries.append((doc, model))
        cpath = self.policies_dir / "classification.yml"
        if cpath.is_file():
            cdoc = load_yaml(cpath)
            self._classification(cdoc, validate(cdoc, ClassificationFile))
        for doc, model in dictionaries:
            self._dictionary(doc, model)
        rpath = self.policies_dir / "reviewed.yml"
        if rpath.is_file():
            rdoc = load_yaml(rpath)
            self._reviewed(rdoc, validate(rdoc, ReviewedFile))
        spath = self.policies_dir / "statutes.yml"
        if spath.is_file():
            sdoc = load_yaml(spath)
            self._statutes(sdoc, validate(sdoc, StatutesFile))
        order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
        return sorted(self.findings, key=lambda f: (order[f.severity], _loc_key(f.location)))

    # -- glossary

    def _glossary(self, doc: YamlDoc, model: GlossaryFile) -> None:
        collected: list[tuple[Any, tuple[str | int, ...], bool, str]] = []

        def walk(node: Any, at: tuple[str | int, ...], names: list[str], statute: bool) -> None:
            group = getattr(node, "id", "") if at else ""
            for i, term in enumerate(getattr(node, "terms", None) or []):
                collected.append((term, (*at, "terms", i), statute, group))
                self.name_paths.add(".".join([*names, term.name]))
            for i, child in enumerate(getattr(node, "nodes", None) or []):
                here = (*at, "nodes", i)
                self.node_ids.add(child.id)
                path = [*names, child.name]
                self.name_paths.add(".".join(path))
                walk(child, here, path, statute or child.id == STATUTE_GROUP)

        walk(model, (), [], False)
        by_name: dict[str, list[_GlossaryTerm]] = {}
        for term, at, statute, group in collected:
            loc = self._rel(doc, *at)
            entry = _GlossaryTerm(
                term.id,
                term.name,
                term.description or "",
                statute,
                loc,
                dict(term.custom_properties or {}),
                group,
            )
            if term.id in self.terms:
                self.add(
                    "term-duplicate",
                    "error",
                    loc,
                    f"term id '{term.id}' is defined twice "
                    f"(first at {self.terms[term.id].location})",
                    "keep one; give the other its own id",
                )
                continue
            self.terms[term.id] = entry
            acronym = entry.custom_properties.get("acronym")
            if acronym:
                self.acronyms.add(acronym)
            if re.fullmatch(r"[A-Z][A-Z0-9]+", term.name):
                self.acronyms.add(term.name)
            same_name = by_name.setdefault(term.name.strip().casefold(), [])
            self._same_name(entry, same_name)
            same_name.append(entry)
        for term, at, _statute, _group in collected:
            for key in ("inherits", "contains", "values", "related_terms"):
                for j, ref in enumerate(getattr(term, key) or []):
                    if ref not in self.name_paths and ref not in self.terms:
                        self._dangling(doc, "glossary term", ref, list(self.terms), *at, key, j)
        for term in self.terms.values():
            if term.statute:
                continue  # a statute's "definition" is its title and citation
            self._definition(term.description, term.location, "term", term.name, term.name)

    def _same_name(self, entry: _GlossaryTerm, earlier: list[_GlossaryTerm]) -> None:
        """Same name: a repeat (same definition), or a conflict: an error inside one group, a
        warning across groups (two programs may mean different things by one word)."""
        if not earlier:
            return
        differing = [t for t in earlier if _norm(t.description) != _norm(entry.description)]
        if not differing:
            first = earlier[0]
            self.add(
                "term-duplicate-name",
                "warning",
                entry.location,
                f"term '{entry.name}' ({entry.id}) repeats '{first.id}' at {first.location}",
                f"remove it and refer to '{first.id}'",
            )
            return
        inside = [t for t in differing if t.group == entry.group]
        other = (inside or differing)[0]
        where = "in the same group" if inside else f"in group '{other.group}'"
        self.add(
            "term-conflict",
            "error" if inside else "warning",
            entry.location,
            f"term '{entry.name}' ({entry.id}) has a different definition from "
            f"'{other.id}' {where} at {other.location}",
            "agree on one definition, or rename one term to say how they differ "
            "(e.g. qualify it with the program)",
        )

    # -- policies

    def _classification(self, doc: YamlDoc, model: ClassificationFile) -> None:
        self.levels = {level.id for level in model.levels}
        self.categories = {c.id for c in model.categories}
        for i, cat in enumerate(model.categories):
            if cat.level not in self.levels:
                self._dangling(doc, "level", cat.level, self.levels, "categories", i, "level")

    def _dictionary(self, doc: YamlDoc, model: DictionaryFile) -> None:
        for table, ds in model.datasets.items():
            if ds is None:
                continue
            at: tuple[str | int, ...] = ("datasets", table)
            for j, ref in enumerate(ds.terms):
                self._term_ref(doc, ref, *at, "terms", j)
            if ds.inventory:
                for key in ("related_programs", "cross_program_use"):
                    for j, ref in enumerate(getattr(ds.inventory, key)):
                        if ref not in self.programs:
                            self._dangling(
                                doc, "program", ref, self.programs, *at, "inventory", key, j
                            )
            for column, f in ds.fields.items():
                fat = (*at, "fields", column)
                loc = self._rel(doc, *fat)
                what = f"{model.program.id}.{table}.{column}"
                if f is None:
                    self.add(
                        "definition-missing",
                        "error",
                        loc,
                        f"field {what} has no definition",
                        "write what one value of the field means, with its unit",
                    )
                    continue
                if f.name is None or not f.name.strip():
                    self.add(
                        "friendly-name-missing",
                        "info",
                        loc,
                        f"{what} has no friendly name",
                        "add name: a human-readable, singular label without abbreviations",
                    )
                for j, ref in enumerate(f.terms):
                    self._term_ref(doc, ref, *fat, "terms", j)
                if f.definition is not None:
                    loc = self._rel(doc, *fat, "definition")
                self._definition(f.definition or "", loc, "field", what, column, f.name)

    def _reviewed(self, doc: YamlDoc, model: ReviewedFile) -> None:
        for program, tables in model.root.items():
            if program not in self.programs:
                self._dangling(doc, "program", program, self.programs, program)
            for table, columns in tables.items():
                for column, entry in columns.items():
                    at = (program, table, column)
                    if self.levels and entry.level not in self.levels:
                        self._dangling(doc, "level", entry.level, self.levels, *at, "level")
                    for j, cat in enumerate(entry.categories):
                        if cat not in self.categories:
                            self._dangling(
                                doc, "category", cat, self.categories, *at, "categories", j
                            )

    def _statutes(self, doc: YamlDoc, model: StatutesFile) -> None:
        statutes = {t.id for t in self.terms.values() if t.statute}
        for i, rule in enumerate(model.rules):
            for j, ref in enumerate(rule.statutes):
                if ref not in statutes:
                    self._dangling(doc, "statute", ref, statutes, "rules", i, "statutes", j)
            for j, ref in enumerate(rule.when.programs or []):
                if ref not in self.programs:
                    self._dangling(
                        doc, "program", ref, self.programs, "rules", i, "when", "programs", j
                    )
            for j, ref in enumerate(rule.when.categories or []):
                if ref not in self.categories:
                    self._dangling(
                        doc, "category", ref, self.categories, "rules", i, "when", "categories", j
                    )
        for program, tables in model.fields.items():
            if program not in self.programs:
                self._dangling(doc, "program", program, self.programs, "fields", program)
            for table, columns in tables.items():
                for column, entry in columns.items():
                    at: tuple[str, ...] = ("fields", program, table, column)
                    if isinstance(doc.data["fields"][program][table][column], dict):
                        at = (*at, "statutes")  # signed: {statutes: [...], reviewed_by: ...}
                    for j, ref in enumerate(entry.statutes):
                        if ref not in statutes:
                            self._dangling(doc, "statute", ref, statutes, *at, j)

    # -- shared checks

    def _term_ref(self, doc: YamlDoc, ref: str, *at: str | int) -> None:
        if ref not in self.terms:
            self._dangling(doc, "glossary term", ref, list(self.terms), *at)

    def _dangling(
        self, doc: YamlDoc, what: str, ref: str, known: Iterable[str], *at: str | int
    ) -> None:
        hint = suggest(ref, list(known))
        self.add(
            "reference-dangling",
            "error",
            self._rel(doc, *at),
            f"unknown {what} '{ref}'",
            hint.strip(" ()").capitalize() if hint else f"define the {what} first, or remove it",
        )

    def _definition(self, text: str, loc: str, kind: str, what: str, *names: str | None) -> None:
        text = text.strip()
        if not text:
            self.add(
                "definition-missing",
                "error",
                loc,
                f"{kind} {what} has no definition",
                "write what one value means: the essential concept, with units",
            )
            return
        if is_circular(text, *names):
            self.add(
                "definition-circular",
                "error",
                loc,
                f"the definition of {what} restates its name: '{text}'",
                "say what the value is without the name's own words, e.g. 'Whole minutes "
                "the participant remained at a location during the commute'",
            )
        if kind == "field" and needs_unit(text, *names):
            self.add(
                "definition-no-unit",
                "warning",
                loc,
                f"the definition of {what} gives no unit of measure",
                "name the unit: minutes, miles, dollars, ...",
            )
        phrase = purpose_phrase(text)
        if phrase:
            self.add(
                "definition-purpose",
                "warning",
                loc,
                f"the definition of {what} states a purpose ('{phrase}'), not a meaning",
                "move how the field is used to guide_for_use; keep only what it means",
            )
        for acronym in undefined_acronyms(text, self.acronyms):
            self.add(
                "acronym-undefined",
                "warning",
                loc,
                f"acronym '{acronym}' in {what} is not in the glossary",
                f"spell it out, or add a cdw.department term with acronym: {acronym}",
            )


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".")


def _loc_key(location: str) -> tuple[str, int]:
    path, _, line = location.rpartition(":")
    return (path, int(line)) if line.isdigit() else (location, 0)


def definition_findings(
    text: str, location: str, what: str, *names: str | None, acronyms: Iterable[str] = ()
) -> list[Finding]:
    """The definition checks `lint` runs on a dictionary field, on one new definition (the
    worksheet import checks a steward's cell before it reaches the files)."""
    linter = Linter(Path(), Path())
    linter.acronyms = set(acronyms)
    linter._definition(text, location, "field", what, *names)
    return linter.findings


def known_acronyms(terms: Iterable[Any]) -> set[str]:
    """The acronyms the glossary defines (a term's `acronym` property, or an all-caps name)."""
    out = set()
    for term in terms:
        acronym = term.custom_properties.get("acronym")
        if acronym:
            out.add(acronym)
        if re.fullmatch(r"[A-Z][A-Z0-9]+", term.name):
            out.add(term.name)
    return out


def run(glossary_dir: Path, policies_dir: Path) -> list[Finding]:
    """Every finding in the two folders, errors first, then by file and line."""
    return Linter(glossary_dir, policies_dir).run()


def failing(findings: Iterable[Finding], fail_on: str) -> Iterator[Finding]:
    return (f for f in findings if f.at_least(fail_on))
