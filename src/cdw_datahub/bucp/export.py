"""BUCP "Technical Fields": one row per field, read back from the catalog.

    facts = load_facts(catalog, settings.glossary_dir, settings.policies_dir)
    rows = export_rows(select(catalog.datasets(), Selection(...)), facts)

A row is a `model.FieldRow`, the keys of `ROW_KEYS` (README: The CLI, `bucp export --format
json`). Reference facts (levels, statutes, terms, people) come from the catalog first, because
that is what was ingested and what DataHub shows; the steward-owned policy files fill the gaps.
Without policy files (a bare catalog) the scheme of docs/catalog-model.md is assumed:
public < confidential < sensitive < personal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cdw_datahub.bucp import glossary as glossary_mod
from cdw_datahub.bucp.model import FieldRow, RowStatute
from cdw_datahub.bucp.select import suggestion
from cdw_datahub.bucp.types import bucp_type
from cdw_datahub.catalog import Association, Catalog, DatasetView, FieldView, TermView
from cdw_datahub.catalog.views import split_schema_field_urn
from cdw_datahub.contract import (
    CATEGORY_TAG,
    LEVEL_TAG,
    STATUTE_TERM,
    TERM,
    USER,
    program_of_domain,
    review_text,
    strictest_level,
    winning_level,
)
from cdw_datahub.errors import InputError
from cdw_datahub.policy import Policy, load_policy, term_urn
from cdw_datahub.policy.files import CLASSIFICATION_FILE

STATUTE_ASSESSMENT = "cdw.field.statuteAssessment"
STATUTE_REVIEWED_BY = "cdw.field.statuteReviewedBy"  # a none-apply assessment's signature
STATUTE_REVIEWED_ON = "cdw.field.statuteReviewedOn"

ROW_KEYS = tuple(FieldRow.__annotations__)  # the JSON keys of a row, in their order


DEFAULT_LEVELS = ("public", "confidential", "sensitive", "personal")
DEFAULT_CATEGORIES = {
    "direct_identifier": "Direct identifier",
    "quasi_identifier": "Quasi-identifier",
    "health": "Health information",
}
DEFAULT_UNCLASSIFIED = "unclassified - protect as Moderate"


@dataclass(frozen=True)
class Statute:
    urn: str
    citation: str
    title: str
    url: str


@dataclass(frozen=True)
class Level:
    id: str
    name: str
    controls: tuple[str, ...] = ()


@dataclass
class Facts:
    levels: list[Level]  # least -> most restrictive
    categories: dict[str, str]  # id -> display name
    unclassified_label: str
    unclassified_fips199: str
    unclassified_controls: tuple[str, ...]
    statutes: dict[str, Statute]  # term URN -> statute
    terms: dict[str, tuple[str, str]]  # term URN -> (name, definition)
    programs: dict[str, str]  # program id -> display name
    people: dict[str, str]  # corpuser URN -> display name
    statute_rules: dict[str, str] = field(default_factory=dict)  # rule id -> its reason
    # rule id -> the statute term URNs it suggests: one attribution lists every rule that
    # matched a field, and each statute should name only the rules that suggest it
    rule_statutes: dict[str, frozenset[str]] = field(default_factory=dict)
    # term URN -> every glossary fact of it (owners, source, related terms, domain, group)
    glossary: dict[str, glossary_mod.GlossaryTerm] = field(default_factory=dict)
    _level_index: dict[str, int] = field(default_factory=dict)
    category_rank: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._level_index = {lvl.id: i for i, lvl in enumerate(self.levels)}
        self.category_rank = {cid: i for i, cid in enumerate(self.categories)}

    def level(self, level_id: str) -> Level:
        index = self._level_index.get(level_id)
        if index is None:  # a tag the scheme does not know: show it, rank it strictest
            return Level(level_id, level_id.replace("_", " ").title())
        return self.levels[index]

    def strictness(self, level_id: str) -> int:
        return self._level_index.get(level_id, len(self.levels))

    def strictest(self, level_ids: Iterable[str | None]) -> str | None:
        """The strictest of several level ids, None = unclassified (`contract.strictest_level`:
        an unclassified one decides unless another is already at the top level)."""
        return strictest_level(level_ids, self.strictness, top_rank=len(self.levels) - 1)

    def statute(self, urn: str) -> Statute:
        found = self.statutes.get(urn)
        if found is not None:
            return found
        slug = urn.removeprefix(STATUTE_TERM)
        return Statute(urn, slug, "", "")

    def category_name(self, category_id: str) -> str:
        """The one display name of a category ("Quasi-identifier"), in every sheet and format."""
        return self.categories.get(category_id) or category_id.replace("_", " ").capitalize()

    def term_name(self, urn: str) -> str:
        known = self.terms.get(urn)
        return known[0] if known else urn.removeprefix(TERM)

    def program_id(self, id_or_name: str) -> str | None:
        wanted = id_or_name.strip().lower()
        for pid, name in self.programs.items():
            if wanted in (pid.lower(), name.lower()):
                return pid
        return None


def steward_policy(glossary_dir: Path | None, policies_dir: Path | None) -> Policy | None:
    """The steward-owned policy, or None when there are no policy files to read."""
    if glossary_dir is None or policies_dir is None:
        return None
    if not (Path(policies_dir) / CLASSIFICATION_FILE).is_file():
        return None
    return load_policy(Path(glossary_dir), Path(policies_dir))


def _statute_from_term(urn: str, term: TermView, known: Statute | None) -> Statute:
    """A statute as the catalog describes it (citation property, knowledge link), gaps filled."""
    props = term.custom_properties
    url = next((u for u, _ in term.links if u), "") or (known.url if known else "")
    citation = props.get("citation") or (known.citation if known else term.name)
    title = term.name if props.get("citation") else (known.title if known else term.name)
    return Statute(urn, citation, title, url)


def load_facts(
    catalog: Catalog, glossary_dir: Path | None = None, policies_dir: Path | None = None
) -> Facts:
    """The policy files' facts (or, without them, the default scheme named by the catalog's
    tags), then the catalog's terms, statutes, programs and people over them."""
    policy = steward_policy(glossary_dir, policies_dir)
    facts = _policy_facts(policy) if policy is not None else _default_facts(catalog.tags())
    catalog_terms = catalog.terms()
    if policy is not None:  # terms the dictionary names by URN that only the catalog has
        policy.check_catalog_terms(catalog_terms, catalog.public_location)
    domains = _add_catalog_facts(facts, catalog, catalog_terms)
    facts.glossary = _glossary_facts(facts, policy, catalog, catalog_terms, domains)
    return facts


def _policy_facts(policy: Policy) -> Facts:
    programs: dict[str, str] = {}
    people: dict[str, str] = {}
    for p in policy.programs.values():
        programs[p.id] = p.name
        people.setdefault(p.steward.urn, p.steward.name)
        for entry in policy.datasets(p.id).values():
            people.setdefault(entry.steward.urn, entry.steward.name)
    rules = policy.statute_rules()
    u = policy.unclassified
    return Facts(
        levels=[Level(lvl.id, lvl.name, tuple(lvl.controls)) for lvl in policy.levels],
        categories={c.id: c.name for c in policy.categories.values()},
        unclassified_label=u.label,
        unclassified_fips199=u.fips199,
        unclassified_controls=tuple(u.controls),
        statutes={
            urn: Statute(urn, s.citation, s.title, s.url or "")
            for urn, s in policy.statutes.items()
        },
        terms={urn: (t.name, t.definition or "") for urn, t in policy.terms.items()},
        programs=programs,
        people=people,
        statute_rules={rule.id: " ".join((rule.description or "").split()) for rule in rules},
        rule_statutes={rule.id: frozenset(term_urn(s) for s in rule.statutes) for rule in rules},
    )


def _default_facts(tag_names: dict[str, str]) -> Facts:
    """No policy files: the default scheme, with the catalog's tag display names, which are the
    best level and category names there are."""
    categories = dict(DEFAULT_CATEGORIES)
    for urn, name in tag_names.items():
        if urn.startswith(CATEGORY_TAG):
            categories[urn.removeprefix(CATEGORY_TAG)] = name
    return Facts(
        levels=[Level(lid, tag_names.get(LEVEL_TAG + lid, lid.title())) for lid in DEFAULT_LEVELS],
        categories=categories,
        unclassified_label=DEFAULT_UNCLASSIFIED,
        unclassified_fips199="Moderate",
        unclassified_controls=(),
        statutes={},
        terms={},
        programs={},
        people={},
    )


def _add_catalog_facts(
    facts: Facts, catalog: Catalog, catalog_terms: dict[str, TermView]
) -> dict[str, str]:
    """The catalog wins: it is what was ingested and what DataHub shows. Returns the catalog's
    domains (URN -> name)."""
    for urn, term in catalog_terms.items():
        if urn.startswith(STATUTE_TERM):
            facts.statutes[urn] = _statute_from_term(urn, term, facts.statutes.get(urn))
        facts.terms[urn] = (term.name, term.definition or facts.terms.get(urn, ("", ""))[1])
    domains = catalog.domains()
    for urn, name in domains.items():
        if pid := program_of_domain(urn):
            facts.programs[pid] = name
    facts.people.update(catalog.people())
    return domains


def _glossary_facts(
    facts: Facts,
    policy: Policy | None,
    catalog: Catalog,
    catalog_terms: dict[str, TermView],
    domains: dict[str, str],
) -> dict[str, glossary_mod.GlossaryTerm]:
    """Every fact of every term, the catalog's first, the glossary files filling gaps."""
    file_terms = policy.terms if policy is not None else {}
    parents = {urn: t.parent_urn for urn, t in file_terms.items()}
    parents.update({urn: t.parent for urn, t in catalog_terms.items()})
    groups = {**(policy.nodes if policy is not None else {}), **catalog.nodes()}
    return glossary_mod.merge(
        catalog_terms, file_terms, parents, groups, facts.people, domains, facts.programs
    )


# ---------------------------------------------------------------- rows

# classification_status from the winning level tag's provenance. A tag that carries no cdw
# attribution in ingested metadata was not reviewed by anyone we know of: it needs review.
_STATUS = {
    "ui": "reviewed",
    "reviewed": "reviewed",
    "ingested": "suggested",
    "suggested": "suggested",
}


@dataclass
class ExportReport:
    """What the export noticed on the way: reported on stderr, never fatal."""

    # native type the BUCP type table does not know -> the "dataset.field"s that have it
    type_fallbacks: dict[str, list[str]] = field(default_factory=dict)
    conflicting_levels: list[str] = field(default_factory=list)
    # business term URN -> "dataset.field" refs: term names can repeat across programs
    # (two "Participant" terms), so the glossary sheet is built from URNs, not names
    terms_used: dict[str, list[str]] = field(default_factory=dict)

    def messages(self) -> list[str]:
        out = []
        for native, fields in self.type_fallbacks.items():
            shown = ", ".join(fields[:5]) + (
                f" and {len(fields) - 5} more" if len(fields) > 5 else ""
            )
            out.append(
                f"native type '{native}' is not in the BUCP type table; {len(fields)} field(s) "
                f"exported as 'other': {shown}"
            )
        if self.conflicting_levels:
            out.append(
                f"{len(self.conflicting_levels)} field(s) carry more than one level tag; the one "
                f"with the best provenance (then the strictest) was used: "
                + ", ".join(self.conflicting_levels[:5])
            )
        return out


def _required(fv: FieldView) -> str:
    value = fv.prop("cdw.field.required")
    if value is not None:
        return "yes" if value.strip().lower() in ("true", "yes", "1") else "no"
    return "no" if fv.nullable else "yes"


def steward_of(ds: DatasetView, facts: Facts) -> str | None:
    names = [facts.people.get(o, o.removeprefix(USER)) for o in ds.owners]
    return "; ".join(dict.fromkeys(names)) or None


def dataset_name(ds: DatasetView) -> str:
    """The name a person reads and types: `<program>.<table>` (the register's form); the full
    DataHub name only for a dataset outside any program. Machines use `dataset_urn`."""
    return f"{ds.program}.{ds.table}" if ds.program else ds.name


def readable_name(column: str) -> str:
    """`weather_condition` -> `Weather Condition`, `pm25_ugm3` -> `Pm25 Ugm3`: a stand-in for a
    Field Name nobody has written yet (the form's one column that must never be blank)."""
    words = [w for w in column.replace("-", "_").replace(".", "_").split("_") if w]
    return " ".join(w if w.isupper() else w.capitalize() for w in words) or column


def _statutes(fv: FieldView, facts: Facts) -> tuple[list[RowStatute], str]:
    """The field's statutes (with how each was decided) and the field's statute status."""
    found = [_statute(t, facts) for t in fv.terms if t.urn.startswith(STATUTE_TERM)]
    status: str
    if found:
        statuses = {s["status"] for s in found}
        status = next(k for k in ("reviewed", "inherited", "suggested") if k in statuses)
    elif fv.prop(STATUTE_ASSESSMENT) == "none-apply":
        status = "assessed: none apply"
    else:
        status = "not assessed"
    return found, status


def _statute(term: Association, facts: Facts) -> RowStatute:
    rules = [r for r in (term.rule or "").split(",") if r]
    if term.provenance not in ("ui", "reviewed"):
        # one attribution lists every rule that matched the field: keep those suggesting this
        rules = [r for r in rules if term.urn in facts.rule_statutes.get(r, frozenset((term.urn,)))]
    status = "inherited" if term.inherited_from else _statute_status(term.provenance)
    statute = facts.statute(term.urn)
    return {
        "citation": statute.citation,
        "title": statute.title,
        "url": statute.url,
        "status": status,
        "rules": [_public_rule(r) for r in rules],
        "inherited_from": _upstream(term.inherited_from),
        "review": review_of(term) if status == "reviewed" else None,
    }


def review_of(assoc: Association | None) -> str | None:
    """ "reviewed by NAME on DATE" (or "reviewed (unsigned)") of a reviewed association; None for
    anything else (suggested, inherited: see its upstream)."""
    if assoc is None or assoc.inherited_from:
        return None
    if assoc.provenance == "ui":
        return "reviewed in DataHub"
    if assoc.provenance != "reviewed":
        return None
    return review_text(assoc.reviewed_by, assoc.reviewed_on)


def _statute_review(fv: FieldView, statutes: list[RowStatute], status: str) -> str | None:
    """Who signed the field's statute assessment: its reviewed statutes' signatures, or the
    none-apply assessment's (a property: it has no association of its own)."""
    if status == "assessed: none apply":
        return review_text(fv.prop(STATUTE_REVIEWED_BY), fv.prop(STATUTE_REVIEWED_ON))
    return "; ".join(dict.fromkeys(s["review"] for s in statutes if s["review"])) or None


def _statute_status(provenance: str) -> str:
    return "reviewed" if provenance in ("ui", "reviewed") else "suggested"


def _upstream(schema_field_urns: Iterable[str]) -> list[str]:
    """Upstream schemaField URNs as `table.field` (what a reader of the export recognizes)."""
    out = []
    for urn in schema_field_urns:
        dataset_urn, path = split_schema_field_urn(urn)
        name = dataset_urn.split(",")[1] if dataset_urn.count(",") >= 2 else dataset_urn
        out.append(f"{name.rsplit('.', 1)[-1]}.{path}")
    return out


def _classification_status(level: Association | None) -> str:
    """reviewed / suggested by the winning level tag's provenance; `inherited` when the level
    came through column lineage from an upstream field; `unclassified` without a level."""
    if level is None:
        return "unclassified"
    if level.inherited_from:
        return "inherited"
    return _STATUS.get(level.provenance, "suggested")


def _public_rule(rule: str) -> str:
    """A rule id as is; a reviewed entry's `/abs/path/policies/statutes.yml:12` as
    `statutes.yml:12`: no machine's paths in an export."""
    return rule.replace("\\", "/").rsplit("/", 1)[-1]


def field_row(
    ds: DatasetView, fv: FieldView, facts: Facts, report: ExportReport | None = None
) -> FieldRow:
    mapping = bucp_type(fv.native_type, fv.path)
    name = dataset_name(ds)
    if mapping.fallback and report is not None:
        native = fv.native_type or "no type"
        report.type_fallbacks.setdefault(native, []).append(f"{ds.table}.{fv.path}")
    level = winning_level(fv.tags, facts.strictness)
    if report is not None and sum(t.urn.startswith(LEVEL_TAG) for t in fv.tags) > 1:
        report.conflicting_levels.append(f"{ds.table}.{fv.path}")
    categories = [
        t.urn.removeprefix(CATEGORY_TAG) for t in fv.tags if t.urn.startswith(CATEGORY_TAG)
    ]
    if len(categories) > 1:
        categories = sorted(dict.fromkeys(categories), key=_category_order(facts))
    statutes, statute_status = _statutes(fv, facts)
    business = [t.urn for t in fv.terms if not t.urn.startswith(STATUTE_TERM)]
    if report is not None:
        for urn in business:
            report.terms_used.setdefault(urn, []).append(f"{name}.{fv.path}")
    # a dict literal, which mypy checks against FieldRow as it would the call, at half the cost
    # per row of `FieldRow(...)`
    return {
        "dataset_urn": ds.urn,
        "dataset": name,
        "field": fv.path,
        "field_name": fv.label or readable_name(fv.path),
        "field_name_status": "defined" if fv.label else "not yet defined",
        "type": mapping.bucp_type,
        "native_type": fv.native_type,
        "definition": fv.description,
        "required": _required(fv),
        "valid_inputs": fv.prop("cdw.field.validInputs"),
        "source": fv.prop("cdw.field.source"),
        "notes": fv.prop("cdw.field.notes"),
        "guide_for_use": fv.prop("cdw.field.guideForUse"),
        "glossary_terms": [facts.term_name(urn) for urn in business],
        "classification": (
            facts.level(level.urn.removeprefix(LEVEL_TAG)).name
            if level
            else facts.unclassified_label
        ),
        "categories": categories,
        "category_names": [facts.category_name(c) for c in categories],
        "classification_status": _classification_status(level),
        "classification_reason": _reason(level),
        "classification_review": review_of(level),
        "statutes": statutes,
        "statute_status": statute_status,
        "statute_review": _statute_review(fv, statutes, statute_status),
        "steward": steward_of(ds, facts),
    }


def _reason(level: Association | None) -> str | None:
    """Why a field has its level: the rule and the evidence it fired on, or who reviewed it."""
    if level is None or not (level.rule or level.evidence):
        return None
    return f"{level.rule}: {level.evidence}" if level.evidence else level.rule


def _category_order(facts: Facts) -> Callable[[str], tuple[int, str]]:
    order = facts.category_rank
    return lambda cid: (order.get(cid, len(order)), cid)


def export_rows(
    selected: Iterable[tuple[DatasetView, list[FieldView]]],
    facts: Facts,
    report: ExportReport | None = None,
) -> list[FieldRow]:
    return [field_row(ds, fv, facts, report) for ds, fields in selected for fv in fields]


def resolve_program(facts: Facts, value: str | None) -> str | None:
    if value is None:
        return None
    pid = facts.program_id(value)
    if pid is None:
        known = [*facts.programs, *facts.programs.values()]
        listing = ", ".join(f"{k} ({v})" for k, v in sorted(facts.programs.items())) or "none"
        raise InputError(
            f"unknown program '{value}'{suggestion(value, known)}; known programs: {listing}",
            key="--program",
        )
    return pid
