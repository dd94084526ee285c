"""The steward worksheet (play 5): one row per field, harvested facts locked, the rest editable.

Sheets:
- `Fields`: read-only columns (grey, locked) then editable ones, prefilled with what the
  dictionary and policies say today; dropdowns for level, categories, terms and statutes.
- `Instructions`: the definition criteria and how blank cells and the Clear column behave.
- `Lists` (hidden): the values the dropdowns offer.
- `_meta` (very hidden): the catalog, program and fields exported, so `worksheet import` can
  tell a workbook made for another program or dataset; and, per field, every cell's value at
  export time as compact JSON text (the base of the import's three-way merge: plain text in a
  hidden sheet survives Excel and LibreOffice, unlike a formula or a document property).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cdw_datahub.catalog import Catalog, DatasetView, FieldView
from cdw_datahub.catalog.model import CATEGORY_TAG, LEVEL_TAG, STATUTE_TERM
from cdw_datahub.contract import TERM, review_text
from cdw_datahub.errors import InputError
from cdw_datahub.output import append_row, write_cell
from cdw_datahub.policy import Policy
from cdw_datahub.worksheet.vocab import Vocabulary, current_values

FORMAT = "cdw-datahub worksheet 2"  # 2: the base values of every cell (three-way merge)
FIELDS_SHEET = "Fields"
LISTS_SHEET = "Lists"
META_SHEET = "_meta"
INSTRUCTIONS_SHEET = "Instructions"
NONE_APPLY = "none"  # in the Statutes column: assessed, no statute applies


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    editable: bool
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("program", "Program", False, 12),
    Column("dataset", "Dataset", False, 18),
    Column("field", "Field", False, 22),
    Column("native_type", "Native type", False, 14),
    Column("nullable", "Nullable", False, 9),
    Column("current_description", "Current description (catalog)", False, 40),
    Column("suggested", "Suggested classification", False, 36),
    Column("reviewed", "Reviewed", False, 26),
    Column("name", "Friendly name", True, 24),
    Column("definition", "Definition", True, 50),
    Column("valid_inputs", "Valid inputs", True, 24),
    Column("source", "Source", True, 24),
    Column("notes", "Notes", True, 24),
    Column("guide_for_use", "Guide for use", True, 24),
    Column("terms", "Glossary terms", True, 28),
    Column("level", "Classification level", True, 16),
    Column("categories", "Categories", True, 24),
    Column("statutes", "Statutes", True, 32),
    Column("clear", "Clear", True, 18),
)
EDITABLE = tuple(c for c in COLUMNS if c.editable)

GREY = PatternFill("solid", fgColor="D9D9D9")
HEADER = PatternFill("solid", fgColor="1F4E78")
EDIT_HEADER = PatternFill("solid", fgColor="2E75B6")

INSTRUCTIONS = f"""\
How to fill in this worksheet
One row per field. Grey columns are facts harvested from the database and the catalog;
they are locked.
White columns are yours; they show what the dictionary and the policies say today.

A good definition (CalHHS Data Sharing Plays, play 6):
- is clear: it can be read only one way;
- states the essential concept of one value of the field;
- embeds no other definition (define a term once, in the glossary, and use it);
- is not circular: it does not restate the field name ("Duration: the duration in minutes" fails);
- gives units of measure ("whole minutes", "statute miles to two decimal places", "US dollars");
- says nothing of why or how the field is used (put that in Guide for use).
Example: Stop Duration = Whole minutes the participant remained at a location during the commute.

Columns
- Friendly name: human readable, singular, no abbreviations.
- Valid inputs: allowed values or ranges. Source: how the data enters the system.
- Notes: known quality issues. Guide for use: how to use the field correctly.
- Glossary terms: term names (or ids) from the list, separated by commas.
- Classification level: pick one from the list. Saving it marks the classification reviewed,
  signed with your name and the date of the import.
- Categories: category ids (or names) from the list, separated by commas.
- Statutes: statute names (or ids) from the list, separated by commas, or "{NONE_APPLY}" when you
  assessed the field and no statute applies.
- Reviewed: who reviewed the classification and the statutes, and when.
- Suggested classification: what the detection rules suggest; copy it into the level and
  categories columns to accept it.

Blank cells
A blank cell never erases anything: it means "no change". To erase a value, write its column
name in the Clear column of that row (several separated by commas, e.g. "Notes, Valid inputs").

Several stewards may fill in copies of the same worksheet: only the cells you changed are
written. A cell you changed that someone else also changed in the files since this export is a
conflict: it is listed with the three values and not written (--take-worksheet writes yours).

Then run: cdw-datahub worksheet import THIS_FILE.xlsx  (a dry run listing the changes), and
cdw-datahub worksheet import THIS_FILE.xlsx --apply  to write them into glossary/ and policies/.
"""


def _suggestion(fv: FieldView) -> str:
    """Suggested level, categories and statutes with the rule that suggested them."""
    parts = []
    levels = [t for t in fv.tags if t.urn.startswith(LEVEL_TAG)]
    cats = [t for t in fv.tags if t.urn.startswith(CATEGORY_TAG)]
    statutes = [t for t in fv.terms if t.urn.startswith(STATUTE_TERM)]
    for t in levels:
        if t.provenance == "suggested":
            why = f": {t.evidence}" if t.evidence else ""
            rule = f" (rule {t.rule}{why})" if t.rule else ""
            cat_ids = [c.urn.rsplit(".", 1)[-1] for c in cats if c.provenance == "suggested"]
            extra = f" [{', '.join(cat_ids)}]" if cat_ids else ""
            parts.append(f"suggested: {t.urn.rsplit('.', 1)[-1]}{extra}{rule}")
    sugg_statutes = [s for s in statutes if s.provenance == "suggested"]
    if sugg_statutes:
        ids = ", ".join(s.urn.removeprefix(TERM) for s in sugg_statutes)
        rules = sorted({s.rule for s in sugg_statutes if s.rule})
        parts.append(f"statutes: {ids}" + (f" (rule {', '.join(rules)})" if rules else ""))
    return "; ".join(parts)


def _review(policy: Policy, program: str, table: str, column: str) -> str:
    """Who signed the field's classification and statute assessment, and when."""
    reviewed = policy.reviewed(program, table, column)
    decision = policy.statutes_for(program, table, column, [])
    parts = []
    if reviewed is not None:
        parts.append(("classification", review_text(reviewed.reviewed_by, reviewed.reviewed_on)))
    if decision.provenance == "reviewed":
        parts.append(("statutes", review_text(decision.reviewed_by, decision.reviewed_on)))
    if len(parts) == 2 and parts[0][1] == parts[1][1]:
        return parts[0][1]
    return "; ".join(f"{what}: {text}" for what, text in parts)


def cell_text(vocab: Vocabulary, key: str, value: Any) -> str:
    """A value in ids as its cell shows it (names for terms and statutes)."""
    if value is None:
        return ""
    if key == "statutes" and value == []:
        return NONE_APPLY
    if key in ("terms", "statutes"):
        return vocab.labels(key, list(value))
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _row(
    policy: Policy, vocab: Vocabulary, program: str, ds: DatasetView, fv: FieldView
) -> tuple[dict[str, str], dict[str, Any]]:
    """The row's cell texts, and the values in ids it was made from (the merge base)."""
    current = current_values(policy, program, ds.table, fv.path)
    row = {
        "program": program,
        "dataset": ds.table,
        "field": fv.path,
        "native_type": fv.native_type,
        "nullable": "yes" if fv.nullable else "no",
        "current_description": fv.description or "",
        "suggested": _suggestion(fv),
        "reviewed": _review(policy, program, ds.table, fv.path),
    }
    for key, value in current.items():
        row[key] = cell_text(vocab, key, value)
    return row, current


def base_json(row: dict[str, str], values: dict[str, Any]) -> str:
    """The `_meta` record of one row: its values in ids and its locked cells' texts."""
    locked = {c.key: row.get(c.key) or "" for c in COLUMNS[3:] if not c.editable}
    return json.dumps({"values": values, "locked": locked}, separators=(",", ":"))


def select_datasets(
    catalog: Catalog, policy: Policy, program: str | None, datasets: Sequence[str]
) -> tuple[str, list[DatasetView]]:
    """One program's datasets (optionally only the named tables), in name order."""
    pid = policy.program(program).id if program else None
    wanted = {d.lower() for d in datasets}
    found = [
        ds
        for ds in catalog.datasets()
        if (pid is None or ds.program == pid) and (not wanted or ds.table.lower() in wanted)
    ]
    if not found:
        what = f"program '{program}'" if program else "the catalog"
        names = f" named {', '.join(datasets)}" if datasets else ""
        raise InputError(f"no datasets{names} in {what}", catalog.location, "--dataset")
    programs = {ds.program for ds in found}
    if len(programs) > 1 or None in programs:
        raise InputError(
            f"the datasets belong to programs {', '.join(sorted(str(p) for p in programs))}; "
            "a worksheet covers one program: add --program",
            catalog.location,
            "--program",
        )
    missing = wanted - {ds.table.lower() for ds in found}
    if missing:
        raise InputError(
            f"no dataset {', '.join(sorted(missing))} in this program", None, "--dataset"
        )
    found.sort(key=lambda d: d.table)
    return str(found[0].program), found


def build_workbook(
    catalog: Catalog, policy: Policy, program: str | None, datasets: Sequence[str] = ()
) -> tuple[bytes, int]:
    """The workbook as bytes, and the number of field rows."""
    pid, selected = select_datasets(catalog, policy, program, datasets)
    vocab = Vocabulary(policy)
    made = [_row(policy, vocab, pid, ds, fv) for ds in selected for fv in ds.fields]
    rows = [row for row, _ in made]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    _fields_sheet(ws, rows)
    _dropdowns(wb, ws, policy, vocab, last=max(len(rows) + 1, 2))
    _instructions_sheet(wb)
    wb.active = wb.index(ws)
    _meta_sheet(wb, catalog.location, pid, selected, made)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(rows)


def _fields_sheet(ws: Any, rows: list[dict[str, str]]) -> None:
    """Headers, then one row per field: grey locked facts, white editable cells."""
    ws.title = FIELDS_SHEET
    for i, col in enumerate(COLUMNS, start=1):
        cell = write_cell(ws, 1, i, col.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = EDIT_HEADER if col.editable else HEADER
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "D2"
    for r, row in enumerate(rows, start=2):
        for i, col in enumerate(COLUMNS, start=1):
            # text cells only, formula-like text quoted (output.spreadsheet_text; the importer
            # removes the quote again)
            cell = write_cell(ws, r, i, row.get(col.key) or None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if col.editable:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = GREY
    ws.protection.sheet = True  # locks the grey cells; no password: a guard, not security
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(rows) + 1, 2)}"


def _dropdowns(wb: Workbook, ws: Any, policy: Policy, vocab: Vocabulary, last: int) -> None:
    """The values the dropdowns offer (a hidden sheet), and a dropdown on rows 2..last."""
    lists = wb.create_sheet(LISTS_SHEET)
    columns = {
        "level": [lv.id for lv in policy.levels],
        "categories": list(policy.categories),
        "terms": vocab.choices("terms"),
        "statutes": [NONE_APPLY, *vocab.choices("statutes")],
    }
    for i, (key, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(i)
        write_cell(lists, 1, i, key)
        for j, value in enumerate(values, start=2):
            write_cell(lists, j, i, value)
        if not values:
            continue
        source = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        # the level is one value (strict); the others are comma-separated lists, so the dropdown
        # helps pick but does not refuse a list (import checks every item)
        strict = key == "level"
        dv = DataValidation(
            type="list",
            formula1=f"={source}",
            allow_blank=True,
            showErrorMessage=strict,
            errorTitle="Unknown value" if strict else None,
            error=f"Pick a {key} from the list" if strict else None,
        )
        target = next(n for n, c in enumerate(COLUMNS, start=1) if c.key == key)
        target_letter = get_column_letter(target)
        dv.add(f"{target_letter}2:{target_letter}{last}")
        ws.add_data_validation(dv)
    lists.sheet_state = "hidden"


def _instructions_sheet(wb: Workbook) -> None:
    info = wb.create_sheet(INSTRUCTIONS_SHEET, 0)
    for r, line in enumerate(INSTRUCTIONS.splitlines(), start=1):
        cell = write_cell(info, r, 1, line or None)
        if r == 1 or line.endswith(":") or line in ("Columns", "Blank cells"):
            cell.font = Font(bold=True)
    info.column_dimensions["A"].width = 110


def _meta_sheet(
    wb: Workbook,
    catalog: str,
    pid: str,
    selected: list[DatasetView],
    made: list[tuple[dict[str, str], dict[str, Any]]],
) -> None:
    """What the import needs to know (very hidden): the export's scope and every row's base."""
    meta = wb.create_sheet(META_SHEET)
    append_row(meta, ["format", FORMAT])
    append_row(meta, ["catalog", catalog])
    append_row(meta, ["program", pid])
    append_row(meta, ["datasets", ", ".join(ds.table for ds in selected)])
    append_row(meta, ["exported_at", datetime.now(timezone.utc).isoformat(timespec="seconds")])
    append_row(meta, ["columns", ", ".join(c.header for c in COLUMNS)])
    for row, base in made:
        append_row(meta, ["field", row["dataset"], row["field"], base_json(row, base)])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
