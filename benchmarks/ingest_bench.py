"""Ingestion benchmarks: the project's pipeline against DataHub's stock one, in the same run.

Every measurement is one fresh subprocess running DataHub's `Pipeline` on a recipe (this module with
`--worker RECIPE`), so no run warms another's caches or imports. The worker times
`Pipeline.create` .. `run()` (the CLI's own start-up, ~2.6 s, is the same for every variant and is
left out) and reports its peak RSS. Scenarios alternate within each round and the order rotates
between rounds; the two blackhole pipelines run back to back, which of them first swapped every
round. Each scenario's figure is the median of its rounds.

Scenarios (all read the same generated database; it has only *named* foreign keys, because the
stock `sqlalchemy` source dies on unnamed SQLite ones):
- `stock_blackhole`: stock `sqlalchemy` source -> `blackhole`.
- `ours_blackhole`: `cdw-sqlite` (sample_values on, as the shipped recipes) + every registered cdw
  transformer with the shipped glossary and policies -> `blackhole`.
- `lite_default`: stock source -> stock `datahub-lite` sink, default settings, fresh file.
- `cdw_lite`: stock source -> `cdw-lite`, fresh file; `cdw_lite_reingest`: the same recipe again on
  the file `cdw_lite` just wrote (an unchanged catalog).
- `ours_cdw_lite`: the whole project path, ours -> `cdw-lite`, fresh file;
  `ours_cdw_lite_reingest`: the same again on that file.
- `scan`: `cdw_datahub.scan.scan()` on the same database (ours -> the in-memory sink -> the
  export rows), timed like a pipeline; it runs in the blackhole unit, against `stock_blackhole`.
Plugins that are not registered (yet) are left out and reported.

`benchmarks/instructions.py` runs the same recipes under valgrind (instruction counts).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from benchmarks.generate import generate

REPO = Path(__file__).resolve().parent.parent
TRANSFORMER_ORDER = ["cdw_describe"]
PROGRAM = "w2w"  # the transformers describe the synthetic tables as one program's


def compile_project() -> None:
    """An editable install has no bytecode for the project (and PYTHONDONTWRITEBYTECODE may keep
    it that way), while pip compiled DataHub's: compile ours too, as a wheel install would, or
    every measured run pays for compiling the project's modules."""
    compileall.compile_dir(REPO / "src", quiet=1)
    compileall.compile_dir(REPO / "benchmarks", quiet=1)


def registered_plugins() -> dict[str, Any]:
    """What of the project is installed and importable, by DataHub entry-point group."""

    def loadable(group: str) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for ep in entry_points(group=group):
            if not ep.value.startswith("cdw_datahub."):
                continue
            try:
                ep.load()
                found[ep.name] = None
            except Exception as e:  # not written yet, or broken: report, do not benchmark
                found[ep.name] = f"{type(e).__name__}: {e}"
        return found

    sources = loadable("datahub.ingestion.source.plugins")
    transformers = loadable("datahub.ingestion.transformer.plugins")
    for name, err in transformers.items():
        if err is None:  # registered: can it be configured with the shipped glossary and policies?
            transformers[name] = _probe_transformer(name)
    sinks = loadable("datahub.ingestion.sink.plugins")
    ok = [n for n in TRANSFORMER_ORDER if n in transformers and transformers[n] is None]
    ok += sorted(n for n, err in transformers.items() if err is None and n not in ok)
    return {
        "source": "cdw-sqlite" if sources.get("cdw-sqlite", "missing") is None else None,
        "transformers": ok,
        "sink": "cdw-lite" if sinks.get("cdw-lite", "missing") is None else None,
        "missing": {
            name: err or "not registered"
            for name, err in {
                **{n: transformers.get(n, "not registered") for n in TRANSFORMER_ORDER},
                "cdw-sqlite": sources.get("cdw-sqlite", "not registered"),
                "cdw-lite": sinks.get("cdw-lite", "not registered"),
            }.items()
            if err is not None
        },
    }


def _transformer_config() -> dict[str, str]:
    return {
        "program": PROGRAM,
        "glossary_dir": str(REPO / "glossary"),
        "policies_dir": str(REPO / "policies"),
    }


def _probe_transformer(name: str) -> str | None:
    from datahub.ingestion.api.common import PipelineContext
    from datahub.ingestion.transformer.transform_registry import transform_registry

    try:
        transform_registry.get(name).create(_transformer_config(), PipelineContext(run_id="probe"))
    except Exception as e:
        return f"cannot be configured: {type(e).__name__}: {e}"
    return None


def recipe(
    variant: str, database: Path, plugins: dict[str, Any], lite_file: Path | None = None
) -> dict[str, Any]:
    """A pipeline recipe: `variant` is `stock` or `ours` (source + transformers); the sink is
    `blackhole` unless `lite_file` is given, then `datahub-lite` (stock) or `cdw-lite`."""
    uri = f"sqlite:///{database}"
    cfg: dict[str, Any] = {"run_id": f"bench-{variant}"}
    if variant == "stock":
        cfg["source"] = {"type": "sqlalchemy", "config": {"platform": "sqlite", "connect_uri": uri}}
    else:
        source = plugins["source"] or "sqlalchemy"
        src_cfg: dict[str, Any] = {"connect_uri": uri}
        src_cfg.update(
            {"sample_values": True} if source == "cdw-sqlite" else {"platform": "sqlite"}
        )
        cfg["source"] = {"type": source, "config": src_cfg}
        cfg["transformers"] = [
            {"type": name, "config": _transformer_config()} for name in plugins["transformers"]
        ]
    if lite_file is None:
        cfg["sink"] = {"type": "blackhole"}
    else:
        sink = "datahub-lite" if variant == "stock" else (plugins["sink"] or "datahub-lite")
        cfg["sink"] = {
            "type": sink,
            "config": {"type": "sqlite", "config": {"file": str(lite_file)}},
        }
    return cfg


def scan_recipe(database: Path) -> dict[str, Any]:
    """Not a DataHub recipe: the worker runs `scan()` on it (see `_worker`)."""
    return {"cdw_scan": {"url": f"sqlite:///{database}", **_transformer_config()}}


def measure(
    cfg: dict[str, Any],
    workdir: Path,
    name: str,
    wrapper: tuple[str, ...] = (),
    hash_seed: str | None = None,
) -> dict[str, Any]:
    """Run one recipe in a fresh interpreter (behind `wrapper`, e.g. valgrind); its numbers, or
    the error it ended with. With a wrapper, the run's stderr comes back too (`stderr`)."""
    path = workdir / f"{name}.recipe.json"  # JSON is YAML: `datahub ingest -c` takes it too
    path.write_text(json.dumps(cfg, indent=1))
    # this checkout's code, not whichever one the environment's editable install points to
    code = os.pathsep.join((str(REPO / "src"), str(REPO)))
    env = {**os.environ, "DATAHUB_TELEMETRY_ENABLED": "false", "PYTHONPATH": code}
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed
    os.sync()  # the previous run's dirty pages are written now, not during this run
    started = time.perf_counter()
    proc = subprocess.run(
        [*wrapper, sys.executable, "-m", "benchmarks.ingest_bench", "--worker", str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail), "process_seconds": wall}
    result: dict[str, Any] = json.loads(lines[-1])
    result["process_seconds"] = round(wall, 3)
    if wrapper:
        result["stderr"] = proc.stderr
    return result


def _worker(recipe_path: str) -> None:
    import logging

    logging.disable(logging.WARNING)  # the report, not the log, says what went wrong
    from datahub.ingestion.run.pipeline import Pipeline

    cfg = json.loads(Path(recipe_path).read_text())
    if "cdw_scan" in cfg:
        _scan_worker(cfg["cdw_scan"])
        return
    if "call" in cfg:
        _call_worker(cfg["call"], cfg["path"])
        return
    started = time.perf_counter()
    pipeline = Pipeline.create(cfg)
    pipeline.run()
    seconds = time.perf_counter() - started
    source_report = pipeline.source.get_report()
    sink_report = pipeline.sink.get_report()
    failures = len(source_report.failures) + len(sink_report.failures)
    out: dict[str, Any] = {
        "seconds": round(seconds, 3),
        "peak_rss_mb": _peak_rss_mb(),
        "records": sink_report.total_records_written,
        "failures": failures,
    }
    for key in ("aspects_written", "aspects_unchanged"):  # cdw-lite's own counts
        if hasattr(sink_report, key):
            out[key] = getattr(sink_report, key)
    if failures:
        out["error"] = f"{failures} failures: {list(source_report.failures)[:1]}"
    print(json.dumps(out))


def _scan_worker(cfg: dict[str, Any]) -> None:
    from cdw_datahub.scan import scan

    started = time.perf_counter()
    rows, _ = scan(cfg["url"], cfg["program"], Path(cfg["glossary_dir"]), Path(cfg["policies_dir"]))
    seconds = time.perf_counter() - started
    out = {"seconds": round(seconds, 3), "peak_rss_mb": _peak_rss_mb(), "records": len(rows)}
    print(json.dumps({**out, "failures": 0}))


def _call_worker(target: str, path: str) -> None:
    """`module:function`, called with a Path; it returns how many things it read or wrote."""
    import importlib

    module, _, function = target.partition(":")
    fn = getattr(importlib.import_module(module), function)
    started = time.perf_counter()
    records = fn(Path(path))
    seconds = time.perf_counter() - started
    out = {"seconds": round(seconds, 3), "peak_rss_mb": _peak_rss_mb(), "records": records}
    print(json.dumps({**out, "failures": 0}))


def _peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux `ru_maxrss` survives `exec`: a worker would
    report at least the benchmark driver's peak at the time it was started (which holds the
    generated schema and DataHub's modules). The memory map's own high-water mark does not."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KB on Linux
    kilobytes = int(status.split("VmHWM:", 1)[1].split()[0])
    return round(kilobytes / 1024, 1)


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    good = [s for s in samples if "error" not in s]
    out: dict[str, Any] = {"runs": samples}
    if good:
        out["median_seconds"] = round(statistics.median(s["seconds"] for s in good), 3)
        out["peak_rss_mb"] = max(s["peak_rss_mb"] for s in good)
        out["records"] = good[-1]["records"]
    if len(good) < len(samples):
        out["error"] = next(s["error"] for s in samples if "error" in s)
    return out


def _ratio(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    if "median_seconds" not in a or "median_seconds" not in b or not b["median_seconds"]:
        return None
    return round(a["median_seconds"] / b["median_seconds"], 3)


def run(
    tables: int,
    columns: int,
    runs: int,
    workdir: Path,
    memory_sizes: tuple[int, ...] = (),
    log: Any = None,
) -> dict[str, Any]:
    """All ingest scenarios, `runs` alternating rounds, then peak RSS of the project pipeline (and
    the stock one, for reference) at each of `memory_sizes` tables."""
    say = log or (lambda msg: None)
    workdir.mkdir(parents=True, exist_ok=True)
    compile_project()
    plugins = registered_plugins()
    db = workdir / f"program_{tables}x{columns}.db"
    gen = generate(db, tables=tables, columns=columns, seed=0, unnamed_fks=False)
    have_ours = bool(plugins["source"] or plugins["transformers"])

    def lite(name: str) -> Path:
        return workdir / f"{name}.lite.db"

    # A unit's runs are back to back. The two blackhole pipelines share one unit, their order
    # swapped every round: this machine's speed drifts within a minute, and a ratio of two runs
    # seconds apart is far steadier than one of runs a minute apart.
    units: list[list[tuple[str, dict[str, Any], Path | None]]] = [
        [("stock_blackhole", recipe("stock", db, plugins), None)],
        [
            (
                "lite_default",
                recipe("stock", db, plugins, lite("lite_default")),
                lite("lite_default"),
            )
        ],
    ]
    if have_ours:
        units[0].append(("ours_blackhole", recipe("ours", db, plugins), None))
        units[0].append(("scan", scan_recipe(db), None))
    if plugins["sink"]:
        cdw = recipe("stock", db, {**plugins, "sink": plugins["sink"]}, lite("cdw_lite"))
        cdw["run_id"] = "bench-cdw-lite"
        cdw["sink"]["type"] = plugins["sink"]
        units.append([("cdw_lite", cdw, lite("cdw_lite")), ("cdw_lite_reingest", cdw, None)])
        if have_ours:
            ours = recipe("ours", db, plugins, lite("ours_lite"))
            units.append(
                [("ours_cdw_lite", ours, lite("ours_lite")), ("ours_cdw_lite_reingest", ours, None)]
            )

    samples: dict[str, list[dict[str, Any]]] = {name: [] for u in units for name, _, _ in u}
    for r in range(runs):
        for unit in units[r % len(units) :] + units[: r % len(units)]:
            ordered = _rotated(unit, r) if unit is units[0] else unit
            for name, cfg, fresh in ordered:
                if fresh is not None:
                    for suffix in ("", "-wal", "-shm", "-journal"):
                        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
                result = measure(cfg, workdir, name)
                say(f"  ingest {name} round {r + 1}/{runs}: {result.get('seconds', result)}")
                samples[name].append(result)
    scenarios = {name: _summary(s) for name, s in samples.items()}

    ratios: dict[str, Any] = {}
    for name, key in (("ours_blackhole", "ours_vs_stock"), ("scan", "scan_vs_stock")):
        if name not in scenarios:
            continue
        ratios[key] = _ratio(scenarios[name], scenarios["stock_blackhole"])
        # Each round's own ratio (the runs were back to back): its spread shows how noisy the
        # machine was.
        ratios[f"{key}_rounds"] = sorted(
            round(o["seconds"] / s["seconds"], 3)
            for o, s in zip(samples[name], samples["stock_blackhole"], strict=True)
            if "seconds" in o and "seconds" in s
        )
    if "cdw_lite" in scenarios:
        slow = _ratio(scenarios["lite_default"], scenarios["cdw_lite"])
        ratios["lite_speedup"] = slow
        ratios["reingest_vs_first"] = _ratio(scenarios["cdw_lite_reingest"], scenarios["cdw_lite"])
        ratios["reingest_sink_vs_first"] = sink_ratio(
            *(scenarios[n].get("median_seconds") for n in _SINK_SCENARIOS)
        )
    if "ours_cdw_lite" in scenarios:
        ratios["embedded_speedup"] = _ratio(scenarios["lite_default"], scenarios["ours_cdw_lite"])
        ratios["ours_reingest_vs_first"] = _ratio(
            scenarios["ours_cdw_lite_reingest"], scenarios["ours_cdw_lite"]
        )

    memory: dict[str, Any] = {}
    if memory_sizes:
        memory = _memory(memory_sizes, columns, workdir, plugins, have_ours, say)
    return {
        "tables": tables,
        "columns": columns,
        "runs": runs,
        "foreign_keys": gen.foreign_keys,
        "plugins": plugins,
        "scenarios": scenarios,
        "ratios": ratios,
        "memory": memory,
    }


_SINK_SCENARIOS = ("cdw_lite_reingest", "cdw_lite", "stock_blackhole")


def sink_ratio(
    reingest: float | None, first: float | None, blackhole: float | None
) -> float | None:
    """Re-ingest / first ingest of the sink's own cost: each run minus the same stream into
    `blackhole` (the source and pipeline cost, which no sink can save)."""
    if reingest is None or first is None or blackhole is None or first <= blackhole:
        return None
    return round(max(reingest - blackhole, 0.0) / (first - blackhole), 3)


def _rotated(unit: list[Any], r: int) -> list[Any]:
    """The blackhole unit's order in round r: each scenario first in turn, reversed every other
    round, so no scenario always follows the same one."""
    shift = (r // 2) % len(unit)
    turned = unit[shift:] + unit[:shift]
    return turned[::-1] if r % 2 else turned


def _memory(
    sizes: tuple[int, ...],
    columns: int,
    workdir: Path,
    plugins: dict[str, Any],
    have_ours: bool,
    say: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {"tables": list(sizes), "ours_peak_rss_mb": {}, "stock_peak_rss_mb": {}}
    for n in sizes:
        db = workdir / f"program_{n}x{columns}.db"
        generate(db, tables=n, columns=columns, seed=0, unnamed_fks=False)
        for variant in ("ours", "stock") if have_ours else ("stock",):
            result = measure(recipe(variant, db, plugins), workdir, f"memory_{variant}_{n}")
            say(f"  memory {variant} {n} tables: {result.get('peak_rss_mb', result)} MB")
            out[f"{variant}_peak_rss_mb"][str(n)] = result.get("peak_rss_mb")
            if "error" in result:
                out.setdefault("errors", {})[f"{variant}_{n}"] = result["error"]
    lo, hi = str(min(sizes)), str(max(sizes))
    out["tables_growth"] = round(max(sizes) / min(sizes), 2)
    for variant in ("ours", "stock"):
        rss = out[f"{variant}_peak_rss_mb"]
        if rss.get(lo) and rss.get(hi):
            out[f"{variant}_rss_growth"] = round(rss[hi] / rss[lo], 3)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Ingestion benchmarks (see module docstring).")
    parser.add_argument("--worker", metavar="RECIPE", help=argparse.SUPPRESS)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / "out" / "ingest")
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker)
        return
    result = run(args.tables, args.columns, args.runs, args.workdir, log=print)
    print(json.dumps({k: result[k] for k in ("ratios", "memory")}, indent=1))


if __name__ == "__main__":
    main()
