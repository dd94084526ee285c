"""The two things every cdw source adds to its stock DataHub SQL source, as overrides.

- `SamplingMixin`: with `sample_values`, the stock classification hook reads a bounded sample of
  each table (`sources/sampling.py`) and hands the detector ids over on the dataset's schema
  object (`sources/evidence.py`).
- `NativeTypesMixin`: the native type each column really has, where the stock sources report
  something else: a PostgreSQL domain as its base type (`VARCHAR(120) DOMAIN public."Name"`),
  an enum as `ENUM <name>`, a type the dialect does not know (MySQL `GEOMETRY`, Oracle
  `SDO_GEOMETRY`, which the stock sources report as `BLOB`; SQL Server `geography`, which
  SQLAlchemy reflects as an unnamed NullType) by its own name, and a view column computed by an
  expression by the type DataHub's SQL parser infers for it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from datahub.ingestion.source.common.data_reader import DataReader
from datahub.ingestion.source.sql.sql_common import _CustomSQLAlchemyDummyType
from datahub.ingestion.source.sql.sqlalchemy_data_reader import SqlAlchemyTableDataReader
from datahub.metadata.schema_classes import SchemaFieldClass, SchemaMetadataClass
from sqlalchemy import Engine, text
from sqlalchemy.engine.reflection import Inspector
from sqlalchemy.types import NullType

from cdw_datahub.sources import evidence
from cdw_datahub.sources.sampling import sample_columns, sampled_columns

logger = logging.getLogger(__name__)


class SamplingMixin:
    """Mixed in before a `SQLAlchemySource` whose config has the `SamplingConfig` fields."""

    config: Any
    report: Any
    platform: str

    def make_data_reader(self, inspector: Inspector) -> DataReader | None:
        if self.config.sample_values:
            return SqlAlchemyTableDataReader.create(inspector)
        return super().make_data_reader(inspector)  # type: ignore[misc]

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

        columns = sampled_columns({f.fieldPath: f.nativeDataType for f in schema_metadata.fields})
        if not columns:
            return
        try:
            sample = sample_columns(
                data_reader.connection,
                schema,
                table,
                columns,
                self.config.sample_size,
                self.config.sample_timeout_s,
            )
        except Exception as e:  # a table we cannot read in time: classify by name only, say so
            self.report.warning(
                message="Could not sample values; classifying by name only",
                context=dataset_name,
                exc=e,
            )
            return
        hits = {column: detect_values(values) for column, values in sample.items()}
        del sample  # values stay inside this frame
        evidence.attach(schema_metadata, hits)


# Returns a class or (); typed Any because a `type` return would narrow isinstance to object.
def _loaded(module: str, name: str) -> Any:
    """`module.name` if something imported the module already, else () (no instance of it can
    exist, and `isinstance(x, ())` is False). Importing GeoAlchemy alone costs as much as
    reflecting a few dozen tables, and it registers spatial types with SQLAlchemy's dialects, so
    importing it here would change how every later table is reflected. The cdw sources of
    PostgreSQL, MySQL, SQL Server and Oracle load it (with DataHub's PostgreSQL source) before
    any reflection; cdw-sqlite does not, as the stock `sqlalchemy` source does not."""
    found = sys.modules.get(module)
    return getattr(found, name) if found is not None else ()


def true_native_type(column_type: Any, dialect: Any) -> tuple[str, Any] | None:
    """(native type to report, SQLAlchemy type DataHub should map) where the stock report is
    wrong; None where it is right."""
    postgres = "sqlalchemy.dialects.postgresql.named_types"
    row_version = _loaded("sqlalchemy.dialects.mssql.base", "TIMESTAMP")
    domain, enum = _loaded(postgres, "DOMAIN"), _loaded(postgres, "ENUM")
    spatial = _loaded("geoalchemy2.types", "_GISType")

    if isinstance(column_type, row_version):  # a row version (binary), not a point in time
        return "ROWVERSION", column_type
    if isinstance(column_type, domain):
        base = column_type.data_type
        shown = true_native_type(base, dialect)
        compiled = shown[0] if shown else base.compile(dialect=dialect)
        compiled = compiled.replace(' COLLATE "default"', "")  # the database's default: noise
        return f"{compiled} DOMAIN {column_type.compile(dialect=dialect)}", base
    if isinstance(column_type, spatial) and dialect.name != "postgresql":
        # GeoAlchemy compiles every MySQL spatial column as "GEOMETRY NOT NULL"
        return str(column_type.geometry_type or column_type.name).upper(), column_type
    if isinstance(column_type, enum):
        return f"ENUM {column_type.compile(dialect=dialect)}", column_type
    if isinstance(column_type, _CustomSQLAlchemyDummyType):
        return type(column_type).__name__, column_type
    return None


# dialect -> the catalog query naming each column's declared type, for columns SQLAlchemy does
# not recognise (it reflects them as NullType and forgets the name: SQL Server `geography`, ...)
CATALOG_TYPES: dict[str, str] = {
    "postgresql": "SELECT column_name, udt_name FROM information_schema.columns "
    "WHERE table_schema = :schema AND table_name = :table",
    "mysql": "SELECT column_name, column_type FROM information_schema.columns "
    "WHERE table_schema = :schema AND table_name = :table",
    "mssql": "SELECT column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = :schema AND table_name = :table",
    "oracle": "SELECT column_name, data_type FROM all_tab_columns "
    "WHERE owner = :schema AND table_name = :table",
}
CATALOG_TYPES["mariadb"] = CATALOG_TYPES["mysql"]


def catalog_types(inspector: Inspector, schema: str, table: str) -> dict[str, str]:
    """{column: declared type name} from the database's own catalog; {} where it has none."""
    query = CATALOG_TYPES.get(inspector.dialect.name)
    if query is None:
        return {}
    if inspector.dialect.name == "oracle":  # the dictionary keeps unquoted names upper-case
        schema, table = (inspector.dialect.denormalize_name(n) for n in (schema, table))
    bind = inspector.bind
    params = {"schema": schema, "table": table}
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            rows = conn.execute(text(query), params).all()
    else:
        rows = bind.execute(text(query), params).all()
    return {inspector.dialect.normalize_name(str(c)) or str(c): str(t) for c, t in rows}


class NativeTypesMixin:
    """Mixed in before a `SQLAlchemySource`."""

    def _get_columns(
        self, dataset_name: str, inspector: Inspector, schema: str, table: str
    ) -> list[dict]:
        reflected = super()._get_columns(dataset_name, inspector, schema, table)  # type: ignore[misc]
        columns = [dict(c) for c in reflected]
        if not any(isinstance(c["type"], NullType) for c in columns):
            return columns
        try:
            declared = catalog_types(inspector, schema, table)
        except Exception as e:  # the type name is a nicety; never lose the table over it
            logger.debug("no catalog types for %s: %s", dataset_name, e)
            return columns
        return [
            {**c, "full_type": declared[c["name"]].upper()}
            if isinstance(c["type"], NullType) and declared.get(c["name"])
            else c
            for c in columns
        ]

    def get_schema_fields(
        self,
        dataset_name: str,
        columns: Sequence[Mapping[str, Any]],
        inspector: Inspector,
        *args: Any,
        **kwargs: Any,
    ) -> list[SchemaFieldClass]:
        fields = super().get_schema_fields(  # type: ignore[misc]
            dataset_name, columns, inspector, *args, **kwargs
        )
        untyped = [f for f in fields if (f.nativeDataType or "null").lower() == "null"]
        if untyped:
            try:
                self._type_view_expressions(dataset_name, inspector, untyped)
            except Exception as e:  # a view we cannot parse keeps its unknown types, reported
                logger.debug("cannot type the expressions of %s: %s", dataset_name, e)
        return fields

    def _type_view_expressions(
        self, dataset_name: str, inspector: Inspector, fields: list[SchemaFieldClass]
    ) -> None:
        """A view column computed by an expression (SQLite reports no type for `SUM(x)`): the
        type DataHub's SQL parser infers from the view's definition and the tables' schemas."""
        # Uncached: the cached parser would hand this early result (made before the view's own
        # schema is registered, so with lower confidence) to the view-lineage step later.
        from datahub.sql_parsing.sqlglot_lineage import _sqlglot_lineage_nocache

        qualifier, _, view = dataset_name.rpartition(".")
        database, _, schema = qualifier.rpartition(".")
        definition = self._get_view_definition(inspector, schema, view)  # type: ignore[attr-defined]
        if not definition:
            return
        result = _sqlglot_lineage_nocache(
            definition,
            schema_resolver=self.get_schema_resolver(),  # type: ignore[attr-defined]
            default_db=database or None,
            default_schema=schema,
        )
        inferred = {c.downstream.column.lower(): c.downstream for c in result.column_lineage or []}
        for f in fields:
            found = inferred.get(f.fieldPath.lower())
            if found is not None and found.native_column_type:
                f.nativeDataType = found.native_column_type
                if found.column_type is not None:
                    f.type = found.column_type

    def get_schema_fields_for_column(
        self,
        dataset_name: str,
        column: Mapping[str, Any],
        inspector: Inspector,
        *args: Any,
        **kwargs: Any,
    ) -> list[SchemaFieldClass]:
        fixed = true_native_type(column["type"], inspector.dialect)
        if fixed is not None and column.get("full_type") is None:
            column = {**column, "full_type": fixed[0], "type": fixed[1]}
        return super().get_schema_fields_for_column(  # type: ignore[misc]
            dataset_name, column, inspector, *args, **kwargs
        )


class ReflectionEvictionMixin:
    """Reflection kept per table, not per run.

    SQLAlchemy's `Inspector` caches every reflection call (columns with their type objects,
    keys, indexes, comments) for its lifetime, which in DataHub's SQL sources is the whole
    schema. Once a table is processed, the entries keyed by its name are dropped; entries of
    the schema as a whole (table names, a dialect's type lists) stay, so no query runs twice.
    Views keep theirs: DataHub reads them again after the view's own pass, for its column
    lineage (evicting them lost a MariaDB view's lineage: tests/test_mysql_ingest.py)."""

    def _process_table(
        self, dataset_name: str, inspector: Inspector, schema: str, table: str, *args: Any
    ) -> Iterable[Any]:
        yield from super()._process_table(  # type: ignore[misc]
            dataset_name, inspector, schema, table, *args
        )
        _evict(inspector, table)


def _evict(inspector: Inspector, name: str) -> None:
    cache = inspector.info_cache
    for key in [k for k in cache if isinstance(k, tuple) and len(k) > 1 and name in k[1]]:
        del cache[key]
