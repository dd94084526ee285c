"""Preview a database's classification before it is catalogued (a security officer's check).

The same source and transformers as ingestion, through the real DataHub pipeline, into an
in-memory sink (`sinks/memory.py`) that the catalog reader reads: the rows are exactly what
`bucp export` would show after ingestion. Nothing is written anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdw_datahub.bucp.export import ExportReport, export_rows, load_facts
from cdw_datahub.bucp.model import FieldRow
from cdw_datahub.catalog import Catalog
from cdw_datahub.catalog.backends import MemoryBackend
from cdw_datahub.errors import InputError
from cdw_datahub.ingest import IngestResult, run_pipeline

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


# SQLAlchemy backend -> (cdw source, the cdw-datahub extra that installs its driver, that driver:
# used when the URL names none, since SQLAlchemy's own default may be one we do not install)
DIALECTS: dict[str, tuple[str, str, str]] = {
    "postgresql": ("cdw-postgres", "postgres", "psycopg2"),
    "mysql": ("cdw-mysql", "mysql", "pymysql"),
    "mariadb": ("cdw-mysql", "mysql", "pymysql"),
    "mssql": ("cdw-mssql", "mssql", "pytds"),
    "oracle": ("cdw-oracle", "oracle", "oracledb"),
}
# drivers with an extra of their own
DRIVER_EXTRAS = {("mssql", "pyodbc"): "mssql-odbc"}

# Schemas (databases on MySQL) no scan ever reads: the server's own catalogs, never program data.
SYSTEM_SCHEMAS: dict[str, tuple[str, ...]] = {
    "postgresql": (
        "information_schema",
        "pg_catalog",
        "pg_toast",
        r"pg_temp_\d+",
        r"pg_toast_temp_\d+",
    ),
    "mysql": ("information_schema", "performance_schema", "mysql", "sys"),
    "mssql": ("information_schema", "sys", "guest", r"db_\w+"),
    "oracle": (
        "sys",
        "system",
        "outln",
        "dbsnmp",
        "appqossys",
        "audsys",
        "ctxsys",
        "dvsys",
        "dvf",
        "gsmadmin_internal",
        "lbacsys",
        "mdsys",
        "ojvmsys",
        "olapsys",
        "orddata",
        "ordsys",
        "ordplugins",
        "si_informtn_schema",
        "wmsys",
        "xdb",
        "dbsfwuser",
        "ggsys",
        "anonymous",
        "remote_scheduler_agent",
        "gsmcatuser",
        "gsmuser",
        "sysbackup",
        "sysdg",
        "syskm",
        "sysrac",
        r"sys\$umf",
        r"xs\$null",
        "mddata",
        r"apex_\d+",
        "flows_files",
    ),
}
SYSTEM_SCHEMAS["mariadb"] = SYSTEM_SCHEMAS["mysql"]


def _full(patterns: Iterable[str]) -> list[str]:
    """Regexes that must match a whole name (DataHub's patterns are anchored at the start only)."""
    return [f"^(?:{p})$" for p in patterns]


def _parse(url: str) -> URL:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except (ArgumentError, ValueError) as e:  # ValueError: a port that is not a number
        raise InputError(
            f"'{url}' is not a SQLAlchemy database URL; write e.g. sqlite:///w2w.db or "
            "postgresql://user@host:5432/db",
            key="SQLALCHEMY_URL",
        ) from e


def _require_driver(parsed: URL, shown: str) -> None:
    """Exit 2 naming the extra to install when the URL's driver is not installed."""
    from sqlalchemy.exc import NoSuchModuleError

    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    _, extra, ours = DIALECTS[backend]
    extra = DRIVER_EXTRAS.get((backend, driver), extra)
    try:
        parsed.get_dialect().import_dbapi()
    except (ImportError, NoSuchModuleError) as e:
        hint = f"pip install 'cdw-datahub[{extra}]'"
        if driver != ours and (backend, driver) not in DRIVER_EXTRAS:
            hint += f" and write {backend}+{ours}://..."
        raise InputError(
            f"the {parsed.drivername} driver is not installed ({e}); {hint}", shown
        ) from e


def connect_args(parsed: URL) -> dict[str, Any]:
    """The DBAPI keyword arguments the URL's query string means (TLS mode and certificates,
    application name, charset...), exactly as the dialect itself would pass them."""
    dialect = parsed.get_dialect()()
    _, with_query = dialect.create_connect_args(parsed)
    _, without = dialect.create_connect_args(parsed.set(query={}))
    return {k: v for k, v in with_query.items() if k not in without or without[k] != v}


def _scope(
    backend: str, schemas: Sequence[str], tables: Sequence[str], default_schema: str | None
) -> dict[str, Any]:
    """schema/table patterns: the user's, minus the system schemas."""
    deny = _full(SYSTEM_SCHEMAS.get(backend, ()))
    allow = (
        _full(schemas)
        if schemas
        else _full([re.escape(default_schema)] if default_schema else [".*"])
    )
    key = "database_pattern" if backend in ("mysql", "mariadb") else "schema_pattern"
    scope: dict[str, Any] = {key: {"allow": allow, "deny": deny}}
    if tables:  # DataHub matches table patterns against the dotted full name
        scope["table_pattern"] = {"allow": [rf"^(?:.*\.)?(?:{t})$" for t in tables]}
    return scope


def _mysql_connection(parsed: URL) -> dict[str, Any]:
    # The stock source rebuilds the URL from its parts for each database (the password
    # unescaped by hand when given as sqlalchemy_uri), so the parts go separately and the
    # query string travels as connect_args.
    config: dict[str, Any] = {
        "scheme": parsed.drivername,
        "host_port": f"{parsed.host or 'localhost'}:{parsed.port or 3306}",
        "username": parsed.username,
        "database": parsed.database,
        "options": {"connect_args": connect_args(parsed)},
    }
    if parsed.password:
        config["password"] = parsed.password
    return config


def source_config(
    url: str, schemas: Sequence[str] = (), tables: Sequence[str] = ()
) -> tuple[dict[str, Any], str]:
    """The recipe `source:` block for a SQLAlchemy URL, and the URL as it may be shown.

    The dedicated cdw source per dialect (the stock DataHub one plus sampling), scoped to the
    URL's database and to `schemas`/`tables` (regexes matching whole names); system schemas
    are always denied; every query parameter of the URL reaches the driver.
    """
    parsed = _parse(url)
    shown = parsed.render_as_string(hide_password=True)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        config: dict[str, Any] = {"connect_uri": url, "sample_values": True, "include_views": True}
        if tables:
            config["table_pattern"] = {"allow": [rf"^(?:.*\.)?(?:{t})$" for t in tables]}
        return {"type": "cdw-sqlite", "config": config}, shown
    if backend not in DIALECTS:
        return {
            "type": "sqlalchemy",
            "config": {"connect_uri": url, "platform": backend, "include_views": True},
        }, shown
    source, _, driver = DIALECTS[backend]
    if "+" not in parsed.drivername:
        parsed = parsed.set(drivername=f"{backend}+{driver}")
    _require_driver(parsed, shown)
    if backend in ("mysql", "mariadb"):
        config = _mysql_connection(parsed)
    else:
        # These stock sources hand sqlalchemy_uri to create_engine as it is: query intact.
        config = {
            "sqlalchemy_uri": parsed.render_as_string(hide_password=False),
            "host_port": f"{parsed.host or 'localhost'}:{parsed.port or ''}".rstrip(":"),
        }
    # On Oracle a user is a schema: without --schema, the login's own
    default = parsed.username if backend == "oracle" else None
    config.update(_scope(backend, schemas, tables, default))
    config.update({"include_views": True, "sample_values": True})
    if backend == "mssql":  # jobs and procedures are not fields: not what a scan previews
        config.update({"include_jobs": False, "include_stored_procedures": False})
    return {"type": source, "config": config}, shown


def scan(
    url: str,
    program: str | None,
    glossary_dir: Path,
    policies_dir: Path,
    report: ExportReport | None = None,
    schemas: Sequence[str] = (),
    tables: Sequence[str] = (),
) -> tuple[list[FieldRow], IngestResult]:
    """One row per field, with the keys of the BUCP export (`ROW_KEYS`), and what DataHub's
    source reported (warnings; tables and views it skipped)."""
    from cdw_datahub.sinks.memory import collecting  # imports DataHub: only when scanning

    source, shown = source_config(url, schemas, tables)
    describe = {
        "program": program,
        "glossary_dir": str(glossary_dir),
        "policies_dir": str(policies_dir),
    }
    with collecting() as collected:
        result = run_pipeline(
            {
                "pipeline_name": "cdw-scan",
                "source": source,
                "transformers": [{"type": "cdw_describe", "config": describe}],
                "sink": collected.sink_config(),
            },
            shown,
            tolerate_skips=True,
        )
    with Catalog(MemoryBackend(collected.entities, f"scan:{shown}")) as catalog:
        facts = load_facts(catalog, glossary_dir, policies_dir)
        rows = export_rows(((d, d.fields) for d in catalog.datasets()), facts, report)
    return rows, result
