"""Minimal-diff edits of steward-owned YAML: only the lines of changed keys are rewritten.

A full ruamel.yaml round-trip re-wraps every long plain scalar in the file; stewards review these
files as diffs, so instead the edits are applied to a round-trip tree (which gives the final
values their styles) and spliced into the original text at the original key positions:
- a changed key: its lines (key line to the next sibling) are replaced by the re-emitted key;
- a new key: appended after the last key of its nearest existing block mapping;
- a deleted key: its lines are removed.
Comments, ordering and every untouched line stay byte for byte.

    doc = YamlEdit(path)                    # a missing file starts empty
    doc.set(["datasets", "stop", "fields", "duration", "definition"], "Whole minutes ...")
    doc.delete(["w2w", "stop", "duration"])
    text = doc.text()
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from cdw_datahub.errors import InputError

WIDTH = 100  # the repository's files wrap at 100 columns


def _yaml(width: int = WIDTH) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = max(width, 40)
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _is_block_map(node: Any) -> bool:
    return isinstance(node, CommentedMap) and not node.fa.flow_style()


@dataclass(frozen=True)
class _Anchor:
    mapping: tuple[str, ...]  # path of an original block mapping
    key: str  # key inside it: replaced if it existed, inserted otherwise


class YamlEdit:
    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.original = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        except (OSError, UnicodeDecodeError) as e:
            reason = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
            raise InputError(f"cannot read ({reason})", str(self.path)) from e
        try:
            pristine = _yaml().load(self.original) if self.original.strip() else None
        except YAMLError as e:
            raise InputError(f"not valid YAML ({e})", str(self.path)) from e
        if pristine is not None and not isinstance(pristine, CommentedMap):
            raise InputError("expected a mapping at the top of the file", str(self.path))
        self.pristine: CommentedMap | None = pristine
        self.data: CommentedMap = copy.deepcopy(pristine) if pristine else CommentedMap()
        self.anchors: dict[_Anchor, None] = {}
        self.whole = pristine is None  # an empty file is written in full

    # -- the tree

    def get(self, keys: Sequence[str]) -> Any:
        node: Any = self.data
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    def _anchor(self, keys: Sequence[str]) -> None:
        if self.pristine is None:
            return
        node: Any = self.pristine
        for i, key in enumerate(keys):
            if key not in node:
                self.anchors[_Anchor(tuple(keys[:i]), key)] = None
                return
            child = node[key]
            if i == len(keys) - 1 or not _is_block_map(child):
                self.anchors[_Anchor(tuple(keys[:i]), key)] = None
                return
            node = child

    def set(self, keys: Sequence[str], value: Any) -> bool:
        """Set a value (creating parents); False when it already had that value."""
        old = self.get(keys)
        if old == value and (old is not None or value is None):
            return False
        node = self.data
        for key in keys[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = CommentedMap()
                node[key] = child
            node = child
        node[keys[-1]] = _styled(value, old)
        self._anchor(keys)
        return True

    def delete(self, keys: Sequence[str], prune: int = 0) -> bool:
        """Remove a key, then up to `prune` parents it leaves empty; False when absent."""
        parent = self.get(keys[:-1]) if keys[:-1] else self.data
        if not isinstance(parent, dict) or keys[-1] not in parent:
            return False
        del parent[keys[-1]]
        self._anchor(keys)
        for depth in range(1, prune + 1):
            upper = list(keys[: len(keys) - depth])
            node = self.get(upper)
            if isinstance(node, dict) and not node:
                grand = self.get(upper[:-1]) if upper[:-1] else self.data
                del grand[upper[-1]]
                self._anchor(upper)
        return True

    @property
    def changed(self) -> bool:
        return self.whole and bool(self.data) or bool(self.anchors)

    # -- the text

    def text(self) -> str:
        if not self.changed:
            return self.original
        if self.whole:
            _unwrap(self.data, 0)
            return self.original + _emit(self.data, 0)
        lines = self.original.splitlines(keepends=True)
        edits: list[tuple[int, int, int, str]] = []  # (start, end, -depth, text); end excl.
        inserts: dict[tuple[str, ...], list[str]] = {}
        assert self.pristine is not None
        for anchor in self.anchors:
            mapping = self._pristine_at(anchor.mapping)
            if anchor.key in mapping:
                start, end, indent = _key_range(
                    mapping, anchor.key, lines, self._end_of(anchor.mapping, lines)
                )
                edits.append((start, end, 0, self._fragment(anchor, indent)))
            else:
                inserts.setdefault(anchor.mapping, []).append(anchor.key)
        for path, keys in inserts.items():
            mapping = self._pristine_at(path)
            end = self._content_end(path, lines)
            indent = _indent_of(mapping, lines, path)
            text = "".join(self._fragment(_Anchor(path, k), indent) for k in keys)
            edits.append((end, end, -len(path), text))
        # bottom-up so earlier positions stay valid; at one position the outer insert goes first
        # so the inner one (applied after it, at the same index) lands above it
        for start, end, _, replacement in sorted(edits, key=lambda e: e[:3], reverse=True):
            lines[start:end] = [replacement] if replacement else []
        out = "".join(lines)
        return out

    def _pristine_at(self, path: Sequence[str]) -> CommentedMap:
        node: Any = self.pristine
        for key in path:
            node = node[key]
        return node

    def _fragment(self, anchor: _Anchor, indent: int) -> str:
        parent = self.get(list(anchor.mapping)) if anchor.mapping else self.data
        if not isinstance(parent, dict) or anchor.key not in parent:
            return ""  # deleted
        fragment = CommentedMap()
        fragment[anchor.key] = parent[anchor.key]
        _unwrap(fragment, indent)
        return _emit(fragment, indent)

    def _end_of(self, path: Sequence[str], lines: list[str]) -> int:
        """The line after the last line belonging to the mapping at `path`."""
        if not path:
            return len(lines)
        parent = self._pristine_at(path[:-1])
        _, end, _ = _key_range(parent, path[-1], lines, self._end_of(path[:-1], lines))
        return end

    def _content_end(self, path: Sequence[str], lines: list[str]) -> int:
        end = self._end_of(path, lines)
        return _trim(lines, 0, end)


def _trim(lines: list[str], start: int, end: int) -> int:
    """Move `end` back over trailing blank and comment-only lines (they belong to what follows)."""
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    return end


def _key_range(
    mapping: CommentedMap, key: str, lines: list[str], mapping_end: int
) -> tuple[int, int, int]:
    keys = list(mapping)
    line, col = mapping.lc.key(key)
    i = keys.index(key)
    end = mapping.lc.key(keys[i + 1])[0] if i + 1 < len(keys) else mapping_end
    return line, _trim(lines, line, end), col


def _indent_of(mapping: CommentedMap, lines: list[str], path: Sequence[str]) -> int:
    if mapping:
        return int(mapping.lc.key(next(iter(mapping)))[1])
    return 2 * len(path)


def _styled(value: Any, old: Any) -> Any:
    if isinstance(value, str):
        if isinstance(old, FoldedScalarString):
            return FoldedScalarString(value)
        if isinstance(old, LiteralScalarString) or "\n" in value:
            return LiteralScalarString(value)
        return value
    if isinstance(value, list):
        seq = CommentedSeq(value)
        if isinstance(old, CommentedSeq) and not old.fa.flow_style():
            seq.fa.set_block_style()
        else:
            seq.fa.set_flow_style()  # new lists are one line: `[a, b]`
        return seq
    if isinstance(value, dict):
        mapping = CommentedMap((k, _styled(v, None)) for k, v in value.items())
        if isinstance(old, CommentedMap) and not old.fa.flow_style():
            mapping.fa.set_block_style()
        else:
            mapping.fa.set_flow_style()
        return mapping
    return value


def _unwrap(mapping: CommentedMap, indent: int) -> None:
    """A flow mapping that would pass the line width (`{level: ..., reviewed_by: ...}`) becomes
    one key a line: that reads better, and diffs better, than a wrapped flow mapping."""
    for key, value in mapping.items():
        if not isinstance(value, CommentedMap):
            continue
        if value.fa.flow_style():
            one = CommentedMap([(key, value)])
            out = io.StringIO()
            _yaml(10_000).dump(one, out)
            if indent + len(out.getvalue().rstrip("\n")) <= WIDTH:
                continue
            value.fa.set_block_style()
        _unwrap(value, indent + 2)


def _emit(data: Any, indent: int) -> str:
    out = io.StringIO()
    _yaml(WIDTH - indent).dump(data, out)
    pad = " " * indent
    return "".join(
        (pad + line.rstrip() + "\n") if line.strip() else "\n"
        for line in out.getvalue().splitlines()
    )
