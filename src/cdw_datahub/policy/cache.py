"""One cache for what is built from the steward files: the policy, the compiled detection rules.

The stages of a pipeline, the CLI and the tests ask for the same folders many times. An entry is
keyed by what was asked for and the stamps (path, mtime, size) of the files it is built from, so
callers share one load and an edited file is read again on the next call.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")
SIZE = 16  # a few folders and rule files at once (tests, the demo); an evicted one is rebuilt

_ENTRIES: OrderedDict[Hashable, Any] = OrderedDict()
_LOCK = threading.Lock()


def stamps(files: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            out.append((str(path), -1, -1))  # the loader names the missing file
        else:
            out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


def cached(key: Hashable, files: Iterable[Path], build: Callable[[], T]) -> T:
    """`build()` once per key and state of `files`; what it raises is not cached."""
    full = (key, stamps(files))
    with _LOCK:
        if full in _ENTRIES:
            _ENTRIES.move_to_end(full)
            return cast(T, _ENTRIES[full])
    value = build()
    with _LOCK:
        _ENTRIES[full] = value
        while len(_ENTRIES) > SIZE:
            _ENTRIES.popitem(last=False)
    return value


def clear_cache() -> None:
    with _LOCK:
        _ENTRIES.clear()
