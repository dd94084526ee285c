"""The sample department: schema size, SQLite build, determinism, and the PostgreSQL DDL."""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from cdw_datahub.demo import build, extracts, postgres, schema, workbooks
from cdw_datahub.errors import InputError

PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"


def _all_columns() -> list[tuple[str, str, schema.Column]]:
    return [(p.id, t.name, c) for p in schema.PROGRAMS for t in p.tables for c in t.columns]


def test_schema_meets_minimums() -> None:
    tables = [t for p in schema.PROGRAMS for t in p.tables]
    columns = _all_columns()
    assert len(tables) >= 20
    assert len(columns) >= 250
    assert all(p.views for p in schema.PROGRAMS)
    commented = [c for _, _, c in columns if c.comment]
    assert 0.25 <= len(commented) / len(columns) <= 0.45
    legacy = schema.W2W.table("legacy_prtcpnt")
    assert {"PRTCPNT_SSN_NBR", "PRTCPNT_DOB_DT", "HH_INCM_AMT"} <= {c.name for c in legacy.columns}
    assert not any(c.comment for c in legacy.columns)


def test_every_foreign_key_targets_an_earlier_table_primary_key() -> None:
    for p in schema.PROGRAMS:
        seen: set[str] = set()
        for t in p.tables:
            for c in t.columns:
                if c.references:
                    assert c.ref_table in seen, f"{p.id}.{t.name}.{c.name}"
                    assert p.table(c.ref_table or "").primary_key.name == c.ref_column
            seen.add(t.name)


def test_program_lookup_accepts_id_or_name_and_rejects_unknown() -> None:
    assert schema.program("Healthy Habits") is schema.HEALTHY_HABITS
    assert schema.program("W2W") is schema.W2W
    with pytest.raises(InputError, match="w2w \\(Walk2Work\\)"):
        schema.program("walk-to-work")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build.build_sqlite(tmp_path_factory.mktemp("demo"), rows=120)


def test_build_writes_one_database_per_program(built: dict[str, Path]) -> None:
    assert set(built) == {"w2w", "healthy-habits", "your-environment"}
    for program_id, path in built.items():
        assert path.name == f"{program_id}.db"
        p = schema.program(program_id)
        with sqlite3.connect(path) as conn:
            names = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            assert names == {t.name for t in p.tables}
            for t in p.tables:
                assert conn.execute(f'SELECT COUNT(*) FROM "{t.name}"').fetchone() == (120,)
            for v in p.views:
                assert conn.execute(f'SELECT COUNT(*) FROM "{v.name}"').fetchone()[0] > 0


def test_foreign_keys_unnamed_and_named_and_satisfied(built: dict[str, Path]) -> None:
    with sqlite3.connect(built["w2w"]) as conn:
        fks = conn.execute("PRAGMA foreign_key_list(participant)").fetchall()
        assert [(r[2], r[3], r[4]) for r in fks] == [("employer", "employer_id", "employer_id")]
        stop_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name='stop'").fetchone()[0]
        assert 'CONSTRAINT "fk_stop_commute" FOREIGN KEY' in stop_sql
        commute_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name='commute'").fetchone()[
            0
        ]
        assert re.search(r'"participant_id" INTEGER NOT NULL REFERENCES "participant"', commute_sql)
    for path in built.values():
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_sqlite_keeps_comments_in_the_create_text(built: dict[str, Path]) -> None:
    with sqlite3.connect(built["w2w"]) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name='stop'").fetchone()[0]
    assert '"duration" INTEGER,  -- Length of the stop in seconds.' in sql


def _dump(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master ORDER BY name")]
        out: list[tuple] = []
        for name in tables:
            out.extend((name, *row) for row in conn.execute(f'SELECT * FROM "{name}"'))
        return out


def test_build_is_deterministic_and_seed_sensitive(tmp_path: Path) -> None:
    a = build.build_sqlite(tmp_path / "a", rows=40)
    b = build.build_sqlite(tmp_path / "b", rows=40)
    c = build.build_sqlite(tmp_path / "c", rows=40, seed=8)
    for program_id in a:
        assert _dump(a[program_id]) == _dump(b[program_id])
        assert _dump(a[program_id]) != _dump(c[program_id])


def test_values_are_obviously_fake_and_sentinels_are_written(built: dict[str, Path]) -> None:
    with sqlite3.connect(built["w2w"]) as conn:
        rows = conn.execute("SELECT ssn, email_address, phone_number FROM participant").fetchall()
        legacy = [r[0] for r in conn.execute('SELECT "PRTCPNT_SSN_NBR" FROM legacy_prtcpnt')]
    ssns = [r[0] for r in rows if r[0]]
    assert ssns and all(re.fullmatch(r"9\d\d-\d\d-\d{4}", s) for s in ssns)
    assert all(re.fullmatch(r"9\d{8}", s) for s in legacy if s)
    assert all(r[1].endswith("@example.invalid") for r in rows if r[1])
    assert all(re.fullmatch(r"\d{3}-555-01\d\d", r[2]) for r in rows if r[2])
    everything = "\n".join(str(v) for path in built.values() for row in _dump(path) for v in row)
    for sentinel in build.SAMPLE_SENTINELS:
        assert sentinel in everything, sentinel


def test_building_all_programs_is_fast_enough_to_rebuild_per_test(tmp_path: Path) -> None:
    # Not a timing assertion: the default size stays a few hundred rows per table.
    paths = build.build_sqlite(tmp_path)
    with sqlite3.connect(paths["w2w"]) as conn:
        assert conn.execute("SELECT COUNT(*) FROM step_log").fetchone() == (300,)


def test_postgres_ddl_quotes_and_comments() -> None:
    ddl = postgres.postgres_ddl("healthy-habits")
    assert ddl.startswith('CREATE SCHEMA "healthy_habits";')
    assert 'REFERENCES "healthy_habits"."participant"("participant_id")' in ddl  # unnamed inline FK
    assert 'CONSTRAINT "fk_referral_provider" FOREIGN KEY ("provider_id")' in ddl
    assert 'COMMENT ON COLUMN "healthy_habits"."health_survey"."bmi" IS \'Body mass' in ddl
    w2w = postgres.postgres_ddl("Walk2Work")
    assert "IS 'Employers whose work sites take part in Walk2Work.';" in w2w
    # A comment with an apostrophe is a doubled quote, not a broken literal.
    assert "participant''s commute" in w2w


def _server_or_skip() -> sa.Engine:
    engine = sa.create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError:
        if os.environ.get("CDW_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip("PostgreSQL on 127.0.0.1:5432 not reachable (set CDW_REQUIRE_POSTGRES=1)")
    return engine


@pytest.fixture(scope="module")
def pg_database() -> object:
    """A private database, so concurrent runs and other tests' schemas never collide."""
    admin = _server_or_skip()
    name = f"cdw_demo_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.postgres
def test_postgres_load_is_rerunnable_and_shows_comments(pg_database: str) -> None:
    postgres.load_postgres(pg_database, rows=20)
    postgres.load_postgres(pg_database, programs=["w2w"], rows=30)  # drop and recreate
    engine = sa.create_engine(pg_database)
    try:
        with engine.connect() as conn:
            counts = dict(
                conn.execute(
                    sa.text(
                        "SELECT table_schema, COUNT(*) FROM information_schema.tables "
                        "WHERE table_schema IN ('w2w', 'healthy_habits', 'your_environment') "
                        "AND table_type = 'BASE TABLE' GROUP BY table_schema"
                    )
                ).all()
            )
            assert counts == {p.schema_name: len(p.tables) for p in schema.PROGRAMS}
            n_columns = conn.execute(
                sa.text(
                    "SELECT COUNT(*) FROM information_schema.columns c "
                    "JOIN information_schema.tables t USING (table_schema, table_name) "
                    "WHERE t.table_type = 'BASE TABLE' "
                    "AND table_schema IN ('w2w', 'healthy_habits', 'your_environment')"
                )
            ).scalar()
            assert n_columns == len(_all_columns())
            assert conn.execute(sa.text("SELECT COUNT(*) FROM w2w.participant")).scalar() == 30
            assert (
                conn.execute(sa.text("SELECT COUNT(*) FROM healthy_habits.referral")).scalar() == 20
            )
            comments = dict(
                conn.execute(
                    sa.text(
                        "SELECT n.nspname || '.' || c.relname || '.' || a.attname, d.description "
                        "FROM pg_description d JOIN pg_class c ON c.oid = d.objoid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid "
                        "WHERE d.objsubid > 0"
                    )
                ).all()
            )
            expected = {
                f"{p.schema_name}.{t.name}.{c.name}": c.comment
                for p in schema.PROGRAMS
                for t in p.tables
                for c in t.columns
                if c.comment
            }
            assert comments == expected
            table_comment = conn.execute(
                sa.text("SELECT obj_description('w2w.stop'::regclass, 'pg_class')")
            ).scalar()
            assert table_comment == "Planned stops on a participant's commute."
            legacy = conn.execute(
                sa.text('SELECT "PRTCPNT_SSN_NBR" FROM w2w.legacy_prtcpnt WHERE "PRTCPNT_ID" = 1')
            ).scalar()
            assert legacy == build.SENTINEL_SSN_DIGITS
            assert conn.execute(
                sa.text("SELECT COUNT(*) FROM your_environment.park_visit_summary")
            ).scalar()
            fk_names = {
                r[0]
                for r in conn.execute(
                    sa.text(
                        "SELECT constraint_name FROM information_schema.table_constraints "
                        "WHERE constraint_type = 'FOREIGN KEY' AND table_schema = 'w2w'"
                    )
                )
            }
            assert {"fk_stop_commute", "fk_reward_challenge"} <= fk_names
    finally:
        engine.dispose()


def test_load_postgres_unreachable_server_is_input_error() -> None:
    with pytest.raises(InputError, match="cannot reach the database") as info:
        postgres.load_postgres("postgresql+psycopg2://postgres:s3cret@127.0.0.1:1/none")
    assert "s3cret" not in str(info.value)


# ---------------------------------------------------------------- the glossary content

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = REPO / "glossary"
POLICIES = REPO / "policies"


# the demo's files, by (program, dataset name in the dictionary)
FILE_COLUMNS = {
    ("w2w", "w2w_monthly_extract"): extracts.COLUMNS,
    ("healthy-habits", workbooks.SHEET): workbooks.COLUMNS,
}


def _columns_by_key() -> dict[tuple[str, str, str], schema.Column]:
    return {(p.id, t.name, c.name): c for p in schema.PROGRAMS for t in p.tables for c in t.columns}


@pytest.fixture(scope="module")
def policy() -> object:
    from cdw_datahub.policy import load_policy

    return load_policy(GLOSSARY, POLICIES)


def test_dictionary_names_only_real_columns_and_conflicts_exactly_once(policy) -> None:
    columns = _columns_by_key()
    described = set()
    for program_id in policy.programs:
        for table, entry in policy.datasets(program_id).items():
            for column, field_entry in entry.fields.items():
                if entry.kind == "file":  # the CSV extract, the workbook's sheet
                    assert column in FILE_COLUMNS[(program_id, table)]
                    continue
                assert (program_id, table, column) in columns, (program_id, table, column)
                assert field_entry.name and field_entry.definition
                described.add((program_id, table, column))
    conflicts = [
        key
        for key, c in columns.items()
        if c.comment and key in described and policy.field_entry(*key).definition != c.comment
    ]
    assert conflicts == [("w2w", "stop", "duration")]
    undescribed = [k for k, c in columns.items() if not c.comment and k not in described]
    assert 0.12 <= len(undescribed) / len(columns) <= 0.18
    assert {k for k in undescribed if k[1] == "legacy_prtcpnt"} == {
        k for k in columns if k[1] == "legacy_prtcpnt"
    }


def test_dictionary_headers_list_exactly_the_undescribed_fields(policy) -> None:
    columns = _columns_by_key()
    for p in schema.PROGRAMS:
        text = (GLOSSARY / "dictionary" / f"{p.id}.yml").read_text(encoding="utf-8")
        listed = set(re.findall(r"^#   - (\w+)\.(\w+)$", text, flags=re.M))
        expected = {
            (t, c)
            for (pid, t, c), col in columns.items()
            if pid == p.id and not col.comment and policy.field_entry(pid, t, c) is None
        }
        assert listed == expected, p.id


def test_reviewed_classifications_cover_real_fields(policy) -> None:
    import yaml

    columns = _columns_by_key()
    data = yaml.safe_load((POLICIES / "reviewed.yml").read_text(encoding="utf-8"))
    reviewed = [(pid, t, c) for pid, ts in data.items() for t, cs in ts.items() for c in cs]
    assert all(key in columns for key in reviewed)
    w2w = [k for k in reviewed if k[0] == "w2w"]
    assert 0.35 <= len(w2w) / sum(1 for k in columns if k[0] == "w2w") <= 0.5
    assert policy.reviewed("w2w", "participant", "ssn").categories == ("direct_identifier",)
    assert policy.reviewed("healthy-habits", "cbo_partner", "phone_number").level == "public"


def test_glossary_ingests_with_the_stock_source_under_explicit_ids(tmp_path: Path) -> None:
    import json

    import yaml
    from datahub.ingestion.run.pipeline import Pipeline

    out = tmp_path / "glossary.json"
    pipeline = Pipeline.create(
        {
            "source": {
                "type": "datahub-business-glossary",
                "config": {"file": str(GLOSSARY / "business_glossary.yml")},
            },
            "sink": {"type": "file", "config": {"filename": str(out)}},
        }
    )
    pipeline.run()
    pipeline.raise_from_status()
    assert not pipeline.source.get_report().warnings
    records = json.loads(out.read_text())
    urns = {r["entityUrn"] for r in records if "entityUrn" in r} | {
        next(iter(r["proposedSnapshot"].values()))["urn"]
        for r in records
        if "proposedSnapshot" in r
    }
    doc = yaml.safe_load((GLOSSARY / "business_glossary.yml").read_text(encoding="utf-8"))
    ids = {t["id"] for node in doc["nodes"] for t in node["terms"]}
    assert {u for u in urns if u.startswith("urn:li:glossaryTerm:")} == {
        f"urn:li:glossaryTerm:{i}" for i in ids
    }
    assert "urn:li:glossaryTerm:cdw.statute.ca-civ-1798.24" in urns
    assert "urn:li:glossaryNode:cdw.statutes" in urns


def test_statute_terms_link_to_official_text(policy) -> None:
    assert len(policy.statutes) >= 19
    for statute in policy.statutes.values():
        if statute.jurisdiction == "California":
            assert statute.url.startswith(
                "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml?lawCode="
            ), statute.id
        else:
            assert statute.url.startswith("https://www.ecfr.gov/current/title-"), statute.id
    stop = policy.terms["urn:li:glossaryTerm:cdw.w2w.stop"]
    assert "not a traffic light or crosswalk wait" in stop.definition


@pytest.mark.parametrize(
    "url, says",
    [
        ("notaurl", "'--postgres': not a database URL"),
        ("mysql+pymysql://root@127.0.0.1:3306/x", "not a PostgreSQL URL (mysql)"),
        ("postgresql://postgres:s3cr3t@127.0.0.1:1/test", "cannot reach the database"),
    ],
)
def test_demo_postgres_bad_url_is_one_line_and_exit_2(url: str, says: str) -> None:
    from click.testing import CliRunner

    from cdw_datahub.cli import main

    result = CliRunner().invoke(main, ["demo", "--postgres", url])
    assert result.exit_code == 2, result.output
    assert says in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "s3cr3t" not in result.output
