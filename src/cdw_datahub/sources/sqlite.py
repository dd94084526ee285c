"""`cdw-sqlite`: DataHub's generic SQLAlchemy source, fixed for SQLite and able to sample values.

Four differences from the stock `sqlalchemy` source, each an override:
- SQLite reports an unnamed foreign key (`col INTEGER REFERENCES t(id)`) with `name=None`; the stock
  source passes it on, Avro serialization of the schema fails, and the source generator dies, losing
  that table and every later one. We give such a key a stable generated name.
- SQLite names are two-part (`main.<table>`); the stock view-lineage step expects
  `database.schema.view`, fails on every view and warns. We split two-part names correctly.
- SQLite has no COMMENT ON. The convention we read instead: a trailing `-- comment` on a column's
  line (or on the `CREATE TABLE` line, for the table) in the DDL SQLite keeps in `sqlite_master`.
  Harvested as-is, like column comments of other databases.
- With `sample_values: true`, the stock classification hook reads a bounded sample of each table and
  our value detectors note which patterns (SSN, email, ...) occur; only detector ids leave the
  detectors (see `sources/evidence.py`). No value is emitted anywhere.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from datahub.ingestion.api.common import PipelineContext
from datahub.ingestion.api.decorators import (
    SupportStatus,
    config_class,
    platform_name,
    support_status,
)
from datahub.ingestion.source.common.data_reader import DataReader
from datahub.ingestion.source.sql.sql_generic import (
    SQLAlchemyGenericConfig,
    SQLAlchemyGenericSource,
)
from datahub.ingestion.source.sql.sqlalchemy_data_reader import SqlAlchemyTableDataReader
from datahub.metadata.schema_classes import ForeignKeyConstraintClass, SchemaMetadataClass
from pydantic import Field, field_validator
from sqlalchemy import Engine, text
from sqlalchemy.engine.reflection import Inspector

from cdw_datahub.sources import evidence

logger = logging.getLogger(__name__)


class CdwSQLiteConfig(SQLAlchemyGenericConfig):
    platform: str = Field(default="sqlite", description="Platform name used in dataset URNs.")
    sample_values: bool = Field(
        default=False,
        description="Read a bounded sample of each table in memory so value detectors (SSN, "
        "email, phone, date of birth) can support classification. No value leaves the process.",
    )
    sample_size: int = Field(
        default=100, ge=1, le=10_000, description="Rows sampled per table when sample_values."
    )

    @field_validator("connect_uri")
    @classmethod
    def _database_must_exist(cls, uri: str) -> str:
        # SQLAlchemy silently creates an empty database for a missing path: a typo would ingest
        # nothing and report success. Refuse instead.
        if uri.startswith("sqlite:///") and ":memory:" not in uri:
            path = Path(uri[len("sqlite:///") :].split("?", 1)[0])
            if not path.is_file():
                raise ValueError(f"no SQLite database at {path}")
        return uri


_COLUMN_COMMENT = re.compile(
    r'^\s*[`"\[]?(?P<name>[^`"\]\s]+)[`"\]]?\s.*?--\s*(?P<comment>.*\S)\s*$'
)
_TABLE_COMMENT = re.compile(r"^\s*CREATE\s+TABLE\b.*?\(\s*--\s*(?P<comment>.*\S)\s*$", re.I)


def ddl_comments(ddl: str) -> tuple[str | None, dict[str, str]]:
    """(table comment, {column: comment}) from trailing `-- ...` comments in SQLite DDL."""
    lines = ddl.splitlines()
    table = _TABLE_COMMENT.match(lines[0]) if lines else None
    columns = {}
    for line in lines[1:]:
        match = _COLUMN_COMMENT.match(line)
        if match and match["name"].upper() not in ("CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE"):
            columns[match["name"]] = match["comment"]
    return (table["comment"] if table else None), columns


def foreign_key_name(table: str, fk: Mapping[str, Any]) -> str:
    """A stable name for an unnamed foreign key, from what it joins."""
    columns = "_".join(fk["constrained_columns"])
    return f"fk_{table}_{columns}__{fk['referred_table']}"


_NOT_SAMPLED = re.compile(r"INT|NUM|DEC|REAL|FLOAT|DOUBLE|BOOL|BIT|BLOB|BINARY|SERIAL", re.I)


def _sample(
    connection: Any, schema: str, table: str, columns: list[str], size: int
) -> dict[str, list[Any]]:
    """Up to `size` rows of `columns`, column by column. A plain DB-API cursor: SQLAlchemy's
    per-statement machinery costs more than the read itself, once per table."""
    listed = ", ".join(_quote(c) for c in columns)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"SELECT {listed} FROM {_quote(schema)}.{_quote(table)} LIMIT {int(size)}")
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return {c: [] for c in columns}
    return {c: list(values) for c, values in zip(columns, zip(*rows, strict=True), strict=True)}


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@platform_name("SQLite (cdw)", id="sqlite")
@config_class(CdwSQLiteConfig)
@support_status(SupportStatus.BETA)
class CdwSQLiteSource(SQLAlchemyGenericSource):
    config: CdwSQLiteConfig

    def __init__(self, config: CdwSQLiteConfig, ctx: PipelineContext):
        super().__init__(config, ctx)
        self.config = config
        self._ddl_cache: dict[str, dict[str, tuple[str | None, dict[str, str]]]] = {}

    @classmethod
    def create(cls, config_dict: dict, ctx: PipelineContext) -> CdwSQLiteSource:
        return cls(CdwSQLiteConfig.model_validate(config_dict), ctx)

    def get_foreign_key_metadata(
        self,
        dataset_urn: str,
        schema: str,
        fk_dict: Mapping[str, Any],
        inspector: Inspector,
    ) -> ForeignKeyConstraintClass:
        if not fk_dict.get("name"):
            table = dataset_urn.split(",")[1].rsplit(".", 1)[-1]
            fk_dict = {**fk_dict, "name": foreign_key_name(table, fk_dict)}
        return super().get_foreign_key_metadata(dataset_urn, schema, fk_dict, inspector)

    def _ddl_comments(
        self, inspector: Inspector, schema: str, table: str
    ) -> tuple[str | None, dict[str, str]]:
        # One read of sqlite_master per schema: the columns and the table properties both ask.
        if schema not in self._ddl_cache:
            query = text(f"SELECT name, sql FROM {_quote(schema)}.sqlite_master")
            bind = inspector.bind
            if isinstance(bind, Engine):
                with bind.connect() as conn:
                    rows = conn.execute(query).all()
            else:
                rows = bind.execute(query).all()
            self._ddl_cache[schema] = {name: ddl_comments(sql) for name, sql in rows if sql}
        return self._ddl_cache[schema].get(table, (None, {}))

    def _get_columns(
        self, dataset_name: str, inspector: Inspector, schema: str, table: str
    ) -> Sequence[Mapping[str, Any]]:
        columns = super()._get_columns(dataset_name, inspector, schema, table)
        _, comments = self._ddl_comments(inspector, schema, table)
        return [{**c, "comment": c.get("comment") or comments.get(c["name"])} for c in columns]

    def get_table_properties(
        self, inspector: Inspector, schema: str, table: str
    ) -> tuple[str | None, dict[str, str], str | None]:
        description, properties, location = super().get_table_properties(inspector, schema, table)
        if not description:
            description = self._ddl_comments(inspector, schema, table)[0]
        return description, properties, location

    def get_db_schema(self, dataset_identifier: str) -> tuple[str | None, str]:
        parts = dataset_identifier.split(".")
        if len(parts) == 2:  # schema.view: SQLite has no database level
            return None, parts[0]
        return super().get_db_schema(dataset_identifier)

    def make_data_reader(self, inspector: Inspector) -> DataReader | None:
        if self.config.sample_values:
            return SqlAlchemyTableDataReader.create(inspector)
        return super().make_data_reader(inspector)

    def _classify(
        self,
        dataset_name: str,
        schema: str,
        table: str,
        data_reader: Any,
        schema_metadata: SchemaMetadataClass,
    ) -> None:
        if not (self.config.sample_values and data_reader):
            return
        from cdw_datahub.classify import detect_values

        # Detectors look for text patterns and birth dates: numbers and flags cannot match, so
        # they are not read at all.
        columns = [
            f.fieldPath
            for f in schema_metadata.fields
            if not _NOT_SAMPLED.search(f.nativeDataType or "")
        ]
        if not columns:
            return
        try:
            sample = _sample(
                data_reader.connection, schema, table, columns, self.config.sample_size
            )
        except Exception as e:  # a table we cannot read: classify by name only, say so
            self.report.warning(
                message="Could not sample values; classifying by name only",
                context=dataset_name,
                exc=e,
            )
            return
        hits = {column: detect_values(values) for column, values in sample.items()}
        del sample  # values stay inside this frame
        evidence.attach(schema_metadata, hits)
