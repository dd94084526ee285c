"""Build the sample department as SQLite files full of obviously fake, deterministic rows.

Every value is recognisably synthetic so the no-value-leak tests can grep for it: SSNs in the
900-999 area range (never issued; row 1 uses 987-65-4320, reserved for advertising), e-mail
addresses at `example.invalid`, telephone numbers in the fictional 555-0100..555-0199 block, and
names from a small made-up list ("Testy McTestface"). Row 1 of every table carries the
`SAMPLE_SENTINELS`, so a test knows exactly which strings must never appear in a catalog or export.

SQLite keeps no column comments, so each column's comment is written as a trailing `-- ...` on its
own line of the CREATE TABLE text (and the table's comment after the opening parenthesis); the text
survives in `sqlite_master.sql` for anything that wants to harvest it.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from cdw_datahub.demo.schema import PROGRAMS, Column, Program, Table, quote, table_definitions
from cdw_datahub.errors import InputError

FIRST_NAMES = ("Testy", "Sample", "Fakey", "Placeholder", "Dummy", "Mocky", "Fixture", "Notta")
LAST_NAMES = ("McTestface", "Samplesson", "Fakerton", "Dummington", "Mockridge", "Fixtureman")
MIDDLE_NAMES = ("Q", "Example", "Pretend", "Z")
STREETS = ("Testing Way", "Sample Ave", "Placeholder Blvd", "Fixture Ct", "Mockingbird Fake Ln")
CITIES = ("Sacramento", "Fresno", "Oakland", "Bakersfield", "Redding", "Riverside", "Salinas")
COUNTIES = (
    "Sacramento",
    "Fresno",
    "Alameda",
    "Kern",
    "Shasta",
    "Riverside",
    "Monterey",
    "Imperial",
)
LANGUAGES = ("English", "Spanish", "Chinese", "Vietnamese", "Tagalog", "Korean", "Punjabi")
RACES = (
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Native Hawaiian or Other Pacific Islander",
    "White",
    "Multiple races",
    "Declined to state",
)
ETHNICITIES = ("Hispanic or Latino", "Not Hispanic or Latino", "Declined to state")
ORG_WORDS = ("Fictional", "Imaginary", "Pretend Valley", "Sample County", "Notreal")
ORG_KINDS = ("Wellness Collective", "Community Partners", "Health Network", "Outdoor Alliance")
USERS = ("etl_job", "tester01", "analyst2", "steward9")
NOTES = (
    "Test note: appointment kept.",
    "Test note: participant asked for a Spanish-speaking provider.",
    "Test note: no answer after two calls.",
)
AREA_CODES = ("916", "559", "510", "661")

# Row 1 of every table uses these; tests grep catalogs and exports for them.
SENTINEL_SSN = "987-65-4320"
SENTINEL_SSN_DIGITS = "987654320"
SENTINEL_EMAIL = "testy.mctestface@example.invalid"
SENTINEL_PHONE = "916-555-0100"
SENTINEL_LAST_NAME = "McTestface"
SENTINEL_CIN = "90000000A"
SAMPLE_SENTINELS: list[str] = [
    SENTINEL_SSN,
    SENTINEL_SSN_DIGITS,
    SENTINEL_EMAIL,
    SENTINEL_PHONE,
    SENTINEL_LAST_NAME,
    SENTINEL_CIN,
]
_SENTINEL_BY_KIND = {
    "first": "Testy",
    "last": SENTINEL_LAST_NAME,
    "full_name": "Testy McTestface",
    "ssn": SENTINEL_SSN,
    "ssn_digits": SENTINEL_SSN_DIGITS,
    "email": SENTINEL_EMAIL,
    "phone": SENTINEL_PHONE,
    "cin": SENTINEL_CIN,
}

NULL_RATE = 0.05  # share of nullable, non-key values left empty
_FIRST_DAY = date(2023, 1, 1)
_DAYS = 3 * 365


def _date(rng: random.Random) -> str:
    return (_FIRST_DAY + timedelta(days=rng.randrange(_DAYS))).isoformat()


def _dob(rng: random.Random) -> str:
    return (date(1940, 1, 1) + timedelta(days=rng.randrange(66 * 365))).isoformat()


def _ts(rng: random.Random) -> str:
    moment = datetime(2023, 1, 1) + timedelta(seconds=rng.randrange(_DAYS * 86400))
    return moment.isoformat(sep=" ")


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(AREA_CODES)}-555-01{rng.randrange(100):02d}"


# Value makers by sample kind: (rng, row number starting at 1, values of this row so far).
Maker = Callable[[random.Random, int, dict[str, object]], object]
SAMPLE_KINDS: dict[str, Maker] = {
    "seq": lambda rng, n, row: n,
    "first": lambda rng, n, row: rng.choice(FIRST_NAMES),
    "middle": lambda rng, n, row: rng.choice(MIDDLE_NAMES),
    "last": lambda rng, n, row: rng.choice(LAST_NAMES),
    "full_name": lambda rng, n, row: f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
    "suffix": lambda rng, n, row: rng.choice(("Jr", "Sr", "III")),
    "dob": lambda rng, n, row: _dob(rng),
    "date": lambda rng, n, row: _date(rng),
    "ts": lambda rng, n, row: _ts(rng),
    "time": lambda rng, n, row: f"{rng.randint(5, 10):02d}:{rng.randrange(60):02d}:00",
    "sex": lambda rng, n, row: rng.choice("FMXU"),
    "race": lambda rng, n, row: rng.choice(RACES),
    "ethnicity": lambda rng, n, row: rng.choice(ETHNICITIES),
    "language": lambda rng, n, row: rng.choice(LANGUAGES),
    "street": lambda rng, n, row: f"{rng.randint(100, 9899)} {rng.choice(STREETS)}",
    "city": lambda rng, n, row: rng.choice(CITIES),
    "zip": lambda rng, n, row: f"{rng.randint(90001, 96161):05d}",
    "county": lambda rng, n, row: rng.choice(COUNTIES),
    "county_code": lambda rng, n, row: f"{rng.randint(1, 58):02d}",
    "phone": lambda rng, n, row: _phone(rng),
    "email": lambda rng, n, row: (
        f"{row.get('first', 'sample')}.{row.get('last', 'person')}{n}@example.invalid".lower()
    ),
    "org_email": lambda rng, n, row: f"info{n}@partner.example.invalid",
    "org": lambda rng, n, row: f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_KINDS)} {n}",
    "ssn": lambda rng, n, row: (
        f"{rng.randint(900, 999)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    ),
    "ssn_digits": lambda rng, n, row: f"{rng.randint(900, 999)}{rng.randint(100000, 999999)}",
    "cin": lambda rng, n, row: f"9{rng.randint(1000000, 9999999)}{rng.choice('ABCDEFGH')}",
    "npi": lambda rng, n, row: f"9{rng.randint(100000000, 999999999)}",
    "tract": lambda rng, n, row: f"06{rng.randint(1, 115):03d}{rng.randint(100, 999999):06d}",
    "lat": lambda rng, n, row: round(rng.uniform(32.6, 41.9), 6),
    "lon": lambda rng, n, row: round(rng.uniform(-124.2, -114.7), 6),
    "user": lambda rng, n, row: rng.choice(USERS),
    "bool": lambda rng, n, row: rng.random() < 0.5,
    "text": lambda rng, n, row: rng.choice(NOTES),
}
_SCALE = re.compile(r"NUMERIC\(\d+,\s*(\d+)\)")


def _parametric(spec: str, column: Column) -> Maker:
    """`int:LO:HI`, `num:LO:HI` (scale from the column type), `choice:A|B`, `label:Prefix`."""
    kind, _, arg = spec.partition(":")
    if kind == "int":
        lo, hi = (int(x) for x in arg.split(":"))
        return lambda rng, n, row: rng.randint(lo, hi)
    if kind == "num":
        flo, fhi = (float(x) for x in arg.split(":"))
        m = _SCALE.match(column.type)
        scale = int(m.group(1)) if m else 2
        return lambda rng, n, row: round(rng.uniform(flo, fhi), scale)
    if kind == "choice":
        options = arg.split("|")
        return lambda rng, n, row: rng.choice(options)
    if kind == "label":
        return lambda rng, n, row: f"{arg} {n}"
    raise ValueError(f"column {column.name}: unknown sample kind {spec!r}")


def _maker(column: Column) -> Maker:
    spec = column.sample or "text"
    return SAMPLE_KINDS.get(spec) or _parametric(spec, column)


def table_rows(program: Program, table: Table, rows: int, seed: int) -> list[tuple[object, ...]]:
    """`rows` fake rows for one table, in column order; every table has primary keys 1..rows.

    Foreign keys point at 1..rows of the target, which every table has, so the rows satisfy
    every constraint. A table's values depend only on (seed, program, table): adding a table
    does not change the others.
    """
    rng = random.Random(f"{seed}:{program.id}:{table.name}")
    makers = [(c, _maker(c)) for c in table.columns]
    out: list[tuple[object, ...]] = []
    for n in range(1, rows + 1):
        row: dict[str, object] = {}
        values: list[object] = []
        for column, make in makers:
            kind = column.sample or ""
            if n == 1 and kind in _SENTINEL_BY_KIND:
                value: object = _SENTINEL_BY_KIND[kind]
            elif column.references:
                value = rng.randint(1, rows)
                if column.nullable and rng.random() < NULL_RATE:
                    value = None
            elif column.nullable and not column.primary_key and rng.random() < NULL_RATE:
                value = None
            else:
                value = make(rng, n, row)
            if kind in ("first", "last"):
                row[kind] = value
            values.append(value)
        out.append(tuple(values))
    return out


def sqlite_table_ddl(table: Table) -> str:
    # SQLite has no COMMENT ON: comments trail their line (cdw-sqlite harvests them)
    lines = table_definitions(table)
    head = f"CREATE TABLE {quote(table.name)} ("
    if table.comment:
        head += f"  -- {table.comment}"
    body = []
    for i, (definition, comment) in enumerate(lines):
        text = "  " + definition + ("," if i < len(lines) - 1 else "")
        if comment:
            text += f"  -- {comment}"
        body.append(text)
    return "\n".join([head, *body, ");"])


def sqlite_ddl(program: Program) -> str:
    """The whole program as SQLite DDL (tables, then views)."""
    parts = [sqlite_table_ddl(t) for t in program.tables]
    for v in program.views:
        comment = f"  -- {v.comment}" if v.comment else ""
        parts.append(f"CREATE VIEW {quote(v.name)} AS{comment}\n{v.select};")
    return "\n\n".join(parts) + "\n"


def build_program(path: Path, program: Program, rows: int = 300, seed: int = 7) -> Path:
    """Write one program's database to `path` atomically (built beside it, then renamed).

    A failure (a full disk, a read-only folder) removes the half-built file and names `path`."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.unlink(missing_ok=True)
        _fill(tmp, program, rows, seed)
        os.replace(tmp, path)
    except (OSError, sqlite3.Error) as e:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        reason = e.strerror if isinstance(e, OSError) else str(e)
        raise InputError(f"cannot write the sample database ({reason})", str(path)) from e
    return path


def _fill(tmp: Path, program: Program, rows: int, seed: int) -> None:
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.executescript(sqlite_ddl(program))
        with conn:
            for table in program.tables:
                names = ", ".join(quote(c.name) for c in table.columns)
                marks = ", ".join("?" for _ in table.columns)
                conn.executemany(
                    f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})",
                    table_rows(program, table, rows, seed),
                )
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:  # a bug in the fixture, not user input
            raise RuntimeError(f"{program.id}: rows violate foreign keys: {problems[:3]}")
    finally:
        conn.close()


def build_sqlite(workdir: Path, rows: int = 300, seed: int = 7) -> dict[str, Path]:
    """Build every program's database as `workdir/<program id>.db`; returns program id -> path."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    return {p.id: build_program(workdir / f"{p.id}.db", p, rows, seed) for p in PROGRAMS}
