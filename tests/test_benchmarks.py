"""The benchmark generator's output, and the harness end to end at a tiny size (no timings)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from benchmarks import instructions, scale
from benchmarks import run as bench_run
from benchmarks.generate import AUDIT, generate
from benchmarks.ingest_bench import sink_ratio


def _schema(path: Path) -> dict[str, list[tuple[str, str]]]:
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    out = {t: [(r[1], r[2]) for r in db.execute(f'PRAGMA table_info("{t}")')] for t in tables}
    db.close()
    return out


def _fks(path: Path) -> list[tuple[str, str, str, bool]]:
    """(table, column, referred table, named) for every foreign key."""
    db = sqlite3.connect(path)
    found = []
    for table, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
        for row in db.execute(f'PRAGMA foreign_key_list("{table}")'):
            named = f'CONSTRAINT "fk_{table}_{row[3]}"' in sql
            found.append((table, row[3], row[2], named))
    db.close()
    return found


def test_generator_shape_and_foreign_keys(tmp_path: Path) -> None:
    g = generate(tmp_path / "p.db", tables=60, columns=30, seed=3)
    schema = _schema(g.path)
    assert len(schema) == 60 == len(g.table_names)
    for columns in schema.values():
        names = [c for c, _ in columns]
        assert len(names) == 30 == len(set(names))
        assert names[0] == "id"
        assert names[-len(AUDIT) :] == [a for a, _ in AUDIT]
    every = {c for cols in schema.values() for c, _ in cols}
    assert {"first_name", "date_of_birth", "email", "zip_code", "diagnosis_code"} & every
    fks = _fks(g.path)
    assert len(fks) == g.foreign_keys > 0
    assert sum(named for *_, named in fks) == g.named_foreign_keys > 0
    assert sum(not named for *_, named in fks) == g.unnamed_foreign_keys > 0
    for table, column, parent, _ in fks:
        assert column == f"{parent}_id" and parent in schema and parent != table
    db = sqlite3.connect(g.path)
    assert db.execute(f'SELECT count(*) FROM "{g.table_names[0]}"').fetchone() == (3,)
    db.close()


def test_generator_is_deterministic_and_can_name_every_key(tmp_path: Path) -> None:
    a = generate(tmp_path / "a.db", tables=40, columns=12, seed=5)
    b = generate(tmp_path / "b.db", tables=40, columns=12, seed=5)
    assert _schema(a.path) == _schema(b.path) and _fks(a.path) == _fks(b.path)
    c = generate(tmp_path / "c.db", tables=40, columns=12, seed=6)
    assert _schema(c.path) != _schema(a.path)
    named = generate(tmp_path / "n.db", tables=40, columns=12, seed=5, unnamed_fks=False)
    assert named.unnamed_foreign_keys == 0 and named.foreign_keys > 0
    assert all(is_named for *_, is_named in _fks(named.path))


def test_generator_rejects_an_empty_schema(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path / "x.db", tables=0, columns=5)


@pytest.mark.slow
def test_harness_runs_end_to_end_at_a_tiny_size(tmp_path: Path) -> None:
    code = bench_run.main(
        ["--tables", "5", "--columns", "5", "--runs", "1", "--memory", "5,6"]
        + ["--out", str(tmp_path), "--skip-extra"]
    )
    assert code == 0
    results = json.loads((tmp_path / "results.json").read_text())
    ingest = results["ingest"]
    assert (ingest["tables"], ingest["columns"], ingest["runs"]) == (5, 5, 1)
    scenarios = ingest["scenarios"]
    # the stock pipeline always runs; the project's sink is registered, so its scenarios run too
    for name in ("stock_blackhole", "lite_default", "cdw_lite", "cdw_lite_reingest", "scan"):
        assert "error" not in scenarios[name], scenarios[name]
        assert scenarios[name]["median_seconds"] > 0
        assert scenarios[name]["records"] > 5  # every table's aspects reached the sink
    assert scenarios["cdw_lite"]["records"] == scenarios["lite_default"]["records"]
    assert scenarios["scan"]["records"] == 5 * 5  # one row per field
    assert {r["aspects_written"] for r in scenarios["cdw_lite"]["runs"]} != {0}
    assert {r["aspects_written"] for r in scenarios["cdw_lite_reingest"]["runs"]} == {0}
    assert {"lite_speedup", "reingest_vs_first", "scan_vs_stock"} <= set(ingest["ratios"])
    assert set(ingest["memory"]["stock_peak_rss_mb"]) == {"5", "6"}
    assert ingest["memory"]["tables_growth"] == 1.2
    assert results["table"] and {"metric", "measured", "goal", "verdict"} == set(
        results["table"][0]
    )
    # the Lite files the benchmark wrote are real DataHub Lite catalogs of the generated schema
    lite = sqlite3.connect(tmp_path / "ingest" / "cdw_lite.lite.db")
    datasets = lite.execute(
        "SELECT count(DISTINCT urn) FROM metadata_aspect_v2 WHERE urn LIKE 'urn:li:dataset:%'"
    ).fetchone()
    assert datasets == (5,)


def test_instruction_counts_give_ratios_at_both_sizes_and_per_table() -> None:
    def run(i: int) -> dict[str, int]:
        return {"instructions": i}

    counts = {
        100: {"stock_blackhole": run(5_000), "scan": run(5_700), "cdw_lite": run(6_000),
              "cdw_lite_reingest": run(5_100)},
        300: {"stock_blackhole": run(9_000), "scan": run(10_500), "cdw_lite": run(12_000),
              "cdw_lite_reingest": run(9_300)},
    }  # fmt: skip
    result = instructions.analyse((100, 300), counts)
    stock = result["instructions"]["stock_blackhole"]
    assert (stock["per_table"], stock["fixed"]) == (20, 3_000)
    scan = result["ratios"]["scan / stock pipeline (blackhole)"]
    assert (scan["100"], scan["300"], scan["per_table"]) == (1.14, 1.167, 1.2)
    sink = result["ratios"]["cdw-lite re-ingest / first, the sink's own instructions"]
    assert (sink["100"], sink["300"], sink["per_table"]) == (0.1, 0.1, 0.1)
    assert "scan / stock" in instructions.table((100, 300), result)


def test_sink_ratio_and_scale_growth() -> None:
    assert sink_ratio(10.5, 12.0, 10.0) == 0.25
    assert sink_ratio(9.0, 12.0, 10.0) == 0.0  # noise below the blackhole run
    assert sink_ratio(10.0, 9.0, 10.0) is None
    runs = {
        10: {"ingest": {"seconds": 1.0, "peak_rss_mb": 100.0}},
        100: {"ingest": {"seconds": 11.0, "peak_rss_mb": 120.0}},
    }
    found = scale.growth((10, 100), runs)
    assert found["ingest"]["per_table_time_growth"] == 1.1
    assert found["ingest"]["peak_rss_growth"] == 1.2
