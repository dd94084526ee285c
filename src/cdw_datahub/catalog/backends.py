"""Catalog backends: each yields entities as (urn, {aspect name: aspect JSON}) and nothing more.

The JSON is DataHub's simplified aspect form (what DataHub Lite stores and what
`MetadataChangeProposalWrapper.to_obj(simplified_structure=True)["aspect"]["json"]` gives), so one
view builder (`views.py`) serves every backend.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from cdw_datahub.errors import InputError

Aspects = dict[str, Any]


class Backend(Protocol):
    """The narrow seam between the CLI and a DataHub store."""

    location: str
    # seconds an entity just written may take to show in `entities` (a server's search index
    # lags its writes; a store read directly shows it at once: 0)
    index_wait: float

    def entities(
        self, entity_type: str, program: str | None = None, names: Sequence[str] = ()
    ) -> Iterator[tuple[str, Aspects]]:
        """Every entity of one type (`dataset`, `schemaField`, `glossaryTerm`, ...), by URN.
        `program` and dataset name patterns (`names`, as `DatasetView.matches` reads them)
        narrow the listing where the store can do it cheaply (a server's search); the caller
        still filters, so a store may ignore them."""
        ...

    def get(self, urn: str) -> Aspects | None: ...

    def get_many(self, urns: Sequence[str]) -> dict[str, Aspects]:
        """The entities of `urns` that exist (one entity type), in few requests."""
        ...

    def last_observed(self, urns: Sequence[str], aspect_name: str) -> dict[str, int]:
        """URN -> `systemMetadata.lastObserved` (epoch ms) of an aspect, where the store has it."""
        ...

    def emit(self, mcps: Sequence[Any]) -> None:
        """Write MetadataChangeProposalWrappers (UPSERT) and PATCH proposals into the store."""
        ...

    def close(self) -> None: ...


def _type_range(entity_type: str) -> tuple[str, str]:
    prefix = f"urn:li:{entity_type}:"
    return prefix, prefix[:-1] + chr(ord(":") + 1)


class LiteBackend:
    """A DataHub Lite (sqlite engine) file, written by the `datahub-lite` sink.

    Reads go straight to Lite's `metadata_aspect_v2` table (version 0 = latest) in read-only mode,
    streaming one entity at a time in URN order; writes go through DataHub's own Lite API so its
    browse index stays right.
    """

    index_wait = 0.0

    def __init__(self, path: Path):
        self.path = Path(path)
        self.location = f"lite:{self.path}"
        if not self.path.is_file():
            raise InputError(
                "no DataHub Lite catalog here; run `cdw-datahub demo` or an embedded recipe first",
                str(self.path),
            )
        try:
            self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            self._db.execute("SELECT 1 FROM metadata_aspect_v2 LIMIT 1").fetchall()
        except sqlite3.DatabaseError as e:
            raise InputError(f"not a DataHub Lite (sqlite) catalog ({e})", str(self.path)) from e

    def entities(
        self, entity_type: str, program: str | None = None, names: Sequence[str] = ()
    ) -> Iterator[tuple[str, Aspects]]:
        low, high = _type_range(entity_type)
        rows = self._db.execute(
            "SELECT urn, aspect_name, metadata FROM metadata_aspect_v2 "
            "WHERE version = 0 AND urn >= ? AND urn < ? ORDER BY urn",
            (low, high),
        )
        yield from _group_rows(rows)

    def last_observed(self, urns: Sequence[str], aspect_name: str) -> dict[str, int]:
        """URN -> when ingestion last wrote or saw that aspect (systemMetadata.lastObserved)."""
        found: list[tuple[str, Any]] = []
        for start in range(0, len(urns), 500):  # SQLite's bound-parameter limit
            batch = list(urns[start : start + 500])
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                "SELECT urn, system_metadata FROM metadata_aspect_v2 "  # noqa: S608 - only ?s
                f"WHERE version = 0 AND aspect_name = ? AND urn IN ({marks})",
                (aspect_name, *batch),
            )
            found += [(urn, json.loads(meta) if meta else None) for urn, meta in rows]
        return _observed(found)

    def get(self, urn: str) -> Aspects | None:
        rows = self._db.execute(
            "SELECT urn, aspect_name, metadata FROM metadata_aspect_v2 "
            "WHERE version = 0 AND urn = ?",
            (urn,),
        )
        for _, aspects in _group_rows(rows):
            return aspects
        return None

    def get_many(self, urns: Sequence[str]) -> dict[str, Aspects]:
        out: dict[str, Aspects] = {}
        for start in range(0, len(urns), 500):  # SQLite's bound-parameter limit
            batch = list(urns[start : start + 500])
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                "SELECT urn, aspect_name, metadata FROM metadata_aspect_v2 "  # noqa: S608
                f"WHERE version = 0 AND urn IN ({marks}) ORDER BY urn",
                batch,
            )
            out.update(_group_rows(rows))
        return out

    def emit(self, mcps: Sequence[Any]) -> None:
        """Through the `cdw-lite` store: DataHub's Lite file format, and PATCH proposals applied
        as GMS applies them (the stock Lite API drops them)."""
        from datahub.lite.sqlite_lite_config import SqliteLiteConfig

        from cdw_datahub.sinks.fast_lite import CdwLite

        lite = CdwLite(SqliteLiteConfig(file=str(self.path)))
        try:
            for mcp in mcps:
                lite.write(mcp)
        finally:
            lite.close()

    def close(self) -> None:
        self._db.close()


def _observed(rows: Iterable[tuple[str, Any]]) -> dict[str, int]:
    out = {}
    for urn, meta in rows:
        when = (meta or {}).get("lastObserved")
        if isinstance(when, int) and when > 0:
            out[urn] = when
    return out


def _group_rows(rows: Iterable[tuple[str, str, str]]) -> Iterator[tuple[str, Aspects]]:
    current: str | None = None
    aspects: Aspects = {}
    for urn, aspect_name, metadata in rows:
        if urn != current:
            if current is not None:
                yield current, aspects
            current, aspects = urn, {}
        aspects[aspect_name] = json.loads(metadata)
    if current is not None:
        yield current, aspects


class MemoryBackend:
    """Entities already in memory, {urn: {aspect name: aspect JSON}} (and, where known, each
    aspect's systemMetadata); read-only."""

    index_wait = 0.0

    def __init__(
        self,
        entities: dict[str, Aspects],
        location: str,
        observed: dict[tuple[str, str], Any] | None = None,
    ):
        self._entities = entities
        self.location = location
        self._observed = observed or {}  # (urn, aspect name) -> systemMetadata JSON

    def last_observed(self, urns: Sequence[str], aspect_name: str) -> dict[str, int]:
        return _observed((urn, self._observed.get((urn, aspect_name))) for urn in urns)

    def entities(
        self, entity_type: str, program: str | None = None, names: Sequence[str] = ()
    ) -> Iterator[tuple[str, Aspects]]:
        low, high = _type_range(entity_type)
        for urn in sorted(u for u in self._entities if low <= u < high):
            yield urn, self._entities[urn]

    def get(self, urn: str) -> Aspects | None:
        return self._entities.get(urn)

    def get_many(self, urns: Sequence[str]) -> dict[str, Aspects]:
        return {u: self._entities[u] for u in urns if u in self._entities}

    def emit(self, mcps: Sequence[Any]) -> None:
        raise InputError(
            "this catalog is read-only; write to a lite: catalog or a DataHub server",
            self.location,
        )

    def close(self) -> None:
        pass


class FileBackend(MemoryBackend):
    """The JSON written by DataHub's `file` sink (MCEs and MCPs); later records win per aspect.

    Read as plain JSON, streaming (`file_sink.read_entities`): no DataHub classes are built.
    """

    def __init__(self, path: Path):
        from cdw_datahub.catalog.file_sink import read_entities

        self.path = Path(path)
        observed: dict[tuple[str, str], Any] = {}
        super().__init__(read_entities(self.path, observed), f"file:{self.path}", observed)

    def emit(self, mcps: Sequence[Any]) -> None:
        raise InputError(
            "a file-sink catalog is read-only; write to a lite: catalog or a DataHub server",
            self.location,
        )
