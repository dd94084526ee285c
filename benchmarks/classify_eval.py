"""Measure the classification rules against a labeled column corpus.

    .venv/bin/python -m benchmarks.classify_eval [--csv PATH] [--json OUT] [--rules FILE]
        [--schemas a,b] [--errors] [--time N]

The corpus format is /work/shared/eval/LABELING.md: `schema,table,column,sql_type,label,note`, a
note may hold `alt=LABEL` (lenient scoring accepts it too). Labels are read only to score; the
classifier sees the table, the column, its type and the other column names of its table.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from cdw_datahub.classify import Classifier, ColumnInfo

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO.parent / "shared" / "eval" / "dev_columns.csv"
DEFAULT_RULES = REPO / "policies" / "detection.yml"
SCORED = ("DIRECT_ID", "QUASI_ID", "HEALTH")
LABELS = ("DIRECT_ID", "QUASI_ID", "HEALTH", "INTERNAL_KEY", "NONE")
_ALT = re.compile(r"alt=([A-Z_]+)")


@dataclass(frozen=True)
class Row:
    schema: str
    column: ColumnInfo
    label: str
    alt: str | None


def read_corpus(path: Path, schemas: set[str] | None = None) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as f:
        raw = [r for r in csv.DictReader(f) if not schemas or r["schema"] in schemas]
    by_table: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in raw:
        by_table[(r["schema"], r["table"])].append(r["column"])
    tables = {k: tuple(v) for k, v in by_table.items()}
    rows = []
    for r in raw:
        m = _ALT.search(r.get("note") or "")
        col = ColumnInfo(
            table=r["table"],
            name=r["column"],
            sql_type=r["sql_type"],
            table_columns=tables[(r["schema"], r["table"])],
        )
        rows.append(Row(r["schema"], col, r["label"], m.group(1) if m else None))
    return rows


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def score(rows: list[Row], preds: list[str], lenient: bool) -> dict[str, object]:
    """Per-class P/R/F1. Lenient: a prediction equal to the alt label counts as the gold label."""
    per: dict[str, dict[str, float]] = {}
    effective = []
    for row, pred in zip(rows, preds, strict=True):
        gold = row.label
        if lenient and row.alt and pred == row.alt:
            gold = pred
        effective.append(gold)
    for cls in SCORED:
        tp = sum(1 for g, p in zip(effective, preds, strict=True) if g == cls and p == cls)
        fp = sum(1 for g, p in zip(effective, preds, strict=True) if g != cls and p == cls)
        fn = sum(1 for g, p in zip(effective, preds, strict=True) if g == cls and p != cls)
        per[cls] = _prf(tp, fp, fn)
    macro = round(sum(per[c]["f1"] for c in SCORED) / len(SCORED), 4)
    accuracy = round(
        sum(1 for g, p in zip(effective, preds, strict=True) if g == p) / max(len(rows), 1), 4
    )
    return {"per_class": per, "macro_f1": macro, "accuracy": accuracy}


def _present_macro(s: dict[str, object]) -> float:
    """Macro-F1 over the scored classes that occur (gold or predicted) in a subset."""
    per = s["per_class"]
    assert isinstance(per, dict)
    present = [m["f1"] for m in per.values() if m["tp"] + m["fp"] + m["fn"]]
    return sum(present) / len(present) if present else 1.0


def evaluate(rows: list[Row], classifier: Classifier) -> dict[str, object]:
    preds = [classifier.classify(r.column).label for r in rows]
    confusion = Counter((r.label, p) for r, p in zip(rows, preds, strict=True))
    return {
        "columns": len(rows),
        "strict": score(rows, preds, lenient=False),
        "lenient": score(rows, preds, lenient=True),
        "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items()) if g != p},
        "_preds": preds,
    }


def time_per_10k(rows: list[Row], rules: Path, n: int) -> float:
    """Seconds to classify 10,000 columns, on `n` columns made distinct per copy of the corpus.

    Table names get a copy suffix so the per-table context cache cannot serve the copies; name
    analysis stays cached, as it would on any real schema where words repeat.
    """
    classifier = Classifier(Classifier.from_file(rules).policy)  # fresh caches
    cols: list[ColumnInfo] = []
    copy = 0
    while len(cols) < n:
        for r in rows:
            c = r.column
            cols.append(ColumnInfo(f"{c.table}_{copy}", c.name, c.sql_type, c.table_columns))
            if len(cols) >= n:
                break
        copy += 1
    start = time.perf_counter()
    for c in cols:
        classifier.classify(c)
    return (time.perf_counter() - start) * 10_000 / len(cols)


def run(quick: bool = False) -> dict[str, object]:
    """The headline numbers for `benchmarks.run`: macro-F1 (strict, lenient), DIRECT_ID lenient
    recall against its target, and speed."""
    if not DEFAULT_CSV.exists():
        return {"error": f"{DEFAULT_CSV} not found"}
    rows = read_corpus(DEFAULT_CSV)
    result = evaluate(rows, Classifier.from_file(DEFAULT_RULES))
    strict, lenient = result["strict"], result["lenient"]
    assert isinstance(strict, dict) and isinstance(lenient, dict)
    return {
        "columns": len(rows),
        "strict_macro_f1": round(strict["macro_f1"], 3),
        "lenient_macro_f1": round(lenient["macro_f1"], 3),
        "lenient_macro_f1_goal_0.90_met": lenient["macro_f1"] >= 0.90,
        "direct_id_lenient_recall": round(lenient["per_class"]["DIRECT_ID"]["recall"], 3),
        "direct_id_recall_goal_0.95_met": lenient["per_class"]["DIRECT_ID"]["recall"] >= 0.95,
        "ms_per_10k_columns": round(
            time_per_10k(rows, DEFAULT_RULES, 10_000 if quick else 30_000) * 1000, 1
        ),
    }


def _print(result: dict[str, object], title: str) -> None:
    print(f"== {title}: {result['columns']} columns")
    for mode in ("strict", "lenient"):
        s = result[mode]
        assert isinstance(s, dict)
        print(f"  {mode:8s} macro-F1 {s['macro_f1']:.3f}  accuracy {s['accuracy']:.3f}")
        for cls in SCORED:
            m = s["per_class"][cls]
            print(
                f"    {cls:10s} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
                f"  (tp {m['tp']}, fp {m['fp']}, fn {m['fn']})"
            )
    conf = result["confusion"]
    assert isinstance(conf, dict)
    top = sorted(conf.items(), key=lambda kv: -kv[1])[:12]
    print("  confusion (gold->predicted, strict): " + ", ".join(f"{k} {v}" for k, v in top))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    ap.add_argument("--json", type=Path, help="write the metrics as JSON here")
    ap.add_argument("--schemas", help="comma-separated schema names to score (default: all)")
    ap.add_argument("--errors", action="store_true", help="list every misclassified column")
    ap.add_argument("--time", type=int, default=30_000, help="columns for the timing run (0: off)")
    args = ap.parse_args(argv)
    if not args.csv.exists():
        print(f"{args.csv}: corpus not found (pass --csv)", file=sys.stderr)
        return 2
    schemas = set(args.schemas.split(",")) if args.schemas else None
    rows = read_corpus(args.csv, schemas)
    classifier = Classifier.from_file(args.rules)
    result = evaluate(rows, classifier)
    preds = result.pop("_preds")
    assert isinstance(preds, list)
    _print(result, "all" if not schemas else ",".join(sorted(schemas)))
    by_schema = {}
    for schema in sorted({r.schema for r in rows}):
        idx = [i for i, r in enumerate(rows) if r.schema == schema]
        sub = [rows[i] for i in idx]
        sp = [preds[i] for i in idx]
        strict, lenient = score(sub, sp, False), score(sub, sp, True)
        by_schema[schema] = {"columns": len(sub), "strict": strict, "lenient": lenient}
        print(
            f"  {schema:22s} n={len(sub):4d}  macro-F1 over classes present: strict "
            f"{_present_macro(strict):.3f}  lenient {_present_macro(lenient):.3f}"
        )
    result["by_schema"] = by_schema
    if args.errors:
        for r, p in zip(rows, preds, strict=True):
            if p != r.label:
                rule = classifier.classify(r.column).rule_id
                tag = "alt" if p == r.alt else "ERR"
                print(
                    f"  {tag} {r.schema}.{r.column.table}.{r.column.name} {r.column.sql_type}: "
                    f"gold {r.label}{'/' + r.alt if r.alt else ''} got {p} ({rule})"
                )
    if args.time:
        per10k = time_per_10k(rows, args.rules, args.time)
        result["seconds_per_10k_columns"] = round(per10k, 4)
        print(f"  speed: {per10k * 1000:.1f} ms per 10k columns ({args.time} distinct columns)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
