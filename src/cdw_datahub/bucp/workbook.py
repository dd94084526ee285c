"""The BUCP package as a form-ready workbook: Cover, Fields, Statutes, Summary, Glossary.

Each sheet prints as it is: US Letter landscape, every column on one page width, the header row
repeated on every page, a footer with the BUCP id and "Page N of M", row heights that fit the
wrapped text (LibreOffice and Excel do not grow a row for wrapped text in a file they did not
lay out), frozen header and filters.

Two layers, kept apart on purpose: `put_cell` is the only place a value goes into a cell (so a
value rule, e.g. neutralising formulas, lands in one place); everything else is layout.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, Literal, TypedDict, TypeVar

from cdw_datahub.bucp.citations import short_citation
from cdw_datahub.bucp.glossary import DETAIL_LABELS, detail_text
from cdw_datahub.bucp.model import ExportDocument, FieldRow, GlossaryEntry
from cdw_datahub.bucp.sheets import cover_items, summary_items
from cdw_datahub.output import write_cell

# openpyxl is imported by the functions that build a sheet: it takes 0.3 s and 20,000 objects to
# load, and only an xlsx needs it (writers.py imports this module for every format)
if TYPE_CHECKING:
    from openpyxl import Workbook

LIST_SEPARATOR = "; "
BODY_PT = 9
HEADER_FILL = "1F4E79"
LINK_COLOR = "0563C1"
# Column widths are in characters of the default 11 pt font; an 8 pt cell holds about 1.45 times
# as many (measured in LibreOffice's PDF); 11.2 / size leaves room for glyphs wider than average.
CHARS_PER_WIDTH = 11.2 / BODY_PT
LINE_HEIGHT_PT = BODY_PT * 1.25
CELL_PADDING_PT = 4
# LibreOffice does not wrap a cell that holds a hyperlink: such a column is as wide as its text.
LINK_WIDTH = (12, 34)
MAX_ROW_HEIGHT_PT = 409  # the largest row height Excel accepts


# ---------------------------------------------------------------- the one value write


def put_cell(ws: Any, row: int, col: int, value: Any, link: str | None = None) -> Any:
    """Write one value (and its hyperlink) into a cell; every sheet writes through here, so text
    is always a string cell, never a formula (output.set_cell)."""
    cell = write_cell(ws, row, col, value)
    if link:
        cell.hyperlink = link
    return cell


# ---------------------------------------------------------------- layout


R = TypeVar("R")  # what one row of a table sheet shows: a field, a statute's field, a term


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    width: float
    get: Callable[[R], Any]
    link: Callable[[R], str | None] = lambda record: None


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "body": Font(size=BODY_PT),
        "bold": Font(size=BODY_PT, bold=True),
        "header": Font(size=BODY_PT, bold=True, color="FFFFFF"),
        "fill": PatternFill("solid", fgColor=HEADER_FILL),
        "link": Font(size=BODY_PT, color=LINK_COLOR, underline="single"),
        "title": Font(size=14, bold=True),
        "wrap": Alignment(wrap_text=True, vertical="top", horizontal="left"),
    }


def text_lines(value: Any, width: float) -> int:
    """How many lines `value` wraps to in a column `width` characters wide: word-wrapped like
    the spreadsheet does, at the characters that fit (an estimate on the safe side)."""
    if value is None or value == "":
        return 1
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(
        len(textwrap.wrap(part, per_line, break_on_hyphens=False)) or 1
        for part in str(value).split("\n")
    )


def fit_row_height(ws: Any, row: int, widths: Sequence[float]) -> None:
    lines = max(
        (text_lines(ws.cell(row, c).value, w) for c, w in enumerate(widths, start=1)), default=1
    )
    ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT_PT, lines * LINE_HEIGHT_PT + CELL_PADDING_PT)


def print_setup(ws: Any, footer: str, title_rows: str | None = "1:1") -> None:
    """Landscape Letter, all columns on one page width, repeated header, page footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    ws.print_options.gridLines = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.left.text = footer
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.right.size = 8


def table_sheet(ws: Any, columns: Sequence[Column[R]], records: Sequence[R], footer: str) -> None:
    """A header row and one row per record, laid out for print and for filtering."""
    from openpyxl.utils import get_column_letter

    st = _styles()
    for c, col in enumerate(columns, start=1):
        cell = put_cell(ws, 1, c, col.header)
        cell.font, cell.fill, cell.alignment = st["header"], st["fill"], st["wrap"]
        ws.column_dimensions[get_column_letter(c)].width = col.width
    widths = [col.width for col in columns]
    for r, record in enumerate(records, start=2):
        for c, col in enumerate(columns, start=1):
            link = col.link(record)
            cell = put_cell(ws, r, c, col.get(record), link)
            cell.font, cell.alignment = (st["link"] if link else st["body"]), st["wrap"]
        fit_row_height(ws, r, widths)
    fit_row_height(ws, 1, widths)
    ws.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(len(records) + 1, 2)}"
    print_setup(ws, footer)


def pairs_sheet(
    ws: Any,
    title: str,
    items: Sequence[tuple[Any, ...]],
    footer: str,
    widths: tuple[float, float, float] = (34, 70, 50),
) -> None:
    """A titled list of label / value rows (the cover and the summary). An item is (label,),
    a section heading, or (label, value[, link[, value, ...]])."""
    from openpyxl.utils import get_column_letter

    st = _styles()
    put_cell(ws, 1, 1, title).font = st["title"]
    ws.row_dimensions[1].height = 22
    r = 2
    for item in items:
        r += 1
        if len(item) == 1:  # a heading, after a blank row
            r += 1
            put_cell(ws, r, 1, item[0]).font = st["bold"]
            continue
        label, value = item[0], item[1]
        link = item[2] if len(item) > 2 else None
        more = item[3:]
        put_cell(ws, r, 1, label).font = st["bold"]
        cell = put_cell(ws, r, 2, value, link)
        cell.font = st["link"] if link else st["body"]
        for c, extra in enumerate(more, start=3):
            put_cell(ws, r, c, extra).font = st["body"]
        for c in range(1, 4):
            ws.cell(r, c).alignment = st["wrap"]
        fit_row_height(ws, r, widths)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    print_setup(ws, footer, title_rows=None)


# ---------------------------------------------------------------- the sheets' content


def _key(key: str) -> Callable[[Mapping[str, object]], str]:
    def get(row: Mapping[str, object]) -> str:
        value = row[key]
        if isinstance(value, list):
            return LIST_SEPARATOR.join(str(v) for v in value)
        return "" if value is None else str(value)

    return get


def _statute(i: int, part: Literal["citation", "url"]) -> Callable[[FieldRow], str | None]:
    def get(row: FieldRow) -> str | None:
        statutes = row["statutes"]
        if i >= len(statutes):
            return None
        value = statutes[i][part] or None
        return short_citation(value) if value and part == "citation" else value

    return get


def link_width(texts: Sequence[str | None]) -> float:
    """A width that shows the longest of `texts` on one line (see LINK_WIDTH)."""
    longest = max((len(t) for t in texts if t), default=0)
    return max(LINK_WIDTH[0], min(LINK_WIDTH[1], math.ceil(longest / CHARS_PER_WIDTH) + 1))


def _reviewed(row: FieldRow) -> str:
    """Who signed the classification and the statute assessment ("reviewed by NAME on DATE")."""
    parts = [row["classification_review"], row["statute_review"]]
    labels = ("classification", "statutes")
    found = [(label, p) for label, p in zip(labels, parts, strict=True) if p]
    if len(found) == 2 and found[0][1] == found[1][1]:
        return str(found[0][1])
    return "; ".join(f"{label}: {p}" for label, p in found)


def field_columns(statute_columns: int, statute_width: float = 13) -> list[Column[FieldRow]]:
    """The Fields sheet: the state template's columns, then what the plays add, then where the
    field lives. Each statute citation gets its own cell, so each is its own working link; the
    short form (Civ. Code § 1798.24) keeps the column narrow, the Statutes sheet has it in full."""
    columns: list[Column[FieldRow]] = [
        Column("Dataset", 12, _key("dataset")),
        Column("Field", 13, _key("field")),
        Column("Field Name", 14, _key("field_name")),
        Column("Name status", 8, _key("field_name_status")),
        Column("Type", 8, _key("type")),
        Column("Definition", 30, _key("definition")),
        Column("Required", 7, _key("required")),
        Column("Valid inputs", 13, _key("valid_inputs")),
        Column("Source", 12, _key("source")),
        Column("Notes", 12, _key("notes")),
        Column("Guide for use", 12, _key("guide_for_use")),
        Column("Classification", 11, _key("classification")),
        Column("Categories", 10, _key("category_names")),
        Column("Classification status", 12, _key("classification_status")),
        Column("Reviewed", 20, _reviewed),
    ]
    for i in range(statute_columns):
        header = "Statute" if statute_columns == 1 else f"Statute {i + 1}"
        columns.append(Column(header, statute_width, _statute(i, "citation"), _statute(i, "url")))
    columns += [
        Column("Glossary terms", 10, _key("glossary_terms")),
        Column("Steward", 10, _key("steward")),
    ]
    return columns


class StatuteRow(TypedDict):
    """A row of the Statutes sheet: one statute on one field."""

    citation: str
    url: str
    title: str
    status: str
    decided: str
    dataset: str
    field: str
    field_name: str


def statute_rows(doc: ExportDocument) -> list[StatuteRow]:
    """One row per statute and field: prints and pastes as a plain table, one link per row."""
    out = []
    for s in doc.summary["statutes"]:
        decided = "; ".join(d["text"] for d in s["decisions"])
        for ds in s["datasets"]:
            for f in ds["fields"]:
                out.append(StatuteRow(citation=s["citation"], url=s["url"], title=s["title"],
                                      status=f["status"], decided=decided, dataset=ds["dataset"],
                                      field=f["field"], field_name=f["field_name"]))  # fmt: skip
    return out


def statute_columns(citation_width: float) -> tuple[Column[StatuteRow], ...]:
    return (
        Column("Citation", citation_width, _key("citation"), lambda r: r["url"] or None),
        *STATUTE_DETAIL_COLUMNS,
    )


STATUTE_DETAIL_COLUMNS: tuple[Column[StatuteRow], ...] = (
    Column("Title", 34, _key("title")),
    Column("Status", 11, _key("status")),
    Column("How it was decided", 40, _key("decided")),
    Column("Dataset", 18, _key("dataset")),
    Column("Field", 18, _key("field")),
    Column("Field Name", 22, _key("field_name")),
)
# the Glossary sheet: the summary's glossary items (bucp/glossary.py)
GLOSSARY_WIDTHS = {"owners": 22, "source": 18, "domain": 12}


def _source_link(entry: GlossaryEntry) -> str | None:
    return entry.get("source_url") or None


def _no_link(entry: GlossaryEntry) -> str | None:
    return None


GLOSSARY_COLUMNS: tuple[Column[GlossaryEntry], ...] = (
    Column("Term", 18, _key("term")),
    Column("Definition", 46, _key("definition")),
    Column("Fields", 30, _key("fields")),
    # every other fact of the glossary, in the order bucp/glossary.py lists them
    *(
        Column(label, GLOSSARY_WIDTHS.get(key, 14), partial(detail_text, key=key, with_url=False),
               _source_link if key == "source" else _no_link)
        for key, label in DETAIL_LABELS
    ),
)  # fmt: skip


def build_workbook(doc: ExportDocument) -> Workbook:
    from openpyxl import Workbook

    footer = doc.footer
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    pairs_sheet(cover, doc.title, cover_items(doc), footer, widths=(30, 60, 14))
    cover.page_setup.orientation = "portrait"
    most = max((len(r["statutes"]) for r in doc.rows), default=0)
    citations = [s["citation"] for s in doc.summary["statutes"]]
    short = link_width([short_citation(c) for c in citations])
    table_sheet(wb.create_sheet("Fields"), field_columns(max(most, 1), short), doc.rows, footer)
    table_sheet(
        wb.create_sheet("Statutes"),
        statute_columns(link_width(citations)),
        statute_rows(doc),
        footer,
    )
    pairs_sheet(wb.create_sheet("Summary"), "Summary", summary_items(doc.summary), footer)
    table_sheet(wb.create_sheet("Glossary"), GLOSSARY_COLUMNS, doc.summary["glossary"], footer)
    return wb
