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

import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from cdw_datahub.errors import InputError
from cdw_datahub.lint import definition_findings, known_acronyms
from cdw_datahub.output import FORMULA_STARTS, atomic_write_all, from_spreadsheet_text
from cdw_datahub.policy import Policy, Reviewed, clear_cache, load_policy
from cdw_datahub.policy.files import REVIEWED_FILE, STATUTES_FILE, dictionary_file
from cdw_datahub.worksheet.export import (
    COLUMNS,
    EDITABLE,
    FIELDS_SHEET,
    FORMAT,
    META_SHEET,
    NONE_APPLY,
)
from cdw_datahub.worksheet.vocab import DICTIONARY_KEYS, LIST_KEYS, Vocabulary, current_values
from cdw_datahub.worksheet.yaml_edit import YamlEdit

TEXT_KEYS = ("name", "definition", "valid_inputs", "source", "notes", "guide_for_use")
# Bounds on what a workbook may unpack to (checked from the zip directory before opening it):
# a 10,000-field worksheet is about 25 MB of XML; a zip bomb is hundreds of MB or more.
MAX_XLSX_BYTES = 100_000_000
MAX_XLSX_PART_BYTES = 50_000_000
MAX_XLSX_MEMBERS = 1_000
_NUMBER_START = re.compile(r"-\.?\d")
HEADERS = {c.key: c.header for c in COLUMNS}


class WorksheetError(InputError):
    """Every bad cell of a workbook; the message is the one problem, or how many there are (the
    CLI lists each of `problems` once, then this line)."""

    def __init__(self, problems: list[tuple[str, str]], path: str | None = None):
        self.problems = problems
        location, message = problems[0]
        if len(problems) > 1:
            location, message = (
                path or location,
                (f"{len(problems)} problems in the workbook (listed above); nothing was written"),
            )
        super().__init__(message, location)


def plain(key: str, value: Any) -> str:
    """A value as a message shows it: text in double quotes, lists joined, nothing as (none)."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, list):
        if key == "statutes" and not value:
            return NONE_APPLY
        return ", ".join(value) if value else "(none)"
    if key in TEXT_KEYS:
        return '"' + str(value).replace("\n", " / ") + '"'
    return str(value)


@dataclass(frozen=True)
class Change:
    program: str
    dataset: str
    field: str
    column: str  # column key
    old: Any  # what the files hold now
    new: Any  # None = erase
    cell: str  # Fields!I7
    base: Any = None  # what the files held when the worksheet was exported

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

    def text(self) -> str:
        new = "(erase)" if self.new is None else plain(self.column, self.new)
        return (
            f"{self.cell}  {self.dataset}.{self.field}  {HEADERS[self.column]}: "
            f"{plain(self.column, self.old)} -> {new}"
        )


@dataclass(frozen=True)
class Conflict:
    """A cell the worksheet changed that the files also changed since the export."""

    change: Change  # old: the files now; new: the worksheet; base: at export

    def to_dict(self) -> dict[str, Any]:
        c = self.change
        return {**c.to_dict(), "base": c.base, "files": c.old, "worksheet": c.new}

    def text(self) -> str:
        c = self.change
        return (
            f"{c.cell}  {c.dataset}.{c.field}  {HEADERS[c.column]}: at export "
            f"{plain(c.column, c.base)}, in the files now {plain(c.column, c.old)}, in the "
            f"worksheet {'(erase)' if c.new is None else plain(c.column, c.new)}"
        )


@dataclass(frozen=True)
class Note:
    """A cell that is not taken (a locked cell edited) or a lint warning on a taken one."""

    cell: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"cell": self.cell, "message": self.message}


@dataclass
class Plan:
    program: str
    catalog: str
    datasets: list[str]
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    ignored: list[Note] = field(default_factory=list)  # edits of locked cells
    warnings: list[Note] = field(default_factory=list)  # lint warnings of taken definitions

    def to_dict(self) -> dict[str, Any]:
        return {
            "changes": [c.to_dict() for c in self.changes],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "ignored": [n.to_dict() for n in self.ignored],
            "warnings": [n.to_dict() for n in self.warnings],
        }


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]


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


def read_workbook(path: Path, policy: Policy, take_worksheet: bool = False) -> Plan:
    wb = _open(path)
    try:
        return _Reader(wb, path, policy, take_worksheet).read()
    finally:
        wb.close()


class _Reader:
    """One pass over the Fields sheet: every cell checked, each row merged three ways."""

    def __init__(self, wb: Any, path: Path, policy: Policy, take_worksheet: bool):
        self.wb, self.path, self.policy, self.take = wb, path, policy, take_worksheet
        self.vocab = Vocabulary(policy)
        self.problems: list[tuple[str, str]] = []
        self.base: dict[tuple[str, str], dict[str, Any]] = {}
        self.acronyms = known_acronyms(policy.terms.values())
        self.by_key = {c.key: i for i, c in enumerate(COLUMNS)}
        self.clear_names = {c.header.lower(): c.key for c in EDITABLE if c.key != "clear"}
        self.clear_names.update({c.key: c.key for c in EDITABLE if c.key != "clear"})
        self.level_ids = {k.casefold(): lv.id for lv in policy.levels for k in (lv.id, lv.name)}

    def bad(self, where: str, message: str) -> None:
        self.problems.append((where, message))

    def fail(self) -> None:
        if self.problems:
            raise WorksheetError(self.problems, str(self.path))

    def read(self) -> Plan:
        plan = self._meta()
        self._header()
        ws = self.wb[FIELDS_SHEET]
        seen: dict[tuple[str, str], int] = {}
        for r, row_cells in enumerate(ws.iter_rows(min_row=2), start=2):
            self._row(plan, r, row_cells, seen)
        self.fail()
        return plan

    # -- which program and fields this workbook was made for

    def _meta(self) -> Plan:
        wb, path = self.wb, self.path
        if META_SHEET not in wb.sheetnames or FIELDS_SHEET not in wb.sheetnames:
            raise InputError(
                f"not a cdw-datahub worksheet (no '{FIELDS_SHEET}' or '{META_SHEET}' sheet); "
                "start from `cdw-datahub worksheet export`",
                str(path),
            )
        meta: dict[str, str] = {}
        for r, row in enumerate(wb[META_SHEET].iter_rows(values_only=True), start=1):
            if not row or row[0] is None:
                continue
            row = tuple(from_spreadsheet_text(v) for v in row)  # the quote the export added
            if row[0] == "field":
                self.base[(str(row[1]), str(row[2]))] = _base(row, f"{META_SHEET}!D{r}")
            else:
                meta[str(row[0])] = "" if row[1] is None else str(row[1])
        if meta.get("format") != FORMAT:
            raise InputError(
                f"workbook format '{meta.get('format')}' is not '{FORMAT}' (an older worksheet "
                "has no record of its cells at export, so it could revert edits made since); "
                "export a new worksheet",
                f"{path}!{META_SHEET}",
            )
        program = meta.get("program", "")
        try:
            program = self.policy.program(program).id
        except InputError as e:
            raise InputError(
                f"this workbook is for program '{program}', which these glossary/policies "
                f"folders do not have ({e})",
                f"{META_SHEET}!B3",
            ) from None
        return Plan(program, meta.get("catalog", ""), _split(meta.get("datasets", "")))

    def _header(self) -> None:
        ws = self.wb[FIELDS_SHEET]
        header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
        for i, col in enumerate(COLUMNS, start=1):
            got = header[i - 1] if i - 1 < len(header) else None
            if (str(got).strip() if got is not None else "") != col.header:
                self.bad(
                    f"{FIELDS_SHEET}!{get_column_letter(i)}1",
                    f"expected column '{col.header}' here, found '{got or ''}' "
                    "(columns must not be renamed, moved or deleted)",
                )
        self.fail()

    # -- one row

    def _row(self, plan: Plan, r: int, row_cells: Any, seen: dict[tuple[str, str], int]) -> None:
        row = tuple(from_spreadsheet_text(c.value) for c in row_cells)
        kinds = [getattr(c, "data_type", "n") for c in row_cells]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            return
        values = {c.key: (row[i] if i < len(row) else None) for i, c in enumerate(COLUMNS)}
        cell = partial(self.cell, r=r)
        where = self._identity(plan, values, cell, seen)
        if where is None:
            return
        table, column = where
        seen[where] = r
        base = self.base[where]
        self._locked(plan, values, base["locked"], cell)
        parsed = self._parse(values, kinds, cell)
        if parsed is None:
            return
        if (
            "categories" in parsed
            and "level" not in parsed
            and self.policy.reviewed(plan.program, table, column) is None
        ):
            self.bad(cell("level"), "categories were given without a classification level")
            return
        wanted = {k: v for k, v in parsed.items() if k != "clear"}
        for key in parsed.get("clear", []):
            wanted[key] = None  # Clear is explicit and wins over the cell (still prefilled)
        current = current_values(self.policy, plan.program, table, column)
        cleared = set(parsed.get("clear", []))
        for key, value in wanted.items():
            self._merge(plan, table, column, key, base["values"].get(key), current.get(key),
                        value, cell("clear" if key in cleared else key))  # fmt: skip
        definition = wanted.get("definition")
        if definition and not _same(definition, base["values"].get("definition")):
            name = wanted.get("name") or current.get("name")
            self._lint(plan, table, column, definition, name, cell("definition"))

    def cell(self, key: str, r: int) -> str:
        return f"{FIELDS_SHEET}!{get_column_letter(self.by_key[key] + 1)}{r}"

    def _identity(
        self, plan: Plan, values: dict[str, Any], cell: Any, seen: dict[tuple[str, str], int]
    ) -> tuple[str, str] | None:
        prog, table, column = (values[k] for k in ("program", "dataset", "field"))
        if not (isinstance(prog, str) and isinstance(table, str) and isinstance(column, str)):
            self.bad(
                cell("program"),
                "malformed row: program, dataset and field must all be filled in "
                "(do not add rows; every field of the export has its row)",
            )
            return None
        if prog != plan.program:
            self.bad(
                cell("program"), f"row is for program '{prog}' but the workbook is for "
                f"'{plan.program}'"
            )  # fmt: skip
            return None
        if table not in plan.datasets:
            self.bad(
                cell("dataset"),
                f"dataset '{table}' is not one this workbook was exported for "
                f"({', '.join(plan.datasets)}): a row from another dataset's worksheet?",
            )
            return None
        if (table, column) not in self.base:
            self.bad(cell("field"), f"field '{table}.{column}' was not in the export")
            return None
        if (table, column) in seen:
            self.bad(
                cell("field"),
                f"field '{table}.{column}' appears twice (first in row {seen[(table, column)]})",
            )
            return None
        return table, column

    def _locked(
        self, plan: Plan, values: dict[str, Any], locked: dict[str, str], cell: Any
    ) -> None:
        """A locked cell that differs from the export is listed, never taken."""
        for col in COLUMNS[3:]:
            if col.editable or col.key not in locked:
                continue
            raw = values[col.key]
            now = "" if raw is None else str(raw).strip()
            if now != locked[col.key].strip():
                plan.ignored.append(
                    Note(
                        cell(col.key),
                        f"{col.header} is locked (harvested from the catalog); the edit "
                        f'"{now}" is ignored, the export had "{locked[col.key]}"',
                    )
                )

    # -- the editable cells, checked and in ids

    def _parse(self, values: dict[str, Any], kinds: list[str], cell: Any) -> dict[str, Any] | None:
        parsed: dict[str, Any] = {}
        ok = True
        for col in EDITABLE:
            raw = values[col.key]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            index = self.by_key[col.key]
            kind = kinds[index] if index < len(kinds) else "n"
            try:
                parsed[col.key] = self._value(col.key, col.header, raw, kind)
            except ValueError as e:
                self.bad(cell(col.key), str(e))
                ok = False
        return parsed if ok else None

    def _value(self, key: str, header: str, raw: Any, kind: str) -> Any:
        formula = _formula_problem(header, raw, str(raw).strip(), key, kind)
        if formula:
            raise ValueError(formula)
        if isinstance(raw, (bool, datetime, date, time)) or (
            key not in ("valid_inputs", "notes", "source", "guide_for_use")
            and not isinstance(raw, str)
        ):
            raise ValueError(f"{header} must be text, got {type(raw).__name__} '{raw}'")
        text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
        text = text.strip()
        if key == "level":
            # a level id or the display name the exports print ("Personal"), any case
            level = self.level_ids.get(text.casefold())
            if level is None:
                levels = ", ".join(lv.id for lv in self.policy.levels)
                raise ValueError(f"unknown classification level '{text}'; use one of {levels}")
            return level
        if key in LIST_KEYS:
            items = _split(text)
            if key == "statutes" and [i.casefold() for i in items] == [NONE_APPLY]:
                return []
            return list(dict.fromkeys(self.vocab.resolve(key, item) for item in items))
        if key == "clear":
            keys = []
            for name in _split(text):
                found = self.clear_names.get(name.lower())
                if found is None:
                    raise ValueError(f"Clear names '{name}', which is not an editable column")
                keys.append(found)
            return keys
        return text

    # -- three ways: at export, in the files now, in the worksheet

    def _merge(
        self,
        plan: Plan,
        table: str,
        column: str,
        key: str,
        base: Any,
        current: Any,
        wanted: Any,
        where: str,
    ) -> None:
        if _same(wanted, base):
            return  # the worksheet did not change it: never written (it would revert)
        if _same(wanted, current):
            return  # the files already say so
        change = Change(plan.program, table, column, key, current, wanted, where, base)
        if _same(current, base) or self.take:
            plan.changes.append(change)
        else:
            plan.conflicts.append(Conflict(change))

    def _lint(
        self, plan: Plan, table: str, column: str, text: str, name: str | None, where: str
    ) -> None:
        """`lint`'s definition checks: an error refuses the cell, a warning is listed."""
        what = f"{plan.program}.{table}.{column}"
        for f in definition_findings(text, where, what, column, name, acronyms=self.acronyms):
            message = f"{f.message} ({f.slug}; {f.suggestion})" if f.suggestion else f.message
            if f.severity == "error":
                self.bad(where, message)
            elif f.severity == "warning":
                plan.warnings.append(Note(where, message))


def _same(a: Any, b: Any) -> bool:
    """Equal as the files would hold them: no value, "" and no list are all "nothing"."""
    empty = (None, "")
    if a in empty and b in empty:
        return True
    return bool(a == b)


def _base(row: tuple[Any, ...], where: str) -> dict[str, Any]:
    """A field's record of the export (values in ids, locked cells' texts)."""
    try:
        record = json.loads(str(row[3])) if len(row) > 3 and row[3] else None
    except json.JSONDecodeError:
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("values"), dict):
        raise InputError(
            "the record of this field's values at export is missing or damaged; export a new "
            "worksheet",
            where,
        )
    return {"values": record["values"], "locked": dict(record.get("locked") or {})}


# ------------------------------------------------------------------ writing


@dataclass(frozen=True)
class Signature:
    """Who applies the worksheet's reviews, and when: written beside each reviewed entry."""

    reviewer: str
    on: date

    def stamp(self) -> dict[str, Any]:
        return {"reviewed_by": self.reviewer, "reviewed_on": self.on}


def _edits(
    plan: Plan, policy: Policy, glossary_dir: Path, policies_dir: Path, sign: Signature
) -> dict[Path, YamlEdit]:
    dictionary = YamlEdit(dictionary_file(glossary_dir, plan.program))
    reviewed = YamlEdit(policies_dir / REVIEWED_FILE)
    statutes = YamlEdit(policies_dir / STATUTES_FILE)
    for ch in plan.changes:
        if ch.column in DICTIONARY_KEYS:
            keys = ["datasets", ch.dataset, "fields", ch.field, ch.column]
            if ch.new is None:
                dictionary.delete(keys)
            else:
                dictionary.set(keys, ch.new)
        elif ch.column in ("level", "categories"):
            _edit_reviewed(reviewed, ch, policy.reviewed(plan.program, ch.dataset, ch.field), sign)
        else:
            keys = ["fields", plan.program, ch.dataset, ch.field]
            if ch.new is None:
                statutes.delete(keys, prune=2)
            else:
                statutes.set(keys, {"statutes": ch.new, **sign.stamp()})
    return {doc.path: doc for doc in (dictionary, reviewed, statutes) if doc.changed}


def _edit_reviewed(doc: YamlEdit, ch: Change, existing: Reviewed | None, sign: Signature) -> None:
    """A level or categories change: the entry is written whole (level, categories, signature),
    keeping the half the change does not touch; erasing the level erases the entry."""
    keys = [ch.program, ch.dataset, ch.field]
    entry = doc.get(keys)
    if isinstance(entry, dict):
        level, cats = entry.get("level"), list(entry.get("categories", []))
    else:
        level, cats = (existing.level if existing else None), []
    if ch.column == "level":
        if ch.new is None:
            doc.delete(keys, prune=2)
            return
        level = ch.new
    else:
        cats = ch.new or []
    if level is not None:
        doc.set(keys, {"level": level, "categories": cats, **sign.stamp()})


def apply(
    plan: Plan, policy: Policy, glossary_dir: Path, policies_dir: Path, sign: Signature
) -> list[Path]:
    """Write the changes (never the conflicts), all or nothing: the new files are validated
    together first (as a copy of both folders loaded by `load_policy`), then each is written to
    a temp sibling, and only when every one is complete are they renamed over the originals
    (output.atomic_write_all)."""
    edits = _edits(plan, policy, glossary_dir, policies_dir, sign)
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
