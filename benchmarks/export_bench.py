"""How fast `bucp export` reads a large catalog, against one pass of DataHub's own Lite API.

Builds (or reuses) a DataHub Lite catalog of N datasets x 30 fields written with the shapes of
docs/catalog-model.md (level and category tags with provenance, statute and business terms,
field structured properties, owners, domains), then times, median of 3 each, in the same run:

- ours: open the catalog, load facts, export every field to JSON (rows + summary, in memory);
- stock: DataHub's own Lite API reading every aspect once, `get_all_aspects()` (typed
  aspects, what a DataHub-API tool works with) — the goal's baseline (ratio <= 1.5);
- raw: `get_all_entities()` untyped, i.e. only the JSON decoding of every aspect. Reported
  too, as the floor no reader that decodes the same JSON can beat.

The three alternate within each round. Results go to benchmarks/out/export_bench.json.

    python -m benchmarks.export_bench            # 1,000 x 30
    python -m benchmarks.export_bench --quick    # 100 x 30
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
FIELDS = 30
ACTOR = "urn:li:corpuser:cdw-datahub"
LEVELS = ("public", "confidential", "sensitive", "personal")
CATEGORIES = ("direct_identifier", "quasi_identifier", "health")
STATUTES = ("ca-civ-1798.24", "cfr-45-164.514", "ca-gov-11015.5")
NATIVE = ("INTEGER", "VARCHAR(50)", "DATE", "REAL", "NUMERIC(12,2)", "BOOLEAN", "TIMESTAMP", "TEXT")


def _mcps(datasets: int) -> Iterator[Any]:
    from datahub.emitter.mce_builder import make_dataset_urn, make_schema_field_urn
    from datahub.emitter.mcp import MetadataChangeProposalWrapper as MCPW
    from datahub.metadata import schema_classes as m

    def attr(provenance: str) -> Any:
        return m.MetadataAttributionClass(
            time=0, actor=ACTOR, sourceDetail={"cdw.provenance": provenance, "cdw.rule": "bench"}
        )

    stamp = m.AuditStampClass(0, ACTOR)
    yield MCPW(entityUrn="urn:li:domain:cdw.w2w", aspect=m.DomainPropertiesClass(name="Walk2Work"))
    yield MCPW(
        entityUrn="urn:li:corpuser:samantha.lee",
        aspect=m.CorpUserInfoClass(active=True, displayName="Samantha Lee"),
    )
    for slug in STATUTES:
        urn = f"urn:li:glossaryTerm:cdw.statute.{slug}"
        yield MCPW(
            entityUrn=urn,
            aspect=m.GlossaryTermInfoClass(
                definition=f"Statute {slug}", termSource="EXTERNAL", name=f"Statute {slug}",
                customProperties={"citation": slug},
            ),
        )  # fmt: skip
        yield MCPW(
            entityUrn=urn,
            aspect=m.InstitutionalMemoryClass(
                [m.InstitutionalMemoryMetadataClass(f"https://example.gov/{slug}", "text", stamp)]
            ),
        )
    for d in range(datasets):
        urn = make_dataset_urn("sqlite", f"bench.table_{d:04d}")
        fields = []
        for f in range(FIELDS):
            i = d * FIELDS + f
            level = f"urn:li:tag:cdw.level.{LEVELS[i % 4]}"
            tags = [
                m.TagAssociationClass(level, attribution=attr("reviewed" if i % 3 else "suggested"))
            ]
            if i % 5 == 0:
                category = f"urn:li:tag:cdw.category.{CATEGORIES[i % 3]}"
                tags.append(m.TagAssociationClass(category, attribution=attr("reviewed")))
            terms = [m.GlossaryTermAssociationClass("urn:li:glossaryTerm:cdw.w2w.participant")]
            if i % 7 == 0:
                statute = f"urn:li:glossaryTerm:cdw.statute.{STATUTES[i % 3]}"
                terms.append(m.GlossaryTermAssociationClass(statute, attribution=attr("reviewed")))
            fields.append(
                m.SchemaFieldClass(
                    fieldPath=f"column_{f:02d}",
                    type=m.SchemaFieldDataTypeClass(m.StringTypeClass()),
                    nativeDataType=NATIVE[f % len(NATIVE)],
                    nullable=bool(f % 2),
                    label=f"Column {f}",
                    description=f"Definition of column {f} of table {d}, in plain words.",
                    globalTags=m.GlobalTagsClass(tags) if i % 11 else None,
                    glossaryTerms=m.GlossaryTermsClass(terms, stamp),
                )
            )
        yield MCPW(
            entityUrn=urn,
            aspect=m.SchemaMetadataClass(
                schemaName=f"table_{d:04d}", platform="urn:li:dataPlatform:sqlite", version=0,
                hash="", platformSchema=m.OtherSchemaClass(rawSchema=""), fields=fields,
            ),
        )  # fmt: skip
        yield MCPW(entityUrn=urn, aspect=m.DatasetPropertiesClass(name=f"table_{d:04d}"))
        yield MCPW(entityUrn=urn, aspect=m.DomainsClass(["urn:li:domain:cdw.w2w"]))
        yield MCPW(
            entityUrn=urn,
            aspect=m.OwnershipClass(
                [m.OwnerClass("urn:li:corpuser:samantha.lee", m.OwnershipTypeClass.DATA_STEWARD)]
            ),
        )
        for f in range(0, FIELDS, 3):  # a third of the fields carry dictionary properties
            yield MCPW(
                entityUrn=make_schema_field_urn(urn, f"column_{f:02d}"),
                aspect=m.StructuredPropertiesClass([
                    m.StructuredPropertyValueAssignmentClass(
                        "urn:li:structuredProperty:cdw.field.validInputs", ["1-99"]),
                    m.StructuredPropertyValueAssignmentClass(
                        "urn:li:structuredProperty:cdw.field.source", ["Entered by staff"]),
                ]),
            )  # fmt: skip


def build_catalog(path: Path, datasets: int) -> Path:
    """Write the catalog once; a complete earlier one (marker file) is reused."""
    from datahub.lite.lite_util import get_datahub_lite

    marker = path.with_suffix(".complete")
    if path.is_file() and marker.is_file():
        return path
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    lite = get_datahub_lite({"type": "sqlite", "config": {"file": str(path)}})
    try:
        for mcp in _mcps(datasets):
            lite.write(mcp)
    finally:
        lite.close()
    marker.write_text(str(datasets))
    return path


def ours(path: Path) -> int:
    from cdw_datahub.bucp import writers
    from cdw_datahub.bucp.export import ExportReport, export_rows, load_facts
    from cdw_datahub.bucp.select import Selection, select
    from cdw_datahub.bucp.summary import build_summary
    from cdw_datahub.catalog import open_catalog

    with open_catalog(f"lite:{path}") as catalog:
        facts = load_facts(catalog)
        report = ExportReport()
        rows = export_rows(select(catalog.datasets(), Selection()), facts, report)
    doc = writers.ExportDocument(
        "bench", f"lite:{path}", "2026-01-01", rows, build_summary(rows, facts)
    )
    writers.render(doc, "json")
    return len(rows)


def _lite(path: Path) -> Any:
    from datahub.lite.lite_util import get_datahub_lite

    # `read_only=True` alone only turns off forwarding; without `read_only` in the engine config,
    # Lite's close() rebuilds the whole browse index (seconds), which is not reading.
    config = {"type": "sqlite", "config": {"file": str(path), "read_only": True}}
    return get_datahub_lite(config, read_only=True)


def stock(path: Path) -> int:
    lite = _lite(path)
    try:
        return sum(1 for _ in lite.get_all_aspects())
    finally:
        lite.close()


def raw(path: Path) -> int:
    lite = _lite(path)
    try:
        return sum(1 for _ in lite.get_all_entities())
    finally:
        lite.close()


def _alternating(
    fns: dict[str, Callable[[Path], int]], path: Path, rounds: int = 3
) -> dict[str, tuple[float, int]]:
    """Median seconds (and the count returned) per function, the functions taking turns."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    counts: dict[str, int] = {}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            counts[name] = fn(path)
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(times[name]), counts[name]) for name in fns}


def run(quick: bool = False) -> dict[str, Any]:
    datasets = 100 if quick else 1000
    started = time.perf_counter()
    path = build_catalog(OUT / f"export-bench-{datasets}x{FIELDS}.db", datasets)
    build_seconds = time.perf_counter() - started
    raw(path)  # warm the OS cache for every side equally
    measured = _alternating({"ours": ours, "stock": stock, "raw": raw}, path)
    (ours_s, rows), (stock_s, aspects), (raw_s, entities) = (
        measured["ours"],
        measured["stock"],
        measured["raw"],
    )
    result = {
        "benchmark": "bucp export (all fields -> JSON) vs DataHub Lite get_all_aspects",
        "datasets": datasets,
        "fields_per_dataset": FIELDS,
        "rows_exported": rows,
        "lite_aspects_read": aspects,
        "lite_entities_read": entities,
        "ours_median_seconds": round(ours_s, 3),
        "stock_median_seconds": round(stock_s, 3),
        "raw_json_median_seconds": round(raw_s, 3),
        "ratio": round(ours_s / stock_s, 2),
        "ratio_vs_raw_json": round(ours_s / raw_s, 2),
        "goal_ratio": 1.5,
        "catalog_build_seconds": round(build_seconds, 1),
        "python": platform.python_version(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    name = "export_bench_quick.json" if quick else "export_bench.json"
    (OUT / name).write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 datasets instead of 1,000")
    result = run(quick=parser.parse_args().quick)
    print(json.dumps(result, indent=2))
    print(
        f"ratio ours/get_all_aspects = {result['ratio']} (goal <= {result['goal_ratio']}); "
        f"ours/raw JSON decode = {result['ratio_vs_raw_json']}"
    )


if __name__ == "__main__":
    main()
