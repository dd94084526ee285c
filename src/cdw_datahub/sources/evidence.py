"""What value detectors found, handed from the source to the classification transformer.

Detectors look at sampled values inside the source process and keep only detector ids (`ssn`,
`email`, ...), never a value. The hand-off is in-process: the source records the ids for a dataset
just before it yields the dataset, and the classification transformer takes them when that same
dataset passes through, so nothing is emitted into any aspect and memory holds one dataset at
a time.
"""

from __future__ import annotations

_pending: dict[str, dict[str, frozenset[str]]] = {}


def record(dataset_urn: str, hits_by_field: dict[str, frozenset[str]]) -> None:
    if hits_by_field:
        _pending[dataset_urn] = hits_by_field


def take(dataset_urn: str) -> dict[str, frozenset[str]]:
    return _pending.pop(dataset_urn, {})
