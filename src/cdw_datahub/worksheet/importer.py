"""Read a filled-in worksheet back, check every cell, and write the changes into the YAML.

    plan = read_workbook(path, policy)          # WorksheetError listing every bad cell
    for change in plan.changes: ...             # what would change (the dry run)
    apply(plan, policy)                          # validated as a whole, then all files or none

Where the values go:
- friendly name, definition, valid inputs, source, notes, guide for use, glossary terms ->
  glossary/dictionary/<program>.yml `datasets.<table>.fields.<column>`;
- classification level and categories -> policies/reviewed.yml (reviewed: it always wins);
- statutes -> policies/statutes.yml `fields.<program>.<table>.<column>` ("none" -> []).
A blank cell is "no change"; a value is erased only when the row's Clear column names it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from cdw_datahub.errors import InputError
from cdw_datahub.output import FORMULA_STARTS, atomic_write_all, from_spreadsheet_text
from cdw_datahub.policy import Policy, clear_cache, load_policy
from cdw_datahub.worksheet.export import (
    COLUMNS,
    DICTIONARY_KEYS,
    EDITABLE,
    FIELDS_SHEET,
    FORMAT,
    META_SHEET,
    NONE_APPLY,
)
from cdw_datahub.worksheet.yaml_edit import YamlEdit

TEXT_KEYS = ("name", "definition", "valid_inputs", "source", "notes", "guide_for_use")
# Bounds on what a workbook may unpack to (checked from the zip directory before opening it):
# a 10,000-field worksheet is about 25 MB of XML; a zip bomb is hundreds of MB or more.
MAX_XLSX_BYTES = 100_000_000
MAX_XLSX_PART_BYTES = 50_000_000
MAX_XLSX_MEMBERS = 1_000
_NUMBER_START = re.compile(r"-\.?\d")
LIST_KEYS = ("terms", "categories", "statutes")


class WorksheetError(InputError):
    """Every bad cell of a workbook; the message names the first, `problems` all of them."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        location, message = problems[0]
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem(s) in the workbook)"
        super().__init__(message, location)


@dataclass(frozen=True)
class Change:
    program: str
    dataset: str
    field: str
    column: str  # column key
    old: Any
    new: Any  # None = erase
    cell: str  # Fields!I7

    def to_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "dataset": self.dataset,
            "field": self.field,
            "column": self.column,
            "old": self.old,
            "new": self.new,
            "cell": self.cell,
        }


@dataclass
class Plan:
    program: str
    catalog: str
    datasets: list[str]
    changes: list[Change] = field(default_factory=list)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]


def _short(urn: str) -> str:
    return urn.removeprefix("urn:li:glossaryTerm:")


def _current(policy: Policy, program: str, table: str, column: str) -> dict[str, Any]:
    """The values the YAML holds today, in worksheet terms."""
    out: dict[str, Any] = {}
    entry = policy.field_entry(program, table, column)
    if entry is not None:
        for key in DICTIONARY_KEYS:
            value = getattr(entry, key)
            out[key] = [_short(t) for t in value] if key == "terms" else value
    reviewed = policy.reviewed(program, table, column)
    if reviewed is not None:
        out["level"] = reviewed.level
        out["categories"] = list(reviewed.categories)
    decision = policy.statutes_for(program, table, column, [])
    if decision.provenance == "reviewed":
        out["statutes"] = [_short(s) for s in decision.statutes]
    return out


def _check_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack past the limits, from the zip directory alone.

    Python's zipfile never inflates a member past the size its directory declares, so these
    sizes bound what openpyxl can read (an xlsx is a zip of XML parts).
    """
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if len(members) > MAX_XLSX_MEMBERS:
        raise InputError(
            f"the workbook has {len(members):,} parts; the limit is {MAX_XLSX_MEMBERS:,}", str(path)
        )
    for member in members:
        if member.file_size > MAX_XLSX_PART_BYTES:
            raise InputError(
                f"part '{member.filename}' unpacks to {member.file_size:,} bytes; the limit is "
                f"{MAX_XLSX_PART_BYTES // 1_000_000} MB per part",
                str(path),
            )
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_BYTES:
        raise InputError(
            f"the workbook unpacks to {total:,} bytes; the limit is "
            f"{MAX_XLSX_BYTES // 1_000_000} MB",
            str(path),
        )


def _open(path: Path) -> Any:
    """The workbook in read-only (streaming) mode, formulas as written: only the sheets read
    below are parsed, and a formula cell is seen as one (not as its cached value)."""
    try:
        _check_size(path)
        return load_workbook(path, read_only=True, data_only=False)
    except FileNotFoundError as e:
        raise InputError("file not found", str(path)) from e
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, InvalidFileException) as e:
        raise InputError(f"not an .xlsx workbook ({e})", str(path)) from e


def _formula_problem(header: str, raw: Any, text: str, key: str, data_type: str) -> str | None:
    """Why a cell may not be taken (a formula, or text a spreadsheet would run as one)."""
    if data_type == "f":
        return f"{header} holds a formula; type the text itself (formulas are not accepted)"
    if not isinstance(raw, str) or key not in TEXT_KEYS or not text.startswith(FORMULA_STARTS):
        return None
    if key == "valid_inputs" and _NUMBER_START.match(text):
        return None  # "-90 to 90", "-1 means unknown": a negative number starts a valid input
    return (
        f"{header} begins with '{text[0]}', which a spreadsheet runs as a formula; "
        "start the text with a word"
        + (" (a negative number may start Valid inputs)" if text[0] == "-" else "")
    )


def read_workbook(path: Path, policy: Policy) -> Plan:
    wb = _open(path)
    try:
        return _read(wb, path, policy)
    finally:
        wb.close()


def _read(wb: Any, path: Path, policy: Policy) -> Plan:
    problems: list[tuple[str, str]] = []

    def bad(where: str, message: str) -> None:
        problems.append((where, message))

    # -- which program and fields this workbook was made for
    if META_SHEET not in wb.sheetnames or FIELDS_SHEET not in wb.sheetnames:
        raise InputError(
            f"not a cdw-datahub worksheet (no '{FIELDS_SHEET}' or '{META_SHEET}' sheet); "
            "start from `cdw-datahub worksheet export`",
            str(path),
        )
    meta: dict[str, str] = {}
    exported: set[tuple[str, str]] = set()
    for row in wb[META_SHEET].iter_rows(values_only=True):
        if not row or row[0] is None:
            continue
        row = tuple(from_spreadsheet_text(v) for v in row)  # the quote the export added
        if row[0] == "field":
            exported.add((str(row[1]), str(row[2])))
        else:
            meta[str(row[0])] = "" if row[1] is None else str(row[1])
    if meta.get("format") != FORMAT:
        raise InputError(
            f"workbook format '{meta.get('format')}' is not '{FORMAT}'; export a new worksheet",
            f"{path}!{META_SHEET}",
        )
    program = meta.get("program", "")
    try:
        program = policy.program(program).id
    except InputError as e:
        raise InputError(
            f"this workbook is for program '{program}', which these glossary/policies folders "
            f"do not have ({e})",
            f"{META_SHEET}!B3",
        ) from None
    datasets = _split(meta.get("datasets", ""))
    plan = Plan(program, meta.get("catalog", ""), datasets)

    # -- the header row: every column where the export put it
    ws = wb[FIELDS_SHEET]
    header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
    for i, col in enumerate(COLUMNS, start=1):
        got = header[i - 1] if i - 1 < len(header) else None
        if (str(got).strip() if got is not None else "") != col.header:
            where = f"{FIELDS_SHEET}!{get_column_letter(i)}1"
            bad(
                where,
                f"expected column '{col.header}' here, found '{got or ''}' "
                "(columns must not be renamed, moved or deleted)",
            )
    if problems:
        raise WorksheetError(problems)

    by_key = {c.key: i for i, c in enumerate(COLUMNS)}
    clear_names = {c.header.lower(): c.key for c in EDITABLE if c.key != "clear"}
    clear_names.update({c.key: c.key for c in EDITABLE if c.key != "clear"})
    levels = [lv.id for lv in policy.levels]
    level_ids = {k.casefold(): lv.id for lv in policy.levels for k in (lv.id, lv.name)}
    terms = {t.id for t in policy.terms.values() if not t.is_statute}
    statutes = {s.id for s in policy.statutes.values()}
    seen: dict[tuple[str, str], int] = {}

    for r, row_cells in enumerate(ws.iter_rows(min_row=2), start=2):
        row = tuple(from_spreadsheet_text(c.value) for c in row_cells)
        kinds = [getattr(c, "data_type", "n") for c in row_cells]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue

        def cell(key: str, r: int = r) -> str:
            return f"{FIELDS_SHEET}!{get_column_letter(by_key[key] + 1)}{r}"

        values = {c.key: (row[i] if i < len(row) else None) for i, c in enumerate(COLUMNS)}
        prog, table, column = (values[k] for k in ("program", "dataset", "field"))
        if not (isinstance(prog, str) and isinstance(table, str) and isinstance(column, str)):
            bad(
                cell("program"),
                "malformed row: program, dataset and field must all be filled in "
                "(do not add rows; every field of the export has its row)",
            )
            continue
        if prog != program:
            bad(cell("program"), f"row is for program '{prog}' but the workbook is for '{program}'")
            continue
        if table not in datasets:
            bad(
                cell("dataset"),
                f"dataset '{table}' is not one this workbook was exported for "
                f"({', '.join(datasets)}): a row from another dataset's worksheet?",
            )
            continue
        if (table, column) not in exported:
            bad(cell("field"), f"field '{table}.{column}' was not in the export")
            continue
        if (table, column) in seen:
            bad(
                cell("field"),
                f"field '{table}.{column}' appears twice (first in row {seen[(table, column)]})",
            )
            continue
        seen[(table, column)] = r

        parsed: dict[str, Any] = {}
        ok = True
        for col in EDITABLE:
            raw = values[col.key]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            index = by_key[col.key]
            kind = kinds[index] if index < len(kinds) else "n"
            formula = _formula_problem(col.header, raw, str(raw).strip(), col.key, kind)
            if formula:
                bad(cell(col.key), formula)
                ok = False
                continue
            if isinstance(raw, (bool, datetime, date, time)) or (
                col.key not in ("valid_inputs", "notes", "source", "guide_for_use")
                and not isinstance(raw, str)
            ):
                bad(cell(col.key), f"{col.header} must be text, got {type(raw).__name__} '{raw}'")
                ok = False
                continue
            text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
            text = text.strip()
            if col.key == "level":
                # a level id or the display name the exports print ("Personal"), any case
                text = level_ids.get(text.casefold(), text)
                if text not in levels:
                    bad(
                        cell("level"),
                        f"unknown classification level '{text}'; use one of {', '.join(levels)}",
                    )
                    ok = False
                    continue
                parsed["level"] = text
            elif col.key in LIST_KEYS:
                items = _split(text)
                known = {
                    "terms": terms,
                    "categories": set(policy.categories),
                    "statutes": statutes,
                }[col.key]
                if col.key == "statutes" and items == [NONE_APPLY]:
                    parsed["statutes"] = []
                    continue
                unknown = [v for v in items if v not in known]
                if unknown:
                    or_none = f" or '{NONE_APPLY}'" if col.key == "statutes" else ""
                    what = {
                        "terms": "glossary term",
                        "categories": "category",
                        "statutes": "statute",
                    }[col.key]
                    bad(
                        cell(col.key),
                        f"unknown {what} '{unknown[0]}'" + (f"; use the ids in the list{or_none}"),
                    )
                    ok = False
                    continue
                parsed[col.key] = list(dict.fromkeys(items))
            elif col.key == "clear":
                keys = []
                for name in _split(text):
                    key = clear_names.get(name.lower())
                    if key is None:
                        bad(cell("clear"), f"Clear names '{name}', which is not an editable column")
                        ok = False
                    else:
                        keys.append(key)
                parsed["clear"] = keys
            else:
                parsed[col.key] = text
        if not ok:
            continue
        if (
            "categories" in parsed
            and "level" not in parsed
            and policy.reviewed(program, table, column) is None
        ):
            bad(cell("level"), "categories were given without a classification level")
            continue
        current = _current(policy, program, table, column)
        for key in parsed.get("clear", []):
            # Clear is explicit and wins over the cell (which may still hold the prefilled value)
            parsed.pop(key, None)
            if current.get(key) not in (None, [], ""):
                plan.changes.append(
                    Change(program, table, column, key, current.get(key), None, cell("clear"))
                )
        for key, value in parsed.items():
            if key == "clear":
                continue
            if current.get(key) != value:
                plan.changes.append(
                    Change(program, table, column, key, current.get(key), value, cell(key))
                )
    if problems:
        raise WorksheetError(problems)
    return plan


# ------------------------------------------------------------------ writing


def _edits(
    plan: Plan, policy: Policy, glossary_dir: Path, policies_dir: Path
) -> dict[Path, YamlEdit]:
    dictionary = glossary_dir / "dictionary" / f"{plan.program}.yml"
    files = {
        "dictionary": YamlEdit(dictionary),
        "reviewed": YamlEdit(policies_dir / "reviewed.yml"),
        "statutes": YamlEdit(policies_dir / "statutes.yml"),
    }
    for ch in plan.changes:
        if ch.column in DICTIONARY_KEYS:
            doc = files["dictionary"]
            keys = ["datasets", ch.dataset, "fields", ch.field, ch.column]
            if ch.new is None:
                doc.delete(keys)
            else:
                doc.set(keys, ch.new)
        elif ch.column in ("level", "categories"):
            doc = files["reviewed"]
            keys = [plan.program, ch.dataset, ch.field]
            existing = policy.reviewed(plan.program, ch.dataset, ch.field)
            entry = doc.get(keys)
            level = (
                entry.get("level")
                if isinstance(entry, dict)
                else (existing.level if existing else None)
            )
            cats = list(entry.get("categories", [])) if isinstance(entry, dict) else []
            if ch.column == "level":
                if ch.new is None:
                    doc.delete(keys, prune=2)
                    continue
                level = ch.new
            else:
                cats = ch.new or []
            if level is not None:
                doc.set(keys, {"level": level, "categories": cats})
        else:  # statutes
            doc = files["statutes"]
            keys = ["fields", plan.program, ch.dataset, ch.field]
            if ch.new is None:
                doc.delete(keys, prune=2)
            else:
                doc.set(keys, ch.new)
    return {doc.path: doc for doc in files.values() if doc.changed}


def apply(plan: Plan, policy: Policy, glossary_dir: Path, policies_dir: Path) -> list[Path]:
    """Write the changes, all or nothing: the new files are validated together first (as a copy
    of both folders loaded by `load_policy`), then each is written to a temp sibling, and only
    when every one is complete are they renamed over the originals (output.atomic_write_all)."""
    edits = _edits(plan, policy, glossary_dir, policies_dir)
    texts = {path: doc.text() for path, doc in edits.items()}
    _validate(texts, glossary_dir, policies_dir)
    try:
        atomic_write_all(texts)
    finally:
        clear_cache()
    return list(texts)


def _validate(texts: dict[Path, str], glossary_dir: Path, policies_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="cdw-worksheet-") as tmp:
        g, p = Path(tmp) / "glossary", Path(tmp) / "policies"
        try:
            shutil.copytree(glossary_dir, g)
            shutil.copytree(policies_dir, p)
            for path, text in texts.items():
                inside = _within(path, glossary_dir)
                base, target = (glossary_dir, g) if inside else (policies_dir, p)
                (target / path.relative_to(base)).write_text(text, encoding="utf-8")
        except OSError as e:
            raise InputError(
                f"cannot check the edited files in a temporary folder ({e.strerror or e}); "
                "nothing was changed",
                e.filename and str(e.filename),
            ) from e
        try:
            load_policy(g, p)
        except InputError as e:
            raise InputError(f"the edited files would not load, nothing was changed: {e}") from e
        finally:
            clear_cache()


def _within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True
