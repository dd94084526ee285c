"""`cdw-lite` writes the same DataHub Lite file as the stock `datahub-lite` sink.

Both sinks ingest the same generated database through DataHub's real pipeline; every aspect row
(every version), the system metadata that is not a timestamp or run id, and the browse edges
(`metadata_edge_v2`, row for row in rowid order) must be equal, after a first ingest, an unchanged
re-ingest and a changed re-ingest. DataHub's own Lite API must then read both files the same.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import generate
from datahub.ingestion.run.pipeline import Pipeline
from datahub.ingestion.sink.sink_registry import sink_registry
from datahub.lite.lite_local import PathNotFoundException, SearchFlavor
from datahub.lite.lite_util import get_datahub_lite

from cdw_datahub.sinks.fast_lite import CdwLiteSink

VOLATILE = {"lastObserved", "runId", "lastRunId"}


def _ingest(source_db: Path, sink_type: str, lite_file: Path, tag: str | None = None) -> Any:
    recipe: dict[str, Any] = {
        "run_id": f"test-{sink_type}",
        "source": {
            "type": "sqlalchemy",
            # relative, so the database container's name has no "/" and `ls` can walk into it
            "config": {"platform": "sqlite", "connect_uri": f"sqlite:///{source_db.name}"},
        },
        "sink": {
            "type": sink_type,
            "config": {"type": "sqlite", "config": {"file": str(lite_file)}},
        },
    }
    if tag:
        recipe["transformers"] = [
            {"type": "simple_add_dataset_tags", "config": {"tag_urns": [f"urn:li:tag:{tag}"]}}
        ]
    cwd = os.getcwd()
    os.chdir(source_db.parent)
    try:
        pipeline = Pipeline.create(recipe)
        pipeline.run()
        pipeline.raise_from_status()
    finally:
        os.chdir(cwd)
    return pipeline.sink.get_report()


def _aspects(path: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT urn, aspect_name, version, metadata, system_metadata FROM metadata_aspect_v2 "
        "ORDER BY urn, aspect_name, version"
    ).fetchall()
    db.close()
    out = []
    for urn, name, version, metadata, system in rows:
        system_obj = {k: v for k, v in json.loads(system).items() if k not in VOLATILE}
        out.append((urn, name, version, metadata, json.dumps(system_obj, sort_keys=True)))
    return out


def _edges(path: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    rows = db.execute("SELECT rowid, * FROM metadata_edge_v2 ORDER BY rowid").fetchall()
    db.close()
    return rows


def _assert_same(stock: Path, ours: Path) -> None:
    a, b = _aspects(stock), _aspects(ours)
    assert len(a) == len(b)
    assert a == b
    ea, eb = _edges(stock), _edges(ours)
    assert ea and ea == eb


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("fastlite")
    source = tmp / "program.db"
    generate(source, tables=12, columns=8, seed=7, unnamed_fks=False)
    stock, ours = tmp / "stock.db", tmp / "ours.db"
    _ingest(source, "datahub-lite", stock)
    _ingest(source, "cdw-lite", ours)
    return {"source": source, "stock": stock, "ours": ours, "tmp": tmp}


def test_registered_as_a_datahub_sink() -> None:
    assert sink_registry.get("cdw-lite") is CdwLiteSink


def test_first_ingest_is_identical(catalogs: dict[str, Path]) -> None:
    _assert_same(catalogs["stock"], catalogs["ours"])
    # the versioning rule: each aspect has version 0 (latest) and version 1
    versions = {row[2] for row in _aspects(catalogs["ours"])}
    assert versions == {0, 1}


def test_reingest_unchanged_then_changed_is_identical(catalogs: dict[str, Path]) -> None:
    tmp = catalogs["tmp"]
    stock, ours = tmp / "stock2.db", tmp / "ours2.db"
    stock.write_bytes(catalogs["stock"].read_bytes())
    ours.write_bytes(catalogs["ours"].read_bytes())
    _ingest(catalogs["source"], "datahub-lite", stock)
    _ingest(catalogs["source"], "cdw-lite", ours)
    _assert_same(stock, ours)
    assert {row[2] for row in _aspects(ours)} == {0, 1}  # nothing changed, no new version

    # a changed source: other tables and columns, plus a tag on every dataset -> new versions
    changed = tmp / "changed.db"
    generate(changed, tables=15, columns=8, seed=8, unnamed_fks=False)
    _ingest(changed, "datahub-lite", stock, tag="cdw.level.personal")
    _ingest(changed, "cdw-lite", ours, tag="cdw.level.personal")
    _assert_same(stock, ours)
    assert 2 in {row[2] for row in _aspects(ours)}


def test_datahub_lite_api_reads_both_the_same(catalogs: dict[str, Path]) -> None:
    def lite(path: Path) -> Any:
        return get_datahub_lite({"type": "sqlite", "config": {"file": str(path)}}, read_only=True)

    stock, ours = lite(catalogs["stock"]), lite(catalogs["ours"])
    try:
        assert sorted(ours.list_ids()) == sorted(stock.list_ids())
        assert list(ours.get_all_entities()) == list(stock.get_all_entities())

        def walk(store: Any, path: str, depth: int = 0) -> list[tuple[str, str, bool]]:
            found: list[tuple[str, str, bool]] = []
            try:
                listing = store.ls(path)
            except PathNotFoundException:  # a name with "/" (a SQLite file path) cannot be walked
                return [(path, "not found", False)]
            for b in sorted(listing, key=lambda b: b.id):
                found.append((path, b.id, b.leaf))
                if not b.leaf and depth < 12:
                    found += walk(store, f"{path.rstrip('/')}/{b.name}", depth + 1)
            return found

        tree = walk(ours, "/")
        assert tree == walk(stock, "/")
        assert any(leaf for _, _, leaf in tree)  # the walk reaches datasets
        urn = next(u for u in ours.list_ids() if u.startswith("urn:li:dataset:"))
        assert ours.get(urn, None) == stock.get(urn, None)
        hits = [s.id for s in ours.search("participant", SearchFlavor.FREE_TEXT)]
        assert hits and hits == [s.id for s in stock.search("participant", SearchFlavor.FREE_TEXT)]
    finally:
        stock.close()
        ours.close()


def test_unchanged_aspects_are_skipped_and_counted(catalogs: dict[str, Path]) -> None:
    tmp = catalogs["tmp"]
    ours = tmp / "ours3.db"
    ours.write_bytes(catalogs["ours"].read_bytes())
    before = _aspects(ours)
    report = _ingest(catalogs["source"], "cdw-lite", ours)
    assert report.aspects_written == 0 and report.aspects_unchanged == len(before) // 2
    db = sqlite3.connect(ours)
    assert db.execute("SELECT count(*) FROM cdw_aspect_fingerprint").fetchone() == (
        len(before) // 2,
    )
    db.close()
    assert _aspects(ours) == before  # nothing but lastObserved moved
    stock = tmp / "stock3.db"
    stock.write_bytes(catalogs["stock"].read_bytes())
    _ingest(catalogs["source"], "datahub-lite", stock)
    _assert_same(stock, ours)
    # ... and it moved as with the stock sink: readers date the harvest by it
    query = "SELECT max(json_extract(system_metadata, '$.lastObserved')) FROM metadata_aspect_v2"
    first, again = (
        sqlite3.connect(f).execute(query).fetchone()[0] for f in (catalogs["ours"], ours)
    )
    assert again > first


def test_a_file_the_stock_sink_changed_in_between_is_compared_again(
    catalogs: dict[str, Path],
) -> None:
    """cdw-lite, then the stock sink from a changed source, then cdw-lite from the first source
    again: the aspects the stock sink changed get new versions back (their fingerprints are
    stale), exactly as with the stock sink all along; the others are skipped."""
    tmp = catalogs["tmp"]
    stock, ours = tmp / "stock4.db", tmp / "ours4.db"
    stock.write_bytes(catalogs["stock"].read_bytes())
    ours.write_bytes(catalogs["ours"].read_bytes())
    changed = tmp / "changed4.db"
    generate(changed, tables=12, columns=9, seed=7, unnamed_fks=False)  # one more column each
    for path in (stock, ours):
        _ingest(changed, "datahub-lite", path)
    _ingest(catalogs["source"], "datahub-lite", stock)
    report = _ingest(catalogs["source"], "cdw-lite", ours)
    assert report.aspects_written > 0 and report.aspects_unchanged > 0
    _assert_same(stock, ours)
    assert 3 in {row[2] for row in _aspects(ours)}


def test_the_describe_read_passes_a_batch_that_outgrew_the_page_cache(tmp_path: Path) -> None:
    """Without WAL, a batch larger than SQLite's page cache would spill to the file under an
    EXCLUSIVE lock, and `cdw_describe`'s read of the stored state (its own connection, the same
    thread) would wait out its busy timeout and fail: cdw-lite keeps the batch unspilled."""
    from datahub.emitter.mcp import MetadataChangeProposalWrapper
    from datahub.lite.sqlite_lite_config import SqliteLiteConfig
    from datahub.metadata.schema_classes import DatasetPropertiesClass

    from cdw_datahub.sinks.fast_lite import CdwLite
    from cdw_datahub.transformers.writes import LiteAspects

    file = tmp_path / "lite.db"
    lite = CdwLite(SqliteLiteConfig(file=str(file)), commit_every=10**6, commit_seconds=10**6)

    def dataset(n: int) -> MetadataChangeProposalWrapper:
        urn = f"urn:li:dataset:(urn:li:dataPlatform:sqlite,t{n},PROD)"
        return MetadataChangeProposalWrapper(
            entityUrn=urn, aspect=DatasetPropertiesClass(description=f"{n} " + "x" * 4000)
        )

    lite.write(dataset(0))
    lite._commit()
    for n in range(1, 2000):  # ~8 MB in one open batch: four times the default page cache
        lite.write(dataset(n))
    reader = LiteAspects(file)
    key = ("urn:li:dataset:(urn:li:dataPlatform:sqlite,t0,PROD)", "datasetProperties")
    reader_db = sqlite3.connect(file, timeout=0)  # fails at once where a lock is held
    try:
        found = reader.get_many([key])
        assert found[key].value["description"].startswith("0 ")
        assert reader_db.execute("SELECT count(*) FROM metadata_aspect_v2").fetchone()[0] == 2
    finally:
        reader_db.close()
        lite.close()
