"""Synthetic program schemas as SQLite files, for benchmarks.

`generate(path, tables=1000, columns=30, seed=0)` writes N tables x M columns with the kind of names
a health-and-human-services program database has (people, contact, demographics, health, codes,
audit columns, ids) and some foreign keys between tables. The output is a pure function of the
arguments: the same seed gives the same file content.

Foreign keys are either named (`CONSTRAINT fk_... FOREIGN KEY ...`) or unnamed (`col REFERENCES
t(id)`). DataHub's stock `sqlalchemy` source dies on unnamed SQLite foreign keys, so a comparison
against it uses `unnamed_fks=False`: every key is then named, both pipelines read one schema.

    python -m benchmarks.generate out.db --tables 1000 --columns 30 --seed 0
"""

from __future__ import annotations

import argparse
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

# (column name, SQL type): one pool per concept, drawn from in a fixed order.
PERSON = [
    ("first_name", "VARCHAR(50)"),
    ("last_name", "VARCHAR(50)"),
    ("middle_name", "VARCHAR(50)"),
    ("preferred_name", "VARCHAR(50)"),
    ("maiden_name", "VARCHAR(50)"),
    ("suffix", "VARCHAR(10)"),
    ("date_of_birth", "DATE"),
    ("ssn", "CHAR(11)"),
    ("client_index_number", "VARCHAR(20)"),
    ("medi_cal_id", "VARCHAR(14)"),
    ("drivers_license_number", "VARCHAR(20)"),
]
CONTACT = [
    ("email", "VARCHAR(120)"),
    ("phone_number", "VARCHAR(20)"),
    ("mobile_phone", "VARCHAR(20)"),
    ("street_address", "VARCHAR(200)"),
    ("address_line2", "VARCHAR(200)"),
    ("city", "VARCHAR(60)"),
    ("county", "VARCHAR(60)"),
    ("state", "CHAR(2)"),
    ("zip_code", "CHAR(5)"),
    ("latitude", "REAL"),
    ("longitude", "REAL"),
    ("census_tract", "VARCHAR(11)"),
]
DEMOGRAPHICS = [
    ("gender", "VARCHAR(20)"),
    ("sex_at_birth", "VARCHAR(10)"),
    ("race", "VARCHAR(40)"),
    ("ethnicity", "VARCHAR(40)"),
    ("primary_language", "VARCHAR(40)"),
    ("age_years", "INTEGER"),
    ("age_group", "VARCHAR(20)"),
    ("household_size", "INTEGER"),
    ("household_income", "NUMERIC(12,2)"),
    ("veteran_status", "BOOLEAN"),
    ("marital_status", "VARCHAR(20)"),
    ("education_level", "VARCHAR(40)"),
]
HEALTH = [
    ("diagnosis_code", "VARCHAR(10)"),
    ("icd10_code", "VARCHAR(10)"),
    ("procedure_code", "VARCHAR(10)"),
    ("bmi", "REAL"),
    ("systolic_bp", "INTEGER"),
    ("diastolic_bp", "INTEGER"),
    ("a1c_percent", "REAL"),
    ("pregnancy_status", "BOOLEAN"),
    ("disability_status", "VARCHAR(40)"),
    ("hiv_status", "VARCHAR(20)"),
    ("substance_use_treatment", "BOOLEAN"),
    ("mental_health_visit", "BOOLEAN"),
    ("immunization_date", "DATE"),
    ("medication_name", "VARCHAR(100)"),
    ("provider_npi", "CHAR(10)"),
]
CODES = [
    ("status_code", "VARCHAR(10)"),
    ("program_code", "VARCHAR(10)"),
    ("eligibility_code", "VARCHAR(10)"),
    ("aid_code", "CHAR(2)"),
    ("service_type", "VARCHAR(30)"),
    ("fiscal_year", "INTEGER"),
    ("amount_paid", "NUMERIC(12,2)"),
    ("units", "INTEGER"),
    ("outcome", "VARCHAR(40)"),
    ("notes", "TEXT"),
    ("is_active", "BOOLEAN"),
    ("start_date", "DATE"),
    ("end_date", "DATE"),
    ("event_time", "TIMESTAMP"),
]
AUDIT = [
    ("created_at", "TIMESTAMP"),
    ("created_by", "VARCHAR(40)"),
    ("updated_at", "TIMESTAMP"),
    ("updated_by", "VARCHAR(40)"),
    ("source_system", "VARCHAR(40)"),
    ("record_version", "INTEGER"),
]
POOLS = [PERSON, CONTACT, DEMOGRAPHICS, HEALTH, CODES]
NOUNS = [
    "participant",
    "client",
    "enrollment",
    "encounter",
    "claim",
    "referral",
    "visit",
    "screening",
    "household",
    "provider",
    "case",
    "payment",
    "survey_response",
    "stop",
    "trip",
    "site",
    "inspection",
    "sample",
    "measurement",
    "application",
]


@dataclass
class Generated:
    """What `generate` wrote: counts a test or benchmark can check against what it reads."""

    path: Path
    tables: int
    columns: int
    foreign_keys: int = 0
    named_foreign_keys: int = 0
    unnamed_foreign_keys: int = 0
    table_names: list[str] = field(default_factory=list)


def _table_names(rng: random.Random, n: int) -> list[str]:
    names = []
    for i in range(n):
        noun = NOUNS[i % len(NOUNS)]
        names.append(f"{noun}_{i:05d}" if n > len(NOUNS) else noun)
    rng.shuffle(names)
    return names


def _columns(rng: random.Random, m: int) -> list[tuple[str, str]]:
    """`m` distinct (name, type) pairs: an id, then a mix of the pools, then audit columns."""
    audit = AUDIT[: max(0, min(len(AUDIT), m // 5))]
    body = m - 1 - len(audit)
    pool = [c for p in POOLS for c in p]
    chosen = rng.sample(pool, min(body, len(pool)))
    while len(chosen) < body:  # wider than the pools: number the repeats
        name, sql_type = pool[rng.randrange(len(pool))]
        chosen.append((f"{name}_{len(chosen)}", sql_type))
    return [("id", "INTEGER")] + chosen + audit


def generate(
    path: str | Path,
    tables: int = 1000,
    columns: int = 30,
    seed: int = 0,
    fk_share: float = 0.3,
    unnamed_fks: bool = True,
    rows: int = 3,
) -> Generated:
    """Write the database at `path` (replacing it); `fk_share` of tables (after the first) get one
    or two foreign keys to earlier tables, roughly half of them unnamed when `unnamed_fks`."""
    if tables < 1 or columns < 2:
        raise ValueError("need at least 1 table and 2 columns")
    path = Path(path)
    path.unlink(missing_ok=True)
    rng = random.Random(seed)
    names = _table_names(rng, tables)
    out = Generated(path=path, tables=tables, columns=columns, table_names=names)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("BEGIN")
        for t, table in enumerate(names):
            cols = _columns(rng, columns)
            # the last body columns become `<parent>_id` references when this table has FKs
            fks: list[tuple[int, str, bool]] = []
            if t > 0 and rng.random() < fk_share:
                for _ in range(1 if rng.random() < 0.7 else 2):
                    parent = names[rng.randrange(t)]
                    slot = len(cols) - 1 - len(fks) - (len(AUDIT) if columns >= 30 else 0)
                    if slot <= 0 or any(p == parent for _, p, _ in fks):
                        continue
                    fks.append((slot, parent, unnamed_fks and rng.random() < 0.5))
            defs = []
            constraints = []
            for i, (name, sql_type) in enumerate(cols):
                fk = next((f for f in fks if f[0] == i), None)
                if fk is None:
                    pk = " PRIMARY KEY" if i == 0 else ""
                    defs.append(f'"{name}" {sql_type}{pk}')
                    continue
                _, parent, unnamed = fk
                col = f"{parent}_id"
                cols[i] = (col, "INTEGER")
                if unnamed:
                    defs.append(f'"{col}" INTEGER REFERENCES "{parent}"(id)')
                    out.unnamed_foreign_keys += 1
                else:
                    defs.append(f'"{col}" INTEGER')
                    constraints.append(
                        f'CONSTRAINT "fk_{table}_{col}" FOREIGN KEY ("{col}") '
                        f'REFERENCES "{parent}"(id)'
                    )
                    out.named_foreign_keys += 1
            db.execute(f'CREATE TABLE "{table}" ({", ".join(defs + constraints)})')
            if rows:
                marks = ",".join("?" * len(cols))
                values = [
                    tuple(_value(rng, name, sql_type, r) for name, sql_type in cols)
                    for r in range(rows)
                ]
                db.executemany(f'INSERT INTO "{table}" VALUES ({marks})', values)
        db.execute("COMMIT")
    finally:
        db.close()
    out.foreign_keys = out.named_foreign_keys + out.unnamed_foreign_keys
    return out


def _value(rng: random.Random, name: str, sql_type: str, row: int) -> object:
    """A plausible but fake value (no real person); foreign keys point at row ids 1..rows."""
    if name == "id" or name.endswith("_id"):
        return row + 1
    if sql_type in ("INTEGER", "BOOLEAN"):
        return rng.randrange(0, 2 if sql_type == "BOOLEAN" else 100)
    if sql_type.startswith(("REAL", "NUMERIC")):
        return round(rng.uniform(0, 500), 2)
    if sql_type == "DATE":
        return f"20{rng.randrange(10, 25)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}"
    if sql_type == "TIMESTAMP":
        return f"2024-01-0{rng.randrange(1, 10)} 12:00:00"
    return f"synthetic-{name}-{row}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--named-fks-only", action="store_true")
    args = parser.parse_args(argv)
    g = generate(
        args.path, args.tables, args.columns, args.seed, unnamed_fks=not args.named_fks_only
    )
    print(
        f"{g.path}: {g.tables} tables x {g.columns} columns, {g.foreign_keys} foreign keys "
        f"({g.unnamed_foreign_keys} unnamed)"
    )


if __name__ == "__main__":
    main()
