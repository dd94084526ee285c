"""Measure the classification rules against labeled column corpora, through the product path.

    .venv/bin/python -m benchmarks.classify_eval [--csv PATH ...] [--path scan|rules]
        [--errors FILE] [--json OUT] [--schemas a,b] [--time N]

The corpus format is /work/shared/eval/LABELING.md: `schema,table,column,sql_type,label,note`, a
note may hold `alt=LABEL` (lenient scoring accepts it too). By default each schema becomes a SQLite
database (its tables, column names and generic types; no rows, keys or comments) and goes through
`cdw_datahub.scan.scan`, the code behind `cdw-datahub scan`: the whole DataHub pipeline and the
describe transformers, read back by the catalog reader. That is how the project is scored
(`shared/eval/score.py`), and the scoring below is the same: a field counts as the strictest of
its categories, and a column without one is "other" (so a gold direct identifier whose alt label is
INTERNAL_KEY is still a miss when nothing is flagged). `--path rules` calls the classifier directly
with the ColumnInfo such a SQLite harvest gives (same predictions, no pipeline; for quick work).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from cdw_datahub.classify import Classifier, ColumnInfo

REPO = Path(__file__).resolve().parents[1]
# The corpora live in shared/eval beside the clone (CI) or beside a folder of worktrees.
EVAL_DIR = next(
    (d / "shared" / "eval" for d in REPO.parents if (d / "shared" / "eval").is_dir()),
    REPO.parent / "shared" / "eval",
)
DEFAULT_CSV = EVAL_DIR / "dev_columns.csv"
MORE_CSV = EVAL_DIR / "more_columns.csv"
DEFAULT_RULES = REPO / "policies" / "detection.yml"
SCORED = ("DIRECT_ID", "QUASI_ID", "HEALTH")
LABELS = ("DIRECT_ID", "QUASI_ID", "HEALTH", "INTERNAL_KEY", "NONE")
OTHER = "OTHER"  # no sensitive category: what scan shows for INTERNAL_KEY and NONE alike
_CATEGORY = {"direct_identifier": "DIRECT_ID", "quasi_identifier": "QUASI_ID", "health": "HEALTH"}
_ALT = re.compile(r"alt=([A-Z_]+)")


@dataclass(frozen=True)
class Row:
    schema: str
    column: ColumnInfo
    label: str
    alt: str | None


@dataclass(frozen=True)
class Prediction:
    label: str  # DIRECT_ID | QUASI_ID | HEALTH | OTHER (the rules path may also say which other)
    reason: str  # rule id and evidence, as the export shows it


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


def _sensitive(label: str) -> str:
    return label if label in SCORED else OTHER


def score(rows: list[Row], preds: list[str], lenient: bool) -> dict[str, object]:
    """Per-class P/R/F1 as `shared/eval/score.py` counts them: a prediction is one of the three
    sensitive classes or OTHER; lenient scoring accepts the alt label as well as the label."""
    per: dict[str, dict[str, float]] = {}
    flat = [_sensitive(p) for p in preds]
    golds = [{r.label} | ({r.alt} if lenient and r.alt else set()) for r in rows]
    for cls in SCORED:
        tp = fp = fn = 0
        for row, gold, p in zip(rows, golds, flat, strict=True):
            if p == cls:
                tp, fp = (tp + 1, fp) if cls in gold else (tp, fp + 1)
            elif row.label == cls and p not in gold:
                fn += 1
        per[cls] = _prf(tp, fp, fn)
    macro = round(sum(per[c]["f1"] for c in SCORED) / len(SCORED), 4)
    right = sum(1 for g, p in zip(golds, flat, strict=True) if p in {_sensitive(x) for x in g})
    return {"per_class": per, "macro_f1": macro, "accuracy": round(right / max(len(rows), 1), 4)}


def _present_macro(s: dict[str, object]) -> float:
    """Macro-F1 over the scored classes that occur (gold or predicted) in a subset."""
    per = s["per_class"]
    assert isinstance(per, dict)
    present = [m["f1"] for m in per.values() if m["tp"] + m["fp"] + m["fn"]]
    return sum(present) / len(present) if present else 1.0


# ---------------------------------------------------------------- the two paths


def predict_rules(rows: list[Row], classifier: Classifier) -> list[Prediction]:
    """The classifier called directly, with what a SQLite harvest of the corpus gives it."""
    out = []
    for r in rows:
        s = classifier.classify(r.column)
        out.append(Prediction(s.label, f"{s.rule_id}: {s.evidence}" if s.evidence else s.rule_id))
    return out


def _sqlite_db(path: Path, rows: list[Row]) -> None:
    """The schema's tables with their columns and generic types, as score.py builds them."""
    con = sqlite3.connect(path)
    tables: dict[str, list[ColumnInfo]] = defaultdict(list)
    for r in rows:
        tables[r.column.table].append(r.column)
    for table, cols in tables.items():
        seen: set[str] = set()
        defs = []
        for c in cols:
            if c.name.lower() not in seen:
                seen.add(c.name.lower())
                defs.append(f'"{c.name}" {c.sql_type}')
        con.execute(f'CREATE TABLE "{table}" ({", ".join(defs)})')
    con.commit()
    con.close()


def predict_scan(rows: list[Row], policies: Path, glossary: Path) -> list[Prediction]:
    """Each schema through `cdw_datahub.scan.scan` (the product path), read back per field."""
    from cdw_datahub.scan import scan

    by_schema: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_schema[r.schema].append(r)
    got: dict[tuple[str, str, str], Prediction] = {}
    with tempfile.TemporaryDirectory(prefix="classify-eval-") as tmp:
        for schema, schema_rows in by_schema.items():
            db = Path(tmp) / f"{schema}.db"
            _sqlite_db(db, schema_rows)
            fields, _ = scan(f"sqlite:///{db}", None, glossary, policies)
            for f in fields:
                cats = [_CATEGORY[c] for c in f.get("categories") or [] if c in _CATEGORY]
                best = next((k for k in ("DIRECT_ID", "HEALTH", "QUASI_ID") if k in cats), OTHER)
                table = str(f["dataset"]).rsplit(".", 1)[-1].lower()
                key = (schema, table, str(f["field"]).lower())
                got[key] = Prediction(best, str(f.get("classification_reason") or ""))
    missing = Prediction("MISSING", "not in the scan output")
    return [
        got.get((r.schema, r.column.table.lower(), r.column.name.lower()), missing) for r in rows
    ]


def evaluate(rows: list[Row], classifier: Classifier) -> dict[str, object]:
    """Score the rules path (the CI test uses it: no pipeline, the same predictions as scan)."""
    return summarize(rows, predict_rules(rows, classifier))


def summarize(rows: list[Row], preds: list[Prediction]) -> dict[str, object]:
    labels = [p.label for p in preds]
    confusion = Counter(
        (_sensitive(r.label), _sensitive(p)) for r, p in zip(rows, labels, strict=True)
    )
    by_schema = {}
    for schema in sorted({r.schema for r in rows}):
        idx = [i for i, r in enumerate(rows) if r.schema == schema]
        sub, sp = [rows[i] for i in idx], [labels[i] for i in idx]
        by_schema[schema] = {
            "columns": len(sub),
            "strict": score(sub, sp, False),
            "lenient": score(sub, sp, True),
        }
    return {
        "columns": len(rows),
        "strict": score(rows, labels, lenient=False),
        "lenient": score(rows, labels, lenient=True),
        "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items()) if g != p},
        "by_schema": by_schema,
    }


def write_errors(path: Path, rows: list[Row], preds: list[Prediction], corpus: str) -> int:
    """Append every miss (the prediction is neither the label nor its alt) to a CSV."""
    new = not path.exists() or path.stat().st_size == 0
    n = 0
    with path.open("a", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        if new:
            w.writerow(["corpus", "schema", "table", "column", "sql_type", "gold", "alt", "pred",
                        "reason"])  # fmt: skip
        for r, p in zip(rows, preds, strict=True):
            # As scored: "other" never matches an INTERNAL_KEY / NONE alt of a sensitive label.
            gold = {_sensitive(r.label)} | ({_sensitive(r.alt)} if r.alt else set())
            got = _sensitive(p.label)
            if got not in gold or (r.label in SCORED and got == OTHER):
                n += 1
                c = r.column
                w.writerow([corpus, r.schema, c.table, c.name, c.sql_type, r.label, r.alt or "",
                            _sensitive(p.label), p.reason])  # fmt: skip
    return n


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
    """The headline numbers for `benchmarks.run`, per corpus (rules path; the same predictions
    as scan): macro-F1 (strict, lenient), DIRECT_ID lenient recall against its target, speed."""
    out: dict[str, object] = {}
    classifier = Classifier.from_file(DEFAULT_RULES)
    for corpus in (DEFAULT_CSV, MORE_CSV):
        if not corpus.exists():
            out[corpus.stem] = {"error": f"{corpus} not found"}
            continue
        rows = read_corpus(corpus)
        result = evaluate(rows, classifier)
        strict, lenient = result["strict"], result["lenient"]
        assert isinstance(strict, dict) and isinstance(lenient, dict)
        recall = lenient["per_class"]["DIRECT_ID"]["recall"]
        out[corpus.stem] = {
            "columns": len(rows),
            "strict_macro_f1": round(strict["macro_f1"], 3),
            "lenient_macro_f1": round(lenient["macro_f1"], 3),
            "lenient_macro_f1_goal_0.90_met": lenient["macro_f1"] >= 0.90,
            "direct_id_lenient_recall": round(recall, 3),
            "direct_id_recall_goal_0.95_met": recall >= 0.95,
        }
        if corpus == DEFAULT_CSV:
            per10k = time_per_10k(rows, DEFAULT_RULES, 10_000 if quick else 30_000)
            out["ms_per_10k_columns"] = round(per10k * 1000, 1)
    return out


def _print_scores(result: dict[str, object], title: str) -> None:
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


def _print(result: dict[str, object], title: str) -> None:
    _print_scores(result, title)
    conf = result["confusion"]
    assert isinstance(conf, dict)
    top = sorted(conf.items(), key=lambda kv: -kv[1])[:12]
    print("  confusion (gold->predicted, strict): " + ", ".join(f"{k} {v}" for k, v in top))
    by_schema = result["by_schema"]
    assert isinstance(by_schema, dict)
    for schema, sub in by_schema.items():
        print(
            f"  {schema:22s} n={sub['columns']:4d}  macro-F1 over classes present: strict "
            f"{_present_macro(sub['strict']):.3f}  lenient {_present_macro(sub['lenient']):.3f}"
        )
    for schema, sub in by_schema.items():
        _print_scores(sub, f"{title} / {schema}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, action="append", help="corpus file (repeatable; "
                    "default: dev_columns.csv and more_columns.csv in ../shared/eval)")  # fmt: skip
    ap.add_argument("--path", choices=("scan", "rules"), default="scan")
    ap.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="rules path only")
    ap.add_argument("--policies", type=Path, default=REPO / "policies", help="scan path only")
    ap.add_argument("--glossary", type=Path, default=REPO / "glossary", help="scan path only")
    ap.add_argument("--json", type=Path, help="write the metrics as JSON here")
    ap.add_argument("--schemas", help="comma-separated schema names to score (default: all)")
    ap.add_argument("--errors", type=Path, help="write every misclassified column to this CSV")
    ap.add_argument("--time", type=int, default=30_000, help="columns for the timing run (0: off)")
    args = ap.parse_args(argv)
    corpora = args.csv or [c for c in (DEFAULT_CSV, MORE_CSV) if c.exists()]
    for c in corpora or [DEFAULT_CSV]:
        if not c.exists():
            print(f"{c}: corpus not found (pass --csv)", file=sys.stderr)
            return 2
    schemas = set(args.schemas.split(",")) if args.schemas else None
    if args.errors:
        args.errors.write_text("", encoding="utf-8")
    results: dict[str, object] = {"path": args.path}
    for corpus in corpora:
        rows = read_corpus(corpus, schemas)
        if args.path == "scan":
            preds = predict_scan(rows, args.policies, args.glossary)
        else:
            preds = predict_rules(rows, Classifier.from_file(args.rules))
        result = summarize(rows, preds)
        _print(result, f"{corpus.name} ({args.path})")
        if args.errors:
            n = write_errors(args.errors, rows, preds, corpus.name)
            print(f"  {n} errors -> {args.errors}")
        results[corpus.name] = result
    if args.time and corpora:
        per10k = time_per_10k(read_corpus(corpora[0]), args.rules, args.time)
        results["seconds_per_10k_columns"] = round(per10k, 4)
        print(f"speed: {per10k * 1000:.1f} ms per 10k columns ({args.time} distinct columns)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
