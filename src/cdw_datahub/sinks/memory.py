"""A sink that keeps, in this process, the aspects the catalog reader looks at (for `scan`).

`scan` used to send its pipeline into DataHub's `file` sink and read the file back: the sink
builds its whole JSON document by repeated string concatenation on close, and reading back
re-validated every record through DataHub's Avro classes. This sink skips both. Each aspect
the readers use (`catalog.views.READ_ASPECTS`) becomes plain JSON-like data straight from the
Avro object's own field dict, with no validation pass (the pipeline built these objects; the
file sink's `to_obj()` would validate them again); every other aspect is dropped on arrival.

The shape is the simplified aspect JSON the readers take (`catalog/backends.py`), except that a
union value is held bare rather than wrapped in its type's name (`"1-99"`, not
`{"string": "1-99"}`); no view reads a union member's type, and `views._value` takes both.

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

from avrogen.dict_wrapper import DictWrapper
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
    """What one pipeline run's sink kept: {urn: {aspect name: aspect as plain data}}."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.entities: Entities = {}
        self.records = 0

    def sink_config(self) -> dict[str, Any]:
        return {"type": SINK_TYPE, "config": {"collection": self.key}}

    def keep(self, urn: str, aspect: Any) -> None:
        name = aspect.ASPECT_NAME
        if name in READ_ASPECTS:  # later records win, as in every DataHub store
            self.entities.setdefault(urn, {})[name] = plain(aspect)


@contextlib.contextmanager
def collecting() -> Iterator[Collected]:
    """A collection a `MemorySink` in this process writes into while the block runs."""
    key = f"c{next(_ids)}"
    collected = _collections[key] = Collected(key)
    try:
        yield collected
    finally:
        del _collections[key]


def plain(value: Any) -> Any:
    """An Avro object as dicts and lists: its field dict, recursively, without `None` fields
    (as DataHub's simplified JSON)."""
    if isinstance(value, DictWrapper):
        return {k: plain(v) for k, v in value._inner_dict.items() if v is not None}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    return value


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
