"""A stand-in for DataHub GMS: the endpoints `DataHubGraph` and the stock `datahub-rest` sink call,
served from a DataHub Lite file (or empty). Enough to exercise `ServerBackend` and real ingestion
offline; it is not a DataHub server.

    with GmsStandIn(lite_path) as gms:            # or GmsStandIn(None): an empty server
        backend = ServerBackend(gms.url)

Endpoints (read from datahub/ingestion/graph/client.py, emitter/rest_emitter.py and
emitter/request_helper.py, 1.7; behaviour from GMS's own source, metadata-service/):
- GET    /config                                   unauthenticated, as in GMS (the auth filter
                                                   covers Rest.li, GraphQL and OpenAPI, not it)
- POST   /api/graphql                              scrollAcrossEntities with orFilters
- GET    /aspects/{urn}?aspect=NAME&version=0      get_aspect
- POST   /openapi/v3/entity/{type}/batchGet        get_entities
- POST   /entities?action=ingest                   Rest.li, one snapshot (emit_mce, sink SYNC)
- POST   /aspects?action=ingestProposal            Rest.li, one proposal (emit_mcp)
- POST   /aspects?action=ingestProposalBatch       Rest.li batch (sink mode ASYNC_BATCH)
- POST   /openapi/v3/entity/{type}?async=BOOL      OpenAPI v3 upsert (endpoint OPENAPI)
- PATCH  /openapi/v3/entity/{type}?async=BOOL      OpenAPI v3 patch
- DELETE /openapi/v3/entity/{type}/{urn}           OpenAPI v3 delete

Behaviour that matters to a client, as GMS has it:
- with a token set, every endpoint but /config answers 401 "Unauthorized to perform this
  action." without `Authorization: Bearer <token>` (AuthenticationFilter);
- search honours `orFilters` (OR of ANDs of field rules, `negated`, conditions EQUAL / IN /
  EXISTS, and CONTAIN / START_WITH / END_WITH as GMS's ESUtils builds them: a wildcard query
  that ignores case, its values trimmed and taken literally) over a search document per
  entity: `urn`, `removed` (status.removed), `platform`, `origin`, `qualifiedName`, `domains`,
  `tags`, `glossaryTerms`, `structuredProperties.<qualifiedName>`; unknown fields match
  nothing, as in Elasticsearch;
- scroll ids are opaque and expire `scroll_ttl` seconds after they were handed out (GMS's
  point-in-time keep-alive is 5 minutes); an expired id is a GraphQL error;
- the search index lags writes by `index_delay` seconds (reads by URN do not);
- PATCH proposals are applied with `cdw_datahub.patching.apply_patch` (GMS's patch templates);
- a `structuredProperties` aspect whose property has no `propertyDefinition` stored yet, or
  whose definition does not allow the entity's type, is refused (GMS's
  StructuredPropertiesValidator): 422 on Rest.li, 400 on OpenAPI, the whole request rejected.
  Async writes are validated when they arrive, against what is stored then (a definition still
  queued does not count) and stored afterwards; `rejected` records every refusal.
"""

from __future__ import annotations

import base64
import json
import secrets
import sqlite3
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from datahub.ingestion.graph.client import entity_type_to_graphql
from datahub.metadata.schema_classes import ASPECT_NAME_MAP

from cdw_datahub.patching import apply_patch

ENTITY_TYPES = ("dataset", "schemaField", "glossaryTerm", "glossaryNode", "tag", "domain",
                "corpuser", "corpGroup", "structuredProperty", "dataPlatform",
                "container")  # fmt: skip
GRAPHQL_TO_TYPE = {entity_type_to_graphql(t): t for t in ENTITY_TYPES}
FULLNAME_TO_ASPECT = {
    c.RECORD_SCHEMA.fullname.replace(".pegasus2avro", ""): name
    for name, c in ASPECT_NAME_MAP.items()
}
UNAUTHORIZED = "Unauthorized to perform this action."


def load_lite(path: Path, system: dict[tuple[str, str], Any] | None = None) -> dict[str, Any]:
    """Latest aspects (version 0) of every entity in a Lite file, as simplified JSON; their
    systemMetadata into `system` by (urn, aspect) when given."""
    store: dict[str, dict[str, Any]] = {}
    with sqlite3.connect(path) as db:
        for urn, name, metadata, meta in db.execute(
            "SELECT urn, aspect_name, metadata, system_metadata FROM metadata_aspect_v2 "
            "WHERE version = 0"
        ):
            store.setdefault(urn, {})[name] = json.loads(metadata)
            if system is not None and meta:
                system[(urn, name)] = json.loads(meta)
    return store


def entity_type(urn: str) -> str:
    return urn.split(":", 3)[2]


def search_document(urn: str, aspects: dict[str, Any]) -> dict[str, list[str]]:
    """The fields of the entity's search document the stand-in can filter on."""
    doc: dict[str, list[str]] = {"urn": [urn], "_entityType": [entity_type(urn)]}
    doc["removed"] = ["true" if (aspects.get("status") or {}).get("removed") else "false"]
    if urn.startswith("urn:li:dataset:("):
        platform, _, rest = urn[len("urn:li:dataset:(") : -1].partition(",")
        doc["platform"] = [platform]
        doc["origin"] = [rest.rsplit(",", 1)[-1]]
    qualified = (aspects.get("datasetProperties") or {}).get("qualifiedName")
    if qualified:
        doc["qualifiedName"] = [qualified]
    doc["domains"] = list((aspects.get("domains") or {}).get("domains") or [])
    doc["tags"] = [t["tag"] for t in (aspects.get("globalTags") or {}).get("tags") or []]
    doc["glossaryTerms"] = [
        t["urn"] for t in (aspects.get("glossaryTerms") or {}).get("terms") or []
    ]
    for prop in (aspects.get("structuredProperties") or {}).get("properties") or []:
        name = prop["propertyUrn"].removeprefix("urn:li:structuredProperty:")
        doc[f"structuredProperties.{name}"] = [str(next(iter(v.values()))) for v in prop["values"]]
    return doc


def _field(name: str) -> str:
    """GMS accepts `x.keyword` and, for structured properties, `__` for the dots of the name."""
    name = name.removesuffix(".keyword")
    if name.startswith("structuredProperties."):
        name = name.replace("__", ".")
    return name


WILDCARD = {
    "CONTAIN": lambda value, text: text in value,
    "START_WITH": lambda value, text: value.startswith(text),
    "END_WITH": lambda value, text: value.endswith(text),
}


def rule_matches(doc: dict[str, list[str]], rule: dict[str, Any]) -> bool:
    values = doc.get(_field(rule["field"]))
    wanted = [str(v) for v in rule.get("values") or [rule.get("value")] if v is not None]
    condition = rule.get("condition") or "EQUAL"
    if condition == "EXISTS":
        hit = bool(values)
    elif not values:
        hit = False
    elif condition in ("EQUAL", "IN"):
        hit = any(v in wanted for v in values)
    elif condition in WILDCARD:  # a wildcard query, caseInsensitive(true), values trimmed
        test = WILDCARD[condition]
        hit = any(test(v.lower(), w.strip().lower()) for v in values for w in wanted)
    else:
        raise ValueError(f"condition {condition} is not served by the stand-in")
    return hit != bool(rule.get("negated"))


def filters_match(doc: dict[str, list[str]], or_filters: list[dict[str, Any]] | None) -> bool:
    if not or_filters:
        return True
    return any(all(rule_matches(doc, r) for r in f.get("and") or []) for f in or_filters)


class Rejected(Exception):
    """A write GMS's validators refuse."""


class GmsStandIn:
    def __init__(
        self,
        lite: Path | None = None,
        token: str | None = None,
        page_size: int = 7,
        index_delay: float = 0.0,
        scroll_ttl: float = 300.0,
    ):
        self.system: dict[tuple[str, str], Any] = {}
        self.store = load_lite(lite, self.system) if lite else {}
        self.token = token  # when set, requests without "Bearer <token>" get 401
        self.page_size = page_size  # small, so scrolling really pages
        self.index_delay = index_delay
        self.scroll_ttl = scroll_ttl
        self.skew = 0.0  # advance() moves the stand-in's clock instead of sleeping
        self.requests: list[tuple[str, str]] = []  # (method, path?query) in order
        self.auth_headers: list[str | None] = []
        self.rejected: list[str] = []  # every write refused, with GMS's reason
        self.writes: dict[str, int] = {}  # write endpoint -> proposals received
        self.searches: Counter[str] = Counter()  # entity type -> search pages served
        self._lock = threading.RLock()
        now = self.now()
        self._index = {u: (now, None, search_document(u, a)) for u, a in self.store.items()}
        self._scrolls: dict[str, tuple[float, list[str], int]] = {}
        self._pending: list[dict[str, Any]] = []  # async writes, stored after validation
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> GmsStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def load(self, mcps: Any) -> GmsStandIn:
        """Store MetadataChangeProposalWrappers (or another stand-in's `store`) directly: a big
        fixture, without HTTP."""
        if isinstance(mcps, dict):
            self.store = {urn: dict(aspects) for urn, aspects in mcps.items()}
        for mcp in () if isinstance(mcps, dict) else mcps:
            value = mcp.to_obj(simplified_structure=True)["aspect"]["json"]
            self.store.setdefault(mcp.entityUrn, {})[mcp.aspectName] = value
        visible = self.now() + self.index_delay  # as if just written
        self._index = {u: (visible, None, search_document(u, a)) for u, a in self.store.items()}
        return self

    def now(self) -> float:
        return time.monotonic() + self.skew

    def advance(self, seconds: float) -> None:
        self.skew += seconds

    def urns_of(self, entity_type_name: str) -> list[str]:
        self.settle()
        prefix = f"urn:li:{entity_type_name}:"
        return sorted(u for u in self.store if u.startswith(prefix))

    def settle(self) -> None:
        """Store the async writes queued so far (GMS's consumers catching up)."""
        with self._lock:
            pending, self._pending = self._pending, []
            for proposal in pending:
                self._store(proposal)

    # ---------------------------------------------------------------- reads

    def config(self) -> dict[str, Any]:
        return {
            "noCode": "true",
            "versions": {"acryldata/datahub": {"version": "v1.7.0", "commit": "standin"}},
            "statefulIngestionCapable": True,
            "telemetry": {"enabledCli": False, "enabledIngestion": False},
        }

    def _visible(self, urn: str) -> dict[str, list[str]] | None:
        visible_at, before, after = self._index[urn]
        return after if self.now() >= visible_at else before

    def search(self, types: list[str] | None, or_filters: list[dict[str, Any]] | None) -> list[str]:
        wanted = {GRAPHQL_TO_TYPE[t] for t in types} if types else None
        for kind in wanted or ("*",):
            self.searches[kind] += 1
        hits = []
        for urn in sorted(self._index):
            doc = self._visible(urn)
            if doc is None or (wanted is not None and doc["_entityType"][0] not in wanted):
                continue
            if filters_match(doc, or_filters):
                hits.append(urn)
        return hits

    def graphql(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        query = body.get("query", "")
        variables = body.get("variables") or {}
        if "scrollAcrossEntities" not in query:
            return 200, {"data": {"__type": {"inputFields": []}}}
        scroll_id = variables.get("scrollId")
        if scroll_id:
            kept = self._scrolls.pop(scroll_id, None)
            if kept is None or kept[0] < self.now():
                message = "Failed to scroll: the scroll id has expired or is invalid"
                return 200, {"errors": [{"message": message}], "data": None}
            urns, start = kept[1], kept[2]
            for kind in {entity_type(u) for u in urns[start : start + 1]}:
                self.searches[kind] += 1
        else:
            urns, start = self.search(variables.get("types"), variables.get("orFilters")), 0
        size = min(int(variables.get("batchSize") or self.page_size), self.page_size)
        page = urns[start : start + size]
        next_id = None
        if start + size < len(urns):
            next_id = base64.urlsafe_b64encode(secrets.token_bytes(18)).decode()
            self._scrolls[next_id] = (self.now() + self.scroll_ttl, urns, start + size)
        results = [{"entity": {"urn": u}, "extraProperties": []} for u in page]
        return 200, {
            "data": {"scrollAcrossEntities": {"nextScrollId": next_id, "searchResults": results}}
        }

    def aspect(self, urn: str, name: str) -> tuple[int, dict[str, Any]]:
        value = self.store.get(urn, {}).get(name)
        if value is None or name not in ASPECT_NAME_MAP:
            return 404, {"status": 404}
        fullname = ASPECT_NAME_MAP[name].RECORD_SCHEMA.fullname.replace(".pegasus2avro", "")
        return 200, {"aspect": {fullname: value}}

    def batch_get(
        self, requested: list[dict[str, Any]], system: bool = False
    ) -> list[dict[str, Any]]:
        """GMS's EntityController.getEntityBatch: the aspects named per URN (every aspect when
        none is), each as {"value", "systemMetadata"}; a URN with none of them stored is left
        out of the answer (not answered empty)."""
        out = []
        for item in requested:
            aspects = self.store.get(item["urn"]) or {}
            wanted = [k for k in item if k != "urn"] or list(aspects)
            entity: dict[str, Any] = {"urn": item["urn"]}
            for name in wanted:
                if name in aspects:
                    entity[name] = {"value": aspects[name]}
                    if system and (item["urn"], name) in self.system:
                        entity[name]["systemMetadata"] = self.system[(item["urn"], name)]
            if len(entity) > 1:
                out.append(entity)
        return out

    # ---------------------------------------------------------------- writes

    def _store(self, p: dict[str, Any]) -> None:
        urn, name = p["urn"], p["aspect"]
        aspects = self.store.setdefault(urn, {})
        if p["change"] == "DELETE":
            self.store.pop(urn, None)
        elif p["change"] == "PATCH":
            aspects[name] = apply_patch(name, aspects.get(name), p["value"])
        else:
            aspects[name] = p["value"]
        if p.get("system"):
            self.system[(urn, name)] = p["system"]
        before = self._visible(urn) if urn in self._index else None
        after = search_document(urn, self.store[urn]) if urn in self.store else None
        self._index[urn] = (self.now() + self.index_delay, before, after)

    def _validate(self, p: dict[str, Any], staged: dict[str, dict[str, Any]]) -> None:
        """GMS's StructuredPropertiesValidator, on the aspect as it will be stored."""
        if p["aspect"] != "structuredProperties" or p["change"] == "DELETE":
            return
        current = staged.get(p["urn"], self.store.get(p["urn"], {})).get(p["aspect"])
        value = (
            apply_patch(p["aspect"], current, p["value"]) if p["change"] == "PATCH" else p["value"]
        )
        kind = f"urn:li:entityType:datahub.{entity_type(p['urn'])}"
        for prop in value.get("properties") or []:
            urn = prop["propertyUrn"]
            stored = staged.get(urn, self.store.get(urn, {})).get("propertyDefinition")
            if stored is None:
                raise Rejected(f"Unable to find structured property definition {urn}")
            if kind not in (stored.get("entityTypes") or []):
                raise Rejected(f"Structured property {urn} cannot be applied to {kind}")

    def write(self, proposals: list[dict[str, Any]], is_async: bool) -> None:
        """Validate all, then store (sync) or queue (async); one refusal rejects the request."""
        with self._lock:
            staged: dict[str, dict[str, Any]] = {}
            try:
                for p in proposals:
                    self._validate(p, {} if is_async else staged)
                    if not is_async and p["change"] != "DELETE":
                        entity = staged.setdefault(p["urn"], dict(self.store.get(p["urn"], {})))
                        entity[p["aspect"]] = (
                            apply_patch(p["aspect"], entity.get(p["aspect"]), p["value"])
                            if p["change"] == "PATCH"
                            else p["value"]
                        )
            except Rejected as e:
                self.rejected.append(str(e))
                raise
            if is_async:
                self._pending += proposals
            else:
                for p in proposals:
                    self._store(p)

    @staticmethod
    def from_restli(proposal: dict[str, Any]) -> dict[str, Any]:
        aspect = proposal.get("aspect") or {}
        return {
            "urn": proposal["entityUrn"],
            "aspect": proposal["aspectName"],
            "change": proposal.get("changeType", "UPSERT"),
            "value": json.loads(aspect["value"]) if aspect.get("value") else None,
            "system": proposal.get("systemMetadata"),
        }

    @staticmethod
    def from_openapi(items: list[dict[str, Any]], change: str) -> list[dict[str, Any]]:
        out = []
        for item in items:
            for name, body in item.items():
                if name != "urn":
                    out.append(
                        {"urn": item["urn"], "aspect": name, "change": change,
                         "value": body["value"], "system": body.get("systemMetadata")}
                    )  # fmt: skip
        return out

    @staticmethod
    def from_snapshot(body: dict[str, Any]) -> list[dict[str, Any]]:
        """`/entities?action=ingest` (an MCE, as the sync sink sends SQL sources' snapshots)."""
        (snapshot,) = body["entity"]["value"].values()
        out = []
        for aspect in snapshot["aspects"]:
            ((fullname, value),) = aspect.items()
            out.append(
                {"urn": snapshot["urn"], "aspect": FULLNAME_TO_ASPECT[fullname], "change": "UPSERT",
                 "value": value, "system": body.get("systemMetadata")}
            )  # fmt: skip
        return out

    # ---------------------------------------------------------------- HTTP plumbing

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _refused(self) -> bool:
                """The 401 GMS's AuthenticationFilter answers, sent when the token is wrong."""
                header = self.headers.get("Authorization")
                standin.auth_headers.append(header)
                if standin.token is None or header == f"Bearer {standin.token}":
                    return False
                data = UNAUTHORIZED.encode()
                self.send_response(401)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return True

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"null")

            def _route(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                standin.requests.append(
                    (method, parts.path + (f"?{parts.query}" if parts.query else ""))
                )
                if parts.path == "/config" and method == "GET":
                    return self._send(200, standin.config())
                if self._refused():
                    return None
                body = self._body() if method in ("POST", "PATCH") else None
                try:
                    return self._send(*self._answer(method, parts.path, query, body))
                except Rejected as e:
                    openapi = parts.path.startswith("/openapi/")
                    status = 400 if openapi else 422
                    return self._send(status, {"status": status, "message": str(e)})

            def _answer(
                self, method: str, path: str, query: dict[str, list[str]], body: Any
            ) -> tuple[int, Any]:
                is_async = (query.get("async") or ["false"])[0] == "true"
                if method == "GET" and path.startswith("/aspects/"):
                    standin.settle()
                    urn = unquote(path[len("/aspects/") :])
                    return standin.aspect(urn, (query.get("aspect") or [""])[0])
                if path == "/api/graphql":
                    standin.settle()
                    return standin.graphql(body)
                if path.startswith("/openapi/v3/entity/") and path.endswith("/batchGet"):
                    standin.settle()
                    system = (query.get("systemMetadata") or [""])[0] == "true"
                    return 200, standin.batch_get(body, system)
                if path == "/entities" and query.get("action") == ["ingest"]:
                    standin.writes["ingest"] = standin.writes.get("ingest", 0) + 1
                    standin.write(standin.from_snapshot(body), False)
                    return 200, {}
                if path == "/aspects" and "action" in query:
                    return self._restli(query["action"][0], body)
                if path.startswith("/openapi/v3/entity/") and method in ("POST", "PATCH"):
                    change = "PATCH" if method == "PATCH" else "UPSERT"
                    standin.writes["openapi"] = standin.writes.get("openapi", 0) + len(body)
                    standin.write(standin.from_openapi(body, change), is_async)
                    return 200 if not is_async else 202, body
                if path.startswith("/openapi/v3/entity/") and method == "DELETE":
                    urn = unquote(path.split("/", 5)[5])
                    delete = {"urn": urn, "aspect": "", "change": "DELETE", "value": None}
                    standin.write([delete], False)
                    return 200, {}
                return 404, {"message": f"no route {method} {path}"}

            def _restli(self, action: str, body: Any) -> tuple[int, Any]:
                is_async = str(body.get("async", "false")) == "true"
                if action == "ingestProposal":
                    proposals = [body["proposal"]]
                elif action == "ingestProposalBatch":
                    proposals = body["proposals"]
                else:
                    return 404, {"message": f"no action {action}"}
                standin.writes[action] = standin.writes.get(action, 0) + len(proposals)
                standin.write([standin.from_restli(p) for p in proposals], is_async)
                urns = [p["entityUrn"] for p in proposals]
                return 200, {"value": urns[0] if action == "ingestProposal" else urns}

            def do_GET(self) -> None:  # noqa: N802
                self._route("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._route("POST")

            def do_PATCH(self) -> None:  # noqa: N802
                self._route("PATCH")

            def do_DELETE(self) -> None:  # noqa: N802
                self._route("DELETE")

        return Handler
