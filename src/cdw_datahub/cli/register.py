"""`cdw-datahub bucp new|list|show|event|request|restriction|close|import|export-register`:
the department's BUCP register (play 1). Subcommands attach to the `bucp` group."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cdw_datahub.bucp.register import states
from cdw_datahub.bucp.register.store import (
    BucpRecord,
    NewBucp,
    Register,
    SpecializedRecord,
    normalize_program,
    open_register,
    parse_date,
    parse_event,
)
from cdw_datahub.bucp.register.tracker import import_tracker, tracker_rows
from cdw_datahub.cli.bucp import bucp
from cdw_datahub.cli.options import catalog_option, format_option, get_settings, register_option
from cdw_datahub.cli.render import Table, View, show
from cdw_datahub.errors import InputError, did_you_mean
from cdw_datahub.output import atomic_write_text, csv_text, text_table


def _register(url: str | None) -> Register:
    return open_register(get_settings(register=url).register)


def _date(value: str | None, key: str = "--date") -> dt.date:
    return parse_date(value, key) if value else dt.date.today()


def _age(record: BucpRecord, today: dt.date) -> int | None:
    return (today - record.events[0].on).days if record.events else None


def record_json(record: BucpRecord) -> dict[str, Any]:
    """The stable JSON form of one BUCP (`bucp show/list --format json`)."""
    data: dict[str, Any] = {
        "id": record.id,
        "title": record.title,
        "program": record.program,
        "requesting_department": record.requesting_department,
        "providing_department": record.providing_department,
        "sponsor": record.sponsor,
        "coordinator": record.coordinator,
        "state": record.state,
        "outcome": record.outcome,
        "legal_authority": record.authorities,
        "requested": [{"dataset": d, "field": f} for d, f in record.requests],
        "events": [{"event": e.event, "date": str(e.on), "note": e.note} for e in record.events],
        "disputes": [
            {
                "raised": str(d.raised_on),
                "issue": d.issue,
                "resolved": str(d.resolved_on) if d.resolved_on else None,
                "resolution": d.resolution,
            }
            for d in record.disputes
        ],
        "restrictions": [
            {"citation": r.citation, "solution": r.solution, "note": r.note}
            for r in record.restrictions
        ],
        "benefits": record.benefits,
    }
    if record.specialized is not None:
        data["specialized_security"] = record.specialized.security
        data["specialized_privacy"] = record.specialized.privacy
        data["specialized_security_draft"] = record.specialized.security_draft
    return data


@dataclass(frozen=True)
class RecordsView(View):
    """BUCPs with state, outcome and age; never their Specialized content."""

    records: list[BucpRecord]
    today: dt.date

    HEADER = ("id", "state", "outcome", "program", "requesting_department", "title",
              "last_event_date", "age_days", "datasets")  # fmt: skip

    def data(self) -> list[dict[str, Any]]:
        return [
            dict(
                zip(
                    self.HEADER,
                    [r.id, r.state or "", r.outcome, r.program, r.requesting_department, r.title,
                     str(r.events[-1].on) if r.events else "", _age(r, self.today), r.datasets],
                    strict=True,
                )
            )
            for r in self.records
        ]  # fmt: skip

    def rows(self) -> Table:
        return Table.of(self.HEADER, self.data())

    def text(self) -> str:
        table = self.rows()
        return text_table(table.header, table.rows)

    def notes(self) -> list[str]:
        return [f"{len(self.records)} BUCP(s)"]


@dataclass(frozen=True)
class RecordView(View):
    """One BUCP: request, history, disputes, restrictions, outcome (Specialized terms only when
    the record was read with them)."""

    record: BucpRecord

    def data(self) -> dict[str, Any]:
        return record_json(self.record)

    def text(self) -> str:
        record = self.record
        lines = [
            f"{record.id}  {record.title}",
            f"  state: {record.state}   outcome: {record.outcome}",
            f"  program: {record.program}   provided by {record.providing_department} to "
            f"{record.requesting_department}",
            f"  sponsor: {record.sponsor or '-'}   coordinator: {record.coordinator or '-'}",
            f"  legal authority: {'; '.join(record.authorities) or '-'}",
            "  requested:",
        ]
        for dataset in record.datasets:
            fields = [f for d, f in record.requests if d == dataset and f]
            lines.append(f"    {dataset}" + (f": {', '.join(fields)}" if fields else ""))
        lines.append("  history:")
        lines += [
            f"    {e.on}  {e.event}" + (f"  ({e.note})" if e.note else "") for e in record.events
        ]
        for d in record.disputes:
            lines.append(
                f"  dispute {d.raised_on}: {d.issue or '-'} -> "
                + (f"resolved {d.resolved_on}: {d.resolution or '-'}" if d.resolved_on else "open")
            )
        for r in record.restrictions:
            lines.append(
                f"  restriction {r.citation}: solved by {r.solution}"
                + (f" ({r.note})" if r.note else "")
            )
        if record.benefits:
            lines.append(f"  benefits: {record.benefits}")
        if record.specialized is not None:
            lines += _specialized_lines(record.specialized)
        return "\n".join(lines)


def _specialized_lines(specialized: SpecializedRecord) -> list[str]:
    lines = [
        f"  Specialized Security: {specialized.security or '-'}",
        f"  Specialized Privacy: {specialized.privacy or '-'}",
    ]
    if specialized.security_draft:
        lines.append("  Specialized Security draft (bucp readiness):")
        lines += [
            f"    {line}" if line else ""
            for line in specialized.security_draft.rstrip().splitlines()
        ]
    return lines


@click.command("new", short_help="Draft a new BUCP; prints its id.")
@click.option("--title", required=True, help="What the data is for, in a line.")
@click.option("--program", required=True, help="Providing program: id or display name.")
@click.option("--requesting", "requesting", required=True, help="Requesting department.")
@click.option(
    "--providing",
    default="California Department of Wellness",
    show_default=True,
    help="Providing department.",
)
@click.option("--sponsor", help="Use-case sponsor.")
@click.option("--coordinator", help="Data coordinator.")
@click.option("--authority", multiple=True, help="Legal authority citation (repeatable).")
@click.option("--id", "bucp_id", help="BUCP id (default: the next BUCP-<year>-NNN).")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Drafted on (default: today).")
@click.option("--specialized-security", help="Specialized Security terms (restricted).")
@click.option("--specialized-privacy", help="Specialized Privacy terms (restricted).")
@register_option
def new_command(
    title: str,
    program: str,
    requesting: str,
    providing: str,
    sponsor: str | None,
    coordinator: str | None,
    authority: tuple[str, ...],
    bucp_id: str | None,
    on: str | None,
    specialized_security: str | None,
    specialized_privacy: str | None,
    register: str | None,
) -> None:
    """Draft a new BUCP; prints its id.

    \b
    Example:
      cdw-datahub bucp new --title "Commute study" --program w2w --requesting "Caltrans"
    """
    drafted = _date(on)
    data = NewBucp(
        title=title,
        program=program,
        requesting_department=requesting,
        providing_department=providing,
        sponsor=sponsor,
        coordinator=coordinator,
        id=bucp_id,
        authorities=list(authority),
        security=specialized_security,
        privacy=specialized_privacy,
    )
    with _register(register) as reg:
        new_id = reg.new(data, drafted)
    click.echo(new_id)
    click.echo(f"drafted {new_id} on {drafted} in {reg.location}", err=True)


@click.command("list", short_help="List BUCPs with state, outcome and age.")
@click.option("--state", "state", help="Only BUCPs in this state (e.g. 'under review').")
@click.option("--program", help="Only this providing program.")
@click.option("--open", "only_open", is_flag=True, help="Only BUCPs not closed.")
@format_option(RecordsView)
@register_option
def list_command(
    state: str | None, program: str | None, only_open: bool, fmt: str, register: str | None
) -> None:
    """List BUCPs with their state, outcome and age. Never shows Specialized content.

    \b
    Example:
      cdw-datahub bucp list --open
      cdw-datahub bucp list --program w2w --format csv
    """
    wanted_state = parse_event(state, "--state") if state else None
    wanted_program = normalize_program(program, "--program") if program else None
    with _register(register) as reg:
        records = reg.records()
    records = [
        r
        for r in records
        if (wanted_state is None or r.state == wanted_state)
        and (wanted_program is None or r.program == wanted_program)
        and (not only_open or r.state != "closed")
    ]
    show(RecordsView(records, dt.date.today()), fmt)


@click.command("show", short_help="Show one BUCP: history and outcome.")
@click.argument("bucp_id", metavar="ID")
@click.option(
    "--specialized",
    is_flag=True,
    help="Also show Specialized Security / Privacy terms (restricted staff only).",
)
@format_option(RecordView)
@register_option
def show_command(bucp_id: str, specialized: bool, fmt: str, register: str | None) -> None:
    """Show one BUCP: request, history, disputes, restrictions, outcome.

    \b
    Example:
      cdw-datahub bucp show BUCP-2026-001
    """
    with _register(register) as reg:
        record = reg.get(bucp_id, specialized=specialized)
    show(RecordView(record), fmt)


@click.command("event", short_help="Record a status event on a BUCP.")
@click.argument("bucp_id", metavar="ID")
@click.argument("event_name", metavar="EVENT")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="When it happened (default: today).")
@click.option(
    "--note", help="Note; for 'disputed' the issue, for 'dispute resolved' the resolution."
)
@register_option
def event_command(
    bucp_id: str, event_name: str, on: str | None, note: str | None, register: str | None
) -> None:
    """Record a status event on a BUCP (help text set below from the lifecycle table)."""
    name = parse_event(event_name, "EVENT")
    when = _date(on)
    with _register(register) as reg:
        seq = reg.add_event(bucp_id, name, when, note)
    click.echo(f"{bucp_id.upper()}: {name} on {when} (event {seq})", err=True)


event_command.help = (
    "Record a status event on a BUCP. EVENT is one of: " + ", ".join(states.EVENTS) + ". "
    "Events must follow the lifecycle (no fulfillment before approval) and not go back in time."
    "\n\n\b\nExample:\n"
    "  cdw-datahub bucp event BUCP-2026-001 submitted --date 2026-01-20\n"
    '  cdw-datahub bucp event BUCP-2026-001 disputed --note "ZIP Codes with dates"\n'
)


def _check_catalog(catalog_flag: str | None, dataset: str, fields: tuple[str, ...]) -> None:
    """Check the dataset (and fields) exist in the catalog when one can be opened."""
    from cdw_datahub.catalog import open_catalog

    uri = get_settings(catalog=catalog_flag).catalog
    try:
        catalog = open_catalog(uri)
    except InputError as e:
        if catalog_flag:
            raise
        click.echo(f"note: not checked against a catalog ({e})", err=True)
        return
    with catalog:
        known = {f"{d.program}.{d.table}": d for d in catalog.datasets() if d.program}
    if not known:
        click.echo(f"note: the catalog {uri} has no program datasets; not checked", err=True)
        return
    view = known.get(dataset)
    if view is None:
        raise InputError(
            f"unknown dataset '{dataset}' in {uri} (write <program>.<table>)"
            + did_you_mean(dataset, known),
            key="DATASET",
        )
    paths = [f.path for f in view.fields]
    for name in fields:
        if name not in paths:
            raise InputError(
                f"dataset '{dataset}' has no field '{name}'" + did_you_mean(name, paths),
                key="FIELD",
            )


@click.command("request", short_help="Add a requested dataset and fields.")
@click.argument("bucp_id", metavar="ID")
@click.argument("dataset", metavar="DATASET")
@click.argument("fields", metavar="[FIELD]...", nargs=-1)
@catalog_option
@register_option
def request_command(
    bucp_id: str, dataset: str, fields: tuple[str, ...], catalog: str | None, register: str | None
) -> None:
    """Add a requested dataset (<program>.<table>, e.g. w2w.participant) and fields of it.

    The names are checked against the catalog when one is configured and reachable.

    \b
    Example:
      cdw-datahub bucp request BUCP-2026-001 w2w.participant birth_date home_zip_code
    """
    dataset = dataset.strip()
    with _register(register) as reg:
        reg.get(bucp_id)  # unknown id is reported before the slower catalog check
        _check_catalog(catalog, dataset, fields)
        added = reg.request(bucp_id, dataset, fields)
    click.echo(f"{bucp_id.upper()}: {added} new request item(s) for {dataset}", err=True)


@click.command("restriction", short_help="Record a restricting statute and its fix.")
@click.argument("bucp_id", metavar="ID")
@click.argument("citation")
@click.option(
    "--solution",
    required=True,
    type=click.Choice(states.RESTRICTION_SOLUTIONS, case_sensitive=False),
    help="How the restriction was solved.",
)
@click.option("--note", help="Details of the solution.")
@register_option
def restriction_command(
    bucp_id: str, citation: str, solution: str, note: str | None, register: str | None
) -> None:
    """Record a statute that restricted the sharing (CITATION) and how it was solved.

    \b
    Example:
      cdw-datahub bucp restriction BUCP-2026-001 "Civil Code 1798.24" --solution aggregation
    """
    with _register(register) as reg:
        reg.add_restriction(bucp_id, citation, solution, note)
    click.echo(f"{bucp_id.upper()}: restriction {citation} solved by {solution}", err=True)


@click.command("close", short_help="Close a BUCP, recording its benefits.")
@click.argument("bucp_id", metavar="ID")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Closed on (default: today).")
@click.option("--benefits", help="The outcome and benefits of the sharing.")
@click.option("--note", help="Why it was closed (e.g. withdrawn).")
@register_option
def close_command(
    bucp_id: str, on: str | None, benefits: str | None, note: str | None, register: str | None
) -> None:
    """Close a BUCP (after fulfillment, or withdrawn), recording its benefits.

    \b
    Example:
      cdw-datahub bucp close BUCP-2026-001 --benefits "County rates published"
    """
    when = _date(on)
    with _register(register) as reg:
        reg.close_bucp(bucp_id, when, benefits, note)
    click.echo(f"{bucp_id.upper()}: closed on {when}", err=True)


@click.command("import", short_help="Import a tracker CSV in one transaction.")
@click.argument("path", metavar="FILE.csv", type=click.Path(path_type=Path))
@register_option
def import_command(path: Path, register: str | None) -> None:
    """Import a tracker spreadsheet (CSV, one row per BUCP) in one transaction.

    Every row is validated (row number and column in errors); a bad row imports nothing.

    \b
    Example:
      cdw-datahub bucp import tracker.csv
    """
    with _register(register) as reg:
        ids = import_tracker(reg, path)
    click.echo(f"imported {len(ids)} BUCP(s) into {reg.location}", err=True)


@click.command("export-register", short_help="Write the register as a tracker CSV.")
@click.argument("path", metavar="FILE.csv", type=click.Path(path_type=Path))
@click.option(
    "--specialized",
    is_flag=True,
    help="Include Specialized Security / Privacy columns (restricted staff only).",
)
@register_option
def export_register_command(path: Path, specialized: bool, register: str | None) -> None:
    """Write the register as a tracker spreadsheet (CSV; `-` for stdout).

    \b
    Example:
      cdw-datahub bucp export-register tracker.csv
    """
    with _register(register) as reg:
        records = reg.records()
        extra = reg.specialized() if specialized else None
    header, rows = tracker_rows(records, extra)
    text = csv_text([header, *rows])  # formula-like text quoted; the tracker import unquotes
    if str(path) == "-":
        click.echo(text, nl=False)
    else:
        # Specialized Security / Privacy text is restricted: a new file is the owner's only
        atomic_write_text(path, text, private=specialized)
        click.echo(f"wrote {len(rows)} BUCP(s) to {path}", err=True)


for _command in (
    new_command,
    list_command,
    show_command,
    event_command,
    request_command,
    restriction_command,
    close_command,
    import_command,
    export_register_command,
):
    bucp.add_command(_command)

# The group is exported by cli/bucp.py; importing this module attaches the subcommands.
commands: list[click.Command] = []
