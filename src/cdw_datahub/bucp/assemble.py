"""A BUCP package put together: the rows and summary of a selection, or of the datasets and fields
a BUCP in the register requests, then the document the writers take (the export, the summary,
readiness and the demo start here).

    rows, summary, location = collect(catalog, selection, program, glossary_dir, policies_dir)
    writers.write(document(rows, summary, location, title), "xlsx", path)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from cdw_datahub.bucp.export import (
    ExportReport,
    export_rows,
    load_facts,
    resolve_program,
    steward_policy,
)
from cdw_datahub.bucp.model import ExportDocument, FieldRow, Summary
from cdw_datahub.bucp.package import Request
from cdw_datahub.bucp.select import Selection, select
from cdw_datahub.bucp.summary import build_summary
from cdw_datahub.catalog import Catalog
from cdw_datahub.contract import DATASET
from cdw_datahub.errors import InputError


def collect(
    catalog: Catalog,
    selection: Selection,
    program: str | None,
    glossary_dir: Path | None,
    policies_dir: Path | None,
    warn: Callable[[str], None] = lambda message: None,
    request: Request | None = None,
) -> tuple[list[FieldRow], Summary, str]:
    """Rows, summary and the catalog's printable location; `request` replaces `selection`."""
    facts = load_facts(catalog, glossary_dir, policies_dir)
    if request is not None:
        selection = request.selection()
    selection = Selection(selection.datasets, selection.fields, resolve_program(facts, program))
    report = ExportReport()
    try:
        urns = [d for d in selection.datasets if d.startswith(DATASET)]
        names = [d for d in selection.datasets if d not in urns]
        expected = _dictionary(selection, glossary_dir, policies_dir)
        datasets = catalog.datasets(selection.program, urns, names, expected, warn)
        rows = export_rows(select(datasets, selection), facts, report)
    except InputError as e:
        if request is None:
            raise
        raise InputError(
            f"the register's request does not match the catalog: {e.message}",
            request.id,
            "requested",
        ) from None
    for message in report.messages():
        warn(message)
    if not rows:
        raise InputError("nothing to export: the selection has no fields", catalog.public_location)
    harvested = _harvest_dates(catalog, list(dict.fromkeys(r["dataset_urn"] for r in rows)))
    summary = build_summary(rows, facts, report.terms_used, harvested)
    return rows, summary, catalog.public_location


def _dictionary(
    selection: Selection, glossary_dir: Path | None, policies_dir: Path | None
) -> list[str]:
    """A whole program's export: the datasets its dictionary describes, as `<program>.<table>`
    (the catalog waits for a server's search index to show them)."""
    policy = steward_policy(glossary_dir, policies_dir)
    if selection.program is None or selection.datasets or policy is None:
        return []
    return [f"{selection.program}.{table}" for table in policy.datasets(selection.program)]


def _harvest_dates(catalog: Catalog, dataset_urns: list[str]) -> dict[str, str | None]:
    """Each dataset's catalog harvest date (UTC), from the schema aspect's lastObserved."""
    observed = catalog.harvested(dataset_urns)
    return {
        urn: dt.datetime.fromtimestamp(when / 1000, dt.timezone.utc).date().isoformat()
        if (when := observed.get(urn))
        else None
        for urn in dataset_urns
    }


def document(
    rows: list[FieldRow],
    summary: Summary,
    location: str,
    title: str | None,
    request: Request | None = None,
) -> ExportDocument:
    default = f"{request.id}: {request.title}" if request else "BUCP technical fields"
    return ExportDocument(
        title=title or default,
        catalog=location,
        generated=dt.date.today().isoformat(),
        rows=rows,
        summary=summary,
        request=request,
    )
