"""Every plugin resolves by its short name through DataHub's own registries."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

SOURCES = ["cdw-sqlite", "cdw-postgres", "cdw-mysql", "cdw-mssql", "cdw-oracle"]
TRANSFORMERS = ["cdw_describe"]


def test_entry_points_are_declared() -> None:
    declared = {ep.name for ep in entry_points(group="datahub.ingestion.source.plugins")}
    assert set(SOURCES) <= declared
    declared = {ep.name for ep in entry_points(group="datahub.ingestion.transformer.plugins")}
    assert set(TRANSFORMERS) <= declared


@pytest.mark.parametrize("name", SOURCES)
def test_source_resolves_through_datahub_registry(name: str) -> None:
    from datahub.ingestion.source.source_registry import source_registry

    from cdw_datahub.sources import dialects
    from cdw_datahub.sources.sqlite import CdwSQLiteSource

    expected = {
        "cdw-sqlite": CdwSQLiteSource,
        "cdw-postgres": dialects.CdwPostgresSource,
        "cdw-mysql": dialects.CdwMySQLSource,
        "cdw-mssql": dialects.CdwSQLServerSource,
        "cdw-oracle": dialects.CdwOracleSource,
    }
    assert source_registry.get(name) is expected[name]


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_transformer_resolves_through_datahub_registry(name: str) -> None:
    from datahub.ingestion.transformer.transform_registry import transform_registry

    from cdw_datahub.transformers.describe import CdwDescribeTransformer

    assert transform_registry.get(name) is CdwDescribeTransformer


def test_datahub_check_plugins_lists_ours() -> None:
    datahub = Path(sys.executable).with_name("datahub")
    result = subprocess.run(
        [str(datahub), "check", "plugins", "--verbose"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for name in SOURCES + TRANSFORMERS:
        line = next(
            (ln for ln in result.stdout.splitlines() if ln.split() and ln.split()[0] == name), ""
        )
        assert line, f"{name} not listed"
        assert "disabled" not in line.lower(), line
