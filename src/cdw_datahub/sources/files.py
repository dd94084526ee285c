"""`cdw-files`: DataHub's data-lake source (`s3`, which also reads local folders) for extracts.

The stock source already finds CSV, TSV, Parquet, JSON and Avro files under a local path and
infers their column types. Two differences, each an override:
- Dataset names. The stock name is the file's absolute path (`tmp/x/extracts/w2w.csv`): it changes
  with the machine the harvest runs on, and its last dotted part (`csv`) is what the dictionary
  would be asked about. We name a dataset after its file without the extension (`w2w_monthly`),
  so the field dictionary describes it like a table (with `platform_instance` in front, as for the
  SQL sources).
- With `sample_values: true`, a bounded number of rows of each CSV/TSV/Parquet file is read in
  memory and the value detectors note which patterns occur (see `sources/evidence.py`); only
  detector ids leave this module. A CSV whose header is broken (an empty or repeated column name)
  is a report warning naming the file and line 1; the run goes on with the other files.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from datahub.ingestion.api.common import PipelineContext
from datahub.ingestion.api.decorators import (
    SupportStatus,
    config_class,
    platform_name,
    support_status,
)
from datahub.ingestion.api.workunit import MetadataWorkUnit
from datahub.ingestion.source.data_lake_common.path_spec import PathSpec
from datahub.ingestion.source.s3.config import DataLakeSourceConfig
from datahub.ingestion.source.s3.source import S3Source, TableData
from datahub.metadata.schema_classes import SchemaMetadataClass
from pydantic import Field

from cdw_datahub.sources import evidence

_DELIMITERS = {".csv": ",", ".tsv": "\t"}
_TEXT_TYPES = {"string", "any", "date", "datetime", "object"}  # what a detector could match


class CdwFilesConfig(DataLakeSourceConfig):
    sample_values: bool = Field(
        default=False,
        description="Read a bounded sample of each CSV, TSV or Parquet file in memory so value "
        "detectors (SSN, email, phone, date of birth) can support classification. No value "
        "leaves the process.",
    )
    sample_size: int = Field(
        default=100, ge=1, le=10_000, description="Rows sampled per file when sample_values."
    )


class BrokenHeader(ValueError):
    pass


def csv_sample(path: Path, size: int, delimiter: str = ",") -> dict[str, list[Any]]:
    """Up to `size` rows of a CSV file, column by column; BrokenHeader when the header has an
    empty or repeated column name (the columns could not be told apart)."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = next(reader, [])
        names = [h.strip() for h in header]
        if not names or any(not n for n in names) or len(set(names)) != len(names):
            raise BrokenHeader("the header has an empty or repeated column name")
        columns: dict[str, list[Any]] = {n: [] for n in names}
        for i, row in enumerate(reader):
            if i >= size:
                break
            for name, value in zip(names, row, strict=False):
                columns[name].append(value)
    return columns


def parquet_sample(path: Path, size: int, names: list[str]) -> dict[str, list[Any]]:
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    batch = next(file.iter_batches(batch_size=size, columns=names), None)
    if batch is None:
        return {n: [] for n in names}
    return {n: batch.column(n).to_pylist() for n in names}


def dataset_name(file: str) -> str:
    """The file's name without its extension(s): `w2w_monthly.csv.gz` -> `w2w_monthly`."""
    return Path(file).name.split(".", 1)[0]


@platform_name("Local files (cdw)", id="file")
@config_class(CdwFilesConfig)
@support_status(SupportStatus.BETA)
class CdwFilesSource(S3Source):
    source_config: CdwFilesConfig

    @classmethod
    def create(cls, config_dict: dict, ctx: PipelineContext) -> CdwFilesSource:
        return cls(CdwFilesConfig.model_validate(config_dict), ctx)

    def ingest_table(
        self, table_data: TableData, path_spec: PathSpec
    ) -> Iterable[MetadataWorkUnit]:
        named = dataclasses.replace(table_data, table_path=dataset_name(table_data.full_path))
        for wu in super().ingest_table(named, path_spec):
            aspect = getattr(wu.metadata, "aspect", None)
            if isinstance(aspect, SchemaMetadataClass):
                self._detect(Path(table_data.full_path), aspect)
            yield wu

    def _detect(self, path: Path, schema: SchemaMetadataClass) -> None:
        delimiter = _DELIMITERS.get(path.suffix.lower())
        size = self.source_config.sample_size
        if delimiter is not None:  # a broken header is worth a warning even without sampling
            try:
                sample = csv_sample(path, size, delimiter)
            except BrokenHeader as e:
                self.report.warning(
                    title="Broken CSV header",
                    message=f"{e}; the file's columns cannot be described reliably",
                    context=f"{path}:1",
                )
                return
        columns = [
            f.fieldPath for f in schema.fields if (f.nativeDataType or "").lower() in _TEXT_TYPES
        ]
        if not (self.source_config.sample_values and columns):
            return
        if delimiter is None:
            if path.suffix.lower() != ".parquet":
                return
            try:
                sample = parquet_sample(path, size, columns)
            except Exception as e:  # a file we cannot read: classify by name only, say so
                self.report.warning(
                    message="Could not sample values; classifying by name only",
                    context=str(path),
                    exc=e,
                )
                return
        from cdw_datahub.classify import detect_values

        hits = {c: detect_values(sample.get(c, [])) for c in columns}
        del sample  # values stay inside this frame
        evidence.attach(schema, hits)
