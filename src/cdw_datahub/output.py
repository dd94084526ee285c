"""Writing results: atomic files, spreadsheet-safe cells and plain text tables.

Every file the CLI writes goes to a temporary sibling `.NAME.XXXX.tmp` first and is renamed over
NAME only when complete, so a reader sees the old file or the new one, never half of one. While a
writer works it holds an advisory lock (flock) on its temporary file; the lock dies with the
process, which is how a later run tells a temp file left by a killed run (removed) from one that
a live writer is still filling (kept).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import glob
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from cdw_datahub.errors import InputError

STALE_AFTER_S = 60  # a temp file this old whose lock is free was left by a killed run


def _folder(path: Path) -> Path:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("the output folder does not exist", str(directory))
    return directory


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def _mode_for(path: Path) -> tuple[int, int, int] | None:
    """(mode, uid, gid) of the file being replaced; None for a new file."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a folder, not a file", str(path))
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _take_over(fd: int, path: Path, private: bool = False) -> None:
    """Give the temp file the mode (and, where allowed, owner) the result should have:
    mkstemp creates 0600, but a rewritten file keeps its mode and a new one follows the umask
    (a `private` one, holding restricted text, stays 0600)."""
    old = _mode_for(path)
    if old is None:
        os.fchmod(fd, 0o600 if private else 0o666 & ~_umask())
        return
    mode, uid, gid = old
    os.fchmod(fd, mode)
    if (uid, gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):  # only root may give a file away; keep ours then
            os.fchown(fd, uid, gid)


def remove_stale(path: Path) -> list[Path]:
    """Remove `.NAME.*.tmp` siblings of `path` left by killed runs (old and unlocked)."""
    removed = []
    pattern = str(path.parent / f".{glob.escape(path.name)}.*.tmp")
    for candidate in map(Path, glob.glob(pattern)):
        try:
            if time.time() - candidate.stat().st_mtime < STALE_AFTER_S:
                continue
            fd = os.open(candidate, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live writer holds it
        finally:
            os.close(fd)  # closing releases our lock too
        with contextlib.suppress(OSError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def _temp_sibling(path: Path, private: bool = False) -> tuple[int, str]:
    directory = _folder(path)
    remove_stale(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise InputError(f"cannot write here ({_reason(e)})", str(path)) from e
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _take_over(fd, path, private)
    except BaseException:
        os.close(fd)
        _unlink(tmp)
        raise
    return fd, tmp


def _unlink(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "w", private: bool = False) -> Iterator[IO]:
    """Open a temp file beside `path`; rename it over `path` only if the block succeeds.

    A failure (bad data, full disk, Ctrl-C) leaves any previous file untouched and no partial one;
    an OSError while writing becomes an InputError naming `path`.
    """
    path = Path(path)
    fd, tmp = _temp_sibling(path, private)
    try:
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else ""
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the data is on disk before the name points at it
        os.replace(tmp, path)
    except OSError as e:
        _unlink(tmp)
        raise InputError(
            f"cannot write ({_reason(e)}); the previous file, if any, is unchanged", str(path)
        ) from e
    except BaseException:
        _unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, private: bool = False) -> None:
    with atomic_output(path, private=private) as handle:
        handle.write(text)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_output(path, "wb") as handle:
        handle.write(data)


def _write_temp(path: Path, data: bytes) -> str:
    """`data` in a complete, synced temp sibling of `path`; its name."""
    fd, tmp = _temp_sibling(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as e:
        _unlink(tmp)
        raise InputError(f"cannot write ({_reason(e)})", str(path)) from e
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _original(path: Path) -> bytes | None:
    if _mode_for(path) is None:
        return None
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read ({_reason(e)})", str(path)) from e


def atomic_write_all(texts: Mapping[Path, str]) -> None:
    """Write several files as one: every file replaced, or (on any failure) none changed.

    Stage 1 writes every text to a temp sibling: a full disk, a read-only or missing folder fails
    here, before any file changed. Stage 2 renames them; a rename failing midway (it does not
    in practice, the folders were just written to) puts the files already replaced back.
    Errors say "nothing was changed" only when that is true.
    """
    originals: dict[Path, bytes | None] = {}
    temps: dict[Path, str] = {}
    try:
        for path, text in texts.items():
            path = Path(path)
            originals[path] = _original(path)
            temps[path] = _write_temp(path, text.encode("utf-8"))
    except InputError as e:
        _unlink_all(temps.values())
        raise InputError(f"{e.message}; nothing was changed", e.location, e.key) from e
    except BaseException:
        _unlink_all(temps.values())
        raise
    replaced: list[Path] = []
    try:
        for path, tmp in temps.items():
            os.replace(tmp, path)
            replaced.append(path)
    except BaseException as e:
        _unlink_all(tmp for p, tmp in temps.items() if p not in replaced)
        kept = _put_back(replaced, originals)
        if not isinstance(e, OSError):
            raise
        outcome = (
            "nothing was changed"
            if not kept
            else "these files were replaced and could not be put back: " + ", ".join(kept)
        )
        raise InputError(f"cannot replace ({_reason(e)}); {outcome}", str(path)) from e


def _put_back(replaced: Sequence[Path], originals: Mapping[Path, bytes | None]) -> list[str]:
    """Restore replaced files to their original bytes; the paths that could not be."""
    failed = []
    for path in replaced:
        try:
            old = originals[path]
            if old is None:
                path.unlink()
            else:
                os.replace(_write_temp(path, old), path)
        except (OSError, InputError):
            failed.append(str(path))
    return failed


def _unlink_all(temps: Iterable[str]) -> None:
    for tmp in list(temps):
        _unlink(tmp)


def text_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain fixed-width table (no colour, so it pastes into an email or a document)."""

    def cell(value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)).rstrip() for row in cells
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- spreadsheet-safe cells
# Formula injection (OWASP "CSV Injection"): Excel, LibreOffice and Google Sheets read a cell
# that begins with one of these as a formula, in a CSV file and when a person edits an xlsx
# cell. Every csv and xlsx writer passes its text through `spreadsheet_text`, which prefixes
# such a value with a single quote; json and md keep the text as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A value that is one number ("-1", "+3.5", "-1e3") is read as that number, never a formula:
# it stays as it is. "-90 to 90" is not one number: it is quoted.
_ONE_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _needs_quote(text: str) -> bool:
    if text.startswith("'"):  # a quote that would be taken for ours: quote again (reversible)
        return _needs_quote(text[1:])
    return text.startswith(FORMULA_STARTS) and not _ONE_NUMBER.fullmatch(text)


def spreadsheet_text(value: Any) -> Any:
    """`value` as a csv/xlsx cell may hold it: text a spreadsheet would evaluate gets a quote."""
    if isinstance(value, str) and value and _needs_quote(value):
        return "'" + value
    return value


def from_spreadsheet_text(value: Any) -> Any:
    """Undo `spreadsheet_text` (for reading back a workbook this tool wrote)."""
    if isinstance(value, str) and value.startswith("'") and _needs_quote(value[1:]):
        return value[1:]
    return value


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `spreadsheet_text`."""

    def __init__(self, out: IO[str]):
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_text(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows (header first) as spreadsheet-safe CSV text."""
    import io

    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerows(rows)
    return buffer.getvalue()


def set_cell(cell: Any, value: Any) -> Any:
    """Write `value` into an openpyxl cell: text is always a string cell (data type 's', never a
    formula), quoted by `spreadsheet_text`; characters XML cannot hold become U+FFFD."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        cell.value = spreadsheet_text(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def write_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    return set_cell(ws.cell(row=row, column=column), value)


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """`ws.append(values)` with every cell written by `set_cell`."""
    from openpyxl.cell.cell import Cell

    ws.append([set_cell(Cell(ws), v) for v in values])
