"""Apply a DataHub PATCH proposal to a stored aspect, as GMS does.

DataHub Lite stores whole aspects and drops PATCH proposals; `cdw-lite` and the test stand-in
for GMS apply them with this module, so a Lite file and a server end in the same state.

The format is the one DataHub's Python patch builders emit (`datahub.emitter.mcp_patch_builder`)
and GMS's `GenericPatchTemplate` / `CompoundKeyTemplate` read:
`{"arrayPrimaryKeys": {"tags": ["attribution\u241fsource", "tag"]}, "patch": [ops]}`. Each array
named in `arrayPrimaryKeys` is turned into nested maps keyed by those fields (a missing key field
is ""; `a\u241fb` is the nested field a.b), the JSON Patch operations are applied to that tree
(`add` creates missing parents; `remove` of a `*` component applies to every key at that level;
removing what is not there changes nothing), and the maps become arrays again in insertion order.
A bare list of operations (no compound keys) is applied to the aspect as plain JSON Patch.
"""

from __future__ import annotations

import copy
import json
from typing import Any

UNIT_SEPARATOR = "\u241f"

# What GMS starts from when the entity has no such aspect yet.
DEFAULTS: dict[str, dict[str, Any]] = {
    "globalTags": {"tags": []},
    "glossaryTerms": {"terms": [], "auditStamp": {"time": 0, "actor": "urn:li:corpuser:unknown"}},
    "ownership": {"owners": [], "lastModified": {"time": 0, "actor": "urn:li:corpuser:unknown"}},
    "institutionalMemory": {"elements": []},
    "structuredProperties": {"properties": []},
    "domains": {"domains": []},
}


class PatchError(ValueError):
    """A patch that cannot be applied (an unknown operation or a malformed path)."""


def apply_patch(aspect_name: str, current: dict[str, Any] | None, payload: Any) -> dict[str, Any]:
    """The aspect after the patch; `current` is not modified."""
    if isinstance(payload, (bytes, str)):
        payload = json.loads(payload)
    doc = copy.deepcopy(current) if current else copy.deepcopy(DEFAULTS.get(aspect_name, {}))
    if isinstance(payload, list):
        keys: dict[str, list[str]] = {}
        ops = payload
    else:
        keys, ops = payload.get("arrayPrimaryKeys") or {}, payload.get("patch") or []
    for field, key_fields in keys.items():
        doc[field] = _to_map(doc.get(field) or [], key_fields)
    for op in ops:
        _apply(doc, op)
    for field, key_fields in keys.items():
        doc[field] = _to_array(doc.get(field) or {}, len(key_fields))
    return doc


def _key(element: dict[str, Any], field: str) -> str:
    value: Any = element
    for part in field.split(UNIT_SEPARATOR):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def _to_map(items: list[dict[str, Any]], key_fields: list[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for item in items:
        node = tree
        for field in key_fields[:-1]:
            node = node.setdefault(_key(item, field), {})
        node[_key(item, key_fields[-1])] = item
    return tree


def _to_array(tree: dict[str, Any], depth: int) -> list[Any]:
    if depth == 1:
        return list(tree.values())
    return [item for sub in tree.values() for item in _to_array(sub, depth - 1)]


def _path(path: str) -> list[str]:
    if not path.startswith("/"):
        raise PatchError(f"a patch path must start with '/': {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _apply(doc: dict[str, Any], op: dict[str, Any]) -> None:
    parts = _path(op.get("path", ""))
    kind = op.get("op")
    if kind == "add":
        node = doc
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = op.get("value")
    elif kind == "remove":
        _remove(doc, parts)
    else:
        raise PatchError(f"unsupported patch operation {kind!r}")


def _remove(node: Any, parts: list[str]) -> None:
    if not isinstance(node, dict):
        return
    head, rest = parts[0], parts[1:]
    targets = list(node) if head == "*" else [head]
    for key in targets:
        if key not in node:
            continue
        if rest:
            _remove(node[key], rest)
        else:
            del node[key]
