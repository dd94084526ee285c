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
# Limits for hand-edited files: far above any real glossary or policy (the bundled folders hold
# about 200 KB, with no alias), far below what stalls a command.
MAX_FILE_BYTES = 10_000_000
ALIAS_NODE_BUDGET = 10_000
MAX_DEPTH = 100


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

    def cited(self, *parts: str | int) -> str:
        """'apis/service.openapi.yaml:48': where a value came from, as outputs cite it (the
        policy loader's 'policies/reviewed.yml:12'), without the harvesting machine's folders;
        errors name the whole path (`where`)."""
        return f"{self.path.parent.name}/{self.path.name}:{self.line(*parts)}"

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
    """Parse `path`; malformed YAML, duplicate keys or a file past the limits (size, alias
    expansion, nesting) raise InputError naming the file, the line and the limit."""
    text = _read(path)
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
    try:
        data = builder.build(node, ())
    except RecursionError:
        raise InputError(
            f"nested deeper than Python can follow (limit {MAX_DEPTH} levels)", str(path)
        ) from None
    return YamlDoc(path, data, lines)


def _read(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"file is {size:,} bytes; steward YAML files are limited to "
                f"{MAX_FILE_BYTES // 1_000_000} MB",
                str(path),
            )
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError("file not found", str(path)) from e
    except UnicodeDecodeError as e:
        raise InputError("not UTF-8 text; save the file as UTF-8", str(path)) from e
    except OSError as e:
        raise InputError(f"cannot read the file ({e.strerror})", str(path)) from e


class _Builder:
    """Nodes -> plain data, recording positions; scalars are resolved by PyYAML's safe rules.

    An alias (`*name`) shares its anchor's node, so a few lines can name a billion nodes
    ("billion laughs"); every node built again through an alias counts against a small budget,
    and an alias inside its own anchor is refused instead of recursing.
    """

    def __init__(self, path: Path, lines: dict[KeyPath, int]):
        self.path = path
        self.lines = lines
        self.constructor = yaml.constructor.SafeConstructor()
        self.seen: set[int] = set()  # nodes built at least once
        self.open: set[int] = set()  # nodes being built (an alias to one of them is a cycle)
        self.copies = 0

    def _where(self, node: yaml.Node) -> str:
        return f"{self.path}:{node.start_mark.line + 1}"

    def build(self, node: yaml.Node, at: KeyPath, depth: int = 0, copy: bool = False) -> Any:
        self.lines.setdefault(at, node.start_mark.line + 1)
        if id(node) in self.open:
            raise InputError("an alias refers to the mapping or list it is in", self._where(node))
        copy = copy or id(node) in self.seen
        if copy:
            self.copies += 1
            if self.copies > ALIAS_NODE_BUDGET:
                raise InputError(
                    f"aliases expand to more than {ALIAS_NODE_BUDGET:,} nodes (the limit); "
                    "write the values out instead of repeating anchors",
                    self._where(node),
                )
        if depth > MAX_DEPTH:
            raise InputError(
                f"nested deeper than {MAX_DEPTH} levels (the limit)", self._where(node)
            )
        self.seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self.constructor.construct_object(node, deep=True)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, at, depth, copy)
            return [
                self.build(item, (*at, i), depth + 1, copy) for i, item in enumerate(node.value)
            ]
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, at: KeyPath, depth: int, copy: bool) -> Any:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                # `<<: *anchor` (or a list of them): the anchor's keys, explicit keys win; built
                # here (not by PyYAML's flatten_mapping) so the alias budget counts them
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        raise InputError(
                            "`<<` merges a mapping or a list of mappings", self._where(source)
                        )
                    for key, value in self.build(source, at, depth + 1, copy).items():
                        merged.setdefault(key, value)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError("a key must be plain text", self._where(key_node))
            # The raw text, so `no:` or `1:` stay the strings a steward typed.
            key = key_node.value
            here = (*at, key)
            if key in out:
                first = self.lines[here]
                raise InputError(
                    f"duplicate key '{key}' (first at line {first}); keep one",
                    self._where(key_node),
                    key_path(here),
                )
            self.lines[here] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, here, depth + 1, copy)
        return {**merged, **out}


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
        if kind == "string_type" and isinstance(err.get("input"), (int, float, bool)):
            message += "; put it in quotes to make it text"
        elif kind == "dict_type" and isinstance(err.get("input"), list):
            message += "; write it as `key: value` lines, without the leading '- '"
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
