"""`cdw-lite`: DataHub's `datahub-lite` sink, writing the same file faster.

The stock Lite (sqlite engine, `datahub/lite/sql_backed_lite.py`) commits once per record and once
per browse edge, serializes each aspect twice (into the MCP and back out), writes browse edges while
it ingests, and then, on `close()`, deletes every edge and rebuilds them by parsing every aspect of
the whole database into typed objects. At 1,000 tables x 30 columns that is ~9,000 commits and a
full-database parse, and a re-ingest pays for the whole catalog again.

`CdwLite` keeps the stock file format, tables, versioning and browse-edge rules; it changes only
how it writes:
- one transaction per `commit_every` records or `commit_seconds` (a savepoint per record, so one
  bad record is rolled back alone, as with the stock sink), begun IMMEDIATE so concurrent runs
  into one file take turns instead of failing with "database is locked";
- each aspect is serialized once;
- no edges during ingestion (the stock `close()` throws them away anyway);
- on close, the edges are rebuilt in memory by DataHub's own hooks (`post_update_hook`,
  `global_post_update_hook`) fed with only the aspects those hooks read (names, containers,
  sub-types, platform instances), in the stock order; the table is rewritten, in one transaction,
  only when the result differs from what it holds. Rows, row order and values equal what the stock
  `reindex()` writes, so DataHub's `datahub lite` commands and Lite API read the file unchanged;
- an aspect identical to the stored one is skipped without being serialized (`_Prepared`): the
  sink keeps, in a table of its own (`cdw_aspect_fingerprint`, which Lite never reads), a
  fingerprint of each aspect object it wrote next to a hash of the text stored for it. An
  incoming aspect with the same fingerprint, whose stored text still has that hash, is the same
  aspect: it is not serialized, and only its `lastObserved` is refreshed, as the stock sink does.
  Any other case (a first write, a change, a file the stock sink wrote since) takes the stock
  path: serialize, compare the text, write a new version if needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from datahub.configuration.common import ConfigurationError
from datahub.emitter.aspect import ASPECT_MAP
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.mcp_builder import mcps_from_mce
from datahub.emitter.serialization_helper import post_json_transform, pre_json_transform
from datahub.ingestion.api.sink import SinkReport
from datahub.ingestion.sink.datahub_lite import DataHubLiteSink, DataHubLiteSinkConfig
from datahub.lite.sqlite_lite import SqliteLite
from datahub.lite.sqlite_lite_config import SqliteLiteConfig
from datahub.metadata.schema_classes import (
    ChangeTypeClass,
    ChartInfoClass,
    ContainerClass,
    ContainerPropertiesClass,
    DashboardInfoClass,
    DataPlatformInstanceClass,
    DatasetPropertiesClass,
    MetadataChangeEventClass,
    MetadataChangeProposalClass,
    SubTypesClass,
    SystemMetadataClass,
    TagPropertiesClass,
)
from datahub.utilities.urns.urn import Urn
from pydantic import Field

from cdw_datahub.patching import apply_patch

logger = logging.getLogger(__name__)

# Several runs may write one Lite file (three recipes started together). A transaction is
# committed after `commit_every` records or COMMIT_SECONDS, whichever comes first, so the write
# lock changes hands often; a run waits for it up to LOCK_TIMEOUT_S, then fails in one line.
COMMIT_SECONDS = 0.5
LOCK_TIMEOUT_S = 120.0
BUSY_POLL_MS = 10
HANDOVER_S = 0.005
# what the stock _init_db creates (tables and their unique indexes)
SCHEMA = (
    "metadata_aspect_v2",
    "aspect_idx",
    "metadata_edge_v2",
    "edge_idx",
    "cdw_aspect_fingerprint",  # ours: see _Prepared
)
FINGERPRINT_TABLE = (
    "CREATE TABLE IF NOT EXISTS cdw_aspect_fingerprint (urn TEXT, aspect_name TEXT, "
    "fingerprint BLOB, text_hash BLOB, PRIMARY KEY (urn, aspect_name)) WITHOUT ROWID"
)


class LiteLocked(Exception):
    """Another process kept the Lite file's write lock longer than the configured bound."""

    def __init__(self, file: str, timeout: float):
        super().__init__(
            f"{file} is locked by another writer and stayed locked for {timeout:g} s; run the "
            "ingestions one after another or raise the sink's lock_timeout"
        )


# The aspects DataHub Lite's browse-edge hooks look at; every other aspect is a no-op for them.
EDGE_ASPECTS: frozenset[str] = frozenset(
    cls.ASPECT_NAME
    for cls in (
        ChartInfoClass,
        ContainerClass,
        ContainerPropertiesClass,
        DashboardInfoClass,
        DataPlatformInstanceClass,
        DatasetPropertiesClass,
        SubTypesClass,
        TagPropertiesClass,
    )
)

NO_DATASET_WARNING = (
    "cdw-lite wrote no dataset: the source matched no table or view; check the recipe's "
    "schema_pattern / table_pattern and the database it connects to"
)

Edge = list[Any]  # [src_id, relnship, dst_id, dst_label], mutable like a table row


class _EdgeTable:
    """metadata_edge_v2 in memory, with the stock `add_edge` semantics (insert, or update in place).

    Rows keep insertion order: written out after a DELETE, they get the same rowids the stock
    reindex gives them.
    """

    def __init__(self) -> None:
        self.rows: list[Edge] = []
        self._by_key: dict[tuple[str, str, str], Edge] = {}
        self._by_src_rel: dict[tuple[str, str], list[Edge]] = {}

    def add(
        self, src: str, relnship: str, dst: str, label: str | None, remove_existing: bool
    ) -> None:
        if remove_existing:
            rows = self._by_src_rel.get((src, relnship), [])
            # SELECT ... WHERE src_id=? AND relnship=? walks the unique index: lowest dst first
            existing = min(rows, key=lambda r: r[2]) if rows else None
        else:
            existing = self._by_key.get((src, relnship, dst))
        if existing is None:
            row: Edge = [src, relnship, dst, label]
            self.rows.append(row)
            self._by_key[(src, relnship, dst)] = row
            self._by_src_rel.setdefault((src, relnship), []).append(row)
            return
        if existing[2] != dst:  # UPDATE ... WHERE src_id=? AND relnship=?
            for row in list(self._by_src_rel[(src, relnship)]):
                del self._by_key[(row[0], row[1], row[2])]
                row[2] = dst
                if existing[3] != label:
                    row[3] = label
                self._by_key[(row[0], row[1], row[2])] = row
        elif existing[3] != label:  # UPDATE ... WHERE src_id=? AND relnship=? AND dst_id=?
            existing[3] = label


class CdwLite(SqliteLite):
    """A DataHub Lite sqlite store that batches writes and rebuilds browse edges cheaply."""

    def __init__(
        self,
        config: SqliteLiteConfig,
        commit_every: int = 2000,
        commit_seconds: float = COMMIT_SECONDS,
        lock_timeout: float = LOCK_TIMEOUT_S,
    ) -> None:
        self.commit_every = commit_every
        self.commit_seconds = commit_seconds
        self.lock_timeout = lock_timeout
        self._pending = 0
        self._in_batch = False
        self._opened = 0.0  # monotonic time the open transaction began
        self._locked_out: LiteLocked | None = None
        self._edges: _EdgeTable | None = None
        self.changed = 0  # aspects that got a new version in this session
        self.entity_types: set[str] = set()  # urn:li:<type>:..., for the sink's "0 datasets" check
        self.unchanged = 0  # aspects identical to the stored version, not written
        super().__init__(config)

    def _connect(self, fpath: Any) -> None:
        if self.config.read_only:
            super()._connect(fpath)
        else:
            # The stock connection has SQLite's default 5 s busy timeout while it runs the
            # options' PRAGMAs; `journal_mode` needs the file's lock, which another run may hold
            # for longer: wait up to lock_timeout there too.
            self.sqlite_client = sqlite3.connect(
                str(fpath), timeout=self.lock_timeout, check_same_thread=False
            )
            for pragma, value in self.config.options.items():
                self.sqlite_client.execute(f"PRAGMA {pragma} = {value}")
        # transactions are ours to open and close (BEGIN IMMEDIATE / SAVEPOINT / COMMIT)
        self.sqlite_client.isolation_level = None
        if "busy_timeout" not in self.config.options:
            # short: _begin polls for the write lock itself, see there
            self.sqlite_client.execute(f"PRAGMA busy_timeout = {BUSY_POLL_MS}")
        if "cache_spill" not in self.config.options:
            # `cdw_describe` reads the file's stored state on a connection of its own, in the
            # same thread, while a batch is open. Without WAL a batch that outgrows the page
            # cache spills to the file under an EXCLUSIVE lock, and that read then waits out its
            # whole busy timeout for a lock only this thread can release (5 s a time: a
            # 300-table ingest took 62 s for 7 s of work). Unspilled, the batch holds only the
            # RESERVED lock until it commits, which readers pass.
            self.sqlite_client.execute("PRAGMA cache_spill = OFF")

    def _init_db(self) -> None:
        names = self._execute(
            f"SELECT name FROM sqlite_master WHERE name IN ({','.join('?' * len(SCHEMA))})",
            SCHEMA,
        )
        if len(names) == len(SCHEMA):
            return  # nothing to create, so no need to wait for the write lock
        self._begin()  # the stock CREATE TABLE / INDEX statements, then its _commit()
        try:
            self._execute(FINGERPRINT_TABLE)
            super()._init_db()
        except BaseException:
            self._rollback()
            raise

    # -- transactions: short, and waiting for another writer of the same file ----------------

    def _begin(self) -> None:
        """BEGIN IMMEDIATE: take the file's write lock now, waiting for another writer.

        A deferred BEGIN reads first and, when another run wrote in between, fails at its first
        write with "database is locked" without waiting at all. SQLite's busy handler backs off
        to 100 ms sleeps and keeps missing the short gaps between another run's transactions, so
        each attempt waits only BUSY_POLL_MS and the loop retries up to `lock_timeout`."""
        if self._in_batch:
            return
        if self._locked_out is not None:
            raise self._locked_out  # waited once already: fail every further record at once
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                self.sqlite_client.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                if time.monotonic() >= deadline:
                    self._locked_out = LiteLocked(self.config.file, self.lock_timeout)
                    raise self._locked_out from e
        self._in_batch = True
        self._opened = time.monotonic()
        self._pending = 0

    def _commit(self) -> None:  # the stock _init_db commits; nothing else of ours calls this
        if self._in_batch:
            self._in_batch = False
            self._pending = 0
            try:
                self.sqlite_client.execute("COMMIT")
            except sqlite3.Error:
                # e.g. the disk is full: SQLite may have rolled back already; make sure
                with contextlib.suppress(sqlite3.Error):
                    self.sqlite_client.execute("ROLLBACK")
                raise

    def _rollback(self) -> None:
        if self._in_batch:
            self._in_batch = False
            self._pending = 0
            self.sqlite_client.execute("ROLLBACK")

    def _due(self) -> bool:
        return (
            self._pending >= self.commit_every
            or time.monotonic() - self._opened >= self.commit_seconds
        )

    # -- writing aspects ------------------------------------------------------------------------

    def write(
        self,
        record: MetadataChangeEventClass
        | MetadataChangeProposalWrapper
        | MetadataChangeProposalClass,
    ) -> None:
        writeables: Iterable[MetadataChangeProposalWrapper]
        if isinstance(record, MetadataChangeProposalClass):
            self._write_prepared([self._patched(record)])
            return
        if isinstance(record, MetadataChangeProposalWrapper):
            writeables = [record]
        elif isinstance(record, MetadataChangeEventClass):
            writeables = mcps_from_mce(record)
        else:
            raise ValueError(f"DataHub Lite only supports MCEs and MCPs, not {type(record)}")
        # a record that cannot be serialized is rolled back to its savepoint
        self._write_prepared([(w, _Prepared(w)) for w in writeables])

    def _write_prepared(
        self, prepared: list[tuple[MetadataChangeProposalWrapper, _Prepared]]
    ) -> None:
        if not prepared:
            return
        self.entity_types.update(str(w.entityUrn).split(":", 3)[2] for w, _ in prepared)
        db = self.sqlite_client
        self._begin()
        db.execute("SAVEPOINT cdw_record")
        try:
            for writeable, aspect in prepared:
                self._write_one(writeable, aspect)
        except Exception:
            db.execute("ROLLBACK TO cdw_record")
            db.execute("RELEASE cdw_record")
            raise
        db.execute("RELEASE cdw_record")
        self._pending += 1
        if self._due():
            self._commit()
            # the next record usually follows at once; without a pause this run would take the
            # lock straight back and another run waiting for the file would never get in
            time.sleep(HANDOVER_S)

    def _patched(
        self, proposal: MetadataChangeProposalClass
    ) -> tuple[MetadataChangeProposalWrapper, _Prepared]:
        """A PATCH proposal applied to the stored aspect, as GMS applies it (patching.py): the
        proposal to record and the aspect's new JSON text. Stored and patch JSON are both in
        DataHub's serialized form, so no Avro object is built on the way."""
        if proposal.changeType != ChangeTypeClass.PATCH or proposal.aspect is None:
            raise ValueError(
                f"cdw-lite takes PATCH proposals and whole aspects, not {proposal.changeType}"
            )
        urn, name = proposal.entityUrn, str(proposal.aspectName)
        row = self._execute_one(
            "SELECT metadata FROM metadata_aspect_v2 "
            "WHERE urn = ? AND aspect_name = ? AND version = 0",
            [urn, name],
        )
        current = json.loads(row[0]) if row else None
        patched = apply_patch(name, current, proposal.aspect.value)
        record = MetadataChangeProposalWrapper(
            entityUrn=urn,
            entityType=proposal.entityType,
            aspectName=name,
            aspect=None,
            systemMetadata=proposal.systemMetadata,
        )
        return record, _Prepared(record, json.dumps(patched))

    def _write_one(self, w: MetadataChangeProposalWrapper, prepared: _Prepared) -> None:
        """The stock Lite versioning rule: version 0 mirrors the latest version N >= 1; an
        unchanged aspect only refreshes `lastObserved`."""
        urn, name = w.entityUrn, w.aspectName
        row = self._execute_one(
            "SELECT a.metadata, a.system_metadata, f.fingerprint, f.text_hash "
            "FROM metadata_aspect_v2 a LEFT JOIN cdw_aspect_fingerprint f "
            "ON f.urn = a.urn AND f.aspect_name = a.aspect_name "
            "WHERE a.urn = ? AND a.aspect_name = ? AND a.version = 0",
            [urn, name],
        )
        if (
            row is not None
            and prepared.fingerprint is not None
            and row[2] == prepared.fingerprint
            and row[3] == _text_hash(row[0])
        ):
            self._unchanged(w, row[1])  # the same aspect object as the one whose text is stored
            return
        text = prepared.text
        if row is None:
            new_version, needs_write = 1, True
        else:
            existing_meta = json.loads(row[1])
            real_version = existing_meta.get("properties", {}).get("sysVersion")
            if real_version is None:
                top = self._execute_one(
                    "SELECT max(version) FROM metadata_aspect_v2 WHERE urn = ? AND aspect_name = ?",
                    [urn, name],
                )
                assert top
                real_version = top[0]
            real_version = int(real_version)
            same = row[0] == text or json.loads(row[0]) == json.loads(text)
            new_version, needs_write = (real_version, False) if same else (real_version + 1, True)
        if prepared.fingerprint is not None:  # not a patch's result
            self._execute(
                "INSERT OR REPLACE INTO cdw_aspect_fingerprint VALUES (?, ?, ?, ?)",
                [urn, name, prepared.fingerprint, _text_hash(text)],
            )
        if not needs_write:
            assert row is not None  # only an existing row can be unchanged
            self._unchanged(w, row[1])
            return

        created_on = int(time.time() * 1000.0)
        if w.systemMetadata is not None and w.systemMetadata.lastObserved:
            created_on = w.systemMetadata.lastObserved
        # like the stock sink: the dict is taken before lastObserved is filled in, when present
        system: dict[str, Any] | None = (
            w.systemMetadata.to_obj() if w.systemMetadata is not None else None
        )
        if w.systemMetadata is None:
            w.systemMetadata = SystemMetadataClass(lastObserved=created_on, properties={})
        elif w.systemMetadata.lastObserved is None:
            w.systemMetadata.lastObserved = created_on
        if system is None:
            system = w.systemMetadata.to_obj()
        system.setdefault("properties", {})
        if system["properties"] is None:
            system["properties"] = {}
        system["properties"]["sysVersion"] = str(new_version)

        system_text = json.dumps(system)
        self._execute(
            "INSERT INTO metadata_aspect_v2 VALUES (?, ?, ?, ?, ?, ?)",
            [urn, name, new_version, text, system_text, created_on],
        )
        if row is None:
            self._execute(
                "INSERT INTO metadata_aspect_v2 VALUES (?, ?, ?, ?, ?, ?)",
                [urn, name, 0, text, system_text, created_on],
            )
        else:
            self._execute(
                "UPDATE metadata_aspect_v2 SET metadata = ?, system_metadata = ? "
                "WHERE urn = ? AND aspect_name = ? AND version = 0",
                [text, system_text, urn, name],
            )
        self.changed += 1

    def _unchanged(self, w: MetadataChangeProposalWrapper, stored_system: str) -> None:
        """As the stock sink does for an unchanged aspect: only `lastObserved` moves (readers
        date a harvest by it), to the record's own or now."""
        self.unchanged += 1
        system = w.systemMetadata
        observed = system.lastObserved if system is not None and system.lastObserved else None
        refreshed = json.loads(stored_system)
        refreshed["lastObserved"] = observed or int(time.time() * 1000.0)
        self._execute(
            "UPDATE metadata_aspect_v2 SET system_metadata = ? "
            "WHERE urn = ? AND aspect_name = ? AND version = 0",
            [json.dumps(refreshed), w.entityUrn, w.aspectName],
        )

    # -- browse edges ---------------------------------------------------------------------------

    def add_edge(
        self,
        src: Urn | str,
        relnship: str,
        dst: Urn | str,
        dst_label: str | None = None,
        remove_existing: bool = False,
    ) -> None:
        if self._edges is None:  # only reachable if some other caller asks for one edge
            super().add_edge(src, relnship, dst, dst_label, remove_existing)
            return
        self._edges.add(str(src), relnship, str(dst), dst_label, remove_existing)

    def reindex(self) -> None:
        """Rebuild metadata_edge_v2 exactly as the stock reindex does, from edge aspects only.

        Read and rewrite are one write transaction: another run writing the same file between
        them would otherwise get its edges overwritten by ones computed without its aspects."""
        self._commit()
        self._begin()
        try:
            rows = self._edge_rows()
            current = self._execute(
                "SELECT src_id, relnship, dst_id, dst_label FROM metadata_edge_v2 ORDER BY rowid"
            )
            if current != rows:
                db = self.sqlite_client
                db.execute("DELETE FROM metadata_edge_v2")
                db.executemany("INSERT INTO metadata_edge_v2 VALUES (?, ?, ?, ?)", rows)
        except BaseException:
            self._rollback()
            raise
        self._commit()

    def _edge_rows(self) -> list[tuple]:
        self._edges = _EdgeTable()
        try:
            for urn, aspects in self._edge_aspects():
                for aspect_name, aspect in aspects.items():
                    self.post_update_hook(urn, aspect_name, aspect)
                self.global_post_update_hook(urn, aspects)
            return [tuple(r) for r in self._edges.rows]
        finally:
            self._edges = None

    def _edge_aspects(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """Every entity (version 0) in URN order, with its edge-relevant aspects, typed, in
        aspect-name order: what the stock reindex feeds its hooks, minus aspects they ignore."""
        names = sorted(EDGE_ASPECTS)
        marks = ",".join("?" * len(names))
        cursor = self.sqlite_client.execute(
            f"SELECT urn, aspect_name, CASE WHEN aspect_name IN ({marks}) THEN metadata END "
            "FROM metadata_aspect_v2 WHERE version = 0 ORDER BY urn, aspect_name",
            names,
        )
        current: str | None = None
        aspects: dict[str, Any] = {}
        for urn, aspect_name, metadata in cursor:
            if urn != current:
                if current is not None:
                    yield current, aspects
                current, aspects = urn, {}
            if metadata is not None:
                aspects[aspect_name] = ASPECT_MAP[aspect_name].from_obj(
                    post_json_transform(json.loads(metadata))
                )
        if current is not None:
            yield current, aspects

    def close(self) -> None:
        if not self.read_only:
            self._commit()
            self.reindex()
        self._close_connection()


class _Prepared:
    """An incoming aspect: its fingerprint now, its stored text only when it is needed.

    The fingerprint hashes `repr()` of the Avro object: class names and every field value in
    order, nested, with no validation pass (the costly part of `to_obj()`). Equal fingerprints
    mean equal objects, and equal objects serialize to the same text. A patch's result comes as
    text and has no fingerprint (it is always compared the stock way)."""

    def __init__(self, w: MetadataChangeProposalWrapper, text: str | None = None) -> None:
        self.w = w
        self.fingerprint: bytes | None = None
        if text is not None:
            self.__dict__["text"] = text  # the cached_property's slot
            return
        if w.aspect is None:
            raise ValueError(f"no aspect in the proposal for {w.entityUrn}")
        self.fingerprint = hashlib.blake2b(repr(w.aspect).encode(), digest_size=16).digest()

    @cached_property
    def text(self) -> str:
        return _aspect_text(self.w)


def _text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _aspect_text(w: MetadataChangeProposalWrapper) -> str:
    """The aspect as Lite stores it: the JSON of `w.to_obj(simplified_structure=True)['aspect']`,
    computed without the round trip through a serialized MCP. (The stock path dumps, loads and
    dumps again; a JSON text loaded and dumped with the same settings comes out unchanged, and a
    test compares every stored row with the stock sink's.)"""
    if w.aspect is None:
        raise ValueError(f"no aspect in the proposal for {w.entityUrn}")
    return json.dumps(pre_json_transform(w.aspect.to_obj()))


class CdwLiteSinkConfig(DataHubLiteSinkConfig):
    commit_every: int = Field(
        default=2000,
        ge=1,
        description="Records per transaction. The file is consistent after every commit; a "
        "crash loses at most this many records, which a re-run writes again.",
    )
    commit_seconds: float = Field(
        default=COMMIT_SECONDS,
        gt=0,
        description="A transaction is also committed once open this long, so another run "
        "writing the same file waits at most about this long per turn.",
    )
    lock_timeout: float = Field(
        default=LOCK_TIMEOUT_S,
        gt=0,
        description="Seconds to wait for another process's write lock on the file before "
        "failing the run with one clear line.",
    )


@dataclass
class CdwLiteSinkReport(SinkReport):
    aspects_written: int = 0  # new versions
    aspects_unchanged: int = 0  # identical to the stored version: not written


class CdwLiteSink(DataHubLiteSink):
    """Sink `cdw-lite`: the `datahub-lite` sink's config and file, written faster (sqlite only)."""

    config: CdwLiteSinkConfig
    report: CdwLiteSinkReport

    @classmethod
    def get_config_class(cls) -> type[CdwLiteSinkConfig]:
        return CdwLiteSinkConfig

    @classmethod
    def get_report_class(cls) -> type[CdwLiteSinkReport]:
        return CdwLiteSinkReport

    def get_report(self) -> CdwLiteSinkReport:
        lite = getattr(self, "datahub_lite", None)
        if isinstance(lite, CdwLite):
            self.report.aspects_written = lite.changed
            self.report.aspects_unchanged = lite.unchanged
        return self.report

    def __post_init__(self) -> None:
        if self.config.type != "sqlite":
            raise ConfigurationError(
                f"cdw-lite writes the sqlite engine only, not {self.config.type!r}; "
                "use the stock `datahub-lite` sink for other engines"
            )
        if self.config.forward_to is not None:
            raise ConfigurationError(
                "cdw-lite does not forward; use the stock `datahub-lite` sink with forward_to"
            )
        lite_config = SqliteLiteConfig.model_validate(self.config.config)
        if lite_config.read_only:
            raise ConfigurationError("cdw-lite cannot write a read_only Lite config")
        self.lite = CdwLite(
            lite_config,
            commit_every=self.config.commit_every,
            commit_seconds=self.config.commit_seconds,
            lock_timeout=self.config.lock_timeout,
        )
        self.datahub_lite = self.lite

    def write_record_async(self, record_envelope: Any, write_callback: Any) -> None:
        """The stock Lite sink drops PATCH proposals; cdw-lite applies them."""
        record = record_envelope.record
        if not isinstance(record, MetadataChangeProposalClass):
            super().write_record_async(record_envelope, write_callback)
            return
        try:
            self.lite.write(record)
            self.report.report_record_written(record_envelope)
        except Exception as e:
            self.report.report_failure(f"{record_envelope.metadata}: {type(e).__name__}: {e}")
            if write_callback:
                write_callback.on_failure(record_envelope, e, {})
        else:
            if write_callback:
                write_callback.on_success(record_envelope, success_metadata={})

    def close(self) -> None:
        # `datahub ingest` says "finished successfully" for a schema pattern matching nothing;
        # a sink warning makes its summary say so (the glossary recipe writes terms, not datasets).
        if not {"dataset", "glossaryTerm"} & self.lite.entity_types:
            self.report.report_warning(NO_DATASET_WARNING)
        super().close()
