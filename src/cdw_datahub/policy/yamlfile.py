"""Typed YAML input: every error names `file:line`, the key path, and how to fix it.

Stewards edit these files by hand, so a message like "validation error for Dictionary" is useless
to them. We compose the YAML into nodes (which carry their position), build plain Python data
from them while recording the line of every mapping key and sequence item, and translate pydantic
errors back to those lines.

    model = load_model(path, MyModel)              # InputError on any problem
    doc = load_yaml(path); model = validate(doc, MyModel)   # keep `doc` for later checks
    raise doc.error("unknown term 'x'", "datasets", "participant", "terms", 0)
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from cdw_datahub.errors import InputError, did_you_mean

M = TypeVar("M", bound=BaseModel)
KeyPath = tuple[str | int, ...]

# The C loader is several times faster; both produce nodes with positions.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


def key_path(parts: Iterable[str | int]) -> str:
    """`('datasets', 'participant', 'terms', 0)` -> `datasets.participant.terms[0]`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def suggest(word: str, candidates: Iterable[str], n: int = 3) -> str:
    """` (did you mean 'a', 'b'?)`, or "" when nothing is close."""
    return did_you_mean(word, candidates, cutoff=0.6, most=n)


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML file: its data and the 1-based line of every key and item in it."""

    path: Path
    data: Any
    lines: Mapping[KeyPath, int] = field(repr=False)

    def line(self, *parts: str | int) -> int:
        """Line of the deepest known prefix of `parts` (a missing key points at its parent)."""
        for end in range(len(parts), -1, -1):
            found = self.lines.get(tuple(parts[:end]))
            if found is not None:
                return found
        return 1

    def where(self, *parts: str | int) -> str:
        return f"{self.path}:{self.line(*parts)}"

    def error(self, message: str, *parts: str | int) -> InputError:
        return InputError(message, self.where(*parts), key_path(parts) or None)


class YamlInputError(InputError):
    """An invalid file; `problems` holds every (location, key, message), the message the first."""

    def __init__(self, problems: Sequence[tuple[str, str | None, str]]):
        location, key, message = problems[0]
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem(s) in this file)"
        super().__init__(message, location, key)
        self.problems = list(problems)


def load_yaml(path: Path) -> YamlDoc:
    """Parse `path`; malformed YAML or duplicate keys raise InputError at the offending line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError("file not found", str(path)) from e
    except UnicodeDecodeError as e:
        raise InputError("not UTF-8 text; save the file as UTF-8", str(path)) from e
    except OSError as e:
        raise InputError(f"cannot read the file ({e.strerror})", str(path)) from e
    try:
        node = yaml.compose(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = e.problem or e.context or "malformed"
        # An unclosed bracket is only noticed lines later: say where the construct began too.
        if e.context_mark and mark and e.context_mark.line != mark.line:
            problem += f" (the construct started on line {e.context_mark.line + 1})"
        raise InputError(f"not valid YAML: {problem}", where) from e
    except yaml.YAMLError as e:
        raise InputError(f"not valid YAML: {e}", str(path)) from e
    lines: dict[KeyPath, int] = {}
    if node is None:  # an empty file (or only comments)
        return YamlDoc(path, None, {(): 1})
    builder = _Builder(path, lines)
    data = builder.build(node, ())
    return YamlDoc(path, data, lines)


class _Builder:
    """Nodes -> plain data, recording positions; scalars are resolved by PyYAML's safe rules."""

    def __init__(self, path: Path, lines: dict[KeyPath, int]):
        self.path = path
        self.lines = lines
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, at: KeyPath) -> Any:
        self.lines.setdefault(at, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            # Resolve `<<: *anchor` merges the way PyYAML does before reading keys.
            if any(k.tag == _MERGE_TAG for k, _ in node.value):
                self.constructor.flatten_mapping(node)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise InputError(
                        "a key must be plain text", f"{self.path}:{key_node.start_mark.line + 1}"
                    )
                # The raw text, so `no:` or `1:` stay the strings a steward typed.
                key = key_node.value
                here = (*at, key)
                if key in out:
                    first = self.lines[here]
                    raise InputError(
                        f"duplicate key '{key}' (first at line {first}); keep one",
                        f"{self.path}:{key_node.start_mark.line + 1}",
                        key_path(here),
                    )
                self.lines[here] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, here)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*at, i)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)


def load_model(path: Path, model: type[M]) -> M:
    """Load `path` into `model`; any problem is an InputError naming file:line and key path."""
    return validate(load_yaml(path), model)


def validate(doc: YamlDoc, model: type[M]) -> M:
    data = {} if doc.data is None else doc.data
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems = [_problem(doc, data, model, err) for err in e.errors(include_url=False)]
        problems.sort(key=lambda p: _line_of(p[0]))
        raise YamlInputError(problems) from None


def _line_of(location: str) -> int:
    tail = location.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _problem(
    doc: YamlDoc, data: Any, model: type[BaseModel], err: ErrorDetails
) -> tuple[str, str | None, str]:
    loc = _data_path(data, err["loc"])
    kind = err["type"]
    last = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        hint = suggest(last, allowed, n=1) if allowed else ""
        if not hint and allowed:
            hint = f"; allowed keys: {', '.join(allowed)}"
        message = f"unknown key '{last}'{hint}"
    elif kind == "missing":
        message = f"missing required key '{last}'"
    else:
        message = err["msg"].removeprefix("Value error, ")
        if kind.endswith("_type") or kind.endswith("_parsing"):
            message += f", got {_describe(err.get('input'))}"
    return doc.where(*loc), key_path(loc) or None, message


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _data_path(data: Any, loc: tuple[str | int, ...]) -> KeyPath:
    """Map pydantic's `loc` onto the data, dropping its union/validator labels."""
    out: list[str | int] = []
    here = data
    for i, part in enumerate(loc):
        in_dict = isinstance(here, dict) and isinstance(part, str) and part in here
        in_list = isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here)
        if in_dict or in_list:
            here = here[part]
            out.append(part)
        elif i == len(loc) - 1 and isinstance(here, dict) and isinstance(part, str):
            out.append(part)  # a missing key: name it, the line is its parent's
        # else: a label such as 'list[Owners]' or 'function-after[...]'; skip it
    return tuple(out)


def _allowed_keys(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """The keys the model accepts at `loc` (for 'did you mean'); [] when unknown."""
    found = _type_at(model, loc)
    if isinstance(found, type) and issubclass(found, BaseModel):
        return list(found.model_fields)
    return []


def _type_at(tp: Any, loc: KeyPath) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _type_at(typing.get_args(tp)[0], loc)
    if origin in (typing.Union, types.UnionType):
        for arm in typing.get_args(tp):
            if arm is type(None):
                continue
            found = _type_at(arm, loc)
            if isinstance(found, type) and issubclass(found, BaseModel):
                return found
        return None
    if not loc:
        return tp
    head, rest = loc[0], loc[1:]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if "root" in tp.model_fields and getattr(tp, "__pydantic_root_model__", False):
            return _type_at(tp.model_fields["root"].annotation, loc)
        info = tp.model_fields.get(str(head))
        return _type_at(info.annotation, rest) if info else None
    args = typing.get_args(tp)
    if origin in (dict, Mapping) and len(args) == 2:
        return _type_at(args[1], rest)
    if origin in (list, tuple, Sequence) and args:
        return _type_at(args[0], rest)
    return None
