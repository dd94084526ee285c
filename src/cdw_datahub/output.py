"""Writing results: atomic files, spreadsheet-safe cells and plain text tables."""

from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from cdw_datahub.errors import InputError


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "w") -> Iterator[IO]:
    """Open a temp file beside `path`; rename it over `path` only if the block succeeds.

    A failure (bad data, full disk, Ctrl-C) leaves any previous file untouched and no partial one.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("the output folder does not exist", str(directory))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise InputError(f"cannot write here ({e.strerror})", str(path)) from e
    try:
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else ""
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_output(path) as handle:
        handle.write(text)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_output(path, "wb") as handle:
        handle.write(data)


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
