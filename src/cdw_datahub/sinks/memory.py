"""A sink that keeps, in this process, the aspects the catalog reader looks at (for `scan`).

`scan` used to send its pipeline into DataHub's `file` sink and read the file back: the sink
builds its whole JSON document by repeated string concatenation on close, and reading back
re-validated every record through DataHub's Avro classes. This sink skips both: it keeps each
aspect the readers use (`catalog.views.READ_ASPECTS`) as the Avro object the pipeline made, and
drops every other aspect on arrival. Nothing is serialized or copied: the view builders read an
Avro object with the same `.get(field name)` as its JSON (`catalog/views.py`).

    with collecting() as collected:
        run_pipeline({..., "sink": collected.sink_config()}, label)
    catalog = Catalog(MemoryBackend(collected.entities, "scan:..."))

The sink is reached by its import path (`cdw_datahub.sinks.memory:MemorySink`), not registered
as a plugin: outside one process it would keep nothing anyone can read.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

from datahub.configuration.common import ConfigModel
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.api.common import RecordEnvelope
from datahub.ingestion.api.sink import Sink, SinkReport, WriteCallback
from datahub.metadata.schema_classes import MetadataChangeEventClass
from pydantic import Field

from cdw_datahub.catalog.views import READ_ASPECTS

Entities = dict[str, dict[str, Any]]

SINK_TYPE = f"{__name__}:MemorySink"
_collections: dict[str, Collected] = {}
_ids = itertools.count(1)


class Collected:
    """What one pipeline run's sink kept: {urn: {aspect name: Avro aspect object}}."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.entities: Entities = {}
        self.records = 0

    def sink_config(self) -> dict[str, Any]:
        return {"type": SINK_TYPE, "config": {"collection": self.key}}

    def keep(self, urn: str, aspect: Any) -> None:
        name = aspect.ASPECT_NAME
        if name in READ_ASPECTS:  # later records win, as in every DataHub store
            self.entities.setdefault(urn, {})[name] = aspect


@contextlib.contextmanager
def collecting() -> Iterator[Collected]:
    """A collection a `MemorySink` in this process writes into while the block runs."""
    key = f"c{next(_ids)}"
    collected = _collections[key] = Collected(key)
    try:
        yield collected
    finally:
        del _collections[key]


class MemorySinkConfig(ConfigModel):
    collection: str = Field(description="The key of an open `collecting()` block in this process.")


class MemorySink(Sink[MemorySinkConfig, SinkReport]):
    """Keeps the records' reader-facing aspects in the open collection named by the config."""

    def __post_init__(self) -> None:
        collected = _collections.get(self.config.collection)
        if collected is None:
            raise ValueError(
                f"no open in-memory collection {self.config.collection!r}; this sink only "
                "works inside the process that opened it (cdw_datahub.sinks.memory.collecting)"
            )
        self.collected = collected

    def write_record_async(
        self, record_envelope: RecordEnvelope, write_callback: WriteCallback
    ) -> None:
        record = record_envelope.record
        if isinstance(record, MetadataChangeProposalWrapper):
            if record.aspect is not None and record.entityUrn is not None:
                self.collected.keep(record.entityUrn, record.aspect)
        elif isinstance(record, MetadataChangeEventClass):
            snapshot = record.proposedSnapshot
            for aspect in snapshot.aspects:
                self.collected.keep(snapshot.urn, aspect)
        # anything else (a raw MCP, e.g. PATCH) is not a whole aspect: skipped, as Lite does
        self.collected.records += 1
        self.report.report_record_written(record_envelope)
        if write_callback:
            write_callback.on_success(record_envelope, {})
