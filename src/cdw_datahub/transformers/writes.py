"""How `cdw_describe` writes into a catalog that people also edit: PATCH, never replace.

A steward who adds a dataset tag, an owner, a link or a structured property in the DataHub UI
writes the same aspects ingestion writes (`globalTags`, `glossaryTerms`, `ownership`,
`institutionalMemory`, `structuredProperties`; only field edits go to `editable*` aspects). An
UPSERT of any of them would erase those edits on every run. So, when the pipeline writes into a
store with a state (a DataHub server through `datahub-rest`, or a DataHub Lite file), each such
aspect is written as a PATCH (DataHub's patch builders, `changeType: PATCH`) that adds this run's
associations and removes only the ones this project made before (recognised by their
attribution: `attribution.source` is ours, DataHub's compound patch key) that no longer apply.
Entries made by people or other tools are never touched.

Domains: a dataset has one. When the stored domain is not one this project set (its
`domainAssociations` entry is not attributed to us), a person or another tool chose it, and the
UI's choice wins: ingestion leaves it alone and reports it.

Into a file sink or `blackhole` (no state to keep) the aspects are written whole, as before.

Every record written for a dataset carries the dataset's stamp (stamps.py) in its system
metadata, and the dataset's stored state is read before it is described, in one batch: the stamp
read back decides the time the description is made with, and an aspect stored with the very stamp
its record would carry is not written again (`_as_written`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.mcp_patch_builder import MetadataPatchProposal
from datahub.ingestion.api.common import PipelineContext
from datahub.metadata.schema_classes import (
    DomainAssociationClass,
    DomainsClass,
    GlobalTagsClass,
    GlossaryTermsClass,
    InstitutionalMemoryClass,
    MetadataAttributionClass,
    MetadataChangeProposalClass,
    OwnershipClass,
    StructuredPropertiesClass,
    SystemMetadataClass,
)
from datahub.specific.aspect_helpers.institutional_memory import (
    _ELEMENTS_APK,
    HasInstitutionalMemoryPatch,
)
from datahub.specific.aspect_helpers.ownership import HasOwnershipPatch
from datahub.specific.aspect_helpers.structured_properties import HasStructuredPropertiesPatch
from datahub.specific.aspect_helpers.tags import HasTagsPatch
from datahub.specific.aspect_helpers.terms import HasTermsPatch
from datahub.utilities.urns.urn import guess_entity_type

from cdw_datahub.contract import ACTOR, ATTRIBUTION_SOURCE
from cdw_datahub.transformers import stamps

logger = logging.getLogger("cdw_datahub.describe")

PATCHED = frozenset(
    c.ASPECT_NAME
    for c in (
        GlobalTagsClass,
        GlossaryTermsClass,
        OwnershipClass,
        InstitutionalMemoryClass,
        StructuredPropertiesClass,
    )
)
STATEFUL = PATCHED | {DomainsClass.ASPECT_NAME}

Key = tuple[str, str]  # (entity URN, aspect name)

BATCH = 100  # entities per read: one request per entity type and hundred entities


class Stored(NamedTuple):
    """One stored aspect, as JSON: its value and its system metadata."""

    value: dict[str, Any]
    system: dict[str, Any] | None


class StoredAspects(Protocol):
    """What the catalog this pipeline writes to holds now."""

    def get_many(self, keys: Collection[Key]) -> dict[Key, Stored]:
        """The stored aspects of `keys` that exist, in few reads (not one per aspect)."""
        ...


class LiteAspects:
    """The DataHub Lite file the pipeline's sink writes, read-only (version 0 = latest)."""

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None

    def get_many(self, keys: Collection[Key]) -> dict[Key, Stored]:
        keys = set(keys)
        if self._db is None:
            if not self.path.is_file():
                return {}
            self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        urns = sorted({urn for urn, _ in keys})
        names = sorted({name for _, name in keys})
        out: dict[Key, Stored] = {}
        for start in range(0, len(urns), 500):  # SQLite's bound-parameter limit
            batch = urns[start : start + 500]
            try:
                rows = self._db.execute(
                    "SELECT urn, aspect_name, metadata, system_metadata "  # noqa: S608
                    "FROM metadata_aspect_v2 "
                    f"WHERE version = 0 AND urn IN ({','.join('?' * len(batch))}) "
                    f"AND aspect_name IN ({','.join('?' * len(names))})",
                    [*batch, *names],
                ).fetchall()
            except sqlite3.OperationalError as e:
                if "no such table" in str(e):  # a new file: the sink has not made its tables yet
                    return {}
                raise  # e.g. locked: reading nothing would undo what people edited
            out.update(
                ((u, n), Stored(json.loads(m), json.loads(s) if s else None))
                for u, n, m, s in rows
                if (u, n) in keys
            )
        return out


class GraphAspects:
    """A DataHub server, through the graph client the `datahub-rest` sink gives the pipeline:
    OpenAPI v3 `batchGet`, per entity type, a hundred entities and only the aspects asked for."""

    def __init__(self, graph: Any):
        self.graph = graph

    def get_many(self, keys: Collection[Key]) -> dict[Key, Stored]:
        wanted: dict[str, dict[str, set[str]]] = {}  # entity type -> urn -> aspect names
        for urn, name in keys:
            wanted.setdefault(guess_entity_type(urn), {}).setdefault(urn, set()).add(name)
        out: dict[Key, Stored] = {}
        for entity_type, by_urn in wanted.items():
            urns = sorted(by_urn)
            names = sorted(set().union(*by_urn.values()))
            for start in range(0, len(urns), BATCH):
                batch = urns[start : start + BATCH]
                found = self.graph.get_entities(entity_type, batch, names, True)
                for urn, aspects in found.items():
                    for name, (aspect, system) in aspects.items():
                        if name in by_urn.get(urn, ()):
                            out[(urn, name)] = Stored(
                                aspect.to_obj(), system.to_obj() if system else None
                            )
        return out


def stored_aspects(ctx: PipelineContext) -> StoredAspects | None:
    """The state of the catalog this pipeline writes to, or None when it keeps none."""
    if ctx.graph is not None:
        return GraphAspects(ctx.graph)
    sink = ctx.pipeline_config.sink if ctx.pipeline_config else None
    if sink is not None and sink.type in ("cdw-lite", "datahub-lite"):
        config = sink.config or {}
        if config.get("type", "sqlite") == "sqlite" and (config.get("config") or {}).get("file"):
            return LiteAspects(Path(config["config"]["file"]))
    return None


class _Patch(
    HasTagsPatch,
    HasTermsPatch,
    HasOwnershipPatch,
    HasStructuredPropertiesPatch,
    HasInstitutionalMemoryPatch,
    MetadataPatchProposal,
):
    """DataHub's own patch mixins, for any entity (datasets and schema fields)."""


def _key(mcp: MetadataChangeProposalWrapper) -> Key | None:
    """(URN, aspect) of an aspect people also edit, written against what the store holds."""
    if mcp.entityUrn and mcp.aspectName in STATEFUL:
        return mcp.entityUrn, mcp.aspectName
    return None


def ours(attribution: dict[str, Any] | None) -> bool:
    return bool(attribution) and (attribution or {}).get("source") == ATTRIBUTION_SOURCE


class PatchWriter:
    def __init__(self, stored: StoredAspects, run_id: str | None = None):
        self.stored = stored
        self.run_id = run_id
        self.kept_domains: list[str] = []  # datasets whose domain a person chose
        self._read: dict[Key, Stored | None] = {}  # the state of the dataset being written
        self._written: set[Key] = set()  # what this run wrote of it so far

    def read(self, urn: str, field_urns: Iterable[str]) -> list[dict[str, Any] | None]:
        """Read a dataset's state in one batch before it is described (its aspects people also
        edit, its fields' properties); the system metadata stored with its own aspects."""
        keys = {(urn, name) for name in STATEFUL}
        keys.update((f, StructuredPropertiesClass.ASPECT_NAME) for f in field_urns)
        found = self.stored.get_many(keys)
        self._read = {key: found.get(key) for key in keys}
        self._written = set()
        return [found[(urn, name)].system for name in sorted(STATEFUL) if (urn, name) in found]

    def rewrite(
        self, mcps: Iterable[MetadataChangeProposalWrapper], properties: dict[str, str]
    ) -> Iterator[MetadataChangeProposalWrapper | MetadataChangeProposalClass]:
        """`mcps` with every aspect people also edit turned into a PATCH against the store,
        each record with system metadata carrying `properties` (the dataset's stamp)."""
        mcps = list(mcps)  # one dataset's records: what was not read before is read in one go
        keys = [_key(mcp) for mcp in mcps]
        missing = {key for key in keys if key and key not in self._read}
        if missing:
            found = self.stored.get_many(missing)
            self._read.update((key, found.get(key)) for key in missing)
        for mcp, key in zip(mcps, keys, strict=True):
            current = self._read[key] if key else None
            if key is not None and self._as_written(key, current, properties):
                continue
            system = self._system(properties)
            if key is None:
                mcp.systemMetadata = system
                yield mcp
                continue
            self._written.add(key)
            if isinstance(mcp.aspect, DomainsClass):
                if self._domain_is_ours(current.value if current else {}):
                    mcp.systemMetadata = system
                    yield mcp
                else:
                    self.kept_domains.append(key[0])
                continue
            yield from _patch(key[0], mcp.aspect, current.value if current else {}, system).build()

    def _as_written(self, key: Key, current: Stored | None, properties: dict[str, str]) -> bool:
        """The stored aspect is what this very description wrote (its system metadata carries
        the same stamp: the same inputs, described at the same time) and nothing in this run
        wrote it since: writing it again would change nothing. Anyone else's write replaces the
        system metadata, so an entry of ours a person removed is added again, as before."""
        stamp = properties.get(stamps.KEY)
        return (
            stamp is not None
            and current is not None
            and key not in self._written
            and stamps.stamp_of(current.system) == stamp
        )

    def _system(self, properties: dict[str, str]) -> SystemMetadataClass:
        """What DataHub's own stamping gives a source's records (run id, when), plus ours; one
        object per record, as emitters and sinks fill it in."""
        return SystemMetadataClass(
            lastObserved=int(time.time() * 1000), runId=self.run_id, properties=dict(properties)
        )

    @staticmethod
    def _domain_is_ours(current: dict[str, Any]) -> bool:
        domains = current.get("domains") or []
        if not domains:
            return True
        mine = {
            a["domain"]
            for a in current.get("domainAssociations") or []
            if ours(a.get("attribution"))
        }
        return set(domains) <= mine


@dataclass(frozen=True)
class _Kind:
    """How one aspect's entries are listed, keyed, added and removed with DataHub's builders."""

    items: str  # the array field, in the Avro object and in the stored JSON alike
    # an entry -> what identifies it; the same for an Avro object and its stored JSON (`.get`)
    key: Callable[[Any], tuple[Any, ...]]
    add: Callable[[_Patch, Any], Any]
    remove: Callable[[_Patch, dict[str, Any]], Any]
    is_ours: Callable[[dict[str, Any]], bool] = lambda entry: ours(entry.get("attribution"))


def _remove_link(p: _Patch, entry: dict[str, Any]) -> None:
    # DataHub's builders have no remove for links; the operation is the one GMS keys them by
    p._add_patch(
        InstitutionalMemoryClass.ASPECT_NAME,
        "remove",
        path=("elements", entry["url"]),
        value={},
        array_primary_keys=_ELEMENTS_APK,
    )


KINDS: dict[type, _Kind] = {
    GlobalTagsClass: _Kind(
        "tags",
        lambda t: (t.get("tag"),),
        _Patch.add_tag,
        lambda p, t: p.remove_tag(t["tag"], ATTRIBUTION_SOURCE),
    ),
    GlossaryTermsClass: _Kind(
        "terms",
        lambda t: (t.get("urn"),),
        _Patch.add_term,
        lambda p, t: p.remove_term(t["urn"], ATTRIBUTION_SOURCE),
    ),
    OwnershipClass: _Kind(
        "owners",
        lambda o: (o.get("owner"), o.get("type")),
        _Patch.add_owner,
        lambda p, o: p.remove_owner(
            o["owner"], o.get("type"), o.get("typeUrn"), ATTRIBUTION_SOURCE
        ),
    ),
    StructuredPropertiesClass: _Kind(
        "properties",
        lambda a: (a.get("propertyUrn"),),
        _Patch.set_structured_property_manual,
        lambda p, a: p.remove_structured_property(a["propertyUrn"], ATTRIBUTION_SOURCE),
    ),
    InstitutionalMemoryClass: _Kind(
        "elements",
        lambda e: (e.get("url"),),
        _Patch.add_institutional_memory,
        _remove_link,
        is_ours=lambda e: (e.get("createStamp") or {}).get("actor") == ACTOR,  # no source field
    ),
}


def _patch(urn: str, aspect: Any, current: dict[str, Any], system: SystemMetadataClass) -> _Patch:
    """Add every entry of `aspect`; remove the entries of ours in `current` it no longer has."""
    kind, p = KINDS[type(aspect)], _Patch(urn, system_metadata=system)
    entries = getattr(aspect, kind.items)
    wanted = {kind.key(e) for e in entries}
    for entry in entries:
        kind.add(p, entry)
    for stored in current.get(kind.items) or []:
        if kind.is_ours(stored) and kind.key(stored) not in wanted:
            kind.remove(p, stored)
    return p


def attributed(domain_urn: str, attribution: MetadataAttributionClass) -> DomainsClass:
    """The program domain, with an association that says it is ours."""
    return DomainsClass(
        domains=[domain_urn],
        domainAssociations=[DomainAssociationClass(domain=domain_urn, attribution=attribution)],
    )
