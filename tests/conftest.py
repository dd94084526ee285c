"""Shared fixtures: the PostgreSQL and MariaDB servers, and one real demo catalog per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# DataHub's golden-file flags (--update-golden-files) for check_golden_file.
pytest_plugins = ["datahub.testing.pytest_hooks"]

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _gms_config_forgotten() -> Iterator[None]:
    """DataHub's rest sink records the server's config process-wide (`server_config_util`), and
    later pipelines in the process then write `status` as a PATCH even into a file sink: every
    test starts and ends with what a fresh process has."""
    from datahub.utilities import server_config_util

    saved = dict(server_config_util.global_debug)
    yield
    server_config_util.global_debug.clear()
    server_config_util.global_debug.update(saved)


PG_ADMIN_URL = os.environ.get(
    "CDW_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


def server_problem(url: str) -> str | None:
    """Why the database server at `url` cannot be used (None: it answers a query)."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as e:  # any driver error means "not reachable" here
        return str(e).splitlines()[0]


def require_server(problem: str | None, message: str, required_by: str) -> None:
    """Skip when the server is unusable, or fail when CI requires it (`required_by`=1)."""
    if problem:
        message = f"{message} ({problem})"
        if os.environ.get(required_by) == "1":
            pytest.fail(f"{message}; {required_by}=1 makes this a failure")
        pytest.skip(message)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of the real PostgreSQL server. Skips when unreachable, unless CI requires it."""
    problem = server_problem(PG_ADMIN_URL)
    require_server(problem, "PostgreSQL not reachable at 127.0.0.1:5432", "CDW_REQUIRE_POSTGRES")
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


MYSQL_ADMIN_URL = os.environ.get("CDW_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/")


@pytest.fixture(scope="session")
def mysql_url() -> str:
    """URL (no database) of the real MariaDB/MySQL server. Skips when unreachable or when the
    driver is missing, unless CI requires it (CDW_REQUIRE_MYSQL=1)."""
    try:
        import pymysql  # noqa: F401
    except ImportError as e:
        problem: str | None = f"driver missing ({e}); pip install -e '.[mysql]'"
    else:
        problem = server_problem(MYSQL_ADMIN_URL)
    require_server(problem, "MariaDB/MySQL not usable at 127.0.0.1:3306", "CDW_REQUIRE_MYSQL")
    return MYSQL_ADMIN_URL


@pytest.fixture
def mysql_database(mysql_url: str) -> Iterator[str]:
    """A unique, empty database on the real MariaDB server, dropped afterwards."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(mysql_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    yield name
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    engine.dispose()


def run_sql_file(url: str, path: Path) -> None:
    """Run a fixture's DDL (statements separated by `;` at line ends) on the real server."""
    import sqlalchemy as sa

    text = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("--"))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in text.split(";\n"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    engine.dispose()


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


def assert_dictionary_definitions_harvested(harvested: dict[tuple[str, str], str | None]) -> None:
    """Every W2W dictionary definition of a database table, read back (table, column) ->
    description after `ddl comments` loaded them into a server and ingestion harvested them."""
    from cdw_datahub.policy import load_policy

    policy = load_policy(REPO / "glossary", REPO / "policies")
    expected = {
        (table, column): " ".join(fact.definition.split())
        for table, entry in policy.datasets("w2w").items()
        if entry.kind == "table"  # the demo's CSV extract is not in the database
        for column, fact in entry.fields.items()
        if fact.definition
    }
    assert len(expected) > 60
    assert {k: " ".join((harvested[k] or "").split()) for k in expected} == expected
