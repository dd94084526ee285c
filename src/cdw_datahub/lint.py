"""Lint the steward-owned files against the guidebook's definition criteria (play 6).

    findings = lint.run(glossary_dir, policies_dir)

The policy loaders find what is wrong with the files' references and ids
(`cdw_datahub.policy.read_policy`, and `detection_findings` for detection.yml) and hand every
problem back as a finding; lint lists those and adds its checks of the definitions themselves.
Each finding is data: a stable slug, a severity, `file:line`, a message and a suggestion. A file
that is not even the right shape (bad YAML, unknown keys) or a missing required file is bad
input: InputError, exit 2.

From the loaders (slug: severity):
- `reference-dangling`: error. A term, statute, level, category, program, concept, table kind
  or type family that does not exist; lint holds a glossary relationship (`inherits`,
  `related_terms`, ...) to an unknown term to an error too, although DataHub accepts it.
- `term-duplicate`: error. The same term id twice, in one glossary file or across files
  (warning: two terms whose names give one URN).
- `reference-unverified`: warning. A full `urn:li:glossaryTerm:` URN that no glossary file
  defines (a term made in DataHub), when the catalog could not be read to look it up; missing
  from a catalog that could be read, it is `reference-dangling`.
- `link-incomplete`: warning. A knowledge link without label or url (DataHub drops it);
  `domain-by-name`: warning. A term's domain by name (only a server resolves it).
- `node-duplicate`, `program-duplicate`, `level-duplicate`, `category-duplicate`,
  `rule-duplicate`: error. An id twice; `program-file-name`: error. A dictionary not named
  after its program; `statute-incomplete`: error. A statute term without citation,
  jurisdiction or link; `regex-invalid`: error. A detection pattern that does not compile.

Definition checks:
- `definition-missing`: error. A dictionary field or glossary term with no definition.
- `definition-circular`: error. The definition only restates the field or term name
  ("Duration: the duration in minutes").
- `definition-no-unit`: warning. A duration, distance, amount or count of time with no unit.
- `definition-purpose`: warning. States why or how the field is used ("used to", "for reporting")
  instead of what it means.
- `acronym-undefined`: warning. An acronym that is neither a glossary acronym nor spelled out in
  the same text ("Social Security Number (SSN)").
- `term-conflict`: error. Two terms with the same name and different definitions in one group
  (warning across groups); `term-duplicate-name`: warning. Same name, same definition.
- `friendly-name-missing`: info. A dictionary field without a friendly name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from cdw_datahub.errors import InputError
from cdw_datahub.policy import FieldEntry, Policy, Term, read_policy
from cdw_datahub.policy.detection import detection_findings
from cdw_datahub.policy.findings import SEVERITIES, Finding
from cdw_datahub.policy.model import NODE_PREFIX

__all__ = [
    "SEVERITIES",
    "CatalogLookup",
    "Finding",
    "definition_findings",
    "failing",
    "known_acronyms",
    "run",
]
# Which of these term URNs the catalog holds; InputError when it cannot be read.
CatalogLookup = Callable[[list[str]], set[str]]


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


def run(
    glossary_dir: Path, policies_dir: Path, catalog: CatalogLookup | None = None
) -> list[Finding]:
    """Every finding in the two folders, errors first, then by file and line; `catalog` looks
    up the full term URNs no glossary file defines (None: they are reported unverified)."""
    policy = read_policy(glossary_dir, policies_dir)
    findings = [_held_to_error(f) for f in policy.findings]
    findings += _catalog_terms(policy, catalog)
    if policy.detection_file.is_file():
        findings += detection_findings(policy.detection_file)
    checks = _Definitions(known_acronyms(policy.terms.values()))
    checks.glossary(list(policy.terms.values()))
    checks.dictionary(policy)
    order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    return sorted(
        findings + checks.findings, key=lambda f: (order[f.severity], _loc_key(f.location))
    )


def _catalog_terms(policy: Policy, catalog: CatalogLookup | None) -> list[Finding]:
    """Terms named by full URN that only a catalog can know: missing from a catalog that could
    be read is an error, not checked (no catalog, or it cannot be read) a warning."""
    refs = policy.catalog_terms
    if not refs:
        return []
    try:
        if catalog is None:
            raise InputError("no catalog given")
        present = catalog(list(refs))
    except InputError as e:
        return [
            Finding(
                "reference-unverified",
                "warning",
                places[0],
                f"glossary term '{urn}' is in no glossary file, and the catalog could not be "
                f"read to check it ({e})",
                "Run lint where the catalog is reachable (--catalog), or define the term in a "
                "glossary file",
            )
            for urn, places in refs.items()
        ]
    return [
        Finding(
            "reference-dangling",
            "error",
            where,
            f"unknown glossary term '{urn}': in no glossary file and not in the catalog",
            "Create the term in DataHub, or fix the URN",
        )
        for urn, places in refs.items()
        if urn not in present
        for where in places
    ]


def _held_to_error(finding: Finding) -> Finding:
    """A dangling reference DataHub tolerates (it creates an empty term) is still an error here."""
    if finding.slug == "reference-dangling" and finding.severity != "error":
        fix = finding.suggestion or "define the term first, or remove the reference"
        return dataclasses.replace(finding, severity="error", suggestion=fix)
    return finding


class _Definitions:
    """The definition checks, over the glossary's terms and the dictionary's fields."""

    def __init__(self, acronyms: Iterable[str]):
        self.acronyms = set(acronyms)
        self.findings: list[Finding] = []

    def add(
        self, slug: str, severity: str, location: str, message: str, suggestion: str = ""
    ) -> None:
        self.findings.append(Finding(slug, severity, location, message, suggestion))

    # -- glossary

    def glossary(self, terms: list[Term]) -> None:
        by_name: dict[str, list[Term]] = {}
        for term in terms:
            same_name = by_name.setdefault(term.name.strip().casefold(), [])
            self._same_name(term, same_name)
            same_name.append(term)
        for term in terms:
            if not term.is_statute:  # a statute's "definition" is its title and citation
                self.definition(term.definition, term.location, "term", term.name, term.name)

    def _same_name(self, entry: Term, earlier: list[Term]) -> None:
        """Same name: a repeat (same definition), or a conflict: an error inside one group, a
        warning across groups (two programs may mean different things by one word)."""
        if not earlier:
            return
        differing = [t for t in earlier if _norm(t.definition) != _norm(entry.definition)]
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
        inside = [t for t in differing if t.parent_urn == entry.parent_urn]
        other = (inside or differing)[0]
        where = "in the same group" if inside else f"in group '{_group(other)}'"
        self.add(
            "term-conflict",
            "error" if inside else "warning",
            entry.location,
            f"term '{entry.name}' ({entry.id}) has a different definition from "
            f"'{other.id}' {where} at {other.location}",
            "agree on one definition, or rename one term to say how they differ "
            "(e.g. qualify it with the program)",
        )

    # -- dictionary

    def dictionary(self, policy: Policy) -> None:
        for program in policy.programs:
            for table, dataset in policy.datasets(program).items():
                for column, entry in dataset.fields.items():
                    self._field(entry, f"{program}.{table}.{column}")

    def _field(self, f: FieldEntry, what: str) -> None:
        if _empty(f):
            self.add(
                "definition-missing",
                "error",
                f.location,
                f"field {what} has no definition",
                "write what one value of the field means, with its unit",
            )
            return
        if f.name is None or not f.name.strip():
            self.add(
                "friendly-name-missing",
                "info",
                f.location,
                f"{what} has no friendly name",
                "add name: a human-readable, singular label without abbreviations",
            )
        where = f.definition_location or f.location
        self.definition(f.definition or "", where, "field", what, f.column, f.name)

    # -- one definition

    def definition(self, text: str, loc: str, kind: str, what: str, *names: str | None) -> None:
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


def _empty(f: FieldEntry) -> bool:
    """`column:` (or `column: {}`) with nothing in it."""
    values = (f.name, f.definition, f.required, f.valid_inputs, f.source, f.notes, f.guide_for_use)
    return all(v is None for v in values) and not f.terms


def _group(term: Term) -> str:
    return term.parent_urn.removeprefix(NODE_PREFIX) if term.parent_urn else ""


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
    checks = _Definitions(acronyms)
    checks.definition(text, location, "field", what, *names)
    return checks.findings


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


def failing(findings: Iterable[Finding], fail_on: str) -> Iterator[Finding]:
    return (f for f in findings if f.at_least(fail_on))
