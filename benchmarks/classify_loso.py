"""Would learned evidence help the rules on a schema it never saw? Leave-one-schema-out.

    .venv/bin/python -m benchmarks.classify_loso

For every schema S of both corpora: train a small softmax regression (plain numpy) on all other
schemas, over what the rules see of a column (its name words, last word, table words, table kinds,
type family, and the rule that decided), then score S twice: the rules alone, and the rules with
the model allowed to fill in only where no rule matched (`default.none`), only for quasi-identifier
or health, only when it is confident. It never decides a direct identifier alone. Prints each
schema's lenient macro-F1 (classes present) both ways and the averages. The rules path is the same
prediction as scan (tests/test_classify.py checks it). Nothing is shipped from this script unless
the average says so.
"""

from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np

from benchmarks.classify_eval import (
    DEFAULT_CSV,
    DEFAULT_RULES,
    LABELS,
    MORE_CSV,
    Row,
    _present_macro,
    read_corpus,
    score,
)
from cdw_datahub.classify import Classifier

CONFIDENT = float(sys.argv[1]) if len(sys.argv) > 1 else 0.6
FILLABLE = ("QUASI_ID", "HEALTH")


def features(row: Row, clf: Classifier) -> list[str]:
    c = row.column
    a = clf.analyze(c.name)
    kinds = clf.table_kinds(c.table, c.table_columns or (c.name,))
    out = [f"w:{t}" for t in a.tokens] + [f"last:{a.tokens[-1]}" if a.tokens else "last:"]
    out += [f"t:{t}" for t in clf.analyze(c.table).tokens]
    out += [f"k:{k}" for k in kinds] + [f"type:{clf.family(c.sql_type)}", f"shape:{a.shape}"]
    out.append(f"rule:{clf.classify(c).rule_id}")
    return out


def _matrix(feats: list[list[str]], index: dict[str, int]) -> np.ndarray:
    x = np.zeros((len(feats), len(index) + 1))
    x[:, -1] = 1.0  # bias
    for i, fs in enumerate(feats):
        for f in fs:
            j = index.get(f)
            if j is not None:
                x[i, j] = 1.0
    return x


def train(x: np.ndarray, y: np.ndarray, epochs: int = 300, lr: float = 0.5) -> np.ndarray:
    w = np.zeros((x.shape[1], len(LABELS)))
    onehot = np.eye(len(LABELS))[y]
    for _ in range(epochs):
        z = x @ w
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        w -= lr * (x.T @ (p - onehot) / len(x) + 1e-3 * w)
    return w


def main() -> int:
    clf = Classifier.from_file(DEFAULT_RULES)
    rows = [r for c in (DEFAULT_CSV, MORE_CSV) if c.exists() for r in read_corpus(c)]
    feats = [features(r, clf) for r in rows]
    rules = [clf.classify(r.column) for r in rows]
    y = np.array([LABELS.index(r.label) for r in rows])
    by_schema: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_schema[r.schema].append(i)
    base_all, mixed_all = [], []
    print(f"{'held-out schema':22s} {'n':>5s}  rules  rules+model  (filled)")
    for schema, held in sorted(by_schema.items()):
        held_set = set(held)
        train_idx = [i for i in range(len(rows)) if i not in held_set]
        index: dict[str, int] = {}
        for i in train_idx:
            for f in feats[i]:
                index.setdefault(f, len(index))
        w = train(_matrix([feats[i] for i in train_idx], index), y[train_idx])
        z = _matrix([feats[i] for i in held], index) @ w
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        sub = [rows[i] for i in held]
        base = [rules[i].label for i in held]
        mixed, filled = list(base), 0
        for k, i in enumerate(held):
            best = LABELS[int(p[k].argmax())]
            if rules[i].rule_id == "default.none" and best in FILLABLE and p[k].max() > CONFIDENT:
                mixed[k], filled = best, filled + 1
        b = _present_macro(score(sub, base, lenient=True))
        m = _present_macro(score(sub, mixed, lenient=True))
        base_all.append(b)
        mixed_all.append(m)
        print(f"{schema:22s} {len(sub):5d}  {b:.3f}  {m:.3f}        ({filled})")
    print(
        f"{'average':22s} {'':5s}  {sum(base_all) / len(base_all):.3f}  "
        f"{sum(mixed_all) / len(mixed_all):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
