"""Shared fixtures: the PostgreSQL server, and one real demo catalog per test session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# DataHub's golden-file flags (--update-golden-files) for check_golden_file.
pytest_plugins = ["datahub.testing.pytest_hooks"]

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get(
    "CDW_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


def _postgres_reachable(url: str) -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as e:  # any driver error means "not reachable" here
        return str(e).splitlines()[0]


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of the real PostgreSQL server. Skips when unreachable, unless CI requires it."""
    problem = _postgres_reachable(PG_ADMIN_URL)
    if problem:
        message = f"PostgreSQL not reachable at 127.0.0.1:5432 ({problem})"
        if os.environ.get("CDW_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + "; CDW_REQUIRE_POSTGRES=1 makes this a failure")
        pytest.skip(message)
    return PG_ADMIN_URL


@pytest.fixture
def pg_schema(pg_url: str) -> Iterator[str]:
    """A unique, empty schema on the real server, dropped afterwards."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    yield name
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


@pytest.fixture
def sample_department(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample department's glossary/ and policies/ as the configured folders, for a test that
    runs commands from a folder of its own (no command falls back to them by itself)."""
    monkeypatch.setenv("CDW_GLOSSARY_DIR", str(REPO / "glossary"))
    monkeypatch.setenv("CDW_POLICIES_DIR", str(REPO / "policies"))


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`cdw-datahub demo` run once, for real, into a session folder. Treat it as read-only."""
    from click.testing import CliRunner

    from cdw_datahub.cli import main

    workdir = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--workdir", str(workdir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # what a person saw (stdout and stderr, interleaved), for the tests that read it
    (workdir / "demo-output.log").write_text(result.output)
    return workdir


@pytest.fixture(scope="session")
def demo_catalog(demo_dir: Path) -> str:
    return f"lite:{demo_dir / 'datahub-lite.db'}"
