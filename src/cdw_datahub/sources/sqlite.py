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
  detectors (`sources/mixins.py`, shared with the other cdw sources). No value is emitted anywhere.

Like every cdw SQL source, it answers DataHub's aspect-size check with a bound first
(`sources/aspect_size.py`): the same output, without serializing every schema to learn it fits.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from datahub.ingestion.api.common import PipelineContext
from datahub.ingestion.api.decorators import (
    SupportStatus,
    config_class,
    platform_name,
    support_status,
)
from datahub.ingestion.source.sql.sql_generic import (
    SQLAlchemyGenericConfig,
    SQLAlchemyGenericSource,
)
from datahub.metadata.schema_classes import ForeignKeyConstraintClass
from pydantic import Field, field_validator
from sqlalchemy import Engine, text
from sqlalchemy.engine.reflection import Inspector

from cdw_datahub.sources.aspect_size import BoundedAspectSizeMixin
from cdw_datahub.sources.mixins import NativeTypesMixin, ReflectionEvictionMixin, SamplingMixin
from cdw_datahub.sources.sampling import SamplingConfig

logger = logging.getLogger(__name__)


class CdwSQLiteConfig(SamplingConfig, SQLAlchemyGenericConfig):
    platform: str = Field(default="sqlite", description="Platform name used in dataset URNs.")

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


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@platform_name("SQLite (cdw)", id="sqlite")
@config_class(CdwSQLiteConfig)
@support_status(SupportStatus.BETA)
class CdwSQLiteSource(
    BoundedAspectSizeMixin,
    ReflectionEvictionMixin,
    SamplingMixin,
    NativeTypesMixin,
    SQLAlchemyGenericSource,
):
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
    ) -> list[dict]:
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
