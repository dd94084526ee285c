"""What the published dictionary shows, gathered from the catalog once, as plain data.

The field facts are the BUCP export rows (`bucp.export.field_row`), so the site says exactly what
`bucp export` says. The steward-owned policy adds only what the catalog does not carry: a
program's description and point of contact, and what a statute restricts. Nothing here reads a
data value or the register's Specialized Security / Privacy text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdw_datahub.bucp.export import ExportReport, Facts, export_rows, steward_of
from cdw_datahub.bucp.model import FieldRow
from cdw_datahub.catalog import DatasetView
from cdw_datahub.catalog.model import STATUTE_TERM
from cdw_datahub.contract import TERM
from cdw_datahub.contract.properties import PROPERTIES

# play 2 inventory attributes, in the order the guidebook lists them (the program is the heading)
INVENTORY = (
    "cdw.dataset.title",
    "cdw.dataset.topic",
    "cdw.dataset.updateFrequency",
    "cdw.dataset.relatedSystems",
    "cdw.dataset.platform",
    "cdw.dataset.relatedPrograms",
    "cdw.dataset.lifecycle",
    "cdw.dataset.modernizationCandidate",
    "cdw.dataset.agencyInitiative",
    "cdw.dataset.internalReportUse",
    "cdw.dataset.crossProgramUse",
)
# the columns of the index's inventory table (the rest is on each dataset's page)
INDEX_COLUMNS = INVENTORY[1:8]
_PROGRAM_VALUED = ("cdw.dataset.relatedPrograms", "cdw.dataset.crossProgramUse")


class Slugs:
    """File and anchor names: lower-case letters, digits and dashes, unique within one set."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __call__(self, text: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"
        slug, n = base, 2
        while slug in self._used:
            slug, n = f"{base}-{n}", n + 1
        self._used.add(slug)
        return slug


@dataclass
class StatuteRef:
    citation: str
    title: str
    url: str
    slug: str  # statutes/<slug>.html


@dataclass
class FieldEntry:
    anchor: str
    row: FieldRow  # the export row: field, field_name, type, definition, ...
    terms: list[GlossaryEntry]
    statutes: list[StatuteRef]
    categories: list[str]  # display names


@dataclass
class DatasetPage:
    slug: str
    urn: str
    name: str
    table: str
    title: str | None
    program: str | None
    program_name: str | None
    description: str | None
    classification: str
    categories: list[str]
    inventory: list[tuple[str, str, str]]  # (property key, display name, value)
    steward: str | None
    contact: str | None
    kind: str | None  # Table, View
    view: DatasetView  # what the search documents are built from; not rendered
    fields: list[FieldEntry] = field(default_factory=list)

    def attribute(self, key: str) -> str:
        return next((value for k, _, value in self.inventory if k == key), "")


@dataclass
class ProgramSection:
    id: str
    name: str
    description: str | None
    contact: str | None
    datasets: list[DatasetPage] = field(default_factory=list)


@dataclass
class Use:
    """A field that carries a term or is governed by a statute."""

    dataset: DatasetPage
    entry: FieldEntry


@dataclass
class GlossaryEntry:
    anchor: str  # id on the glossary page
    urn: str
    name: str
    definition: str
    uses: list[Use] = field(default_factory=list)
    qualifier: str | None = None  # set when another term has the same name

    @property
    def display(self) -> str:
        return f"{self.name} ({self.qualifier})" if self.qualifier else self.name


@dataclass
class StatutePage:
    ref: StatuteRef
    restricts: str | None
    uses: list[Use] = field(default_factory=list)


@dataclass
class Scope:
    """What a `--bucp` site covers: the BUCP's own description, never its Specialized terms."""

    id: str
    title: str
    requesting_department: str
    providing_department: str


@dataclass
class Site:
    title: str
    generated: str
    harvested: str | None
    programs: list[ProgramSection]
    glossary: list[GlossaryEntry]
    statutes: list[StatutePage]
    scope: Scope | None = None
    levels: list[str] = field(default_factory=list)

    @property
    def datasets(self) -> list[DatasetPage]:
        return [d for p in self.programs for d in p.datasets]


@dataclass(frozen=True)
class PolicyExtras:
    """From the steward-owned files, when there are any."""

    program_descriptions: Mapping[str, str] = field(default_factory=dict)
    program_contacts: Mapping[str, str] = field(default_factory=dict)
    restricts: Mapping[str, str] = field(default_factory=dict)  # statute URN -> text

    @classmethod
    def load(cls, glossary_dir: Path | None, policies_dir: Path | None) -> PolicyExtras:
        if glossary_dir is None or policies_dir is None:
            return cls()
        from cdw_datahub.policy import load_policy
        from cdw_datahub.policy.files import CLASSIFICATION_FILE

        if not (Path(policies_dir) / CLASSIFICATION_FILE).is_file():
            return cls()
        policy = load_policy(Path(glossary_dir), Path(policies_dir))
        programs = policy.programs.values()
        return cls(
            {p.id: p.description for p in programs},
            {p.id: p.steward.name for p in programs},
            {urn: s.restricts for urn, s in policy.statutes.items()},
        )


class SiteBuilder:
    """Collects dataset pages, then derives the glossary and statute pages from their fields."""

    def __init__(self, facts: Facts, extras: PolicyExtras):
        self.facts = facts
        self.extras = extras
        self.files = Slugs()
        self.statute_slugs = Slugs()
        self.term_anchors = Slugs()
        self._terms: dict[str, GlossaryEntry] = {}
        self._statutes: dict[str, StatutePage] = {}
        self._by_citation = {s.citation: s for s in facts.statutes.values()}
        self.programs: dict[str, ProgramSection] = {}
        self.report = ExportReport()

    # -- references ------------------------------------------------------------------------

    def term(self, urn: str) -> GlossaryEntry:
        entry = self._terms.get(urn)
        if entry is None:
            name, definition = self.facts.terms.get(urn, (self.facts.term_name(urn), ""))
            entry = GlossaryEntry(self.term_anchors("term-" + name), urn, name, definition)
            self._terms[urn] = entry
        return entry

    def statute(self, citation: str, title: str, url: str) -> StatutePage:
        known = self._by_citation.get(citation)
        key = known.urn if known else citation
        page = self._statutes.get(key)
        if page is None:
            slug_from = known.urn.removeprefix(STATUTE_TERM) if known else citation
            ref = StatuteRef(citation, title, url, self.statute_slugs(slug_from))
            page = StatutePage(ref, self.extras.restricts.get(key) or None)
            self._statutes[key] = page
        return page

    # -- datasets --------------------------------------------------------------------------

    def add(self, ds: DatasetView, fields: list[Any]) -> DatasetPage:
        page = self._page(ds)
        rows = export_rows([(ds, fields)], self.facts, self.report)
        anchors = Slugs()
        for fv, row in zip(fields, rows, strict=True):
            business = [t.urn for t in fv.terms if not t.urn.startswith(STATUTE_TERM)]
            entry = FieldEntry(
                anchor=anchors("field-" + row["field"]),
                row=row,
                terms=[],
                statutes=[],
                categories=[self.facts.categories.get(c, c) for c in row["categories"]],
            )
            for urn in business:
                term = self.term(urn)
                term.uses.append(Use(page, entry))
                entry.terms.append(term)
            for s in row["statutes"]:
                statute = self.statute(s["citation"], s["title"], s["url"])
                statute.uses.append(Use(page, entry))
                entry.statutes.append(statute.ref)
            page.fields.append(entry)
        self._section(ds.program).datasets.append(page)
        return page

    def _page(self, ds: DatasetView) -> DatasetPage:
        program = ds.program
        level = ds.prop("cdw.dataset.classification")
        classification = (
            self.facts.level(level).name
            if level and level != "unclassified"
            else self.facts.unclassified_label
        )
        categories = [self.facts.categories.get(c, c) for c in ds.properties.get(
            "cdw.dataset.categories", [])]  # fmt: skip
        return DatasetPage(
            slug=self.files(f"{program}-{ds.table}" if program else ds.name),
            urn=ds.urn,
            name=ds.name,
            table=ds.table,
            title=ds.prop("cdw.dataset.title"),
            program=program,
            program_name=self.facts.programs.get(program or ""),
            description=ds.description,
            classification=classification,
            categories=categories,
            inventory=list(self._inventory(ds)),
            steward=steward_of(ds, self.facts),
            contact=self.extras.program_contacts.get(program or ""),
            kind=ds.subtype,
            view=ds,
        )

    def _inventory(self, ds: DatasetView) -> Iterable[tuple[str, str, str]]:
        for key in INVENTORY:
            values = ds.properties.get(key) or []
            if key in _PROGRAM_VALUED:
                values = [self.facts.programs.get(v, v) for v in values]
            if key == "cdw.dataset.modernizationCandidate":
                values = ["yes" if v.lower() == "true" else "no" for v in values]
            if values:
                yield key, PROPERTIES[key].display_name, "; ".join(values)

    def _section(self, program: str | None) -> ProgramSection:
        pid = program or ""
        section = self.programs.get(pid)
        if section is None:
            section = ProgramSection(
                pid,
                self.facts.programs.get(pid, pid) or "No program",
                self.extras.program_descriptions.get(pid),
                self.extras.program_contacts.get(pid),
            )
            self.programs[pid] = section
        return section

    def _qualify_repeated_names(self) -> None:
        """Two programs may both define "Participant": say whose each one is."""
        counts: dict[str, int] = {}
        for term in self._terms.values():
            counts[term.name.lower()] = counts.get(term.name.lower(), 0) + 1
        for term in self._terms.values():
            if counts[term.name.lower()] > 1:
                # term URNs are urn:li:glossaryTerm:cdw.<program>.<term> (docs/catalog-model.md)
                parts = term.urn.removeprefix(TERM).split(".")
                owner = parts[1] if len(parts) > 2 else parts[0]
                term.qualifier = self.facts.programs.get(owner, owner)

    # -- the whole site --------------------------------------------------------------------

    def site(
        self, title: str, harvested: dt.datetime | None, scope: Scope | None, all_terms: bool
    ) -> Site:
        if all_terms:  # the full dictionary lists every term and statute, used or not
            for urn in self.facts.terms:
                if not urn.startswith(STATUTE_TERM):
                    self.term(urn)
            for statute in self.facts.statutes.values():
                self.statute(statute.citation, statute.title, statute.url)
        self._qualify_repeated_names()
        return Site(
            title=title,
            generated=dt.date.today().isoformat(),
            harvested=harvested.strftime("%Y-%m-%d %H:%M UTC") if harvested else None,
            programs=sorted(self.programs.values(), key=lambda p: p.name.lower()),
            glossary=sorted(self._terms.values(), key=lambda t: (t.name.lower(), t.urn)),
            statutes=sorted(self._statutes.values(), key=lambda s: s.ref.citation),
            scope=scope,
            levels=[lvl.name for lvl in self.facts.levels],
        )
