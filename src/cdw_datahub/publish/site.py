"""Which datasets and fields a site covers, and the build from catalog to written folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdw_datahub import search
from cdw_datahub.bucp.export import Facts, load_facts, resolve_program
from cdw_datahub.catalog import Catalog, DatasetView, FieldView
from cdw_datahub.errors import InputError
from cdw_datahub.publish.model import PolicyExtras, Scope, Site, SiteBuilder
from cdw_datahub.settings import Settings


@dataclass(frozen=True)
class Request:
    output: Path
    programs: tuple[str, ...] = ()  # ids or display names
    bucp: str | None = None  # a BUCP id: only the datasets and fields it requests
    title: str | None = None


@dataclass(frozen=True)
class Result:
    output: Path
    datasets: int
    fields: int
    pages: int
    harvested: str | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class BucpScope:
    scope: Scope
    whole: frozenset[str]  # "<program>.<table>" requested whole
    fields: dict[str, frozenset[str]]  # "<program>.<table>" -> requested field names


def _bucp_scope(register_url: str, bucp_id: str) -> BucpScope:
    from cdw_datahub.bucp.register.store import open_register

    with open_register(register_url) as reg:
        record = reg.get(bucp_id)  # never specialized=True: that text stays in the register
    if not record.requests:
        raise InputError(f"{record.id} requests no dataset; add one with `bucp request`",
                         key="--bucp")  # fmt: skip
    # the register keeps a dataset row and one row per requested field: a dataset with no field
    # rows is requested whole
    fields: dict[str, set[str]] = {}
    for dataset, name in record.requests:
        fields.setdefault(dataset, set())
        if name:
            fields[dataset].add(name)
    whole = {dataset for dataset, names in fields.items() if not names}
    scope = Scope(record.id, record.title, record.requesting_department,
                  record.providing_department)  # fmt: skip
    return BucpScope(scope, frozenset(whole), {k: frozenset(v) for k, v in fields.items()})


def _selected(
    datasets: Iterator[DatasetView], programs: set[str] | None, bucp: BucpScope | None
) -> Iterator[tuple[DatasetView, list[FieldView]]]:
    seen: dict[str, set[str]] = {}
    for ds in datasets:
        if programs is not None and ds.program not in programs:
            continue
        if bucp is None:
            yield ds, list(ds.fields)
            continue
        key = f"{ds.program}.{ds.table}"
        wanted = bucp.fields.get(key, frozenset())
        if key in bucp.whole:
            chosen = list(ds.fields)
        else:
            chosen = [f for f in ds.fields if f.path in wanted]
        seen[key] = {f.path for f in ds.fields}
        if chosen:
            yield ds, chosen
    if bucp is not None:
        _check_requested(bucp, seen)


def _check_requested(bucp: BucpScope, seen: dict[str, set[str]]) -> None:
    """A dictionary sent with the data must not silently miss what the BUCP asked for."""
    for key in sorted(bucp.whole | set(bucp.fields)):
        if key not in seen:
            raise InputError(
                f"{bucp.scope.id} requests {key}, which is not in the catalog (or not in the "
                "--program chosen)",
                key="--bucp",
            )
        missing = sorted(bucp.fields.get(key, frozenset()) - seen[key])
        if missing:
            raise InputError(
                f"{bucp.scope.id} requests {key}.{missing[0]}, which the catalog does not have",
                key="--bucp",
            )


def build(catalog: Catalog, request: Request, settings: Settings) -> tuple[Site, dict[str, Any]]:
    """The site model and its search index, from one pass over the catalog."""
    facts = load_facts(catalog, settings.glossary_dir, settings.policies_dir)
    programs = _programs(facts, request.programs)
    bucp = _bucp_scope(settings.register, request.bucp) if request.bucp else None
    builder = SiteBuilder(facts, PolicyExtras.load(settings.glossary_dir, settings.policies_dir))
    for ds, fields in _selected(catalog.datasets(), programs, bucp):
        builder.add(ds, fields)
    if not builder.programs:
        raise InputError("nothing to publish: the selection has no datasets", catalog.location)
    title = request.title or (f"{bucp.scope.id}: data dictionary" if bucp else "Data dictionary")
    site = builder.site(title, catalog.harvested_at(), bucp.scope if bucp else None,
                        all_terms=bucp is None and programs is None)  # fmt: skip
    return site, search_index(site, facts, settings)


def _programs(facts: Facts, wanted: tuple[str, ...]) -> set[str] | None:
    if not wanted:
        return None
    return {pid for p in wanted if (pid := resolve_program(facts, p)) is not None}


def search_index(site: Site, facts: Facts, settings: Settings) -> dict[str, Any]:
    """Documents in the catalog's order (URN order: equal scores rank as the `search` command
    ranks them), each with its page URL, plus the query rules."""
    rules = search.QueryRules.from_policies(settings.policies_dir)
    tokenizer = search.tokenizer_for(settings.policies_dir)
    docs: list[dict[str, Any]] = []
    for page in sorted(site.datasets, key=lambda p: p.view.urn):
        built = search.dataset_documents(
            page.view, [e.row for e in page.fields], facts, tokenizer, len(docs)
        )
        anchors = [""] + [f"#{e.anchor}" for e in page.fields]
        for doc, anchor in zip(built, anchors, strict=True):
            docs.append(_index_doc(doc, page.title, f"datasets/{page.slug}.html{anchor}"))
    return {"rules": search.index_rules(rules), "docs": docs}


def _index_doc(doc: search.Document, dataset_title: str | None, url: str) -> dict[str, Any]:
    return {
        "kind": doc.kind,
        "dataset": doc.dataset,
        "dataset_title": dataset_title,
        "field": doc.field,
        "label": doc.label,
        "definition": doc.definition,
        "classification": doc.classification,
        "url": url,
        "places": {k: list(v) for k, v in doc.places.items() if v},
    }


def publish(catalog: Catalog, request: Request, settings: Settings) -> Result:
    from cdw_datahub.publish.render import write_site

    site, index = build(catalog, request, settings)
    pages = write_site(site, index, request.output)
    return Result(
        output=request.output,
        datasets=len(site.datasets),
        fields=sum(len(d.fields) for d in site.datasets),
        pages=pages,
        harvested=site.harvested,
        warnings=tuple(_warnings(site)),
    )


def _warnings(site: Site) -> list[str]:
    return [] if site.harvested else ["the catalog does not record when it was harvested"]
