"""Run every benchmark, print one table of ratios against goals, write benchmarks/out/results.json.

    python -m benchmarks.run --size quick   # 200 tables x 30 columns, 3 rounds; memory at 200 / 800
    python -m benchmarks.run --size full    # 1,000 x 30, 5 rounds; memory at 1,000 / 4,000

Ratios, not seconds, are the result: the machine is shared and noisy, and every ratio compares two
things measured in the same run, alternating. The export (`benchmarks/export_bench.py`) and
classifier-evaluation (`benchmarks/classify_eval.py`) benchmarks run too when they exist: each
offers `run(quick: bool) -> dict`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import ingest_bench

OUT = Path(__file__).resolve().parent / "out"
SIZES: dict[str, dict[str, Any]] = {
    "quick": {"tables": 200, "columns": 30, "runs": 3, "memory": (200, 800)},
    "full": {"tables": 1000, "columns": 30, "runs": 5, "memory": (1000, 4000)},
}

# (result key, label, goal text, predicate)
GOALS: list[tuple[str, str, str, Any]] = [
    (
        "ours_vs_stock",
        "ours / stock pipeline time (blackhole sink)",
        "<= 1.10",
        lambda v: v <= 1.10,
    ),
    (
        "scan_vs_stock",
        "scan / stock pipeline time (blackhole sink)",
        "<= 1.25",
        lambda v: v <= 1.25,
    ),
    ("lite_speedup", "stock Lite default / cdw-lite time", ">= 1.70", lambda v: v >= 1.70),
    # the whole run: the source's share is the same both times, no sink can save it
    ("reingest_vs_first", "cdw-lite re-ingest (unchanged) / first", "<= 0.50", lambda v: v <= 0.50),
    (
        "reingest_sink_vs_first",
        "  the same, the sink's own time (each minus the blackhole run)",
        "(info)",
        None,
    ),
    ("embedded_speedup", "stock Lite default / ours -> cdw-lite", "(info)", None),
    ("ours_reingest_vs_first", "ours -> cdw-lite re-ingest (unchanged) / first", "(info)", None),
]


def _optional_bench(module: str, quick: bool, say: Any) -> dict[str, Any] | None:
    """`benchmarks.<module>.run(quick)` when that module exists; its error when it fails."""
    try:
        mod = importlib.import_module(f"benchmarks.{module}")
    except ModuleNotFoundError as e:
        if e.name == f"benchmarks.{module}":
            return None
        return {"error": f"cannot import: {e}"}
    if not callable(getattr(mod, "run", None)):
        return {"error": f"benchmarks/{module}.py has no run(quick) yet"}
    say(f"{module} ...")
    try:
        result = mod.run(quick=quick)
    except Exception as e:  # another engineer's benchmark: report it, keep the rest
        return {"error": f"{type(e).__name__}: {e}"}
    return result if isinstance(result, dict) else {"result": result}


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(metric, measured, goal, verdict) for the table."""
    out: list[tuple[str, str, str, str]] = []
    ingest = results["ingest"]
    size = f"{ingest['tables']}x{ingest['columns']}"
    for key, label, goal, ok in GOALS:
        value = ingest["ratios"].get(key)
        if key not in ingest["ratios"]:
            continue
        verdict = (
            "n/a" if value is None else ("-" if ok is None else ("met" if ok(value) else "MISSED"))
        )
        shown = "error" if value is None else f"{value:.2f}"
        out.append((f"{label} @ {size}", shown, goal, verdict))
        rounds = ingest["ratios"].get(f"{key}_rounds")
        if rounds:
            spread = f"{min(rounds):.2f}-{max(rounds):.2f}"
            out.append(
                (f"  the same, round by round ({len(rounds)} rounds)", spread, "(noise)", "-")
            )
    memory = ingest.get("memory") or {}
    if memory.get("ours_rss_growth") is not None or memory.get("stock_rss_growth") is not None:
        lo, hi = min(memory["tables"]), max(memory["tables"])
        for variant in ("ours", "stock"):
            growth = memory.get(f"{variant}_rss_growth")
            if growth is None:
                continue
            rss = memory[f"{variant}_peak_rss_mb"]
            mb = f"{rss[str(lo)]:.0f} -> {rss[str(hi)]:.0f} MB"
            label = f"{variant} peak RSS {hi} / {lo} tables ({mb})"
            goal = f"<< {memory['tables_growth']:.1f} (<= 1.50)" if variant == "ours" else "(info)"
            verdict = ("met" if growth <= 1.5 else "MISSED") if variant == "ours" else "-"
            out.append((label, f"{growth:.2f}", goal, verdict))
    for name in ("export", "classify"):
        extra = results.get(name)
        if extra is None:
            continue
        if "error" in extra:
            out.append((f"{name} benchmark", "error", "", str(extra["error"])[:60]))
            continue
        for metric, value in _flatten(extra):
            out.append((f"{name}: {metric}", value, "", ""))
    return out


def _flatten(obj: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for key, value in obj.items():
        if isinstance(value, dict):
            found += _flatten(value, f"{prefix}{key}.")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            if isinstance(value, (str, bool)) and len(str(value)) < 40:
                found.append((f"{prefix}{key}", str(value)))
        else:
            found.append(
                (f"{prefix}{key}", f"{value:.3g}" if isinstance(value, float) else str(value))
            )
    return found


def table(lines: list[tuple[str, str, str, str]]) -> str:
    header = ("metric", "measured", "goal", "")
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(4)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(
        [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
        + [fmt.format(*r) for r in lines]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    parser.add_argument("--tables", type=int, help="override the size's table count")
    parser.add_argument("--columns", type=int, help="override the size's column count")
    parser.add_argument("--runs", type=int, help="override the rounds per scenario")
    parser.add_argument("--memory", help="table counts for the memory runs, e.g. 1000,4000")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (results.json)")
    parser.add_argument("--skip-extra", action="store_true", help="ingest benchmarks only")
    args = parser.parse_args(argv)

    size = dict(SIZES[args.size])
    for key in ("tables", "columns", "runs"):
        if getattr(args, key) is not None:
            size[key] = getattr(args, key)
    if args.memory is not None:
        size["memory"] = tuple(int(n) for n in args.memory.split(",") if n)

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    say(f"ingest: {size['tables']} tables x {size['columns']} columns, {size['runs']} rounds")
    results: dict[str, Any] = {
        "size": args.size,
        "cpus": os.cpu_count(),
        "ingest": ingest_bench.run(
            size["tables"],
            size["columns"],
            size["runs"],
            args.out / "ingest",
            memory_sizes=tuple(size["memory"]),
            log=say,
        ),
    }
    if not args.skip_extra:
        for key, module in (("export", "export_bench"), ("classify", "classify_eval")):
            extra = _optional_bench(module, args.size == "quick", say)
            if extra is not None:
                results[key] = extra
    results["seconds"] = round(time.perf_counter() - started, 1)
    lines = rows(results)
    results["table"] = [
        dict(zip(("metric", "measured", "goal", "verdict"), r, strict=True)) for r in lines
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "results.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1, default=str))
    tmp.replace(target)
    print(table(lines))
    missing = results["ingest"]["plugins"]["missing"]
    if missing:
        print("\nnot benchmarked: " + "; ".join(f"{k} ({v})" for k, v in missing.items()))
    print(f"\n{target} ({results['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
