"""`load_policy`: the steward-owned folders as one typed, cross-checked object.

The stages of a pipeline and the CLI each ask for the policy; the result is kept in the policy
cache (`policy/cache.py`), so they share one load and an edited file is picked up on the next
call. `read_policy` reads the same files through and keeps every problem as a finding (`lint`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from cdw_datahub.contract import strictest_level
from cdw_datahub.errors import InputError
from cdw_datahub.policy.cache import cached
from cdw_datahub.policy.files import (
    CLASSIFICATION_FILE,
    DETECTION_FILE,
    GLOSSARY_FILE,
    REVIEWED_FILE,
    RUBRIC_FILE,
    STATUTES_FILE,
    dictionary_files,
    glossary_files,
)
from cdw_datahub.policy.findings import Finding, close_to, raise_first_error
from cdw_datahub.policy.glossary import Occurrence, read_glossary
from cdw_datahub.policy.model import (
    STATUTE_NODE_ID,
    TERM_PREFIX,
    Category,
    DatasetEntry,
    FieldEntry,
    Inventory,
    Level,
    NameMap,
    Person,
    Program,
    Reviewed,
    Statute,
    StatuteDecision,
    Term,
    Unclassified,
    term_urn,
)
from cdw_datahub.policy.schema import (
    ClassificationFile,
    DatasetModel,
    DictionaryFile,
    FieldModel,
    GlossaryFile,
    ReviewedFile,
    StatuteRuleModel,
    StatutesFile,
)
from cdw_datahub.policy.yamlfile import YamlDoc, key_path, load_yaml, suggest, validate

logger = logging.getLogger(__name__)
STATUTE_JURISDICTIONS = ("California", "Federal")


class Policy:
    """The department's glossary, field dictionary, classification scheme and statute rules.

    Built only by `load_policy`; every reference inside has been checked. Look-ups by table and
    column try the exact name first, then ignore case.
    """

    def __init__(self, glossary_dir: Path, policies_dir: Path) -> None:
        self.glossary_dir = glossary_dir
        self.policies_dir = policies_dir
        self.glossary_files: list[Path] = []  # every glossary/*.yml, in name order
        self.detection_file = policies_dir / DETECTION_FILE
        self.rubric_file = policies_dir / RUBRIC_FILE
        self.files: list[Path] = []
        self.programs: dict[str, Program] = {}
        self.terms: dict[str, Term] = {}
        self.nodes: dict[str, str] = {}  # glossary node (term group) URN -> name
        # Full term URNs the dictionary names that no glossary file defines (terms made in the
        # DataHub UI): URN -> where ("glossary/dictionary/w2w.yml:42"). Only a catalog can tell
        # whether they exist: `check_catalog_terms`.
        self.catalog_terms: dict[str, list[str]] = {}
        # every problem the loader found, in file order; `load_policy` refuses a policy with
        # an error, and the warnings are DataHub-legal oddities the stock source accepts
        self.findings: list[Finding] = []
        self.statutes: dict[str, Statute] = {}
        self.levels: list[Level] = []
        self.categories: dict[str, Category] = {}
        self.unclassified = Unclassified("unclassified - protect as Moderate", "Moderate", ())
        self._datasets: NameMap[NameMap[DatasetEntry]] = NameMap()
        self._reviewed: NameMap[NameMap[NameMap[Reviewed]]] = NameMap()
        self._statute_fields: NameMap[NameMap[NameMap[StatuteDecision]]] = NameMap()
        self._rules: list[StatuteRuleModel] = []
        self._rule_decisions: dict[tuple[str, str, frozenset[str]], StatuteDecision] = {}
        self._named_tables: frozenset[str] = frozenset()  # the tables some rule names

    @property
    def warnings(self) -> list[str]:
        """The warnings as log lines: "file:line: what"."""
        return [f"{f.where}: {f.text()}" for f in self.findings if f.severity == "warning"]

    # -- programs and the dictionary

    def program(self, id_or_name: str) -> Program:
        """A program by id or display name, ignoring case; InputError naming the known ones."""
        wanted = id_or_name.strip().casefold()
        for program in self.programs.values():
            if wanted in (program.id.casefold(), program.name.casefold()):
                return program
        names = [p.id for p in self.programs.values()] + [p.name for p in self.programs.values()]
        known = ", ".join(f"{p.id} ({p.name})" for p in self.programs.values()) or "none"
        raise InputError(
            f"unknown program '{id_or_name}'{suggest(id_or_name, names)}; known programs: {known}",
            key="program",
        )

    def datasets(self, program_id: str) -> dict[str, DatasetEntry]:
        """All dictionary tables of a program (empty when the program has none)."""
        return dict(self._datasets.find(program_id) or {})

    def dataset_entry(self, program_id: str, table: str) -> DatasetEntry | None:
        tables = self._datasets.find(program_id)
        return tables.find(table) if tables else None

    def field_entry(self, program_id: str, table: str, column: str) -> FieldEntry | None:
        entry = self.dataset_entry(program_id, table)
        return entry.fields.find(column) if entry else None

    # -- classification

    def level(self, level_id: str) -> Level:
        for level in self.levels:
            if level.id == level_id or level.id.casefold() == level_id.casefold():
                return level
        ids = [level.id for level in self.levels]
        raise InputError(
            f"unknown classification level '{level_id}'{suggest(level_id, ids)}; "
            f"levels are {', '.join(ids)}",
            str(self.policies_dir / CLASSIFICATION_FILE),
        )

    def strictest(self, level_ids: Iterable[str | None]) -> str | None:
        """The level of a dataset from its fields' levels (None = unclassified), by the rule of
        `contract.strictest_level`: an unclassified field makes the dataset unclassified
        ("protect as FIPS 199 Moderate") unless a field is already at the top level."""
        found = strictest_level(level_ids, self.level_rank, top_rank=len(self.levels) - 1)
        return self.level(found).id if found is not None else None

    def level_rank(self, level_id: str) -> int:
        """0 = least restrictive; an unknown level is an InputError (see `level`)."""
        return self.level(level_id).rank

    def reviewed(self, program_id: str, table: str, column: str) -> Reviewed | None:
        return self.reviewed_columns(program_id, table).find(column)

    def reviewed_columns(self, program_id: str, table: str) -> NameMap[Reviewed]:
        """The reviewed assignments of one table, by column (empty when it has none)."""
        tables = self._reviewed.find(program_id)
        return (tables.find(table) if tables else None) or NameMap()

    def reviewed_entries(self) -> Iterator[tuple[str, str, str, Reviewed]]:
        """Every (program, table, column, Reviewed) in reviewed.yml, in file order."""
        for program, tables in self._reviewed.items():
            for table, columns in tables.items():
                for column, reviewed in columns.items():
                    yield program, table, column, reviewed

    # -- terms that live only in the catalog

    def check_catalog_terms(self, present: Iterable[str], catalog: str) -> None:
        """InputError naming file:line when a catalog-only term reference is not `present`
        (the term URNs found in `catalog`, a location safe to print)."""
        found = set(present)
        missing = [urn for urn in self.catalog_terms if urn not in found]
        if missing:
            urn = missing[0]
            more = f" ({len(missing) - 1} more such reference(s))" if len(missing) > 1 else ""
            raise InputError(
                f"glossary term '{urn}' is in no glossary file and not in the catalog "
                f"({catalog}){more}; create it in DataHub, or fix the reference",
                self.catalog_terms[urn][0],
            )

    def unverified_catalog_terms(self, why: str) -> list[str]:
        """One warning per catalog-only term reference that could not be checked (`why`)."""
        return [
            f"{where}: glossary term '{urn}' is in no glossary file; not checked against the "
            f"catalog ({why}): it must exist there"
            for urn, places in self.catalog_terms.items()
            for where in places[:1]
        ]

    # -- statutes

    def statute_rules(self) -> list[StatuteRuleModel]:
        """The suggestion rules of statutes.yml, in file order (their ids and reasons)."""
        return list(self._rules)

    def statute_entries(self) -> Iterator[tuple[str, str, str, StatuteDecision]]:
        """Every reviewed `fields:` assessment of statutes.yml as (program, table, column, ...)."""
        for program, tables in self._statute_fields.items():
            for table, columns in tables.items():
                for column, decision in columns.items():
                    yield program, table, column, decision

    def statutes_for(
        self, program_id: str, table: str, column: str, categories: Iterable[str]
    ) -> StatuteDecision:
        """Statutes governing a field: a reviewed `fields:` entry wins over rule suggestions."""
        tables = self._statute_fields.find(program_id)
        columns = tables.find(table) if tables else None
        explicit = columns.find(column) if columns else None
        if explicit is not None:
            return explicit
        # Many fields share a decision: compute it once. A table no rule names decides like any
        # other such table, so the key leaves it out (the cache stays small at 10,000 tables).
        named = table if table in self._named_tables else ""
        key = (program_id, named, frozenset(categories))
        if key not in self._rule_decisions:
            self._rule_decisions[key] = self._rule_decision(program_id, named, key[2])
        return self._rule_decisions[key]

    def _rule_decision(
        self, program_id: str, table: str, wanted: frozenset[str]
    ) -> StatuteDecision:
        rule_ids: list[str] = []
        urns_found: list[str] = []
        for rule in self._rules:
            when = rule.when
            if when.programs is not None and program_id not in when.programs:
                continue
            if when.tables is not None and table not in when.tables:
                continue
            if when.categories is not None and not wanted.intersection(when.categories):
                continue
            rule_ids.append(rule.id)
            urns_found.extend(term_urn(s) for s in rule.statutes)
        if not rule_ids:
            return StatuteDecision((), "suggested", (), assessed=False)
        return StatuteDecision(tuple(dict.fromkeys(urns_found)), "suggested", tuple(rule_ids))


# ---------------------------------------------------------------- loading


def _candidate_files(glossary_dir: Path, policies_dir: Path) -> list[Path]:
    files = [*glossary_files(glossary_dir), *dictionary_files(glossary_dir)]
    return files + [policies_dir / n for n in (CLASSIFICATION_FILE, REVIEWED_FILE, STATUTES_FILE)]


def load_policy(glossary_dir: Path, policies_dir: Path) -> Policy:
    """Load and cross-check `glossary/` and `policies/`; the first error raises InputError
    naming file:line and key.

    Cached: calls with the same folders and unchanged files return the same object.
    """
    glossary_dir, policies_dir = _folders(glossary_dir, policies_dir)
    key = ("policy", str(glossary_dir.resolve()), str(policies_dir.resolve()))
    files = _candidate_files(glossary_dir, policies_dir)
    policy = cached(key, files, lambda: _logged(_Loader(glossary_dir, policies_dir).load()))
    raise_first_error(policy.findings)
    return policy


def read_policy(glossary_dir: Path, policies_dir: Path) -> Policy:
    """The two folders read through, every problem kept in `policy.findings` (what `lint`
    reports); InputError only for what cannot be read at all: a missing folder or required
    file, bad YAML, a file of the wrong shape. Not cached, and nothing is logged."""
    return _Loader(*_folders(glossary_dir, policies_dir)).load()


def _folders(glossary_dir: Path, policies_dir: Path) -> tuple[Path, Path]:
    glossary_dir, policies_dir = Path(glossary_dir), Path(policies_dir)
    for folder, what in ((glossary_dir, "glossary"), (policies_dir, "policies")):
        if not folder.is_dir():
            raise InputError(
                f"the {what} folder does not exist; set '{what}:' in cdw.yml", str(folder)
            )
    return glossary_dir, policies_dir


def _logged(policy: Policy) -> Policy:
    """A policy that loads logs its warnings once, when it is read."""
    if not any(f.severity == "error" for f in policy.findings):
        for warning in policy.warnings:
            logger.warning("%s", warning)
    return policy


class _Loader:
    """Reads the files in order, building the Policy and recording every problem it finds
    (`policy.findings`) instead of stopping at the first."""

    def __init__(self, glossary_dir: Path, policies_dir: Path) -> None:
        self.policy = Policy(glossary_dir, policies_dir)
        self._prefixes: dict[Path, str] = {}

    def _rel(self, doc: YamlDoc, *parts: str | int) -> str:
        """'policies/reviewed.yml:12': stable wherever the folders live."""
        prefix = self._prefixes.get(doc.path)
        if prefix is None:
            prefix = str(doc.path)
            for base in (self.policy.glossary_dir, self.policy.policies_dir):
                try:
                    prefix = f"{base.name}/{doc.path.relative_to(base).as_posix()}"
                    break
                except ValueError:
                    continue
            self._prefixes[doc.path] = prefix  # one per file: this runs for every field
        return f"{prefix}:{doc.line(*parts)}"

    def _problem(
        self,
        doc: YamlDoc,
        slug: str,
        message: str,
        *at: str | int,
        suggestion: str = "",
        severity: str = "error",
    ) -> None:
        where, key = doc.where(*at), key_path(at) or None
        self.policy.findings.append(
            Finding(slug, severity, self._rel(doc, *at), message, suggestion, where, key)
        )

    def _read(self, path: Path) -> YamlDoc:
        if not path.is_file():
            raise InputError("required file is missing; see docs/policy-files.md", str(path))
        self.policy.files.append(path)
        return load_yaml(path)

    def _read_optional(self, path: Path) -> YamlDoc | None:
        return self._read(path) if path.is_file() else None

    def load(self) -> Policy:
        p = self.policy
        p.glossary_files = glossary_files(p.glossary_dir)
        if not p.glossary_files:
            raise InputError(
                f"no glossary file (*.yml) in this folder; add {GLOSSARY_FILE} "
                "(see docs/policy-files.md)",
                str(p.glossary_dir),
            )
        glossaries = [self._read(path) for path in p.glossary_files]
        self._glossary([(doc, validate(doc, GlossaryFile)) for doc in glossaries])
        dictionaries: list[tuple[YamlDoc, DictionaryFile]] = []
        for path in dictionary_files(p.glossary_dir):
            doc = self._read(path)
            dictionaries.append((doc, validate(doc, DictionaryFile)))
        # All programs first: a dictionary may name a program defined in a later file.
        for doc, model in dictionaries:
            self._program(doc, model)
        for doc, model in dictionaries:
            self._dictionary(doc, model)
        classification = self._read(p.policies_dir / CLASSIFICATION_FILE)
        self._classification(classification, validate(classification, ClassificationFile))
        reviewed = self._read_optional(p.policies_dir / REVIEWED_FILE)
        if reviewed is not None:
            self._reviewed(reviewed, validate(reviewed, ReviewedFile))
        statutes = self._read_optional(p.policies_dir / STATUTES_FILE)
        if statutes is not None:
            self._statutes(statutes, validate(statutes, StatutesFile))
        return p

    # -- reference checks: True / the URN when the reference resolves

    def _ref(
        self, doc: YamlDoc, value: str, known: Iterable[str], what: str, *at: str | int
    ) -> bool:
        known = list(known)
        if value in known:
            return True
        fix = close_to(value, known) or f"define the {what} first, or remove it"
        self._problem(doc, "reference-dangling", f"unknown {what} '{value}'", *at, suggestion=fix)
        return False

    def _term_refs(self, doc: YamlDoc, values: list[str], *at: str | int) -> tuple[str, ...]:
        """The glossary term URNs of `values` (each unknown one is a finding)."""
        fix = "define it in a glossary file, or remove it; name a term made in DataHub by its URN"
        terms = self.policy.terms
        return self._urns(doc, values, terms, "glossary term", fix, at, self._catalog_term)

    def _catalog_term(self, value: str, where: str) -> bool:
        """A full term URN that no glossary file defines names a term made in the DataHub UI:
        only the catalog knows it, so it is kept for `Policy.check_catalog_terms`."""
        if not (value.startswith(TERM_PREFIX) and _is_term_urn(value)):
            return False
        self.policy.catalog_terms.setdefault(value, []).append(where)
        return True

    def _statute_refs(self, doc: YamlDoc, values: list[str], *at: str | int) -> tuple[str, ...]:
        fix = f"a statute is a term of the '{STATUTE_NODE_ID}' group; define it there, or remove it"
        return self._urns(doc, values, self.policy.statutes, "statute", fix, at)

    def _urns(
        self,
        doc: YamlDoc,
        values: list[str],
        known: Mapping[str, Term | Statute],
        what: str,
        fix: str,
        at: tuple[str | int, ...],
        elsewhere: Callable[[str, str], bool] = lambda value, where: False,
    ) -> tuple[str, ...]:
        """The URNs of `values` that are `known`, or that `elsewhere(value, "file:line")`
        accepts; each other one is a finding."""
        urns = []
        for j, value in enumerate(values):
            urn = term_urn(value)
            if urn in known or elsewhere(value, self._rel(doc, *at, j)):
                urns.append(urn)
                continue
            hint = close_to(value, [t.id for t in known.values()]) or fix
            message = f"unknown {what} '{value}'"
            self._problem(doc, "reference-dangling", message, *at, j, suggestion=hint)
        return tuple(urns)

    # -- glossary

    def _glossary(self, files: list[tuple[YamlDoc, GlossaryFile]]) -> None:
        p = self.policy
        glossary = read_glossary(files, lambda doc, at: self._rel(doc, *at), self._problem)
        p.terms, p.nodes = glossary.terms, glossary.nodes
        for occurrence in glossary.kept.values():
            if occurrence.term.is_statute:
                self._statute(occurrence)

    def _statute(self, occurrence: Occurrence) -> None:
        term, doc, at = occurrence.term, occurrence.doc, occurrence.at
        props, links = term.custom_properties, term.links
        self._statute_contract(doc, props, links, at)
        self.policy.statutes[term.urn] = Statute(
            id=term.id,
            urn=term.urn,
            citation=props.get("citation", ""),
            title=term.name,
            url=links[0][1] if links else "",
            jurisdiction=props.get("jurisdiction", ""),
            restricts=props.get("restricts", ""),
        )

    def _statute_contract(
        self,
        doc: YamlDoc,
        props: dict[str, str],
        links: tuple[tuple[str, str], ...],
        at: tuple[str | int, ...],
    ) -> None:
        """The statute contract (catalog-model.md): a citation, a jurisdiction, a link to the
        official text."""
        if not props.get("citation"):
            message = "a statute term needs custom_properties.citation"
            self._problem(doc, "statute-incomplete", message, *at, "name")
        if props.get("jurisdiction", "") not in STATUTE_JURISDICTIONS:
            message = (
                f"custom_properties.jurisdiction must be one of {', '.join(STATUTE_JURISDICTIONS)}"
            )
            key = "custom_properties" if props else "name"
            self._problem(doc, "statute-incomplete", message, *at, key)
        if not links:
            message = (
                "a statute term needs a knowledge link to the official text "
                "(leginfo for state codes, eCFR for federal regulations)"
            )
            self._problem(doc, "statute-incomplete", message, *at, "name")

    # -- dictionary

    def _program(self, doc: YamlDoc, model: DictionaryFile) -> None:
        prog = model.program
        existing = self.policy.programs.get(prog.id)
        if existing is not None:
            message = f"duplicate program id '{prog.id}' (also in {existing.location})"
            self._problem(doc, "program-duplicate", message, "program", "id")
            return
        if doc.path.stem != prog.id:
            message = f"program '{prog.id}' must be in a file named {prog.id}{doc.path.suffix}"
            self._problem(doc, "program-file-name", message, "program", "id")
        self.policy.programs[prog.id] = Program(
            id=prog.id,
            name=prog.name,
            description=prog.description,
            steward=Person(prog.steward.id, prog.steward.name),
            system=prog.system,
            location=self._rel(doc, "program"),
        )

    def _dictionary(self, doc: YamlDoc, model: DictionaryFile) -> None:
        program = self.policy.programs[model.program.id]
        tables = self.policy._datasets.setdefault(program.id, NameMap())
        for table, maybe in model.datasets.items():
            ds = maybe or DatasetModel()
            at: tuple[str | int, ...] = ("datasets", table)
            inv = ds.inventory
            if inv is not None:
                for key in ("related_programs", "cross_program_use"):
                    for j, ref in enumerate(getattr(inv, key)):
                        self._ref(
                            doc, ref, self.policy.programs, "program", *at, "inventory", key, j
                        )
            fields: NameMap[FieldEntry] = NameMap()
            for column, f in ds.fields.items():
                fields[column] = self._field(
                    doc, column, f or FieldModel(), (*at, "fields", column)
                )
            steward = Person(ds.steward.id, ds.steward.name) if ds.steward else program.steward
            tables[table] = DatasetEntry(
                program=program.id,
                table=table,
                description=ds.description,
                steward=steward,
                terms=self._term_refs(doc, ds.terms, *at, "terms"),
                inventory=_inventory(inv.model_dump()) if inv else Inventory(),
                fields=fields,
                location=self._rel(doc, *at),
                kind=ds.kind,
            )

    def _field(
        self, doc: YamlDoc, column: str, f: FieldModel, at: tuple[str | int, ...]
    ) -> FieldEntry:
        written = f.definition is not None
        return FieldEntry(
            column=column,
            name=f.name,
            definition=f.definition,
            required=f.required,
            valid_inputs=f.valid_inputs,
            source=f.source,
            notes=f.notes,
            guide_for_use=f.guide_for_use,
            terms=self._term_refs(doc, f.terms, *at, "terms"),
            location=self._rel(doc, *at),
            definition_location=self._rel(doc, *at, "definition") if written else "",
        )

    # -- policies

    def _classification(self, doc: YamlDoc, model: ClassificationFile) -> None:
        p = self.policy
        for rank, level in enumerate(model.levels):
            if any(existing.id == level.id for existing in p.levels):
                message = f"duplicate level id '{level.id}'"
                self._problem(doc, "level-duplicate", message, "levels", rank, "id")
                continue
            p.levels.append(
                Level(level.id, level.name, level.description, tuple(level.controls), rank)
            )
        level_ids = [level.id for level in p.levels]
        for i, cat in enumerate(model.categories):
            if cat.id in p.categories:
                message = f"duplicate category id '{cat.id}'"
                self._problem(doc, "category-duplicate", message, "categories", i, "id")
                continue
            self._ref(doc, cat.level, level_ids, "level", "categories", i, "level")
            p.categories[cat.id] = Category(cat.id, cat.name, cat.description, cat.level)
        u = model.unclassified
        p.unclassified = Unclassified(u.label, u.fips199, tuple(u.controls))

    def _reviewed(self, doc: YamlDoc, model: ReviewedFile) -> None:
        p = self.policy
        levels = [level.id for level in p.levels]
        for program_id, tables in model.root.items():
            self._ref(doc, program_id, p.programs, "program", program_id)
            out = p._reviewed.setdefault(program_id, NameMap())
            for table, columns in tables.items():
                for column, entry in columns.items():
                    at = (program_id, table, column)
                    self._ref(doc, entry.level, levels, "level", *at, "level")
                    for j, cat in enumerate(entry.categories):
                        self._ref(doc, cat, p.categories, "category", *at, "categories", j)
                    out.setdefault(table, NameMap())[column] = Reviewed(
                        entry.level,
                        tuple(entry.categories),
                        self._rel(doc, *at),
                        entry.reviewed_by,
                        _iso(entry.reviewed_on),
                    )

    def _statutes(self, doc: YamlDoc, model: StatutesFile) -> None:
        self._statute_rules(doc, model)
        p = self.policy
        for program_id, tables in model.fields.items():
            self._ref(doc, program_id, p.programs, "program", "fields", program_id)
            out = p._statute_fields.setdefault(program_id, NameMap())
            for table, columns in tables.items():
                for column, entry in columns.items():
                    at = ("fields", program_id, table, column)
                    signed = isinstance(doc.data["fields"][program_id][table][column], dict)
                    ids = (*at, "statutes") if signed else at
                    out.setdefault(table, NameMap())[column] = StatuteDecision(
                        self._statute_refs(doc, entry.statutes, *ids),
                        "reviewed",
                        (self._rel(doc, *at),),
                        reviewed_by=entry.reviewed_by,
                        reviewed_on=_iso(entry.reviewed_on),
                    )

    def _statute_rules(self, doc: YamlDoc, model: StatutesFile) -> None:
        p = self.policy
        seen: dict[str, int] = {}
        for i, rule in enumerate(model.rules):
            if rule.id in seen:
                message = f"duplicate rule id '{rule.id}' (first at line {seen[rule.id]})"
                self._problem(doc, "rule-duplicate", message, "rules", i, "id")
            seen.setdefault(rule.id, doc.line("rules", i))
            self._statute_refs(doc, rule.statutes, "rules", i, "statutes")
            when = rule.when
            for j, ref in enumerate(when.programs or []):
                self._ref(doc, ref, p.programs, "program", "rules", i, "when", "programs", j)
            for j, ref in enumerate(when.categories or []):
                self._ref(doc, ref, p.categories, "category", "rules", i, "when", "categories", j)
        p._rules = list(model.rules)
        p._named_tables = frozenset(t for r in p._rules for t in r.when.tables or ())


def _is_term_urn(value: str) -> bool:
    from datahub.utilities.urns.urn import Urn

    try:
        return Urn.from_string(value).entity_type == "glossaryTerm"
    except Exception:  # DataHub raises its own error types for a malformed URN
        return False


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _inventory(values: dict[str, Any]) -> Inventory:
    return Inventory(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}  # type: ignore[arg-type]
    )


__all__ = ["Policy", "load_policy", "read_policy"]
