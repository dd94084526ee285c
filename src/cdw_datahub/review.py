"""The lifecycle review (play 2): which datasets are candidates to deprecate, archive or purge.

One row per dataset in the catalog: its lifecycle status (`cdw.dataset.lifecycle`, from the field
dictionary or `inventory/`), when ingestion last saw it (`systemMetadata.lastObserved` of its
schema), its owners, and the BUCPs of the register that are in review or current (approved,
fulfilled) and request it, so the working group can see what retiring it would break.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from cdw_datahub.bucp.register import states
from cdw_datahub.bucp.register.store import BucpRecord
from cdw_datahub.catalog import Catalog
from cdw_datahub.priority import dataset_key

# Candidates first: the order in which the working group reads the list.
LIFECYCLE_ORDER = ("purge-candidate", "archive-candidate", "deprecate-candidate", "unset", "active")


@dataclass(frozen=True)
class ReviewRow:
    dataset: str  # program.table, as BUCPs name datasets
    urn: str
    platform: str
    subtype: str | None
    lifecycle: str  # a LIFECYCLE_ORDER value, or the catalog's own text when unknown
    last_harvest: str | None  # ISO 8601, UTC
    owners: list[str]
    missing_owner: bool
    bucps: list[str]  # in review or current BUCPs that request it

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def bucps_by_dataset(records: Iterable[BucpRecord]) -> dict[str, list[str]]:
    using: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if r.state in states.CURRENT or r.state in states.IN_REVIEW:
            for dataset in r.datasets:
                using[dataset].append(r.id)
    return using


def review(
    catalog: Catalog, records: Iterable[BucpRecord], program: str | None = None
) -> list[ReviewRow]:
    views = [v for v in catalog.datasets() if program is None or v.program == program]
    harvested = catalog.harvested([v.urn for v in views])
    using = bucps_by_dataset(records)
    rows = []
    for v in views:
        key = dataset_key(v) or v.name
        millis = harvested.get(v.urn)
        seen = dt.datetime.fromtimestamp(millis / 1000, dt.timezone.utc) if millis else None
        rows.append(
            ReviewRow(
                dataset=key,
                urn=v.urn,
                platform=v.platform,
                subtype=v.subtype,
                lifecycle=v.prop("cdw.dataset.lifecycle") or "unset",
                last_harvest=seen.isoformat(timespec="seconds") if seen else None,
                owners=sorted(v.owners),
                missing_owner=not v.owners,
                bucps=sorted(using.get(key, [])),
            )
        )
    return sorted(rows, key=_order)


def _order(row: ReviewRow) -> tuple[int, str]:
    rank = LIFECYCLE_ORDER.index(row.lifecycle) if row.lifecycle in LIFECYCLE_ORDER else 3
    return rank, row.dataset
