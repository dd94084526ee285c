"""The ingest benchmark's recipes counted in instructions (valgrind cachegrind), at two sizes.

This machine's speed swings by up to 2x within a minute, so wall-clock ratios of two pipelines
range widely from run to run. An instruction count does not depend on the machine's speed: each
scenario runs once per size, in a fresh interpreter (`ingest_bench --worker`), under
`valgrind --tool=cachegrind --cache-sim=no`, with `PYTHONHASHSEED=0`, the project's bytecode
compiled first (as a wheel install has it). The count covers the whole process (interpreter
start, imports, plugin set-up, the run), so two sizes are measured:

    marginal cost per table = (I_big - I_small) / (N_big - N_small)
    fixed cost (start-up)   = I_small - marginal * N_small

and each ratio (ours / stock) is given at both sizes and for the marginal cost. The wall-clock
medians of the ordinary benchmark (`ingest_bench.run`) at the big size are put beside them.

    python -m benchmarks.instructions                     # 300 and 1,000 tables (long)
    python -m benchmarks.instructions --sizes 30,100 --runs 1
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import ingest_bench
from benchmarks.generate import generate
from cdw_datahub.output import atomic_write_text

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"
VALGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")
# The stock Lite sink (a commit per record, a whole-database reindex) is far the slowest under
# valgrind; its wall-clock ratio is the one the goal is about, so it is left out by default.
DEFAULT_SCENARIOS = (
    "stock_blackhole",
    "ours_blackhole",
    "scan",
    "cdw_lite",
    "cdw_lite_reingest",
    "ours_cdw_lite",
    "ours_cdw_lite_reingest",
)
ALL_SCENARIOS = (*DEFAULT_SCENARIOS, "lite_default")
# a re-ingest scenario -> the first ingest whose file it re-ingests, and the blackhole run of the
# same stream (what no sink can save)
REINGESTS = {
    "cdw_lite_reingest": ("cdw_lite", "stock_blackhole"),
    "ours_cdw_lite_reingest": ("ours_cdw_lite", "ours_blackhole"),
}

# (label, numerator, denominator, goal) of the instruction ratios
RATIOS: list[tuple[str, str, str, str]] = [
    ("ours / stock pipeline (blackhole)", "ours_blackhole", "stock_blackhole", "<= 1.10"),
    ("scan / stock pipeline (blackhole)", "scan", "stock_blackhole", "<= 1.25"),
    ("cdw-lite re-ingest (unchanged) / first", "cdw_lite_reingest", "cdw_lite", "<= 0.50"),
    (
        "ours -> cdw-lite re-ingest (unchanged) / first",
        "ours_cdw_lite_reingest",
        "ours_cdw_lite",
        "<= 0.50",
    ),  # fmt: skip
    ("stock Lite sink / cdw-lite", "lite_default", "cdw_lite", ">= 1.70 (wall)"),
]
_I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def scenarios(
    db: Path, plugins: dict[str, Any], workdir: Path, names: tuple[str, ...]
) -> list[tuple[str, dict[str, Any], Path | None]]:
    """(name, recipe, Lite file to start afresh) in run order (a re-ingest after its first)."""
    lite = {n: workdir / f"{n}.lite.db" for n in ("lite_default", "cdw_lite", "ours_lite")}
    cdw = ingest_bench.recipe("stock", db, plugins, lite["cdw_lite"])
    cdw["sink"]["type"] = plugins["sink"] or "datahub-lite"
    ours = ingest_bench.recipe("ours", db, plugins, lite["ours_lite"])
    table: dict[str, tuple[dict[str, Any], Path | None]] = {
        "stock_blackhole": (ingest_bench.recipe("stock", db, plugins), None),
        "ours_blackhole": (ingest_bench.recipe("ours", db, plugins), None),
        "scan": (ingest_bench.scan_recipe(db), None),
        "lite_default": (
            ingest_bench.recipe("stock", db, plugins, lite["lite_default"]),
            lite["lite_default"],
        ),
        "cdw_lite": (cdw, lite["cdw_lite"]),
        "cdw_lite_reingest": (cdw, None),
        "ours_cdw_lite": (ours, lite["ours_lite"]),
        "ours_cdw_lite_reingest": (ours, None),
    }
    ordered = [n for n in ALL_SCENARIOS if n in names]
    for again, (first, _) in REINGESTS.items():
        if again in ordered and first not in ordered:
            raise ValueError(f"{again} needs {first} (it re-ingests that file)")
    return [(n, *table[n]) for n in ordered]


def count(cfg: dict[str, Any], workdir: Path, name: str) -> dict[str, Any]:
    """One recipe under cachegrind: the worker's numbers plus `instructions`."""
    result = ingest_bench.measure(cfg, workdir, name, wrapper=VALGRIND, hash_seed="0")
    if "error" not in result:
        found = _I_REFS.findall(result.pop("stderr", ""))
        if found:
            result["instructions"] = int(found[-1].replace(",", ""))
        else:
            result["error"] = "no instruction count in valgrind's output"
    result.pop("stderr", None)
    return result


def _fresh(path: Path | None) -> None:
    if path is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def counts_at(
    tables: int, columns: int, workdir: Path, names: tuple[str, ...], say: Any
) -> dict[str, dict[str, Any]]:
    workdir.mkdir(parents=True, exist_ok=True)
    plugins = ingest_bench.registered_plugins()
    db = workdir / f"program_{tables}x{columns}.db"
    generate(db, tables=tables, columns=columns, seed=0, unnamed_fks=False)
    out: dict[str, dict[str, Any]] = {}
    for name, cfg, fresh in scenarios(db, plugins, workdir, names):
        _fresh(fresh)
        started = time.perf_counter()
        out[name] = count(cfg, workdir, f"{name}_{tables}")
        shown = out[name].get("instructions", out[name].get("error"))
        say(f"  {tables} tables {name}: {shown} ({time.perf_counter() - started:.0f} s)")
    return out


def analyse(sizes: tuple[int, int], counts: dict[int, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Instructions per scenario and size, marginal and fixed costs, and the ratios."""
    small, big = sizes
    per: dict[str, dict[str, Any]] = {}
    for name in counts[big]:
        lo = counts[small].get(name, {}).get("instructions")
        hi = counts[big][name].get("instructions")
        if lo is None or hi is None:
            continue
        marginal = (hi - lo) / (big - small)
        per[name] = {
            str(small): lo,
            str(big): hi,
            "per_table": round(marginal),
            "fixed": round(lo - marginal * small),
        }
    ratios: dict[str, Any] = {}
    for label, num, den, goal in RATIOS:
        if num in per and den in per:
            ratios[label] = {
                "goal": goal,
                **{k: round(per[num][k] / per[den][k], 3) for k in (str(small), str(big))},
                "per_table": round(per[num]["per_table"] / per[den]["per_table"], 3),
            }
    for again, (first, blackhole) in REINGESTS.items():
        if {again, first, blackhole} <= set(per):
            label = "cdw-lite" if again == "cdw_lite_reingest" else "ours -> cdw-lite"
            ratios[f"{label} re-ingest / first, the sink's own instructions"] = {
                "goal": "(info)",
                **{
                    k: ingest_bench.sink_ratio(*(per[n][k] for n in (again, first, blackhole)))
                    for k in (str(small), str(big), "per_table")
                },
            }
    return {"instructions": per, "ratios": ratios}


def table(sizes: tuple[int, int], result: dict[str, Any]) -> str:
    small, big = (str(n) for n in sizes)
    lines = [("scenario / ratio", f"{small} tables", f"{big} tables", "per table", "goal")]
    for name, row in result["instructions"].items():
        giga = (f"{row[k] / 1e9:.2f} G" for k in (small, big))
        lines.append((name, *giga, f"{row['per_table'] / 1e6:.1f} M", ""))
    for label, row in result["ratios"].items():
        shown = ("n/a" if row[k] is None else f"{row[k]}" for k in (small, big, "per_table"))
        lines.append((label, *shown, row["goal"]))
    wall = result.get("wall") or {}
    for key, value in (wall.get("ratios") or {}).items():
        if not key.endswith("_rounds") and value is not None:
            lines.append((f"wall-clock {key} @ {big}", "", f"{value}", "", ""))
    widths = [max(len(r[i]) for r in lines) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in lines)


def run(
    sizes: tuple[int, int],
    columns: int,
    runs: int,
    workdir: Path,
    names: tuple[str, ...] = DEFAULT_SCENARIOS,
    log: Any = None,
) -> dict[str, Any]:
    say = log or (lambda msg: None)
    ingest_bench.compile_project()
    counts = {}
    for n in sizes:
        say(f"instructions: {n} tables x {columns} columns under cachegrind")
        counts[n] = counts_at(n, columns, workdir / f"i{n}", names, say)
    result: dict[str, Any] = {"tables": list(sizes), "columns": columns, **analyse(sizes, counts)}
    result["runs"] = {str(n): counts[n] for n in sizes}
    if runs > 0:
        say(f"wall clock: {sizes[1]} tables, {runs} rounds")
        wall = ingest_bench.run(sizes[1], columns, runs, workdir / "wall", log=say)
        result["wall"] = {
            "tables": sizes[1],
            "medians": {k: v.get("median_seconds") for k, v in wall["scenarios"].items()},
            "ratios": wall["ratios"],
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,1000", help="two table counts, small,big")
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3, help="wall-clock rounds at the big size")
    parser.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS),
                        help=f"comma-separated, of: {', '.join(ALL_SCENARIOS)}")  # fmt: skip
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    small, big = sorted(int(n) for n in args.sizes.split(","))
    names = tuple(n for n in args.scenarios.split(",") if n)
    unknown = set(names) - set(ALL_SCENARIOS)
    if len({small, big}) != 2 or unknown:
        parser.error(f"need two different sizes and known scenarios (unknown: {sorted(unknown)})")

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    result = run((small, big), args.columns, args.runs, args.out / "instructions", names, say)
    result["seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "instructions.json"
    atomic_write_text(target, json.dumps(result, indent=1))
    print(table((small, big), result))
    print(f"\n{target} ({result['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
