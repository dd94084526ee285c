"""Which datasets and fields an export covers: `--dataset`, `--field`, `--program`.

- a dataset pattern matches the dataset's URN, full name (`main.participant`) or table name
  (`participant`), exactly or as a glob (`commute*`), ignoring case;
- a field pattern is `dataset.field` (each side a name or glob, the dataset side as above) or a
  bare field name/glob matched in every selected dataset;
- a program is an id or display name, ignoring case.

Every pattern must match something: a pattern that matches nothing is an InputError suggesting
the closest names, because an empty BUCP sheet is never what the person asked for.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from cdw_datahub.catalog import DatasetView, FieldView
from cdw_datahub.errors import InputError, did_you_mean


@dataclass(frozen=True)
class Selection:
    datasets: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    program: str | None = None  # a program id, already resolved


def _match(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


def dataset_matches(pattern: str, ds: DatasetView) -> bool:
    """By URN, full name, table name, or `<program>.<table>`: as the catalog narrows its reads."""
    return ds.matches(pattern)


def _split_field_pattern(pattern: str) -> tuple[str | None, str]:
    if "." in pattern:
        dataset_part, _, field_part = pattern.rpartition(".")
        return dataset_part, field_part
    return None, pattern


def field_matches(pattern: str, ds: DatasetView, fv: FieldView) -> bool:
    dataset_part, field_part = _split_field_pattern(pattern)
    if dataset_part is not None and not dataset_matches(dataset_part, ds):
        return False
    return _match(field_part, fv.path)


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'a', 'b'?)` or nothing."""
    return did_you_mean(word, candidates)


def select(
    datasets: Iterable[DatasetView], selection: Selection
) -> Iterator[tuple[DatasetView, list[FieldView]]]:
    """Stream (dataset, selected fields) pairs; raise InputError at the end for unmatched patterns.

    Datasets are consumed one at a time (the catalog streams them), so selecting from a large
    catalog holds only the selected ones.
    """
    used_datasets: set[str] = set()
    used_fields: set[str] = set()
    seen_tables: list[str] = []
    seen_fields: list[str] = []
    for ds in datasets:
        seen_tables.extend((ds.table, ds.name))
        if selection.program is not None and ds.program != selection.program:
            continue
        if selection.datasets:
            hits = [p for p in selection.datasets if dataset_matches(p, ds)]
            if not hits:
                continue
            used_datasets.update(hits)
        fields = ds.fields
        if selection.fields:
            seen_fields.extend(f"{ds.table}.{f.path}" for f in ds.fields)
            chosen = []
            for fv in ds.fields:
                hits = [p for p in selection.fields if field_matches(p, ds, fv)]
                if hits:
                    used_fields.update(hits)
                    chosen.append(fv)
            fields = chosen
        if fields:
            yield ds, fields
    _check_unmatched(selection.datasets, used_datasets, seen_tables, "--dataset", "dataset")
    _check_unmatched(selection.fields, used_fields, seen_fields, "--field", "field")


def _check_unmatched(
    patterns: Sequence[str], used: set[str], names: list[str], key: str, what: str
) -> None:
    for pattern in patterns:
        if pattern not in used:
            pool = names
            if what == "field" and "." not in pattern:  # a bare field name: suggest bare names
                pool = [n.rpartition(".")[2] for n in names]
            raise InputError(f"no {what} matches '{pattern}'{suggestion(pattern, pool)}", key=key)
