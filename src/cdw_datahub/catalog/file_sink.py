"""Read the JSON DataHub's `file` sink writes as plain JSON, one record at a time.

The file is a JSON array (or one object) of records, each either
- an MCP: `{"entityUrn", "aspectName", "changeType", "aspect": {"json": {...}}}` (older files:
  `"aspect": {"value": "<JSON text>", "contentType": "application/json"}`), or
- an MCE: `{"proposedSnapshot": {"<snapshot class>": {"urn", "aspects": [{"<aspect class>":
  {...}}]}}}`, each aspect in Avro's JSON form.

Both become `{urn: {aspect name: aspect JSON}}` in the simplified form DataHub Lite stores
(`pre_json_transform(aspect.to_obj())`), later records winning per aspect, with no DataHub
object built: DataHub's own reader validates every record through its Avro classes, which cost
more than the rest of a `bucp export`. A PATCH proposal is not a whole aspect and is skipped, as
DataHub Lite does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from cdw_datahub.errors import InputError

Entities = dict[str, dict[str, Any]]
CHUNK = 1 << 20  # characters read at a time
_WS = " \t\n\r"
_DECODER = json.JSONDecoder()


def read_entities(path: Path, observed: dict[tuple[str, str], Any] | None = None) -> Entities:
    """Every whole aspect in a file-sink JSON file, by entity URN; InputError on anything else.
    `observed`, when given, receives each aspect's systemMetadata (its record's), by (urn, name).
    """
    if not path.is_file():
        raise InputError("no such file-sink output", str(path))
    entities: Entities = {}
    try:
        with path.open(encoding="utf-8") as fp:
            for index, record in enumerate(_records(fp)):
                for urn, name, aspect in _aspects(record, index):
                    entities.setdefault(urn, {})[name] = aspect
                    if observed is not None and record.get("systemMetadata") is not None:
                        observed[(urn, name)] = record["systemMetadata"]
    except UnicodeDecodeError as e:
        raise InputError(f"not DataHub file-sink JSON (not UTF-8 text: {e})", str(path)) from e
    except _BadRecord as e:
        raise InputError(f"not DataHub file-sink JSON ({e})", str(path)) from e
    return entities


class _BadRecord(ValueError):
    pass


class _Stream:
    """A text file read in chunks; `text[pos:]` is what has not been consumed yet."""

    def __init__(self, fp: TextIO) -> None:
        self.fp = fp
        self.text = ""
        self.pos = 0
        self.line = 1  # the line `pos` is on
        self.eof = False

    def more(self, at_least: int = CHUNK) -> bool:
        """Drop what was consumed and read on; False at the end of the file."""
        if self.eof:
            return False
        self.line += self.text.count("\n", 0, self.pos)
        self.text = self.text[self.pos :]
        self.pos = 0
        chunk = self.fp.read(max(at_least, CHUNK))
        self.eof = not chunk
        self.text += chunk
        return bool(chunk)

    def skip_space(self) -> str:
        """The next non-blank character, consumed only by the caller; "" at the end."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def value(self) -> Any:
        """The JSON value at the next non-blank character, reading on (doubling) while it is
        cut off."""
        self.skip_space()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as e:
                if self.more(at_least=len(self.text)):
                    continue
                line = self.line + self.text.count("\n", 0, e.pos)
                raise _BadRecord(f"line {line}: {e.msg}") from e
            self.pos = end
            return obj

    def where(self) -> str:
        return f"line {self.line + self.text.count(chr(10), 0, self.pos)}"


def _records(fp: TextIO) -> Iterator[Any]:
    stream = _Stream(fp)
    first = stream.skip_space()
    if first == "{":  # DataHub's file source takes a single record too
        yield stream.value()
        first = ""
    elif first != "[":
        raise _BadRecord(f"{stream.where()}: expected a JSON array of records")
    else:
        stream.pos += 1
        if stream.skip_space() == "]":
            stream.pos += 1
        else:
            while True:
                yield stream.value()
                sep = stream.skip_space()
                stream.pos += 1
                if sep == "]":
                    break
                if sep != ",":
                    raise _BadRecord(f"{stream.where()}: expected ',' or ']' between records")
    if stream.skip_space():
        raise _BadRecord(f"{stream.where()}: text after the end of the records")


def _aspects(record: Any, index: int) -> Iterator[tuple[str, str, Any]]:
    """(urn, aspect name, simplified aspect JSON) for each whole aspect of one record."""
    from datahub.emitter.serialization_helper import pre_json_transform

    if not isinstance(record, dict):
        raise _BadRecord(f"record {index} is not a JSON object")
    if "proposedSnapshot" in record:
        urn, aspects = _snapshot(record["proposedSnapshot"], index)
        for wrapped in aspects:
            if not isinstance(wrapped, dict) or len(wrapped) != 1:
                raise _BadRecord(f"record {index}: an MCE aspect is not {{class name: aspect}}")
            ((class_name, aspect),) = wrapped.items()
            yield urn, _aspect_name(class_name, index), pre_json_transform(aspect)
        return
    aspect = _proposal_aspect(record, index)
    if aspect is not None:
        yield record["entityUrn"], record["aspectName"], aspect


def _snapshot(snapshot: Any, index: int) -> tuple[str, list[Any]]:
    if not isinstance(snapshot, dict) or len(snapshot) != 1:
        raise _BadRecord(f"record {index}: proposedSnapshot is not {{class name: snapshot}}")
    (body,) = snapshot.values()
    if not isinstance(body, dict) or not isinstance(body.get("urn"), str):
        raise _BadRecord(f"record {index}: the snapshot has no urn")
    aspects = body.get("aspects", [])
    if not isinstance(aspects, list):
        raise _BadRecord(f"record {index}: the snapshot's aspects are not a list")
    return body["urn"], aspects


def _proposal_aspect(record: dict[str, Any], index: int) -> Any | None:
    """The aspect JSON of a proposal, or None when it carries no whole aspect."""
    for key in ("entityUrn", "aspectName"):
        if not isinstance(record.get(key), str):
            raise _BadRecord(f"record {index} is neither an MCE nor an MCP (no {key})")
    if record.get("changeType") == "PATCH" or record.get("entityKeyAspect") is not None:
        return None
    aspect = record.get("aspect")
    if not isinstance(aspect, dict):
        return None
    if "json" in aspect:
        return aspect["json"]
    if aspect.get("contentType") == "application/json" and isinstance(aspect.get("value"), str):
        try:
            return json.loads(aspect["value"])
        except json.JSONDecodeError as e:
            raise _BadRecord(f"record {index}: the aspect value is not JSON ({e.msg})") from e
    return None


def _aspect_name(class_name: str, index: int) -> str:
    name = _aspect_names().get(class_name.replace("com.linkedin.pegasus2avro.", "com.linkedin.", 1))
    if name is None:
        raise _BadRecord(f"record {index}: {class_name!r} is not a DataHub aspect")
    return name


@lru_cache(maxsize=1)
def _aspect_names() -> dict[str, str]:
    """Avro class name (com.linkedin. namespace) -> aspect name, for every aspect DataHub knows."""
    from datahub.emitter.aspect import ASPECT_MAP

    return {
        cls.RECORD_SCHEMA.fullname.replace("com.linkedin.pegasus2avro.", "com.linkedin.", 1): name
        for name, cls in ASPECT_MAP.items()
    }
