"""When a dataset's description was made, kept from run to run.

Every association and audit stamp `cdw_describe` writes carries a time. Stamped with each run's
clock, an unchanged dataset would come out different on every run: a new version of each of its
aspects in the DataHub server or Lite file, and each aspect serialized and compared again. So the
time is the dataset's own: a fingerprint of everything its description is computed from (the
source's record of the dataset, every file of the glossary and policies folders, the program, and
this package's code) is written with the time into the system metadata of the aspects written
for the dataset (`systemMetadata.properties`, which DataHub stores and shows nowhere). A later run
that computes the same fingerprint describes the dataset with the stored time, so its output is
identical to what is stored and the store's own unchanged-aspect handling applies (GMS keeps the
version; `cdw-lite` does not even serialize it). Anything different (a column, a rule, a
glossary edit, another release) gives another fingerprint, and the dataset gets this run's time.

The stamp decides the time, and lets the writer leave out an aspect that is stored exactly as
this description wrote it (`writes.py`). A store that lost it (anyone else's write replaces an
aspect's system metadata) only gets that aspect written again, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import MetadataChangeEventClass, SchemaMetadataClass

import cdw_datahub
from cdw_datahub.policy.files import YAML_SUFFIXES
from cdw_datahub.sources import evidence, steward

KEY = "cdw.describedAs"  # systemMetadata.properties key: "<fingerprint>@<epoch ms>"
_INHERITED = "+lineage"  # appended for a view's second description (`inherited()`)


def run_fingerprint(folders: Iterable[Path], program: str | None) -> Any:
    """What every dataset's description depends on besides its own record: the bytes of every
    YAML file under `folders`, the program, and the package's code (a new release, or a developer's
    edit, describes differently)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"program={program}\0".encode())
    package = Path(cdw_datahub.__file__).parent
    code = sorted(package.rglob("*.py"))
    for root, files in [(package, code), *((f, _files(f)) for f in folders)]:
        for path in files:
            digest.update(f"{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
    return digest


def _files(folder: Path) -> list[Path]:
    """Every steward file under the folder (any YAML: a file the loader skips costs nothing)."""
    return sorted(p for p in folder.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def dataset_fingerprint(run: Any, record: object, schema: SchemaMetadataClass) -> str:
    """The run's fingerprint and the source's record of one dataset, as it arrived (before any
    stage edited it), with what the source attached to its schema in process: the value
    detectors' ids and the steward's file's values. An MCE's own system metadata (run id,
    time) is left out."""
    digest = run.copy()  # a blake2b of run_fingerprint()
    content: object = record
    if isinstance(record, MetadataChangeEventClass):
        content = record.proposedSnapshot
    elif isinstance(record, MetadataChangeProposalWrapper):  # not its system metadata either
        content = (record.entityUrn, record.aspect)
    hits = sorted((path, sorted(ids)) for path, ids in evidence.of(schema).items())
    for part in (content, hits, steward.of(schema)):
        digest.update(repr(part).encode())
    return digest.hexdigest()


def stamp(fingerprint: str, time_ms: int) -> str:
    return f"{fingerprint}@{time_ms}"


def inherited(properties: Mapping[str, str], time_ms: int) -> dict[str, str]:
    """The stamp of a dataset's second description, with what its fields inherit through
    lineage: its own fingerprint, that description's time, and a mark (the two descriptions
    write different aspects, so one's stamp must never pass for the other's)."""
    fingerprint = properties.get(KEY, "").partition("@")[0]
    return {KEY: f"{stamp(fingerprint, time_ms)}{_INHERITED}"}


def time_of(properties: Mapping[str, str]) -> int | None:
    """The time in a record's stamp (`stamp()`, `inherited()`), or None."""
    time_text = properties.get(KEY, "").partition("@")[2].removesuffix(_INHERITED)
    return int(time_text) if time_text.isdigit() else None


def stamp_of(system: Mapping[str, Any] | None) -> str | None:
    """The stamp in a stored aspect's system metadata (JSON), or None."""
    found = ((system or {}).get("properties") or {}).get(KEY)
    return found if isinstance(found, str) else None


def stored_time(fingerprint: str, systems: Iterable[Mapping[str, Any] | None]) -> int | None:
    """The time stored with `fingerprint` in any of these system metadata, or None."""
    for system in systems:
        found = stamp_of(system)
        if found is not None and found.partition("@")[0] == fingerprint:
            return time_of({KEY: found})
    return None
