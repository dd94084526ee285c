"""Scale run: N tables x 30 columns through the embedded path, then `bucp export` of all of it.

For each size: generate the database (`benchmarks/generate.py`), ingest it with the project's
pipeline (`cdw-sqlite` with value sampling + the describe transformers) into `cdw-lite` (a fresh
file), export every field of that catalog to JSON (`export_bench.ours`: open, load facts, rows,
render), and read it once with DataHub's own Lite API (`get_all_aspects()`, the export goal's
baseline). Each step runs in its own interpreter (`ingest_bench --worker`) and reports its wall
time and peak RSS. Then: per-table time and peak memory of the big size against the small one.

    python -m benchmarks.scale                     # 1,000 and 10,000 tables (long; not in CI)
    python -m benchmarks.scale --sizes 100,300     # a quick look
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import ingest_bench
from benchmarks.generate import generate
from cdw_datahub.output import atomic_write_text

OUT = Path(__file__).resolve().parent / "out"


def one_size(tables: int, columns: int, workdir: Path, say: Any) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    plugins = ingest_bench.registered_plugins()
    db = workdir / f"program_{tables}x{columns}.db"
    started = time.perf_counter()
    generate(db, tables=tables, columns=columns, seed=0, unnamed_fks=False)
    out: dict[str, Any] = {"generate_seconds": round(time.perf_counter() - started, 1)}
    lite = workdir / f"embedded_{tables}.lite.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{lite}{suffix}").unlink(missing_ok=True)
    steps = {
        "ingest": ingest_bench.recipe("ours", db, plugins, lite),
        "export": {"call": "benchmarks.export_bench:ours", "path": str(lite)},
        "lite_api": {"call": "benchmarks.export_bench:stock", "path": str(lite)},
    }
    for name, cfg in steps.items():
        result = ingest_bench.measure(cfg, workdir, f"{name}_{tables}")
        say(f"  {tables} tables {name}: {result.get('seconds', result)} s, "
            f"{result.get('peak_rss_mb')} MB")  # fmt: skip
        out[name] = result
    out["lite_file_mb"] = round(lite.stat().st_size / 2**20, 1) if lite.exists() else None
    return out


def growth(sizes: tuple[int, int], runs: dict[int, dict[str, Any]]) -> dict[str, Any]:
    small, big = sizes
    found: dict[str, Any] = {"tables_growth": round(big / small, 2)}
    for step in ("ingest", "export", "lite_api"):
        lo, hi = runs[small].get(step, {}), runs[big].get(step, {})
        if "seconds" not in lo or "seconds" not in hi:
            continue
        per_lo, per_hi = lo["seconds"] / small, hi["seconds"] / big
        found[step] = {
            "ms_per_table": {
                str(small): round(per_lo * 1000, 2),
                str(big): round(per_hi * 1000, 2),
            },
            "per_table_time_growth": round(per_hi / per_lo, 3),
            "peak_rss_growth": round(hi["peak_rss_mb"] / lo["peak_rss_mb"], 3),
        }
    for n in sizes:
        export, api = runs[n].get("export", {}), runs[n].get("lite_api", {})
        if "seconds" in export and "seconds" in api:
            found[f"export_vs_lite_api_{n}"] = round(export["seconds"] / api["seconds"], 3)
    return found


def table(sizes: tuple[int, int], result: dict[str, Any]) -> str:
    small, big = sizes
    rows = [("step", f"{small} tables", f"{big} tables", "per-table time growth", "RSS growth")]
    for step in ("ingest", "export", "lite_api"):
        cells = []
        for n in sizes:
            r = result["runs"][str(n)].get(step, {})
            cells.append(f"{r.get('seconds')} s, {r.get('peak_rss_mb')} MB")
        g = result["growth"].get(step, {})
        rows.append(
            (step, *cells, str(g.get("per_table_time_growth")), str(g.get("peak_rss_growth")))
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    for n in sizes:
        lines.append(
            f"export / Lite API pass at {n}: {result['growth'].get(f'export_vs_lite_api_{n}')}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="two table counts, small,big")
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    small, big = sorted(int(n) for n in args.sizes.split(","))

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    ingest_bench.compile_project()
    runs = {}
    for n in (small, big):
        say(f"scale: {n} tables x {args.columns} columns")
        runs[n] = one_size(n, args.columns, args.out / "scale", say)
    result = {
        "tables": [small, big],
        "columns": args.columns,
        "runs": {str(n): r for n, r in runs.items()},
        "growth": growth((small, big), runs),
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "scale.json"
    atomic_write_text(target, json.dumps(result, indent=1))
    print(table((small, big), result))
    print(f"\n{target} ({result['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
