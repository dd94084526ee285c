"""The spreadsheet tracker: one CSV row per BUCP, the way departments keep them today.

Columns (header names are case-insensitive; order is free; unknown columns are an error):

- `id` (BUCP-YYYY-NNN), `title`, `program`, `requesting_department`, `providing_department`:
  required; `sponsor`, `coordinator`: use-case sponsor and coordinator.
- `legal_authority`: citations separated by `;`.
- `requested`: `dataset: field, field; dataset`: datasets `<program>.<table>` separated by `;`,
  each optionally followed by `:` and its fields separated by `,`.
- `drafted`, `submitted`, `under_review`, `approved`, `denied`, `fulfilled`, `closed`: ISO dates;
  blank = not (yet) happened.
- `disputed`, `dispute_issue`, `dispute_resolved`, `dispute_resolution`: one dispute per
  position; several separated by `;`.
- `restrictions`: `citation = solution` separated by `;` (aggregation, de-identification, other,
  unsolved).
- `benefits`: the outcome of the sharing.
- `specialized_security`, `specialized_privacy`: read on import; written only by
  `export-register --specialized`.

Dates become the BUCP's event history, sorted by date (same-day events in lifecycle order), and
the history must pass the same transition table as `bucp event`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cdw_datahub.bucp.register import states
from cdw_datahub.bucp.register.models import Restriction
from cdw_datahub.bucp.register.store import (
    BucpRecord,
    NewBucp,
    Register,
    SpecializedRecord,
    check_history,
    check_id,
    message_of,
    normalize_program,
    parse_date,
    parse_solution,
)
from cdw_datahub.errors import InputError
from cdw_datahub.output import from_spreadsheet_text

DATE_COLUMNS = {
    "drafted": "drafted",
    "submitted": "submitted",
    "under_review": "under review",
    "approved": "approved",
    "denied": "denied",
    "fulfilled": "fulfilled",
    "closed": "closed",
}
DISPUTE_COLUMNS = ("disputed", "dispute_issue", "dispute_resolved", "dispute_resolution")
COLUMNS = (
    "id",
    "title",
    "program",
    "requesting_department",
    "providing_department",
    "sponsor",
    "coordinator",
    "legal_authority",
    "requested",
    *DATE_COLUMNS,
    *DISPUTE_COLUMNS,
    "restrictions",
    "benefits",
)
SPECIALIZED_COLUMNS = ("specialized_security", "specialized_privacy")
REQUIRED = ("id", "title", "program", "requesting_department", "providing_department")


Event = tuple[str, dt.date, str | None, str]  # (event, date, note, source column)


@dataclass
class TrackerRow:
    row: int  # the spreadsheet row number (header = row 1)
    bucp: NewBucp
    requests: list[tuple[str, list[str]]]
    events: list[Event]
    restrictions: list[tuple[str, str]] = field(default_factory=list)
    benefits: str | None = None


def _split(value: str, sep: str = ";") -> list[str]:
    return [part.strip() for part in value.split(sep) if part.strip()]


def parse_requested(value: str, where: str) -> list[tuple[str, list[str]]]:
    items = []
    for part in _split(value):
        dataset, _, fields = part.partition(":")
        dataset = dataset.strip()
        if not dataset or " " in dataset:
            raise InputError(
                f"'{part}' is not a dataset; write <program>.<table>[: field, field]",
                where,
                "requested",
            )
        items.append((dataset, _split(fields, ",")))
    return items


@dataclass(frozen=True)
class _Cells:
    """One tracker row's cells; a column the file does not have reads as blank."""

    raw: dict[str, str]
    where: str  # file:row, for errors

    def __getitem__(self, column: str) -> str:
        return (self.raw.get(column) or "").strip()


def _row(number: int, raw: dict[str, str], path: Path) -> TrackerRow:
    """One row; its first problem raises, looked for in this order: the cells, the BUCP, the
    dates, the restrictions, the requested datasets."""
    cells = _Cells(raw, f"{path}:row {number}")
    _check_cells(cells)
    bucp = _new_bucp(cells)
    events = _history(_lifecycle_events(cells) + _dispute_events(cells), cells.where)
    restrictions = _restrictions(cells)
    return TrackerRow(
        row=number,
        bucp=bucp,
        requests=parse_requested(cells["requested"], cells.where),
        events=events,
        restrictions=restrictions,
        benefits=cells["benefits"] or None,
    )


def _check_cells(cells: _Cells) -> None:
    for column, value in cells.raw.items():
        if value and "\x00" in value:
            # PostgreSQL text cannot hold NUL; SQLite can, and the two must accept the same files
            raise InputError("the cell contains a NUL character (0x00)", cells.where, column)
    for column in REQUIRED:
        if not cells[column]:
            raise InputError(f"the {column.replace('_', ' ')} is required", cells.where, column)


def _new_bucp(cells: _Cells) -> NewBucp:
    try:
        return NewBucp(
            id=check_id(cells["id"]),
            title=cells["title"],
            program=normalize_program(cells["program"]),
            requesting_department=cells["requesting_department"],
            providing_department=cells["providing_department"],
            sponsor=cells["sponsor"] or None,
            coordinator=cells["coordinator"] or None,
            authorities=_split(cells["legal_authority"]),
            security=cells["specialized_security"] or None,
            privacy=cells["specialized_privacy"] or None,
        )
    except InputError as e:
        column = {"program": "program", "id": "id"}.get(e.key or "", e.key or "id")
        raise InputError(message_of(e), cells.where, column) from None


def _lifecycle_events(cells: _Cells) -> list[Event]:
    events: list[Event] = []
    for column, event in DATE_COLUMNS.items():
        if cells[column]:
            events.append((event, parse_date(cells[column], column, cells.where), None, column))
    # Lifecycle columns must not go back in time (a tracker holds one pass through the cycle);
    # report the later column, which is the one a person mistyped more often than not.
    latest: tuple[str, dt.date] | None = None
    for _event, on, _, column in events:
        if latest is not None and on < latest[1]:
            raise InputError(
                f"{column} {on} is before {latest[0]} {latest[1]}; dates must follow the "
                "lifecycle (drafted, submitted, under review, decision, fulfilled, closed)",
                cells.where,
                column,
            )
        latest = (column, on)
    return events


def _dispute_events(cells: _Cells) -> list[Event]:
    """The i-th date of `disputed` with the i-th issue; the i-th resolution with its answer."""
    raised = _split(cells["disputed"])
    resolved = _split(cells["dispute_resolved"])
    issues = (
        [s.strip() for s in cells["dispute_issue"].split(";")] if cells["dispute_issue"] else []
    )
    answers = (
        [s.strip() for s in cells["dispute_resolution"].split(";")]
        if cells["dispute_resolution"]
        else []
    )
    if len(resolved) > len(raised):
        raise InputError(
            "more dispute resolution dates than disputes", cells.where, "dispute_resolved"
        )
    events: list[Event] = []
    for i, text in enumerate(raised):
        note = issues[i] if i < len(issues) and issues[i] else None
        events.append(("disputed", parse_date(text, "disputed", cells.where), note, "disputed"))
    for i, text in enumerate(resolved):
        note = answers[i] if i < len(answers) and answers[i] else None
        on = parse_date(text, "dispute_resolved", cells.where)
        events.append(("dispute resolved", on, note, "dispute_resolved"))
    return events


def _history(events: list[Event], where: str) -> list[Event]:
    """The events by date, checked against the transition table of `bucp event`."""
    # Same-day events take lifecycle order, except that disputes and their resolutions pair up
    # in the order given (a stable sort keeps the i-th resolution after the i-th dispute only if
    # dates say so, which check_history then verifies).
    events.sort(key=lambda e: (e[1], states.RANK[e[0]]))
    if not events:
        raise InputError("no dates: give at least the drafted or submitted date", where, "drafted")
    problem = check_history([(e[0], e[1]) for e in events])
    if problem is not None:
        index, message = problem
        raise InputError(message, where, events[index][3])
    return events


def _restrictions(cells: _Cells) -> list[tuple[str, str]]:
    restrictions = []
    for part in _split(cells["restrictions"]):
        citation, sep, solution = part.rpartition("=")
        if not sep or not citation.strip():
            raise InputError(f"'{part}' is not 'citation = solution'", cells.where, "restrictions")
        restrictions.append(
            (citation.strip(), parse_solution(solution, "restrictions", cells.where))
        )
    return restrictions


def parse_tracker(lines: Iterable[str], name: str) -> list[TrackerRow]:
    """Validate every row of tracker CSV text; the first problem raises with row and column.

    `name` is what errors call the file (its path)."""
    path = Path(name)
    try:
        reader = csv.reader(lines)
        header = next(reader, None)
        if not header:
            raise InputError("the file is empty; expected a header row", name)
        columns = [h.strip().lower().replace(" ", "_") for h in header]
        allowed = set(COLUMNS) | set(SPECIALIZED_COLUMNS)
        for i, column in enumerate(columns):
            if column not in allowed:
                raise InputError(
                    f"unknown column (column {i + 1}); allowed: {', '.join(COLUMNS)}, "
                    + ", ".join(SPECIALIZED_COLUMNS),
                    f"{name}:row 1",
                    column,
                )
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise InputError("missing required column", f"{name}:row 1", missing[0])
        rows = []
        seen: dict[str, int] = {}
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns):
                raise InputError(
                    f"{len(values)} cells but {len(columns)} columns", f"{name}:row {number}"
                )
            values = [from_spreadsheet_text(v) for v in values]  # the export's quote
            parsed = _row(number, dict(zip(columns, values, strict=False)), path)
            bucp_id = parsed.bucp.id or ""
            if bucp_id in seen:
                raise InputError(
                    f"'{bucp_id}' is also on row {seen[bucp_id]}", f"{name}:row {number}", "id"
                )
            seen[bucp_id] = number
            rows.append(parsed)
        return rows
    except csv.Error as e:
        raise InputError(f"not valid CSV ({e})", name) from e


def read_tracker(path: Path) -> list[TrackerRow]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return parse_tracker(handle, str(path))
    except OSError as e:
        raise InputError(f"cannot read the file ({e.strerror})", str(path)) from e
    except UnicodeDecodeError as e:
        raise InputError("not UTF-8 text; save the sheet as CSV UTF-8", str(path)) from e


def import_tracker(register: Register, path: Path) -> list[str]:
    """Add every row's BUCP in ONE transaction: a bad row leaves the register unchanged."""
    return import_rows(register, read_tracker(path), str(path))


def import_rows(register: Register, rows: list[TrackerRow], name: str) -> list[str]:
    with register.transaction() as session:
        for row in rows:
            where = f"{name}:row {row.row}"
            try:
                first, on, note, _ = row.events[0]
                register.new(row.bucp, on, session, first_event=first)
                bucp = register._lock(session, row.bucp.id or "")
                for event, on, note, column in row.events[1:]:
                    try:
                        register._add_event(session, bucp, event, on, note)
                    except InputError as e:
                        raise InputError(message_of(e), where, column) from None
                for dataset, fields in row.requests:
                    register._request(session, bucp, dataset, fields)
                for citation, solution in row.restrictions:
                    bucp.restrictions.append(Restriction(citation=citation, solution=solution))
                bucp.benefits = row.benefits
                session.flush()
            except InputError as e:
                if e.location == where:
                    raise
                raise InputError(message_of(e), where, e.key) from None
    return [row.bucp.id or "" for row in rows]


def _format_requests(record: BucpRecord) -> str:
    parts = []
    for dataset in record.datasets:
        fields = [f for d, f in record.requests if d == dataset and f]
        parts.append(f"{dataset}: {', '.join(fields)}" if fields else dataset)
    return "; ".join(parts)


def tracker_rows(
    records: Iterable[BucpRecord], specialized: dict[str, SpecializedRecord] | None = None
) -> tuple[list[str], list[list[str]]]:
    """The register as tracker rows; Specialized columns only when `specialized` is given.

    Each lifecycle column holds the LAST date of that event (a resubmission after a denial
    shows the latest submission), disputes list every one.
    """
    header = list(COLUMNS) + (list(SPECIALIZED_COLUMNS) if specialized is not None else [])
    out = []
    for r in records:
        row = {
            "id": r.id,
            "title": r.title,
            "program": r.program,
            "requesting_department": r.requesting_department,
            "providing_department": r.providing_department,
            "sponsor": r.sponsor or "",
            "coordinator": r.coordinator or "",
            "legal_authority": "; ".join(r.authorities),
            "requested": _format_requests(r),
            "disputed": "; ".join(str(d.raised_on) for d in r.disputes),
            "dispute_issue": "; ".join(d.issue or "" for d in r.disputes),
            "dispute_resolved": "; ".join(str(d.resolved_on) for d in r.disputes if d.resolved_on),
            "dispute_resolution": "; ".join(
                d.resolution or "" for d in r.disputes if d.resolved_on
            ),
            "restrictions": "; ".join(f"{x.citation} = {x.solution}" for x in r.restrictions),
            "benefits": r.benefits or "",
        }
        for column, event in DATE_COLUMNS.items():
            on = r.last(event)
            row[column] = str(on) if on else ""
        if specialized is not None:
            extra = specialized.get(r.id)
            row["specialized_security"] = (extra.security or "") if extra else ""
            row["specialized_privacy"] = (extra.privacy or "") if extra else ""
        out.append([row[c] for c in header])
    return header, out
