"""Preview a database's classification before it is catalogued (a security officer's check).

The same source and transformers as ingestion, through the real DataHub pipeline, into a
throw-away file sink that is read back with the catalog reader: the rows are exactly what
`bucp export` would show after ingestion. Nothing is written anywhere else.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from cdw_datahub.bucp.export import ExportReport, export_rows, load_facts
from cdw_datahub.catalog import Catalog
from cdw_datahub.catalog.backends import FileBackend
from cdw_datahub.errors import InputError
from cdw_datahub.ingest import run_pipeline


def source_config(url: str) -> tuple[dict[str, Any], str]:
    """The recipe `source:` block for a SQLAlchemy URL, and the URL as it may be shown."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as e:  # ValueError: a port that is not a number
        raise InputError(
            f"'{url}' is not a SQLAlchemy database URL; write e.g. sqlite:///w2w.db or "
            "postgresql://user@host:5432/db",
            key="SQLALCHEMY_URL",
        ) from e
    shown = parsed.render_as_string(hide_password=True)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return {
            "type": "cdw-sqlite",
            "config": {"connect_uri": url, "sample_values": True, "include_views": True},
        }, shown
    if backend == "postgresql":
        config: dict[str, Any] = {
            "host_port": f"{parsed.host or 'localhost'}:{parsed.port or 5432}",
            "database": parsed.database,
            "username": parsed.username,
            "include_views": True,
        }
        if parsed.password:
            config["password"] = parsed.password
        return {"type": "postgres", "config": config}, shown
    return {
        "type": "sqlalchemy",
        "config": {"connect_uri": url, "platform": backend, "include_views": True},
    }, shown


def scan(
    url: str,
    program: str | None,
    glossary_dir: Path,
    policies_dir: Path,
    report: ExportReport | None = None,
) -> list[dict[str, Any]]:
    """One row per field, with the keys of the BUCP export (DESIGN.md)."""
    source, shown = source_config(url)
    describe = {
        "program": program,
        "glossary_dir": str(glossary_dir),
        "policies_dir": str(policies_dir),
    }
    with tempfile.TemporaryDirectory(prefix="cdw-scan-") as tmp:
        out = Path(tmp) / "scan.json"
        run_pipeline(
            {
                "pipeline_name": "cdw-scan",
                "source": source,
                "transformers": [{"type": "cdw_describe", "config": describe}],
                "sink": {"type": "file", "config": {"filename": str(out)}},
            },
            shown,
        )
        with Catalog(FileBackend(out)) as catalog:
            facts = load_facts(catalog, glossary_dir, policies_dir)
            return export_rows(((d, d.fields) for d in catalog.datasets()), facts, report)
