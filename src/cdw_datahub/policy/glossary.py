"""The business glossary, read as DataHub's `datahub-business-glossary` source reads it.

Every `*.yml` / `*.yaml` directly in `glossary/` is one glossary file (one per program or domain,
say; the field dictionary lives in `glossary/dictionary/`). The stock source ingests each file on
its own (`recipes/glossary.*.yml`, once per file), so everything here is derived per file, with
DataHub's own functions: ids from name paths, owners inherited from the group and the file, and
the URNs `inherits` / `contains` / `values` / `related_terms` point at. A reference is resolved
by name path inside its own file, and otherwise read as a term id, so a term of another file is
reached by its id (or by its name path when it has no explicit id).

Problems are findings (`policy/findings.py`), handed to the loader's `problem`: an id twice (a
term or a group, in one file or across files: DataHub would silently overwrite one) is an error;
what DataHub accepts but is probably a mistake (a dangling reference, a repeated name path, a
dropped link, a domain by name) a warning. What DataHub refuses outright (an unknown ownership
type) is an InputError naming file and line, as a file of the wrong shape is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cdw_datahub.contract import ANY_DOMAIN
from cdw_datahub.policy.findings import close_to
from cdw_datahub.policy.model import NODE_PREFIX, STATUTE_NODE_ID, TERM_PREFIX, Owner, Term
from cdw_datahub.policy.schema import (
    GlossaryFile,
    GlossaryNodeModel,
    GlossaryOwners,
    GlossaryTermModel,
    KnowledgeLink,
)
from cdw_datahub.policy.yamlfile import KeyPath, YamlDoc

Locate = Callable[[YamlDoc, KeyPath], str]
# the loader's `_problem(doc, slug, message, *at, suggestion=..., severity=...)`
Problem = Callable[..., None]


def glossary_id(kind: str, path: list[str], explicit: str | None) -> str:
    """The id DataHub's `datahub-business-glossary` source gives a term or node (its own
    functions, with `enable_auto_id: false` as our recipes set it): the explicit id, the id of
    an explicit full URN, or one derived from the name path (`Group.Term`, cleaned; a GUID for
    non-ASCII names)."""
    from datahub.ingestion.source.metadata import business_glossary as stock

    make = stock.make_glossary_term_urn if kind == "term" else stock.make_glossary_node_urn
    prefix = TERM_PREFIX if kind == "term" else NODE_PREFIX
    return make(path, explicit, False).removeprefix(prefix)


def related_urn(ref: str, path_urns: dict[str, str]) -> str:
    """The URN the stock source links for a reference in `inherits` and the like: the URN of
    the name path in the same file, else the reference taken as an id."""
    from datahub.ingestion.source.metadata import business_glossary as stock

    return stock.make_glossary_term_urn([ref], path_urns.get(ref), False)


@dataclass(frozen=True)
class Occurrence:
    """One term as written: where, and what it became."""

    term: Term
    doc: YamlDoc
    at: KeyPath
    path: str  # the name path, "Group.Term"
    explicit_id: bool


@dataclass(frozen=True)
class _Found:
    """A problem, kept until every file is read (then handed on in file order)."""

    doc: YamlDoc
    at: KeyPath
    slug: str
    message: str
    severity: str = "warning"
    suggestion: str = ""


@dataclass
class Glossary:
    terms: dict[str, Term] = field(default_factory=dict)  # URN -> what DataHub keeps
    occurrences: list[Occurrence] = field(default_factory=list)  # every term, in file order
    nodes: dict[str, str] = field(default_factory=dict)  # node URN -> name
    kept: dict[str, Occurrence] = field(default_factory=dict)  # URN -> where its term is
    found: list[_Found] = field(default_factory=list)


@dataclass
class _Pending:
    """A term walked but not built yet: its references need the whole file's name paths."""

    model: GlossaryTermModel
    at: KeyPath
    tid: str
    path: list[str]
    parent: str | None
    statute: bool
    owners: tuple[Owner, ...]


def read_glossary(
    files: Sequence[tuple[YamlDoc, GlossaryFile]], locate: Locate, problem: Problem
) -> Glossary:
    """Every file's terms and groups, cross-checked across files; `locate(doc, at)` gives the
    location recorded on each term ("glossary/w2w.yml:12"), `problem` receives the findings in
    file order."""
    out = Glossary()
    first: dict[str, Occurrence] = {}
    node_at: dict[str, tuple[YamlDoc, KeyPath]] = {}
    known_paths: dict[str, Occurrence] = {}  # name path -> its term, across files
    per_file: list[tuple[YamlDoc, list[_Pending], dict[str, str]]] = []
    for doc, model in files:
        pending, path_urns = _walk(doc, model, out, node_at, locate)
        per_file.append((doc, pending, path_urns))
        for p in pending:
            term = _term(doc, model, p, path_urns, locate, out)
            occurrence = Occurrence(term, doc, p.at, ".".join(p.path), p.model.id is not None)
            earlier = first.setdefault(term.urn, occurrence)
            _check_duplicate(occurrence, earlier if earlier is not occurrence else None, out,
                             locate)  # fmt: skip
            known_paths.setdefault(".".join(p.path), occurrence)
            out.occurrences.append(occurrence)
            if earlier is occurrence or not occurrence.explicit_id:
                # a repeated name path: DataHub keeps the later term; an id given twice is an
                # error, and the first one stands
                out.terms[term.urn] = term
                out.kept[term.urn] = occurrence
    # only now is every file's term known: a reference may point into a later file
    for doc, pending, path_urns in per_file:
        for p in pending:
            _check_references(doc, p, path_urns, out, known_paths, locate)
    order = {id(doc): i for i, (doc, _) in enumerate(files)}
    for f in sorted(out.found, key=lambda f: (order[id(f.doc)], f.doc.line(*f.at))):
        problem(f.doc, f.slug, f.message, *f.at, suggestion=f.suggestion, severity=f.severity)
    return out


def _walk(
    doc: YamlDoc,
    model: GlossaryFile,
    out: Glossary,
    node_at: dict[str, tuple[YamlDoc, KeyPath]],
    locate: Locate,
) -> tuple[list[_Pending], dict[str, str]]:
    """The terms of one file in DataHub's order (top-level terms after the groups, as the stock
    source emits them), and its name path -> URN map (terms and groups, as the source keeps it)."""
    pending: list[_Pending] = []
    root_owners = _owners(doc, ("owners",), model.owners or [])

    def terms(
        items: list[GlossaryTermModel] | None,
        at: KeyPath,
        names: list[str],
        parent: str | None,
        statute: bool,
        owners: tuple[Owner, ...],
    ) -> None:
        for i, term in enumerate(items or []):
            here = (*at, "terms", i)
            path = [*names, term.name]
            tid = glossary_id("term", path, term.id)
            own = _owners(doc, (*here, "owners"), term.owners) if term.owners else owners
            pending.append(_Pending(term, here, tid, path, parent, statute, own))

    def nodes(
        items: list[GlossaryNodeModel] | None,
        at: KeyPath,
        names: list[str],
        statute: bool,
        owners: tuple[Owner, ...],
    ) -> None:
        for i, node in enumerate(items or []):
            here = (*at, "nodes", i)
            path = [*names, node.name]
            nid = glossary_id("node", path, node.id)
            urn = NODE_PREFIX + nid
            if urn in node_at:
                where = _first(doc, *node_at[urn], locate)
                message = f"duplicate node id '{nid}' (first at {where})"
                fix = "A group lives in one file: move its terms there, or give it its own id"
                out.found.append(
                    _Found(doc, (*here, "id"), "node-duplicate", message, "error", fix)
                )
            node_at.setdefault(urn, (doc, here))
            out.nodes[urn] = node.name
            _check_links(doc, here, node.knowledge_links, out)
            own = _owners(doc, (*here, "owners"), node.owners) if node.owners else owners
            in_statutes = statute or nid == STATUTE_NODE_ID
            nodes(node.nodes, here, path, in_statutes, own)
            terms(node.terms, here, path, urn, in_statutes, own)

    nodes(model.nodes, (), [], False, root_owners)
    terms(model.terms, (), [], None, False, root_owners)
    return pending, _path_urns(model.terms, model.nodes, [])


def _path_urns(
    terms: list[GlossaryTermModel] | None, nodes: list[GlossaryNodeModel] | None, names: list[str]
) -> dict[str, str]:
    """Name path -> URN of every term and group of a file, built in the stock source's order
    (a level's terms, then its groups; a later entry wins), so references resolve as there."""
    out: dict[str, str] = {}
    for term in terms or []:
        path = [*names, term.name]
        out[".".join(path)] = TERM_PREFIX + glossary_id("term", path, term.id)
    for node in nodes or []:
        path = [*names, node.name]
        out[".".join(path)] = NODE_PREFIX + glossary_id("node", path, node.id)
        out.update(_path_urns(node.terms, node.nodes, path))
    return out


def _term(
    doc: YamlDoc,
    model: GlossaryFile,
    p: _Pending,
    path_urns: dict[str, str],
    locate: Locate,
    out: Glossary,
) -> Term:
    t = p.model
    _check_links(doc, p.at, t.knowledge_links, out)
    if t.domain and not t.domain.startswith(ANY_DOMAIN) and t.domain.count("-") != 4:
        message = (
            f"domain '{t.domain}' is a name: DataHub's source resolves a name only with a "
            "server (the *.rest.yml recipes) and refuses the file otherwise"
        )
        fix = f"Write the domain's URN, {ANY_DOMAIN}<id>"
        out.found.append(_Found(doc, (*p.at, "domain"), "domain-by-name", message, "warning", fix))

    def refs(key: str) -> tuple[str, ...]:
        return tuple(related_urn(r, path_urns) for r in getattr(t, key) or [])

    return Term(
        id=p.tid,
        urn=TERM_PREFIX + p.tid,
        name=t.name,
        definition=t.description,
        parent_urn=p.parent,
        custom_properties=dict(t.custom_properties or {}),
        links=tuple((k.label, k.url) for k in t.knowledge_links or [] if k.label and k.url),
        is_statute=p.statute,
        location=locate(doc, p.at),
        owners=p.owners,
        # the file's defaults fill what the term leaves out, as in DataHub
        source=t.term_source if t.term_source is not None else (model.source_type or "INTERNAL"),
        source_ref=t.source_ref or model.source,
        source_url=t.source_url or model.url,
        inherits=refs("inherits"),
        contains=refs("contains"),
        values=refs("values"),
        related=refs("related_terms"),
        domain=t.domain,
    )


def _owners(doc: YamlDoc, at: KeyPath, blocks: list[GlossaryOwners]) -> tuple[Owner, ...]:
    """Owners as DataHub's source makes them (its own functions: user and group URNs, the
    ownership type checked); an ownership type DataHub refuses is bad input."""
    from datahub.ingestion.source.metadata import business_glossary as stock

    try:
        ownership = stock.get_owners_multiple_types(
            [stock.Owners.model_validate(b.model_dump(exclude_none=True)) for b in blocks]
        )
    except ValueError as e:
        raise doc.error(
            f"DataHub refuses these owners ({e}); use a type such as BUSINESS_OWNER, "
            "TECHNICAL_OWNER, DATA_STEWARD, or an urn:li:ownershipType: URN",
            *at,
        ) from None
    return tuple((o.owner, o.typeUrn or str(o.type)) for o in ownership.owners)


def _check_links(
    doc: YamlDoc, at: KeyPath, links: list[KnowledgeLink] | None, out: Glossary
) -> None:
    for j, link in enumerate(links or []):
        if not (link.label and link.url):
            missing = "label" if not link.label else "url"
            message = f"a knowledge link without a {missing}: DataHub drops it"
            fix = "Give it both label and url"
            out.found.append(_Found(doc, (*at, "knowledge_links", j), "link-incomplete", message,
                                    "warning", fix))  # fmt: skip


def _first(doc: YamlDoc, other: YamlDoc, other_at: KeyPath, locate: Locate) -> str:
    return f"line {other.line(*other_at)}" if other is doc else locate(other, other_at)


def _check_duplicate(
    occurrence: Occurrence, earlier: Occurrence | None, out: Glossary, locate: Locate
) -> None:
    if earlier is None:
        return
    doc, at, term = occurrence.doc, occurrence.at, occurrence.term
    where = _first(doc, earlier.doc, earlier.at, locate)
    if occurrence.explicit_id:
        message = (
            f"duplicate term id '{term.id}' (first at {where}); keep one, give the other its own id"
        )
        out.found.append(_Found(doc, (*at, "id"), "term-duplicate", message, "error"))
        return
    kept = "this one" if earlier.doc is doc else "the one of the file ingested last"
    message = (
        f"a second term '{occurrence.path}' (first at {where}) gets the same URN; DataHub "
        f"keeps {kept}"
    )
    out.found.append(_Found(doc, (*at, "name"), "term-duplicate", message))


def _check_references(
    doc: YamlDoc,
    p: _Pending,
    path_urns: dict[str, str],
    out: Glossary,
    known_paths: dict[str, Occurrence],
    locate: Locate,
) -> None:
    """DataHub links whatever a reference resolves to, and a term that does not exist is
    silently created empty: a warning here (DataHub accepts it; lint holds it to an error)."""
    for key in ("inherits", "contains", "values", "related_terms"):
        for j, ref in enumerate(getattr(p.model, key) or []):
            urn = related_urn(ref, path_urns)
            if urn not in out.terms:
                message, fix = _dangling(ref, urn, path_urns, known_paths, out, locate)
                out.found.append(
                    _Found(doc, (*p.at, key, j), "reference-dangling", message, suggestion=fix)
                )


def _dangling(
    ref: str,
    urn: str,
    path_urns: dict[str, str],
    known_paths: dict[str, Occurrence],
    out: Glossary,
    locate: Locate,
) -> tuple[str, str]:
    """(what is wrong, how to fix it) for a reference that resolves to no term."""
    empty = f"DataHub creates an empty term {urn} for it"
    if path_urns.get(ref, "").startswith(NODE_PREFIX):
        return f"'{ref}' is a term group, not a term; {empty}", "Name a term of the group"
    if ref.startswith(TERM_PREFIX):
        return (
            f"unknown glossary term '{ref}': DataHub's source does not read URNs here; {empty}",
            "Write the term's id",
        )
    elsewhere = known_paths.get(ref)
    if elsewhere is not None:
        tid = elsewhere.term.id
        return (
            f"'{ref}' is the name path of a term of {locate(elsewhere.doc, elsewhere.at)} with "
            f"the id '{tid}'; the stock source reads each file alone and resolves a name path "
            f"only inside it, so {empty}",
            f"Write its id '{tid}'",
        )
    known = sorted({*known_paths, *(t.id for t in out.terms.values())})
    message = f"unknown glossary term '{ref}'; DataHub creates an empty term for it"
    return message, close_to(ref, known)
