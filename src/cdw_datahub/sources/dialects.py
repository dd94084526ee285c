"""`cdw-postgres`, `cdw-mysql`, `cdw-mssql`, `cdw-oracle`: DataHub's dedicated source per dialect,
plus value sampling and true native types (`sources/mixins.py`), and DataHub's aspect-size
check answered by a bound first (`sources/aspect_size.py`). Nothing else differs: each
config is the stock one with the `SamplingConfig` fields, so every stock option (patterns,
`options.connect_args`, `sqlalchemy_uri`, TLS, ...) works as documented by DataHub.
"""

from __future__ import annotations

from datahub.ingestion.api.common import PipelineContext
from datahub.ingestion.api.decorators import (
    SupportStatus,
    config_class,
    platform_name,
    support_status,
)
from datahub.ingestion.source.sql.mssql.source import SQLServerConfig, SQLServerSource
from datahub.ingestion.source.sql.mysql import MySQLConfig, MySQLSource
from datahub.ingestion.source.sql.oracle import OracleConfig, OracleSource
from datahub.ingestion.source.sql.postgres.source import PostgresConfig, PostgresSource
from sqlalchemy.engine import make_url

from cdw_datahub.sources.aspect_size import BoundedAspectSizeMixin
from cdw_datahub.sources.mixins import NativeTypesMixin, ReflectionEvictionMixin, SamplingMixin
from cdw_datahub.sources.sampling import SamplingConfig


class CdwPostgresConfig(SamplingConfig, PostgresConfig):
    pass


class CdwMySQLConfig(SamplingConfig, MySQLConfig):
    pass


class CdwSQLServerConfig(SamplingConfig, SQLServerConfig):
    pass


class CdwOracleConfig(SamplingConfig, OracleConfig):
    pass


@platform_name("PostgreSQL (cdw)", id="postgres")
@config_class(CdwPostgresConfig)
@support_status(SupportStatus.BETA)
class CdwPostgresSource(
    BoundedAspectSizeMixin, ReflectionEvictionMixin, SamplingMixin, NativeTypesMixin, PostgresSource
):
    config: CdwPostgresConfig

    @classmethod
    def create(cls, config_dict: dict, ctx: PipelineContext) -> CdwPostgresSource:
        return cls(CdwPostgresConfig.model_validate(config_dict), ctx)


@platform_name("MySQL / MariaDB (cdw)", id="mysql")
@config_class(CdwMySQLConfig)
@support_status(SupportStatus.BETA)
class CdwMySQLSource(
    BoundedAspectSizeMixin, ReflectionEvictionMixin, SamplingMixin, NativeTypesMixin, MySQLSource
):
    config: CdwMySQLConfig

    @classmethod
    def create(cls, config_dict: dict, ctx: PipelineContext) -> CdwMySQLSource:
        return cls(CdwMySQLConfig.model_validate(config_dict), ctx)


@platform_name("SQL Server (cdw)", id="mssql")
@config_class(CdwSQLServerConfig)
@support_status(SupportStatus.BETA)
class CdwSQLServerSource(
    BoundedAspectSizeMixin,
    ReflectionEvictionMixin,
    SamplingMixin,
    NativeTypesMixin,
    SQLServerSource,
):
    config: CdwSQLServerConfig

    @classmethod
    def create(cls, config_dict: dict, ctx: PipelineContext) -> CdwSQLServerSource:
        # The stock source tells ODBC from pytds by its registered name (`mssql-odbc`); here
        # the URL's driver says it.
        uri = config_dict.get("sqlalchemy_uri")
        odbc = bool(uri) and make_url(str(uri)).get_driver_name() == "pyodbc"
        config = CdwSQLServerConfig.model_validate(config_dict, context={"is_odbc": odbc})
        return cls(config, ctx)


@platform_name("Oracle (cdw)", id="oracle")
@config_class(CdwOracleConfig)
@support_status(SupportStatus.BETA)
class CdwOracleSource(
    BoundedAspectSizeMixin, ReflectionEvictionMixin, SamplingMixin, NativeTypesMixin, OracleSource
):
    config: CdwOracleConfig

    @classmethod
    def create(cls, config_dict: dict, ctx: PipelineContext) -> CdwOracleSource:
        return cls(CdwOracleConfig.model_validate(config_dict), ctx)
