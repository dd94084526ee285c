"""The BUCP register: open (and migrate) a database, record BUCPs and their history, read it back.

    register = open_register("sqlite:///bucp-register.db")
    register.new(NewBucp(title=..., program="w2w", ...), drafted_on=date(2026, 1, 5))
    register.add_event("BUCP-2026-001", "submitted", date(2026, 1, 9))

Every write is one transaction that first locks the BUCP's row (SQLite: `BEGIN IMMEDIATE` takes
the database write lock; PostgreSQL: `SELECT ... FOR UPDATE`), so two processes adding events to
the same BUCP serialize: each sees the other's event before checking the transition table, and
none is lost. SQLite runs in WAL mode with a busy timeout so a waiting writer waits instead of
failing with "database is locked".

Reads return plain dataclasses (`BucpRecord`), detached from any session. Specialized Security /
Specialized Privacy text is loaded only by `get(..., specialized=True)`.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from cdw_datahub.bucp.register import states
from cdw_datahub.bucp.register.models import (
    Authority,
    Bucp,
    Dispute,
    Event,
    RequestItem,
    Restriction,
    Specialized,
)
from cdw_datahub.errors import InputError, did_you_mean
from cdw_datahub.policy import load_policy
from cdw_datahub.settings import resolve

ID_PATTERN = re.compile(r"^BUCP-(\d{4})-(\d{3,})$")
SQLITE_BUSY_TIMEOUT_MS = 60_000
PG_MIGRATION_LOCK = 0x0CD3_B0C9  # pg_advisory_xact_lock key: one migrator at a time
PG_ID_LOCK = 0x0CD3_1D00  # pg_advisory_xact_lock(key, year): one id allocator per year
ID_ATTEMPTS = 50


# ---------------------------------------------------------------- records (what readers get)


@dataclass(frozen=True)
class EventRecord:
    seq: int
    event: str
    on: dt.date
    note: str | None = None


@dataclass(frozen=True)
class DisputeRecord:
    raised_on: dt.date
    issue: str | None
    resolved_on: dt.date | None
    resolution: str | None


@dataclass(frozen=True)
class RestrictionRecord:
    citation: str
    solution: str
    note: str | None = None


@dataclass(frozen=True)
class SpecializedRecord:
    security: str | None
    privacy: str | None
    security_draft: str | None = None  # from `bucp readiness`


@dataclass
class BucpRecord:
    id: str
    title: str
    program: str
    requesting_department: str
    providing_department: str
    sponsor: str | None
    coordinator: str | None
    benefits: str | None
    authorities: list[str] = field(default_factory=list)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (dataset, field|None)
    events: list[EventRecord] = field(default_factory=list)
    disputes: list[DisputeRecord] = field(default_factory=list)
    restrictions: list[RestrictionRecord] = field(default_factory=list)
    specialized: SpecializedRecord | None = None  # only from get(..., specialized=True)

    @property
    def state(self) -> str | None:
        return self.events[-1].event if self.events else None

    def as_of(self, day: dt.date) -> BucpRecord | None:
        """The BUCP as it stood at the end of `day` (None if it was not drafted yet)."""
        events = [e for e in self.events if e.on <= day]
        if not events:
            return None
        disputes = [
            d if d.resolved_on is None or d.resolved_on <= day
            else replace(d, resolved_on=None, resolution=None)
            for d in self.disputes
            if d.raised_on <= day
        ]  # fmt: skip
        return replace(self, events=events, disputes=disputes)

    def first(self, event_name: str) -> dt.date | None:
        return next((e.on for e in self.events if e.event == event_name), None)

    def last(self, event_name: str) -> dt.date | None:
        return next((e.on for e in reversed(self.events) if e.event == event_name), None)

    @property
    def outcome(self) -> str:
        """`approved` / `denied` (the last decision), else `withdrawn` if closed, else `pending`."""
        decision = next(
            (e.event for e in reversed(self.events) if e.event in ("approved", "denied")), None
        )
        if decision:
            return decision
        return "withdrawn" if self.state == "closed" else "pending"

    @property
    def datasets(self) -> list[str]:
        return sorted({d for d, _ in self.requests})

    @property
    def fields(self) -> list[str]:
        return sorted({f"{d}.{f}" for d, f in self.requests if f})


@dataclass
class NewBucp:
    """What `bucp new` and the tracker import need to create a BUCP."""

    title: str
    program: str
    requesting_department: str
    providing_department: str
    sponsor: str | None = None
    coordinator: str | None = None
    id: str | None = None
    authorities: list[str] = field(default_factory=list)
    security: str | None = None  # Specialized Security
    privacy: str | None = None  # Specialized Privacy


# ---------------------------------------------------------------- validation helpers


def normalize_program(value: str, key: str = "program") -> str:
    """The program id for an id or display name, checked against the department's programs
    (the field dictionaries of the configured glossary/)."""
    try:
        return load_policy(*resolve().policy_dirs()).program(value).id
    except InputError as e:
        raise InputError(e.message, key=key) from None


def parse_date(value: str, key: str = "date", location: str | None = None) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"'{value}' is not an ISO date; write YYYY-MM-DD, e.g. 2026-03-15", location, key
        ) from None


def parse_event(value: str, key: str = "event", location: str | None = None) -> str:
    name = states.normalize_event(value)
    if name is None:
        raise InputError(
            f"'{value}' is not a BUCP event; use one of: {', '.join(states.EVENTS)}",
            location,
            key,
        )
    return name


def parse_solution(value: str, key: str = "solution", location: str | None = None) -> str:
    solution = value.strip().lower().replace("deidentification", "de-identification")
    solution = solution.replace("de identification", "de-identification")
    if solution not in states.RESTRICTION_SOLUTIONS:
        raise InputError(
            f"'{value}' is not a restriction solution; use one of: "
            + ", ".join(states.RESTRICTION_SOLUTIONS),
            location,
            key,
        )
    return solution


def check_id(value: str, key: str = "id", location: str | None = None) -> str:
    bucp_id = value.strip().upper()
    if not ID_PATTERN.match(bucp_id):
        raise InputError(f"'{value}' is not a BUCP id; write BUCP-YYYY-NNN", location, key)
    return bucp_id


def message_of(error: InputError) -> str:
    """The message of an InputError without its location/key prefix (to re-locate it)."""
    return error.message


def check_history(events: Sequence[tuple[str, dt.date]]) -> tuple[int, str] | None:
    """The first problem in an event history as (index, message), or None when it is valid."""
    state: str | None = None
    last_on: dt.date | None = None
    for i, (name, on) in enumerate(events):
        if name not in states.allowed_after(state):
            return i, states.transition_error(name, state)
        if last_on is not None and on < last_on:
            return i, f"event '{name}' on {on} is out of order: it is before '{state}' on {last_on}"
        state, last_on = name, on
    return None


# ---------------------------------------------------------------- engine and migrations


def _describe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            f"'{url}' is not a database URL; use sqlite:///PATH or postgresql://USER@HOST:PORT/DB",
            key="--register",
        ) from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).expanduser().resolve().parent
            if not folder.is_dir():
                raise InputError("the register's folder does not exist", str(folder), "--register")
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ArgumentError, ImportError) as e:
        raise InputError(
            f"unsupported register database ({e})", _describe(url), "--register"
        ) from e
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
    return engine


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would BEGIN (deferred) lazily; take it over so
        # every transaction starts with BEGIN IMMEDIATE (the write lock, waited for up to the
        # busy timeout) and a read-check-write sequence can never interleave with another writer.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# Alembic is imported when a register is opened, not with this module, which the CLI loads for
# every command: only opening a register needs the migrations.
def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the register's schema to the newest migration (a no-op when it already is)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # two processes opening a new shared register at once: one migrates, one waits
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


# ---------------------------------------------------------------- the register


class Register:
    def __init__(self, url: str, migrate: bool = True):
        self.url = url
        self.location = _describe(url)
        self.engine = _make_engine(url)
        try:
            if migrate:
                upgrade(self.engine)
        except OperationalError as e:
            self.engine.dispose()
            reason = str(e.orig).strip().splitlines()[0] if e.orig else str(e)
            raise InputError(f"cannot open the BUCP register ({reason})", self.location) from e
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: everything inside commits together or not at all. The database
        refusing (a full disk, a lost connection) becomes an InputError naming the register."""
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as e:
            reason = str(e.orig).strip().splitlines()[0] if e.orig else str(e)
            raise InputError(f"the BUCP register failed ({reason})", self.location) from e

    # -- writes ------------------------------------------------------------------------------

    def _lock(self, session: Session, bucp_id: str) -> Bucp:
        bucp_id = bucp_id.strip().upper()
        row = session.execute(
            select(Bucp).where(Bucp.id == bucp_id).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            known = list(session.execute(select(Bucp.id)).scalars())
            hint = did_you_mean(bucp_id, known) or "; see `cdw-datahub bucp list`"
            raise InputError(f"no BUCP '{bucp_id}' in the register{hint}", self.location, "id")
        return row

    def _next_id(self, session: Session, year: int) -> str:
        prefix = f"BUCP-{year}-"
        ids = session.execute(select(Bucp.id).where(Bucp.id.like(prefix + "%"))).scalars()
        numbers = [int(m.group(2)) for i in ids if (m := ID_PATTERN.match(i))]
        return f"{prefix}{max(numbers, default=0) + 1:03d}"

    def _lock_year(self, session: Session, year: int) -> None:
        """Serialize id allocation for one year until this transaction ends.

        SQLite needs nothing: every transaction is BEGIN IMMEDIATE, one writer at a time. On
        PostgreSQL two transactions would read the same max and both insert it (one then fails
        on the primary key); holding this lock from before the read until the commit makes the
        read see every id committed before, and the next allocator see ours."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text("SELECT pg_advisory_xact_lock(:key, :year)"),
                {"key": PG_ID_LOCK, "year": year},
            )

    def new(
        self,
        data: NewBucp,
        drafted_on: dt.date | None = None,
        session: Session | None = None,
        first_event: str = "drafted",
    ) -> str:
        """Create a BUCP (id given or the next BUCP-<year>-NNN) with its first event."""
        if session is None:
            return self._new_with_retry(data, drafted_on, first_event)
        on = drafted_on or dt.date.today()
        program = normalize_program(data.program)
        for name, value in (
            ("title", data.title),
            ("requesting department", data.requesting_department),
            ("providing department", data.providing_department),
        ):
            if not value or not value.strip():
                raise InputError(f"the {name} is required", self.location, name)
        if data.id:
            bucp_id = check_id(data.id)
            self._lock_year(session, int(bucp_id.split("-")[1]))
            if session.get(Bucp, bucp_id) is not None:
                raise InputError(f"'{bucp_id}' is already in the register", self.location, "id")
        else:
            self._lock_year(session, on.year)
            bucp_id = self._next_id(session, on.year)
        row = Bucp(
            id=bucp_id,
            title=data.title.strip(),
            program=program,
            requesting_department=data.requesting_department.strip(),
            providing_department=data.providing_department.strip(),
            sponsor=(data.sponsor or "").strip() or None,
            coordinator=(data.coordinator or "").strip() or None,
            created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        )
        row.authorities = [Authority(citation=c.strip()) for c in data.authorities if c.strip()]
        session.add(row)
        if data.security or data.privacy:
            session.add(Specialized(bucp_id=bucp_id, security=data.security, privacy=data.privacy))
        session.flush()
        self._add_event(session, row, first_event, on, None)
        return bucp_id

    def _new_with_retry(self, data: NewBucp, drafted_on: dt.date | None, first_event: str) -> str:
        """`new` in its own transaction. The year lock makes a duplicate id impossible; should
        one still happen (a register shared with a tool that does not take the lock), the
        transaction is retried with a fresh read of the highest id, backing off."""
        for attempt in range(ID_ATTEMPTS):
            try:
                with self.transaction() as s:
                    return self.new(data, drafted_on, s, first_event)
            except IntegrityError:
                if data.id:
                    raise InputError(
                        f"'{check_id(data.id)}' is already in the register", self.location, "id"
                    ) from None
                time.sleep(random.uniform(0, min(1.0, 0.005 * 2**attempt)))
        raise InputError(
            f"could not allocate a BUCP id after {ID_ATTEMPTS} attempts (other writers kept "
            "taking the next one); try again",
            self.location,
        )

    def _add_event(
        self, session: Session, row: Bucp, name: str, on: dt.date, note: str | None
    ) -> int:
        last = session.execute(
            select(Event).where(Event.bucp_id == row.id).order_by(Event.seq.desc()).limit(1)
        ).scalar_one_or_none()
        state = last.event if last else None
        if name not in states.allowed_after(state):
            raise InputError(states.transition_error(name, state), row.id, "event")
        if last is not None and on < last.on:
            raise InputError(
                f"event '{name}' on {on} is out of order: the last event is '{last.event}' on "
                f"{last.on}",
                row.id,
                "date",
            )
        seq = (last.seq if last else 0) + 1
        session.add(
            Event(
                bucp_id=row.id,
                seq=seq,
                event=name,
                on=on,
                note=note,
                recorded_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            )
        )
        if name == "disputed":
            session.add(Dispute(bucp_id=row.id, raised_on=on, issue=note))
        elif name == "dispute resolved":
            open_dispute = session.execute(
                select(Dispute)
                .where(Dispute.bucp_id == row.id, Dispute.resolved_on.is_(None))
                .order_by(Dispute.id.desc())
                .limit(1)
            ).scalar_one()
            open_dispute.resolved_on = on
            open_dispute.resolution = note
        session.flush()
        return seq

    def add_event(self, bucp_id: str, name: str, on: dt.date, note: str | None = None) -> int:
        """Record one event; returns its sequence number. Checks the transition table and order."""
        name = parse_event(name)
        with self.transaction() as session:
            return self._add_event(session, self._lock(session, bucp_id), name, on, note)

    def close_bucp(
        self, bucp_id: str, on: dt.date, benefits: str | None = None, note: str | None = None
    ) -> int:
        with self.transaction() as session:
            row = self._lock(session, bucp_id)
            seq = self._add_event(session, row, "closed", on, note)
            if benefits:
                row.benefits = benefits.strip()
            return seq

    def request(self, bucp_id: str, dataset: str, fields: Sequence[str] = ()) -> int:
        """Add a requested dataset (and fields of it); returns how many items were new."""
        with self.transaction() as session:
            row = self._lock(session, bucp_id)
            if row.events and row.events[-1].event == "closed":
                raise InputError("the BUCP is closed; open a new one", row.id, "dataset")
            return self._request(session, row, dataset, fields)

    def _request(self, session: Session, row: Bucp, dataset: str, fields: Sequence[str]) -> int:
        have = {(r.dataset, r.field) for r in row.requests}
        wanted = [(dataset, None)] + [(dataset, f) for f in fields]
        added = 0
        for item in wanted:
            if item not in have:
                row.requests.append(RequestItem(dataset=item[0], field=item[1]))
                have.add(item)
                added += 1
        session.flush()
        return added

    def add_restriction(
        self, bucp_id: str, citation: str, solution: str, note: str | None = None
    ) -> None:
        if not citation.strip():
            raise InputError("the statute citation is required", self.location, "citation")
        solution = parse_solution(solution)
        with self.transaction() as session:
            row = self._lock(session, bucp_id)
            row.restrictions.append(
                Restriction(citation=citation.strip(), solution=solution, note=note)
            )

    # -- reads -------------------------------------------------------------------------------

    def _load(self, session: Session, ids: Sequence[str] | None = None) -> list[Bucp]:
        query = select(Bucp).options(
            selectinload(Bucp.events),
            selectinload(Bucp.authorities),
            selectinload(Bucp.requests),
            selectinload(Bucp.disputes),
            selectinload(Bucp.restrictions),
        )
        if ids is not None:
            query = query.where(Bucp.id.in_(ids))
        return list(session.execute(query.order_by(Bucp.id)).scalars())

    def records(self) -> list[BucpRecord]:
        """Every BUCP, oldest id first, without Specialized Security / Privacy text."""
        with self.transaction() as session:
            return [_record(row) for row in self._load(session)]

    def get(self, bucp_id: str, specialized: bool = False) -> BucpRecord:
        with self.transaction() as session:
            row = self._lock(session, bucp_id)
            record = _record(self._load(session, [row.id])[0])
            if specialized:
                extra = session.get(Specialized, row.id)
                record.specialized = SpecializedRecord(
                    security=extra.security if extra else None,
                    privacy=extra.privacy if extra else None,
                    security_draft=extra.security_draft if extra else None,
                )
            return record

    def save_security_draft(self, bucp_id: str, text: str) -> None:
        """Store the Specialized Security draft with the BUCP's other restricted text (its own
        table, read only by `get(..., specialized=True)`); the agreed terms are left as they are."""
        with self.transaction() as session:
            row = self._lock(session, bucp_id)
            extra = session.get(Specialized, row.id)
            if extra is None:
                session.add(Specialized(bucp_id=row.id, security_draft=text))
            else:
                extra.security_draft = text

    def specialized(self) -> dict[str, SpecializedRecord]:
        """All Specialized Security / Privacy text, for an explicit `--specialized` export."""
        with self.transaction() as session:
            return {
                s.bucp_id: SpecializedRecord(s.security, s.privacy)
                for s in session.execute(select(Specialized)).scalars()
            }

    def counts(self) -> dict[str, int]:
        """Rows per table: what tests and `bucp list` footers use to see nothing changed."""
        with self.transaction() as session:
            return {
                model.__tablename__: session.execute(
                    select(func.count()).select_from(model)
                ).scalar_one()
                for model in (
                    Bucp,
                    Event,
                    Authority,
                    RequestItem,
                    Dispute,
                    Restriction,
                    Specialized,
                )
            }


def _record(row: Bucp) -> BucpRecord:
    return BucpRecord(
        id=row.id,
        title=row.title,
        program=row.program,
        requesting_department=row.requesting_department,
        providing_department=row.providing_department,
        sponsor=row.sponsor,
        coordinator=row.coordinator,
        benefits=row.benefits,
        authorities=[a.citation for a in row.authorities],
        requests=[(r.dataset, r.field) for r in row.requests],
        events=[EventRecord(e.seq, e.event, e.on, e.note) for e in row.events],
        disputes=[
            DisputeRecord(d.raised_on, d.issue, d.resolved_on, d.resolution) for d in row.disputes
        ],
        restrictions=[RestrictionRecord(r.citation, r.solution, r.note) for r in row.restrictions],
    )


def open_register(url: str) -> Register:
    return Register(url)
