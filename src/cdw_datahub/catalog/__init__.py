"""Read the catalog back: one interface for DataHub Lite, file-sink JSON and a DataHub server.

    catalog = open_catalog("lite:demo-out/datahub-lite.db")
    for dataset in catalog.datasets():
        ...

Commands never talk to a backend directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cdw_datahub.catalog import views
from cdw_datahub.catalog.backends import Backend, FileBackend, LiteBackend
from cdw_datahub.catalog.model import Association, DatasetView, FieldView, TermView
from cdw_datahub.errors import InputError

__all__ = [
    "Association",
    "Catalog",
    "DatasetView",
    "FieldView",
    "TermView",
    "open_catalog",
]


class Catalog:
    def __init__(self, backend: Backend):
        self.backend = backend

    @property
    def location(self) -> str:
        return self.backend.location

    def _field_properties(self) -> dict[str, dict[str, dict[str, list[str]]]]:
        """Field-level structured properties, by dataset URN then field path."""
        by_dataset: dict[str, dict[str, dict[str, list[str]]]] = {}
        for urn, aspects in self.backend.entities("schemaField"):
            props = views.structured_properties(aspects.get("structuredProperties"))
            if props:
                dataset_urn, path = views.split_schema_field_urn(urn)
                by_dataset.setdefault(dataset_urn, {})[path] = props
        return by_dataset

    def datasets(self) -> Iterator[DatasetView]:
        """Every dataset with a schema, streamed in URN order."""
        field_props = self._field_properties()
        for urn, aspects in self.backend.entities("dataset"):
            if "schemaMetadata" in aspects or "datasetProperties" in aspects:
                yield views.dataset_view(urn, aspects, field_props.get(urn, {}))

    def dataset(self, urn: str) -> DatasetView | None:
        aspects = self.backend.get(urn)
        if aspects is None:
            return None
        field_props: dict[str, dict[str, list[str]]] = {}
        for field in (aspects.get("schemaMetadata") or {}).get("fields", []):
            from datahub.emitter.mce_builder import make_schema_field_urn

            raw = self.backend.get(make_schema_field_urn(urn, field.get("fieldPath")))
            props = views.structured_properties((raw or {}).get("structuredProperties"))
            if props:
                field_props[field.get("fieldPath")] = props
        return views.dataset_view(urn, aspects, field_props)

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
        return {urn: views.term_view(urn, a) for urn, a in self.backend.entities("glossaryTerm")}

    def tags(self) -> dict[str, str]:
        """Tag URN -> display name."""
        return {
            urn: (a.get("tagProperties") or {}).get("name") or urn.removeprefix("urn:li:tag:")
            for urn, a in self.backend.entities("tag")
        }

    def domains(self) -> dict[str, str]:
        return {
            urn: (a.get("domainProperties") or {}).get("name") or urn
            for urn, a in self.backend.entities("domain")
        }

    def harvested_at(self, urns: Sequence[str] | None = None) -> dt.datetime | None:
        """When a schema (of `urns`, default every dataset) was last harvested into this
        catalog (UTC), when the store records it."""
        if urns is None:
            urns = [urn for urn, _ in self.backend.entities("dataset")]
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
