"""Read the catalog back: one interface for DataHub Lite, file-sink JSON and a DataHub server.

    catalog = open_catalog("lite:demo-out/datahub-lite.db")
    for dataset in catalog.datasets():
        ...

Commands never talk to a backend directly.
"""

from __future__ import annotations

import datetime as dt
import heapq
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cdw_datahub.catalog import views
from cdw_datahub.catalog.backends import Aspects, Backend, FileBackend, LiteBackend
from cdw_datahub.catalog.model import Association, DatasetView, FieldView, TermView
from cdw_datahub.contract import TAG
from cdw_datahub.errors import InputError

__all__ = [
    "Association",
    "Catalog",
    "DatasetView",
    "FieldView",
    "TermView",
    "open_catalog",
]


DATASET_BATCH = 100  # datasets whose field properties are read together


def retry_delays(budget: float) -> list[float]:
    """1, 2, 4, ... seconds, the last one cut so that they add up to `budget`."""
    delays: list[float] = []
    while budget > 1e-9:
        delays.append(min(2.0 ** len(delays), budget))
        budget -= delays[-1]
    return delays


def _listing(names: Sequence[str], most: int = 5) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def removed(aspects: Aspects) -> bool:
    return bool((aspects.get("status") or {}).get("removed"))


class Catalog:
    def __init__(self, backend: Backend):
        self.backend = backend

    @property
    def location(self) -> str:
        return self.backend.location

    def _field_properties(
        self, datasets: Sequence[tuple[str, Aspects]]
    ) -> dict[str, dict[str, dict[str, list[str]]]]:
        """Field-level structured properties of these datasets only, by dataset URN then field
        path: their schemaField entities read by URN in batches, never the whole instance's."""
        from datahub.emitter.mce_builder import make_schema_field_urn

        field_urns = [
            make_schema_field_urn(urn, field.get("fieldPath"))
            for urn, aspects in datasets
            for field in (aspects.get("schemaMetadata") or {}).get("fields", [])
        ]
        by_dataset: dict[str, dict[str, dict[str, list[str]]]] = {}
        for urn, aspects in self.backend.get_many(field_urns).items() if field_urns else ():
            props = views.structured_properties(aspects.get("structuredProperties"))
            if props and not removed(aspects):
                dataset_urn, path = views.split_schema_field_urn(urn)
                by_dataset.setdefault(dataset_urn, {})[path] = props
        return by_dataset

    def _live(
        self, entity_type: str, program: str | None = None, names: Sequence[str] = ()
    ) -> Iterator[tuple[str, Aspects]]:
        """Entities not soft-deleted (`status.removed`), the same way for every backend (a
        server's search already leaves them out)."""
        for urn, aspects in self.backend.entities(entity_type, program, names):
            if not removed(aspects):
                yield urn, aspects

    def datasets(
        self,
        program: str | None = None,
        urns: Sequence[str] = (),
        names: Sequence[str] = (),
        expected: Sequence[str] = (),
        notify: Callable[[str], None] = lambda message: None,
    ) -> Iterator[DatasetView]:
        """Every dataset with a schema, streamed in URN order, its field properties read in
        batches alongside: of `program` when given, and when a selection names datasets (by
        URN, `urns`, or by name patterns as `DatasetView.matches` reads them, `names`), only
        those the names may match. Both are pushed into a server's query.

        A server's search index lags its writes, so right after an ingestion:
        - the datasets of `urns` are read by URN;
        - `names`, and `expected` (datasets that should be there, e.g. the program's dictionary
          entries), that the search does not show yet are waited for: a bounded retry, each
          retry said through `notify`. A name still missing after it is an InputError naming
          it; an expected one is said through `notify` (it may never have been ingested).
        """
        named = {u: a for u, a in self.backend.get_many(list(urns)).items() if not removed(a)}
        listed: Iterable[tuple[str, Aspects]] = ()
        if names or not urns:  # a selection of URNs only lists nothing
            if (names or expected) and self.backend.index_wait > 0:
                listed = self._indexed(program, names, expected, notify)
            else:
                listed = self._live("dataset", program, names)
        batch: list[tuple[str, Aspects]] = []
        unnamed = (item for item in listed if item[0] not in named)
        for item in heapq.merge(sorted(named.items()), unnamed, key=lambda item: item[0]):
            if "schemaMetadata" in item[1] or "datasetProperties" in item[1]:
                batch.append(item)
            if len(batch) >= DATASET_BATCH:
                yield from self._views(batch)
                batch = []
        yield from self._views(batch)

    def _indexed(
        self,
        program: str | None,
        names: Sequence[str],
        expected: Sequence[str],
        notify: Callable[[str], None],
    ) -> list[tuple[str, Aspects]]:
        """The listing, repeated (1, 2, 4, ... s, up to the backend's `index_wait`) while some
        of `names` and `expected` match none of its datasets."""
        wanted = list(dict.fromkeys([*names, *expected]))
        delays = retry_delays(self.backend.index_wait)
        for attempt in range(len(delays) + 1):
            found = sorted(self._live("dataset", program, names), key=lambda item: item[0])
            shown = [views.dataset_view(urn, aspects, {}) for urn, aspects in found]
            missing = [n for n in wanted if not any(v.matches(n) for v in shown)]
            if not missing or attempt == len(delays):
                break
            notify(
                f"waiting for DataHub's search index: {len(missing)} of {len(wanted)} "
                f"datasets not indexed yet (retry {attempt + 1}/{len(delays)})"
            )
            time.sleep(delays[attempt])
        index = f"DataHub's search index at {self.location}"
        waited = f"after waiting {sum(delays):g} s"
        lost = [n for n in missing if n in names]
        if lost:
            raise InputError(
                f"{index} shows no dataset matching {_listing(lost)} {waited}; if it was "
                "ingested just now, export again in a minute, else check the name",
                key="--dataset",
            )
        if missing:
            notify(f"{index} still shows no {_listing(missing)} {waited}; left out of the export")
        return found

    def _views(self, batch: list[tuple[str, Aspects]]) -> Iterator[DatasetView]:
        field_props = self._field_properties(batch)
        for urn, aspects in batch:
            yield views.dataset_view(urn, aspects, field_props.get(urn, {}))

    def dataset(self, urn: str) -> DatasetView | None:
        aspects = self.backend.get(urn)
        if aspects is None or removed(aspects):
            return None
        return next(self._views([(urn, aspects)]))

    def harvested(self, urns: Sequence[str]) -> dict[str, int]:
        """Dataset URN -> when ingestion last saw its schema (`systemMetadata.lastObserved`,
        epoch ms), for the datasets that have one; a backend without the record gives {}."""
        return self.backend.last_observed(list(urns), "schemaMetadata")

    @property
    def public_location(self) -> str:
        """Where the catalog is, safe to print in a document: a server URL as is, a local
        catalog by its kind and file name only (no machine's paths in an export)."""
        location = self.location
        for prefix, kind in (("lite:", "DataHub Lite"), ("file:", "DataHub file-sink JSON")):
            if location.startswith(prefix):
                return f"{kind} ({Path(location[len(prefix) :]).name})"
        return location

    def terms(self) -> dict[str, TermView]:
        return {urn: views.term_view(urn, a) for urn, a in self._live("glossaryTerm")}

    def nodes(self) -> dict[str, str]:
        """Glossary node (term group) URN -> name."""
        return {
            urn: (a.get("glossaryNodeInfo") or {}).get("name") or urn
            for urn, a in self._live("glossaryNode")
        }

    def existing(self, urns: Sequence[str]) -> set[str]:
        """Which of `urns` the catalog holds (not soft-deleted), read by URN in batches."""
        found = self.backend.get_many(list(urns)) if urns else {}
        return {urn for urn, aspects in found.items() if aspects and not removed(aspects)}

    def tags(self) -> dict[str, str]:
        """Tag URN -> display name."""
        return {
            urn: (a.get("tagProperties") or {}).get("name") or urn.removeprefix(TAG)
            for urn, a in self._live("tag")
        }

    def people(self) -> dict[str, str]:
        """Person (corpuser) URN -> display name, for those the catalog names."""
        names: dict[str, str] = {}
        for urn, a in self._live("corpuser"):
            info = a.get("corpUserInfo") or a.get("corpUserEditableInfo") or {}
            if display := info.get("displayName") or info.get("fullName"):
                names[urn] = str(display)
        return names

    def domains(self) -> dict[str, str]:
        return {
            urn: (a.get("domainProperties") or {}).get("name") or urn
            for urn, a in self._live("domain")
        }

    def harvested_at(self, urns: Sequence[str] | None = None) -> dt.datetime | None:
        """When a schema (of `urns`, default every dataset) was last harvested into this
        catalog (UTC), when the store records it."""
        if urns is None:
            urns = [urn for urn, _ in self._live("dataset")]
        millis = max(self.harvested(urns).values(), default=None)
        return dt.datetime.fromtimestamp(millis / 1000, dt.timezone.utc) if millis else None

    def emit(self, mcps: Sequence[Any]) -> None:
        self.backend.emit(mcps)

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_catalog(uri: str) -> Catalog:
    """`lite:PATH`, `file:PATH`, or `http(s)://host:port` (token from DATAHUB_GMS_TOKEN)."""
    if uri.startswith("lite:"):
        return Catalog(LiteBackend(Path(uri[len("lite:") :])))
    if uri.startswith("file:"):
        return Catalog(FileBackend(Path(uri[len("file:") :])))
    if uri.startswith(("http://", "https://")):
        from cdw_datahub.catalog.server import ServerBackend

        return Catalog(ServerBackend(uri))
    raise InputError(
        f"'{uri}' is not a catalog URI; use lite:PATH, file:PATH or http(s)://HOST:PORT",
        key="--catalog",
    )
