"""Write a BUCP export as CSV, XLSX, Markdown or JSON; every format carries the same rows.

The column order follows the state's data field definitions template (Field Name, Type,
Definition, Required, Valid inputs, Source, Notes, Guide for use), then what the plays add.
`cells(row)` is the one place a row becomes text, so the formats cannot drift apart.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal

from cdw_datahub.bucp.model import ExportDocument, FieldRow, RowStatute
from cdw_datahub.bucp.sheets import cover_items
from cdw_datahub.bucp.summary import summary_text
from cdw_datahub.bucp.workbook import build_workbook
from cdw_datahub.output import (
    SafeCsvWriter,
    atomic_output,
    text_table,
)

JSON_FORMAT_VERSION = 1
LIST_SEPARATOR = "; "


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_text(v) for v in value)
    return str(value)


def _statute_part(part: Literal["citation", "title", "url"]) -> Callable[[FieldRow], str]:
    return lambda row: LIST_SEPARATOR.join(s[part] for s in row["statutes"])


def _key(key: str) -> Callable[[Mapping[str, object]], str]:
    return lambda row: _text(row[key])


# (header, how to get the cell text, xlsx column width)
COLUMNS: tuple[tuple[str, Callable[[FieldRow], str], int], ...] = (
    ("Field Name", _key("field_name"), 26),
    ("Type", _key("type"), 13),
    ("Definition", _key("definition"), 50),
    ("Required", _key("required"), 10),
    ("Valid inputs", _key("valid_inputs"), 28),
    ("Source", _key("source"), 28),
    ("Notes", _key("notes"), 28),
    ("Guide for use", _key("guide_for_use"), 32),
    ("Classification", _key("classification"), 22),
    ("Categories", _key("category_names"), 22),
    ("Classification status", _key("classification_status"), 14),
    ("Classification reason", _key("classification_reason"), 40),
    ("Classification review", _key("classification_review"), 24),
    ("Field Name status", _key("field_name_status"), 14),
    ("Statute status", _key("statute_status"), 16),
    ("Statute review", _key("statute_review"), 24),
    ("Statute citations", _statute_part("citation"), 28),
    ("Statute titles", _statute_part("title"), 34),
    ("Statute links", _statute_part("url"), 40),
    ("Glossary terms", _key("glossary_terms"), 22),
    ("Steward", _key("steward"), 18),
    ("Dataset", _key("dataset"), 24),
    ("Field", _key("field"), 22),
    ("Native type", _key("native_type"), 16),
    ("Dataset URN", _key("dataset_urn"), 40),
)
HEADERS = tuple(c[0] for c in COLUMNS)
FORMATS = ("table", "csv", "xlsx", "md", "json")
EXTENSIONS = {
    "csv": "csv",
    "xlsx": "xlsx",
    "md": "md",
    "markdown": "md",
    "json": "json",
}
# The columns a person reads on a terminal; the files carry every column.
TABLE_COLUMNS: tuple[tuple[str, Callable[[FieldRow], str]], ...] = (
    ("dataset", lambda row: row["dataset"]),
    ("field", lambda row: row["field"]),
    ("type", lambda row: row["type"]),
    ("classification", lambda row: row["classification"]),
    ("status", lambda row: row["classification_status"]),
    ("categories", lambda row: ", ".join(row["category_names"])),
    ("statutes", lambda row: "; ".join(s["citation"] for s in row["statutes"])),
)


def cells(row: FieldRow) -> list[str]:
    return [get(row) for _, get, _ in COLUMNS]


def format_for(path: Path | None, fmt: str | None) -> str | None:
    """The format: as given, else from the output file's extension (None when unknown)."""
    if fmt:
        return fmt.lower()
    if path is None:
        return "table"
    return EXTENSIONS.get(path.suffix.lower().lstrip("."))


# ---------------------------------------------------------------- text formats


def write_csv(doc: ExportDocument, out: IO[str]) -> None:
    writer = SafeCsvWriter(out)  # formula-like text is quoted (output.spreadsheet_text)
    writer.writerow(HEADERS)
    for row in doc.rows:
        writer.writerow(cells(row))


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


_CITATIONS = HEADERS.index("Statute citations")


def _md_link(statute: RowStatute) -> str:
    """Each citation its own link (the cell can hold several)."""
    text = _md_cell(statute["citation"]).replace("[", "\\[").replace("]", "\\]")
    url = statute["url"].replace(" ", "%20").replace(")", "%29")
    return f"[{text}]({url})" if url else text


def write_md(doc: ExportDocument, out: IO[str]) -> None:
    out.write(f"# {doc.title}\n\n")
    for item in cover_items(doc):
        if item == ("Sheets",):  # the workbook's guide; this document has sections instead
            break
        if len(item) == 1:
            out.write(f"\n**{_md_cell(str(item[0]))}**\n\n")
            continue
        value = _md_cell(str(item[1]))
        value = f"[{value}]({item[2]})" if len(item) > 2 and item[2] else value
        extra = "".join(f" ({_md_cell(str(v))})" for v in item[3:] if v)
        out.write(f"- {_md_cell(str(item[0]))}: {value}{extra}\n")
    out.write("\n")
    out.write("## Technical fields\n\n")
    out.write("| " + " | ".join(HEADERS) + " |\n")
    out.write("|" + "---|" * len(HEADERS) + "\n")
    for row in doc.rows:
        texts = [_md_cell(c) for c in cells(row)]
        texts[_CITATIONS] = LIST_SEPARATOR.join(_md_link(s) for s in row["statutes"])
        out.write("| " + " | ".join(texts) + " |\n")
    out.write("\n## Summary\n\n")
    out.write(summary_text(doc.summary, markdown=True))


def document_json(doc: ExportDocument) -> dict[str, Any]:
    return {
        "format_version": JSON_FORMAT_VERSION,
        "title": doc.title,
        "generated": doc.generated,
        "catalog": doc.catalog,
        "request": _request_json(doc),
        "fields": doc.rows,
        "summary": doc.summary,
    }


def _request_json(doc: ExportDocument) -> dict[str, Any] | None:
    """The BUCP's cover facts (never its Specialized content), or None without --bucp."""
    r = doc.request
    if r is None:
        return None
    return {"id": r.id, "title": r.title, "program": r.program,
            "requesting_department": r.requesting_department,
            "providing_department": r.providing_department, "sponsor": r.sponsor,
            "coordinator": r.coordinator, "legal_authority": list(r.authorities)}  # fmt: skip


def write_json(doc: ExportDocument, out: IO[str]) -> None:
    """Indented JSON with one field object per line: readable, diff-friendly, and fast (each
    line goes through the C encoder; `json.dump(indent=...)` is pure Python, 5x slower)."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    head = {k: v for k, v in document_json(doc).items() if k not in ("fields", "summary")}
    out.write("{\n")
    for key, value in head.items():
        out.write(f"  {dumps(key)}: {dumps(value)},\n")
    out.write('  "fields": [')
    for i, row in enumerate(doc.rows):
        out.write(("\n    " if i == 0 else ",\n    ") + dumps(row))
    out.write("\n  ],\n" if doc.rows else "],\n")
    summary = json.dumps(doc.summary, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    out.write(f'  "summary": {summary}\n}}\n')


# ---------------------------------------------------------------- xlsx


def write_xlsx(doc: ExportDocument, out: IO[bytes]) -> None:
    # built in memory first: when the file fails mid-way (a full disk) openpyxl leaves its zip
    # open, and its finalizer later prints a traceback
    buffer = io.BytesIO()
    build_workbook(doc).save(buffer)
    out.write(buffer.getvalue())


# ---------------------------------------------------------------- dispatch


def table_text(rows: Sequence[FieldRow]) -> str:
    """The rows as a plain terminal table (export and scan `--format table`)."""
    return text_table(
        [header for header, _ in TABLE_COLUMNS],
        [[get(row) for _, get in TABLE_COLUMNS] for row in rows],
    )


def write_table(doc: ExportDocument, out: IO[str]) -> None:
    out.write(table_text(doc.rows) + "\n")


_WRITERS: dict[str, Callable[[ExportDocument, Any], None]] = {
    "table": write_table,
    "csv": write_csv,
    "md": write_md,
    "json": write_json,
    "xlsx": write_xlsx,
}


def render(doc: ExportDocument, fmt: str) -> str:
    """A text format as a string (for stdout)."""
    buffer = io.StringIO()
    _WRITERS[fmt](doc, buffer)
    return buffer.getvalue()


def write(doc: ExportDocument, fmt: str, path: Path) -> None:
    """Write atomically: the previous file stays intact until the new one is complete."""
    with atomic_output(path, "wb" if fmt == "xlsx" else "w") as handle:
        _WRITERS[fmt](doc, handle)
