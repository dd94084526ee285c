"""Write a BUCP export as CSV, XLSX, Markdown or JSON; every format carries the same rows.

The column order follows the state's data field definitions template (Field Name, Type,
Definition, Required, Valid inputs, Source, Notes, Guide for use), then what the plays add.
`cells(row)` is the one place a row becomes text, so the formats cannot drift apart.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cdw_datahub.bucp.summary import summary_text
from cdw_datahub.output import (
    SafeCsvWriter,
    append_row,
    atomic_output,
    set_cell,
    text_table,
    write_cell,
)

JSON_FORMAT_VERSION = 1
LIST_SEPARATOR = "; "


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_text(v) for v in value)
    return str(value)


def _statute_part(part: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: LIST_SEPARATOR.join(s[part] for s in row["statutes"])


def _key(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: _text(row[key])


# (header, how to get the cell text, xlsx column width)
COLUMNS: tuple[tuple[str, Callable[[dict[str, Any]], str], int], ...] = (
    ("Field Name", _key("field_name"), 26),
    ("Type", _key("type"), 13),
    ("Definition", _key("definition"), 50),
    ("Required", _key("required"), 10),
    ("Valid inputs", _key("valid_inputs"), 28),
    ("Source", _key("source"), 28),
    ("Notes", _key("notes"), 28),
    ("Guide for use", _key("guide_for_use"), 32),
    ("Classification", _key("classification"), 22),
    ("Categories", _key("categories"), 22),
    ("Classification status", _key("classification_status"), 14),
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
TABLE_COLUMNS = (
    ("dataset", "dataset"),
    ("field", "field"),
    ("type", "type"),
    ("classification", "classification"),
    ("status", "classification_status"),
    ("categories", "categories"),
    ("statutes", "statutes"),
)


def cells(row: dict[str, Any]) -> list[str]:
    return [get(row) for _, get, _ in COLUMNS]


@dataclass
class ExportDocument:
    title: str
    catalog: str  # where the catalog is (URI, without any secret)
    generated: str  # ISO date
    rows: list[dict[str, Any]]
    summary: dict[str, Any]

    @property
    def datasets(self) -> list[str]:
        return [d["dataset"] for d in self.summary["datasets"]]


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


def write_md(doc: ExportDocument, out: IO[str]) -> None:
    out.write(f"# {doc.title}\n\n")
    out.write(f"- Datasets: {', '.join(doc.datasets) or 'none'}\n")
    out.write(f"- Date: {doc.generated}\n")
    out.write(f"- Catalog: {doc.catalog}\n")
    out.write(f"- Fields: {len(doc.rows)}\n\n")
    out.write("## Technical fields\n\n")
    out.write("| " + " | ".join(HEADERS) + " |\n")
    out.write("|" + "---|" * len(HEADERS) + "\n")
    for row in doc.rows:
        out.write("| " + " | ".join(_md_cell(c) for c in cells(row)) + " |\n")
    out.write("\n## Summary\n\n")
    out.write(summary_text(doc.summary, markdown=True))


def document_json(doc: ExportDocument) -> dict[str, Any]:
    return {
        "format_version": JSON_FORMAT_VERSION,
        "title": doc.title,
        "generated": doc.generated,
        "catalog": doc.catalog,
        "fields": doc.rows,
        "summary": doc.summary,
    }


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


def build_workbook(doc: ExportDocument) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    link_font = Font(color="0563C1", underline="single")
    wrap = Alignment(wrap_text=True, vertical="top")

    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    set_cell(cover["A1"], doc.title)
    cover["A1"].font = Font(bold=True, size=16)
    info = [
        ("Request", doc.title),
        ("Datasets", "\n".join(doc.datasets) or "none"),
        ("Fields", len(doc.rows)),
        ("Date", doc.generated),
        ("Catalog", doc.catalog),
        ("Strictest classification", doc.summary["classification"]["strictest"]),
        ("Statutes triggered", len(doc.summary["statutes"])),
        ("Sheets", "Fields (BUCP technical fields), Summary, Glossary"),
    ]
    for i, (label, value) in enumerate(info, start=3):
        write_cell(cover, i, 1, label).font = bold
        write_cell(cover, i, 2, value).alignment = wrap
    cover.column_dimensions["A"].width = 26
    cover.column_dimensions["B"].width = 80

    fields = wb.create_sheet("Fields")
    append_row(fields, HEADERS)
    for cell in fields[1]:
        cell.font, cell.fill, cell.alignment = header_font, header_fill, wrap
    citation_col = HEADERS.index("Statute citations") + 1
    for r, row in enumerate(doc.rows, start=2):
        for c, text in enumerate(cells(row), start=1):
            cell = write_cell(fields, r, c, text)
            cell.alignment = wrap
        urls = [s["url"] for s in row["statutes"] if s["url"]]
        if urls:  # a cell holds one link: the first statute's official text
            link = fields.cell(r, citation_col)
            link.hyperlink, link.font = urls[0], link_font
    for c, (_, _, width) in enumerate(COLUMNS, start=1):
        fields.column_dimensions[get_column_letter(c)].width = width
    fields.freeze_panes = "B2"
    fields.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(len(doc.rows) + 1, 2)}"

    summary = wb.create_sheet("Summary")
    _summary_sheet(summary, doc.summary, bold, link_font, wrap)

    glossary = wb.create_sheet("Glossary")
    append_row(glossary, ["Term", "Definition", "Fields"])
    for cell in glossary[1]:
        cell.font, cell.fill = header_font, header_fill
    for term in doc.summary["glossary"]:
        append_row(
            glossary, [term["term"], term["definition"], LIST_SEPARATOR.join(term["fields"])]
        )
    for row_cells in glossary.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = wrap
    glossary.column_dimensions["A"].width = 24
    glossary.column_dimensions["B"].width = 70
    glossary.column_dimensions["C"].width = 50
    glossary.freeze_panes = "A2"
    return wb


def _summary_sheet(ws: Any, summary: dict[str, Any], bold: Any, link: Any, wrap: Any) -> None:
    def heading(text: str) -> None:
        append_row(ws, [])
        append_row(ws, [text])
        ws.cell(ws.max_row, 1).font = bold

    append_row(ws, ["Summary"])
    ws.cell(1, 1).font = bold
    heading("Statutes triggered")
    append_row(ws, ["Citation", "Title", "Fields"])
    for statute in summary["statutes"]:
        append_row(
            ws, [statute["citation"], statute["title"], LIST_SEPARATOR.join(statute["fields"])]
        )
        if statute["url"]:
            cell = ws.cell(ws.max_row, 1)
            cell.hyperlink, cell.font = statute["url"], link
    if not summary["statutes"]:
        append_row(ws, ["none recorded on these fields"])
    c = summary["classification"]
    heading("Classification")
    append_row(ws, ["Strictest classification", c["strictest"]])
    append_row(ws, ["Required NIST SP 800-53 controls", ", ".join(c["controls"]) or "none listed"])
    append_row(ws, ["Unclassified fields (protect as FIPS 199 Moderate)", c["unclassified_fields"]])
    heading("Categories present")
    for cat in summary["categories"]:
        append_row(ws, [cat["name"], len(cat["fields"]), LIST_SEPARATOR.join(cat["fields"])])
    heading("Late-statute risk")
    append_row(ws, ["Unclassified", len(summary["unclassified_fields"]),
                    LIST_SEPARATOR.join(summary["unclassified_fields"])])  # fmt: skip
    append_row(ws, ["Suggested, not reviewed", len(summary["suggested_fields"]),
                    LIST_SEPARATOR.join(summary["suggested_fields"])])  # fmt: skip
    append_row(ws, ["No definition", len(summary["undefined_fields"]),
                    LIST_SEPARATOR.join(summary["undefined_fields"])])  # fmt: skip
    for row_cells in ws.iter_rows():
        for cell in row_cells:
            cell.alignment = wrap
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 70


def write_xlsx(doc: ExportDocument, out: IO[bytes]) -> None:
    build_workbook(doc).save(out)


# ---------------------------------------------------------------- dispatch


def table_text(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as a plain terminal table (export and scan `--format table`)."""

    def show(key: str, value: Any) -> str:
        if key == "statutes":
            return "; ".join(s["citation"] for s in value)
        return ", ".join(value) if isinstance(value, list) else str(value)

    return text_table(
        [header for header, _ in TABLE_COLUMNS],
        [[show(key, row[key]) for _, key in TABLE_COLUMNS] for row in rows],
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


def rows_from_cells(records: Sequence[Sequence[str]]) -> list[dict[str, str]]:
    """Table rows (without the header) back to {header: text}: for comparing formats."""
    return [dict(zip(HEADERS, (c or "" for c in record), strict=False)) for record in records]
