"""A DataHub server (GMS) as a catalog backend, through DataHub's own `DataHubGraph` client.

Reads: `get_urns_by_filter` (GraphQL `scrollAcrossEntities`) lists the URNs of one entity type,
`get_entities` (OpenAPI v3 `batchGet`) fetches their aspects in batches; each aspect is turned into
the simplified JSON the other backends yield, so `views.py` serves all three. Writes go through
`emit_mcp`. The token comes from DATAHUB_GMS_TOKEN and never appears in a message.

Tested against `tests/gms_standin.py` (an HTTP stand-in serving those endpoints from a Lite file);
no real DataHub server was used in the tests.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from cdw_datahub.catalog.backends import Aspects
from cdw_datahub.errors import InputError, server_problem

BATCH_SIZE = 100
TOKEN_ENV = "DATAHUB_GMS_TOKEN"
INDEX_WAIT_ENV = "CDW_INDEX_WAIT"
DEFAULT_INDEX_WAIT = 30.0  # GMS's search lags its writes by seconds; a loaded server, more


def public_url(uri: str) -> str:
    """The URL without user:password (a URL may carry credentials; messages must not)."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _simplified(urn: str, aspect: Any) -> Any:
    """A typed aspect -> the JSON DataHub Lite stores (what views.py reads)."""
    from datahub.emitter.mcp import MetadataChangeProposalWrapper

    wrapper = MetadataChangeProposalWrapper(entityUrn=urn, aspect=aspect)
    return wrapper.to_obj(simplified_structure=True)["aspect"]["json"]


if TYPE_CHECKING:  # GraphQL orFilters: OR of {"and": [criteria]}
    from datahub.ingestion.graph.filters import RawSearchFilter as Filters


def _program_is(program: str, condition: str = "EQUAL") -> Filters:
    """Datasets of a program (`START_WITH`: of programs whose id starts so): its domain, or (a
    steward moved the dataset to another domain) its `cdw.dataset.program` property."""
    from cdw_datahub.contract import domain_urn

    return [
        {"and": [{"field": "domains", "values": [domain_urn(program)], "condition": condition}]},
        {"and": [{"field": "structuredProperties.cdw.dataset.program", "values": [program],
                  "condition": condition}]},
    ]  # fmt: skip


def program_filter(program: str | None) -> Filters | None:
    """A program's datasets, as search filters: a superset of what `select` keeps."""
    return None if program is None else _program_is(program)


# fnmatch's wildcards: `*`, `?` and a set `[...]` (`!` negates; a `]` first is a member)
_WILDCARDS = re.compile(r"\*|\?|\[!?\]?[^\]]*\]")


def _containing(texts: Sequence[str]) -> Filters:
    """URN or qualified name containing one of `texts`, ignoring case (GMS: a case-insensitive
    wildcard query on the keyword field, `*` and `?` in a value escaped)."""
    return [
        {"and": [{"field": field, "values": sorted(set(texts)), "condition": "CONTAIN"}]}
        for field in ("urn", "qualifiedName")
    ]


def _both(a: Filters, b: Filters) -> Filters:
    return [{"and": x["and"] + y["and"]} for x in a for y in b]


def _as_program_table(pattern: str) -> Filters | None:
    """Datasets `pattern` may match as `<program>.<table>` (a table name holds no dot), or None
    when that could be any dataset (`*x*`)."""
    if not _WILDCARDS.search(pattern):
        program, dot, table = pattern.rpartition(".")
        if not dot:
            return []
        # program ids are lower case by convention; the pattern may not be (matching ignores it)
        of_program = [c for p in sorted({program, program.lower()}) for c in _program_is(p)]
        return _both(of_program, _containing([table]))
    runs = _WILDCARDS.split(pattern)
    head = runs[0].split(".", 1)[0]  # how the program id starts
    tail = runs[-1].rsplit(".", 1)[-1]  # how the table ends
    if not head and not tail:
        return None
    if not head:
        return _containing([tail])
    of_program = _program_is(head, "START_WITH")
    return _both(of_program, _containing([tail])) if tail else of_program


def name_filter(patterns: Sequence[str]) -> Filters | None:
    """Search filters for the datasets `DatasetView.matches` may accept for one of `patterns`,
    or None when they cannot narrow the search (`*`): a superset, filtered after.

    A pattern matching a dataset's URN, full name or table holds a text the URN or the qualified
    name contains (the full name is one of them, the table its end): its longest literal run.
    Matching as `<program>.<table>` narrows by the program's id and the table's text."""
    anywhere: list[str] = []
    filters: Filters = []
    for pattern in patterns:
        literal = max(_WILDCARDS.split(pattern), key=len).strip()
        as_program_table = _as_program_table(pattern)
        if not literal or as_program_table is None:
            return None
        anywhere.append(literal)
        filters += [f for f in as_program_table if f not in filters]
    return _containing(anywhere) + filters


def search_filter(program: str | None, names: Sequence[str]) -> Filters | None:
    """The program's datasets (any when None) that may match one of `names` (any when empty)."""
    of_program = program_filter(program)
    named = name_filter(names) if names else None
    if of_program is None or named is None:
        return of_program or named
    return _both(of_program, named)


def index_wait() -> float:
    """Seconds to wait, at most, for the search index to show datasets a selection names
    (CDW_INDEX_WAIT, default 30; 0: do not wait)."""
    text = os.environ.get(INDEX_WAIT_ENV, "").strip()
    try:
        seconds = float(text) if text else DEFAULT_INDEX_WAIT
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise InputError(f"'{text}' is not a number of seconds from 0 to 3600", key=INDEX_WAIT_ENV)
    return seconds


@contextlib.contextmanager
def _quiet_retries() -> Iterator[None]:
    """urllib3 logs its retry of a refused connection as a warning of its own; a server that
    cannot be reached is said once, in the error line."""
    log = logging.getLogger("urllib3.connectionpool")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


class ServerBackend:
    def __init__(self, uri: str, timeout_sec: int = 15):
        from datahub.ingestion.graph.client import DataHubGraph
        from datahub.ingestion.graph.config import DatahubClientConfig

        self.location = public_url(uri)
        self.index_wait = index_wait()
        self._token = os.environ.get(TOKEN_ENV) or None
        config = DatahubClientConfig(
            server=uri.rstrip("/"), token=self._token, timeout_sec=timeout_sec, retry_max_times=1
        )
        self._graph = DataHubGraph(config)  # creating the graph makes no call
        try:
            with _quiet_retries():
                self._graph.test_connection()
                self._probe()
        except Exception as e:  # requests, urllib3 and DataHub all raise their own types
            raise InputError(self._why(e), self.location) from None

    def _probe(self) -> None:
        """GMS answers /config without a token (it is outside its authentication filter), so
        a wrong token shows only on an authenticated call: read one aspect that need not exist
        (404 is an answer; 401 raises)."""
        from datahub.metadata.schema_classes import StatusClass

        self._graph.get_aspect("urn:li:corpuser:datahub", StatusClass)

    def _why(self, error: BaseException) -> str:
        reason = server_problem(error, TOKEN_ENV, self._token is not None)
        return f"cannot reach the DataHub server: {reason}"

    def _fail(self, error: BaseException, doing: str) -> InputError:
        message = str(error)
        if self._token:
            message = message.replace(self._token, "***")
        return InputError(
            f"the DataHub server failed while {doing}: {message[:300]}", self.location
        )

    def _fetch(self, entity_type: str, urns: Sequence[str]) -> dict[str, Aspects]:
        try:
            raw = self._graph.get_entities(entity_type, list(urns))
        except Exception as e:
            raise self._fail(e, f"reading {entity_type} entities") from None
        return {
            urn: {name: _simplified(urn, value[0]) for name, value in aspects.items()}
            for urn, aspects in raw.items()
        }

    def entities(
        self, entity_type: str, program: str | None = None, names: Sequence[str] = ()
    ) -> Iterator[tuple[str, Aspects]]:
        """Searched (soft-deleted entities excluded, as `get_urns_by_filter` does by default),
        narrowed to a program's datasets and the dataset names asked for in the query itself,
        then fetched in batches."""
        try:
            urns = sorted(
                set(
                    self._graph.get_urns_by_filter(
                        entity_types=[entity_type],
                        extra_or_filters=search_filter(program, names),
                    )
                )
            )
        except Exception as e:
            raise self._fail(e, f"listing {entity_type} entities") from None
        for start in range(0, len(urns), BATCH_SIZE):
            batch = urns[start : start + BATCH_SIZE]
            fetched = self._fetch(entity_type, batch)
            for urn in batch:
                if fetched.get(urn):
                    yield urn, fetched[urn]

    def get_many(self, urns: Sequence[str]) -> dict[str, Aspects]:
        from datahub.utilities.urns.urn import Urn

        out: dict[str, Aspects] = {}
        for start in range(0, len(urns), BATCH_SIZE):
            batch = list(urns[start : start + BATCH_SIZE])
            out.update(self._fetch(Urn.from_string(batch[0]).entity_type, batch))
        return out

    def last_observed(self, urns: Sequence[str], aspect_name: str) -> dict[str, int]:
        """URN -> systemMetadata.lastObserved of one aspect (OpenAPI v3 with systemMetadata)."""
        out: dict[str, int] = {}
        for start in range(0, len(urns), BATCH_SIZE):
            batch = list(urns[start : start + BATCH_SIZE])
            try:
                raw = self._graph.get_entities(
                    "dataset", batch, aspects=[aspect_name], with_system_metadata=True
                )
            except Exception as e:
                raise self._fail(e, "reading harvest dates") from None
            for urn, aspects in raw.items():
                system = aspects.get(aspect_name, (None, None))[1]
                if system is not None and system.lastObserved:
                    out[urn] = int(system.lastObserved)
        return out

    def get(self, urn: str) -> Aspects | None:
        from datahub.utilities.urns.urn import Urn

        return self._fetch(Urn.from_string(urn).entity_type, [urn]).get(urn) or None

    def emit(self, mcps: Sequence[Any]) -> None:
        for mcp in mcps:
            try:
                self._graph.emit_mcp(mcp)
            except Exception as e:
                raise self._fail(e, f"writing {mcp.aspectName} of {mcp.entityUrn}") from None

    def close(self) -> None:
        self._graph.close()
