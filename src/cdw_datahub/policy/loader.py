"""`load_policy`: the steward-owned folders as one typed, cross-checked object.

Five transformers in one pipeline each ask for the policy; the result is cached per folders and
file stamps (path, mtime, size), so they share one load and an edited file is picked up on the
next call.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from cdw_datahub.errors import InputError
from cdw_datahub.policy.model import (
    NODE_PREFIX,
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
    GlossaryNodeModel,
    GlossaryTermModel,
    ReviewedFile,
    StatuteRuleModel,
    StatutesFile,
)
from cdw_datahub.policy.yamlfile import YamlDoc, load_yaml, suggest, validate

logger = logging.getLogger(__name__)
GLOSSARY_FILE = "business_glossary.yml"
DICTIONARY_DIR = "dictionary"
CLASSIFICATION_FILE = "classification.yml"
REVIEWED_FILE = "reviewed.yml"
STATUTES_FILE = "statutes.yml"
DETECTION_FILE = "detection.yml"
RUBRIC_FILE = "rubric.yml"
STATUTE_JURISDICTIONS = ("California", "Federal")


class Policy:
    """The department's glossary, field dictionary, classification scheme and statute rules.

    Built only by `load_policy`; every reference inside has been checked. Look-ups by table and
    column try the exact name first, then ignore case.
    """

    def __init__(self, glossary_dir: Path, policies_dir: Path) -> None:
        self.glossary_dir = glossary_dir
        self.policies_dir = policies_dir
        self.glossary_file = glossary_dir / GLOSSARY_FILE
        self.detection_file = policies_dir / DETECTION_FILE
        self.rubric_file = policies_dir / RUBRIC_FILE
        self.files: list[Path] = []
        self.programs: dict[str, Program] = {}
        self.terms: dict[str, Term] = {}
        # DataHub-legal oddities of the glossary ("file:line: what"): the stock source accepts
        # them, so they do not stop a run
        self.warnings: list[str] = []
        self.statutes: dict[str, Statute] = {}
        self.levels: list[Level] = []
        self.categories: dict[str, Category] = {}
        self.unclassified = Unclassified("unclassified - protect as Moderate", "Moderate", ())
        self._datasets: NameMap[NameMap[DatasetEntry]] = NameMap()
        self._reviewed: NameMap[NameMap[NameMap[Reviewed]]] = NameMap()
        self._statute_fields: NameMap[NameMap[NameMap[StatuteDecision]]] = NameMap()
        self._rules: list[StatuteRuleModel] = []
        self._rule_decisions: dict[tuple[str, str, frozenset[str]], StatuteDecision] = {}

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
        """The level of a dataset from its fields' levels (None = unclassified).

        The strictest level by rank wins. An unclassified field (None) makes the dataset
        unclassified, i.e. "protect as FIPS 199 Moderate", because nobody knows it is not worse
        than its classified fields; the exception is a dataset that already has a field at the
        top level (Personal), which is stricter than anything an unclassified field could add.
        No fields at all is unclassified too.
        """
        ids = set(level_ids)  # a dataset has many fields but few distinct levels
        if not ids:
            return None
        known = [self.level(i) for i in ids if i is not None]
        top = self.levels[-1].id
        if None in ids:
            return top if any(level.id == top for level in known) else None
        return max(known, key=lambda level: level.rank).id

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
        key = (program_id, table, frozenset(categories))
        if key not in self._rule_decisions:  # many fields share a decision: compute it once
            self._rule_decisions[key] = self._rule_decision(program_id, table, key[2])
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


_CACHE: OrderedDict[tuple[Any, ...], Policy] = OrderedDict()
_CACHE_SIZE = 8
_LOCK = threading.Lock()


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def _candidate_files(glossary_dir: Path, policies_dir: Path) -> list[Path]:
    files = [glossary_dir / GLOSSARY_FILE]
    dictionary = glossary_dir / DICTIONARY_DIR
    if dictionary.is_dir():
        files += sorted(p for p in dictionary.iterdir() if p.suffix in (".yml", ".yaml"))
    files += [policies_dir / n for n in (CLASSIFICATION_FILE, REVIEWED_FILE, STATUTES_FILE)]
    return files


def _stamp(files: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            out.append((str(path), -1, -1))
        else:
            out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


def glossary_id(kind: str, path: list[str], explicit: str | None) -> str:
    """The id DataHub's `datahub-business-glossary` source gives a term or node (its own
    functions, with `enable_auto_id: false` as our recipes set it): the explicit id, the id of
    an explicit full URN, or one derived from the name path (`Group.Term`, cleaned; a GUID for
    non-ASCII names)."""
    from datahub.ingestion.source.metadata import business_glossary as stock

    make = stock.make_glossary_term_urn if kind == "term" else stock.make_glossary_node_urn
    prefix = TERM_PREFIX if kind == "term" else NODE_PREFIX
    return make(path, explicit, False).removeprefix(prefix)


def load_policy(glossary_dir: Path, policies_dir: Path) -> Policy:
    """Load and cross-check `glossary/` and `policies/`; InputError names file:line and key.

    Cached: calls with the same folders and unchanged files return the same object.
    """
    glossary_dir, policies_dir = Path(glossary_dir), Path(policies_dir)
    for folder, what in ((glossary_dir, "glossary"), (policies_dir, "policies")):
        if not folder.is_dir():
            raise InputError(
                f"the {what} folder does not exist; set '{what}:' in cdw.yml", str(folder)
            )
    key = (
        str(glossary_dir.resolve()),
        str(policies_dir.resolve()),
        _stamp(_candidate_files(glossary_dir, policies_dir)),
    )
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    policy = _Loader(glossary_dir, policies_dir).load()
    for warning in policy.warnings:
        logger.warning("%s", warning)
    with _LOCK:
        _CACHE[key] = policy
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return policy


class _Loader:
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

    def _read(self, path: Path) -> YamlDoc:
        if not path.is_file():
            raise InputError("required file is missing; see docs/policy-files.md", str(path))
        self.policy.files.append(path)
        return load_yaml(path)

    def _read_optional(self, path: Path) -> YamlDoc | None:
        return self._read(path) if path.is_file() else None

    def load(self) -> Policy:
        p = self.policy
        glossary = self._read(p.glossary_file)
        self._glossary(glossary, validate(glossary, GlossaryFile))
        dictionary_dir = p.glossary_dir / DICTIONARY_DIR
        dictionaries: list[tuple[YamlDoc, DictionaryFile]] = []
        if dictionary_dir.is_dir():
            for path in sorted(dictionary_dir.iterdir()):
                if path.suffix in (".yml", ".yaml"):
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

    # -- reference checks

    def _ref(
        self, doc: YamlDoc, value: str, known: Iterable[str], what: str, *at: str | int
    ) -> None:
        known = list(known)
        if value not in known:
            raise doc.error(f"unknown {what} '{value}'{suggest(value, known)}", *at)

    def _term_ref(self, doc: YamlDoc, value: str, *at: str | int) -> str:
        urn = term_urn(value)
        if urn not in self.policy.terms:
            ids = [t.id for t in self.policy.terms.values()]
            hint = suggest(value, ids) or f"; add it to {self.policy.glossary_file.name}"
            raise doc.error(f"unknown glossary term '{value}'{hint}", *at)
        return urn

    def _statute_ref(self, doc: YamlDoc, value: str, *at: str | int) -> str:
        urn = term_urn(value)
        if urn not in self.policy.statutes:
            ids = [s.id for s in self.policy.statutes.values()]
            hint = suggest(value, ids) or f"; statutes are terms of the '{STATUTE_NODE_ID}' group"
            raise doc.error(f"unknown statute '{value}'{hint}", *at)
        return urn

    # -- glossary

    def _glossary(self, doc: YamlDoc, model: GlossaryFile) -> None:
        terms: dict[str, tuple[GlossaryTermModel, tuple[str | int, ...], str | None, bool]] = {}
        node_ids: dict[str, tuple[str | int, ...]] = {}
        name_paths: set[str] = set()

        def walk_terms(
            items: list[GlossaryTermModel] | None,
            at: tuple[str | int, ...],
            parent: str | None,
            names: list[str],
            statute: bool,
        ) -> None:
            for i, term in enumerate(items or []):
                here = (*at, "terms", i)
                tid = glossary_id("term", [*names, term.name], term.id)
                if tid in terms and term.id is None:  # DataHub: the later one wins
                    first = doc.line(*terms[tid][1])
                    path = ".".join([*names, term.name])
                    self.policy.warnings.append(
                        f"{doc.where(*here, 'name')}: a second term '{path}' (first at line "
                        f"{first}) gets the same URN; DataHub keeps this one"
                    )
                elif tid in terms:
                    first = doc.line(*terms[tid][1])
                    raise doc.error(
                        f"duplicate term id '{tid}' (first at line {first})", *here, "id"
                    )
                terms[tid] = (term, here, parent, statute)
                name_paths.add(".".join([*names, term.name]))

        def walk_nodes(
            items: list[GlossaryNodeModel] | None,
            at: tuple[str | int, ...],
            names: list[str],
            statute: bool,
        ) -> None:
            for i, node in enumerate(items or []):
                here = (*at, "nodes", i)
                path = [*names, node.name]
                nid = glossary_id("node", path, node.id)
                if nid in node_ids:
                    first = doc.line(*node_ids[nid])
                    raise doc.error(
                        f"duplicate node id '{nid}' (first at line {first})", *here, "id"
                    )
                node_ids[nid] = here
                name_paths.add(".".join(path))
                in_statutes = statute or nid == STATUTE_NODE_ID
                walk_terms(node.terms, here, NODE_PREFIX + nid, path, in_statutes)
                walk_nodes(node.nodes, here, path, in_statutes)

        walk_terms(model.terms, (), None, [], False)
        walk_nodes(model.nodes, (), [], False)

        for tid, (term, at, parent, statute) in terms.items():
            self._glossary_term(doc, term, tid, at, parent, statute)
        # DataHub resolves these by name path or id, and silently creates an empty term for
        # anything else; catch that here.
        known = sorted(name_paths | set(terms))
        for term, at, _, _ in terms.values():
            for key in ("inherits", "contains", "values", "related_terms"):
                for j, ref in enumerate(getattr(term, key) or []):
                    if ref not in name_paths and ref not in terms:
                        self.policy.warnings.append(
                            f"{doc.where(*at, key, j)}: unknown glossary term '{ref}'"
                            f"{suggest(ref, known)}; DataHub creates an empty term for it"
                        )

    def _glossary_term(
        self,
        doc: YamlDoc,
        term: GlossaryTermModel,
        tid: str,
        at: tuple[str | int, ...],
        parent: str | None,
        statute: bool,
    ) -> None:
        props = dict(term.custom_properties or {})
        links = tuple((link.label, link.url) for link in term.knowledge_links or [])
        urn = term_urn(tid)
        self.policy.terms[urn] = Term(
            id=tid,
            urn=urn,
            name=term.name,
            definition=term.description,
            parent_urn=parent,
            custom_properties=props,
            links=links,
            is_statute=statute,
            location=self._rel(doc, *at),
        )
        if not statute:
            return
        # The statute contract (catalog-model.md): a citation, a jurisdiction, a link to the text.
        if not props.get("citation"):
            raise doc.error("a statute term needs custom_properties.citation", *at, "name")
        jurisdiction = props.get("jurisdiction", "")
        if jurisdiction not in STATUTE_JURISDICTIONS:
            raise doc.error(
                f"custom_properties.jurisdiction must be one of {', '.join(STATUTE_JURISDICTIONS)}",
                *at,
                "custom_properties" if term.custom_properties else "name",
            )
        if not links:
            raise doc.error(
                "a statute term needs a knowledge link to the official text "
                "(leginfo for state codes, eCFR for federal regulations)",
                *at,
                "name",
            )
        self.policy.statutes[urn] = Statute(
            id=tid,
            urn=urn,
            citation=props["citation"],
            title=term.name,
            url=links[0][1],
            jurisdiction=jurisdiction,
            restricts=props.get("restricts", ""),
        )

    # -- dictionary

    def _program(self, doc: YamlDoc, model: DictionaryFile) -> None:
        prog = model.program
        existing = self.policy.programs.get(prog.id)
        if existing is not None:
            raise doc.error(
                f"duplicate program id '{prog.id}' (also in {existing.location})",
                "program",
                "id",
            )
        if doc.path.stem != prog.id:
            raise doc.error(
                f"program '{prog.id}' must be in a file named {prog.id}{doc.path.suffix}",
                "program",
                "id",
            )
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
        programs = list(self.policy.programs)
        tables: NameMap[DatasetEntry] = NameMap()
        for table, maybe in model.datasets.items():
            ds = maybe or DatasetModel()
            at: tuple[str | int, ...] = ("datasets", table)
            inv = ds.inventory
            if inv is not None:
                for key in ("related_programs", "cross_program_use"):
                    for j, ref in enumerate(getattr(inv, key)):
                        self._ref(doc, ref, programs, "program", *at, "inventory", key, j)
            fields: NameMap[FieldEntry] = NameMap()
            for column, fmaybe in ds.fields.items():
                f = fmaybe or FieldModel()
                fat = (*at, "fields", column)
                fields[column] = FieldEntry(
                    column=column,
                    name=f.name,
                    definition=f.definition,
                    required=f.required,
                    valid_inputs=f.valid_inputs,
                    source=f.source,
                    notes=f.notes,
                    guide_for_use=f.guide_for_use,
                    terms=tuple(
                        self._term_ref(doc, t, *fat, "terms", j) for j, t in enumerate(f.terms)
                    ),
                    location=self._rel(doc, *fat),
                )
            steward = Person(ds.steward.id, ds.steward.name) if ds.steward else program.steward
            tables[table] = DatasetEntry(
                program=program.id,
                table=table,
                description=ds.description,
                steward=steward,
                terms=tuple(
                    self._term_ref(doc, t, *at, "terms", j) for j, t in enumerate(ds.terms)
                ),
                inventory=_inventory(inv.model_dump()) if inv else Inventory(),
                fields=fields,
                location=self._rel(doc, *at),
                kind=ds.kind,
            )
        self.policy._datasets[program.id] = tables

    # -- policies

    def _classification(self, doc: YamlDoc, model: ClassificationFile) -> None:
        p = self.policy
        for rank, level in enumerate(model.levels):
            if any(existing.id == level.id for existing in p.levels):
                raise doc.error(f"duplicate level id '{level.id}'", "levels", rank, "id")
            p.levels.append(
                Level(level.id, level.name, level.description, tuple(level.controls), rank)
            )
        level_ids = [level.id for level in p.levels]
        for i, cat in enumerate(model.categories):
            if cat.id in p.categories:
                raise doc.error(f"duplicate category id '{cat.id}'", "categories", i, "id")
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
        p = self.policy
        seen: dict[str, int] = {}
        for i, rule in enumerate(model.rules):
            if rule.id in seen:
                raise doc.error(
                    f"duplicate rule id '{rule.id}' (first at line {seen[rule.id]})",
                    "rules",
                    i,
                    "id",
                )
            seen[rule.id] = doc.line("rules", i)
            for j, statute in enumerate(rule.statutes):
                self._statute_ref(doc, statute, "rules", i, "statutes", j)
            when = rule.when
            for j, ref in enumerate(when.programs or []):
                self._ref(doc, ref, p.programs, "program", "rules", i, "when", "programs", j)
            for j, ref in enumerate(when.categories or []):
                self._ref(doc, ref, p.categories, "category", "rules", i, "when", "categories", j)
        p._rules = list(model.rules)
        for program_id, tables in model.fields.items():
            self._ref(doc, program_id, p.programs, "program", "fields", program_id)
            out = p._statute_fields.setdefault(program_id, NameMap())
            for table, columns in tables.items():
                for column, entry in columns.items():
                    at = ("fields", program_id, table, column)
                    signed = isinstance(doc.data["fields"][program_id][table][column], dict)
                    ids = (*at, "statutes") if signed else at
                    urns = tuple(
                        self._statute_ref(doc, s, *ids, j) for j, s in enumerate(entry.statutes)
                    )
                    out.setdefault(table, NameMap())[column] = StatuteDecision(
                        urns,
                        "reviewed",
                        (self._rel(doc, *at),),
                        reviewed_by=entry.reviewed_by,
                        reviewed_on=_iso(entry.reviewed_on),
                    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _inventory(values: dict[str, Any]) -> Inventory:
    return Inventory(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}  # type: ignore[arg-type]
    )


__all__ = ["Policy", "clear_cache", "load_policy"]
