"""A stand-in for DataHub GMS: exactly the endpoints `DataHubGraph` calls for our reader, served
from a DataHub Lite file. Enough to exercise `ServerBackend` offline; it is not a DataHub server.

    with GmsStandIn(lite_path) as gms:
        backend = ServerBackend(gms.url)

Endpoints (read from datahub/ingestion/graph/client.py and emitter/rest_emitter.py, 1.7):
- GET  /config                                  fetch_server_config (test_connection)
- POST /api/graphql                             scrollAcrossEntities (get_urns_by_filter)
- GET  /aspects/{urn}?aspect=NAME&version=0     get_aspect
- POST /openapi/v3/entity/{type}/batchGet       get_entities
- POST /aspects?action=ingestProposal           emit_mcp (Rest.li mode)
"""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from datahub.ingestion.graph.client import entity_type_to_graphql
from datahub.metadata.schema_classes import ASPECT_NAME_MAP

ENTITY_TYPES = ("dataset", "schemaField", "glossaryTerm", "glossaryNode", "tag", "domain",
                "corpuser", "corpGroup", "structuredProperty", "dataPlatform")  # fmt: skip
GRAPHQL_TO_TYPE = {entity_type_to_graphql(t): t for t in ENTITY_TYPES}


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


class GmsStandIn:
    def __init__(self, lite: Path, token: str | None = None, page_size: int = 7):
        self.system: dict[tuple[str, str], Any] = {}
        self.store = load_lite(lite, self.system)
        self.token = token  # when set, requests without "Bearer <token>" get 401
        self.page_size = page_size  # small, so scrolling really pages
        self.requests: list[tuple[str, str]] = []  # (method, path) in order
        self.auth_headers: list[str | None] = []
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

    def urns_of(self, entity_type: str) -> list[str]:
        prefix = f"urn:li:{entity_type}:"
        return sorted(u for u in self.store if u.startswith(prefix))

    # ---------------------------------------------------------------- endpoints

    def config(self) -> dict[str, Any]:
        return {
            "noCode": "true",
            "versions": {"acryldata/datahub": {"version": "v1.7.0", "commit": "standin"}},
            "statefulIngestionCapable": True,
            "telemetry": {"enabledCli": False, "enabledIngestion": False},
        }

    def graphql(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        query = body.get("query", "")
        variables = body.get("variables") or {}
        if "scrollAcrossEntities" not in query:
            return 200, {"data": {"__type": {"inputFields": []}}}
        urns: list[str] = []
        for graphql_type in variables.get("types") or GRAPHQL_TO_TYPE:
            urns += self.urns_of(GRAPHQL_TO_TYPE[graphql_type])
        start = int(variables.get("scrollId") or 0)
        size = min(int(variables.get("batchSize") or self.page_size), self.page_size)
        page = urns[start : start + size]
        next_id = str(start + size) if start + size < len(urns) else None
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
        out = []
        for item in requested:
            aspects = self.store.get(item["urn"])
            if not aspects:
                continue
            wanted = [k for k in item if k != "urn"] or list(aspects)
            entity: dict[str, Any] = {"urn": item["urn"]}
            for name in wanted:
                if name in aspects:
                    entity[name] = {"value": aspects[name]}
                    if system and (item["urn"], name) in self.system:
                        entity[name]["systemMetadata"] = self.system[(item["urn"], name)]
            out.append(entity)
        return out

    def ingest(self, body: dict[str, Any]) -> dict[str, Any]:
        proposal = body["proposal"]
        value = json.loads(proposal["aspect"]["value"])
        self.store.setdefault(proposal["entityUrn"], {})[proposal["aspectName"]] = value
        return {"value": proposal["entityUrn"]}

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

            def _authorized(self) -> bool:
                header = self.headers.get("Authorization")
                standin.auth_headers.append(header)
                return standin.token is None or header == f"Bearer {standin.token}"

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"null")

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                standin.requests.append(("GET", parts.path))
                if not self._authorized():
                    return self._send(401, {"message": "Unauthorized"})
                if parts.path == "/config":
                    return self._send(200, standin.config())
                if parts.path.startswith("/aspects/"):
                    urn = unquote(parts.path[len("/aspects/") :])
                    name = parse_qs(parts.query).get("aspect", [""])[0]
                    return self._send(*standin.aspect(urn, name))
                return self._send(404, {"message": f"no route {parts.path}"})

            def do_POST(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                standin.requests.append(
                    ("POST", parts.path + (f"?{parts.query}" if parts.query else ""))
                )
                if not self._authorized():
                    return self._send(401, {"message": "Unauthorized"})
                body = self._body()
                if parts.path == "/api/graphql":
                    return self._send(*standin.graphql(body))
                if parts.path.startswith("/openapi/v3/entity/") and parts.path.endswith(
                    "/batchGet"
                ):
                    system = "systemMetadata=true" in parts.query
                    return self._send(200, standin.batch_get(body, system))
                if parts.path == "/aspects" and "ingestProposal" in parts.query:
                    return self._send(200, standin.ingest(body))
                return self._send(404, {"message": f"no route {parts.path}"})

        return Handler
