"""Every shell block of README.md runs as written, as a newcomer would run it: on a fresh copy
of the repository, in README order, in one terminal (so `. .venv/bin/activate` and `export`
carry over), each block starting in the repository folder.

How README blocks are marked (the fence's info string):
- ```sh           runs here;
- ```sh postgres  runs when the PostgreSQL server answers (as the postgres tests; with
                  CDW_REQUIRE_POSTGRES=1 a missing server fails), on a throw-away database
                  passed as CDW_PG_DATABASE, which the block reads like the recipes do;
- ```sh server    needs a DataHub server or a secret: not run.
Lines running `make test`, `make lint` or `make bench*` are not run here: CI runs those itself
(and `make test` would run this test again).

The copy shares the Makefile's `.venv` (a symlink), so `make demo` runs the real Makefile
without reinstalling; HOME is a temp folder, so nothing touches the real home.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
VENV = REPO / ".venv"
STAMP = VENV / ".cdw-installed"
FENCE = re.compile(r"^```sh(?P<tags>[^\n]*)\n(?P<body>.*?)^```\s*$", re.M | re.S)
CI_TARGETS = re.compile(r"^\s*make\s+(test|lint|bench|bench-full)\b")
MARKER = "@@readme-block"


@dataclass(frozen=True)
class Block:
    line: int  # README line of the opening fence
    tags: frozenset[str]
    body: str


def readme_blocks(text: str) -> list[Block]:
    return [
        Block(text[: m.start()].count("\n") + 1, frozenset(m["tags"].split()), m["body"])
        for m in FENCE.finditer(text)
    ]


def runnable(body: str) -> str:
    return "\n".join(
        f"# not run here, CI runs it: {line.strip()}" if CI_TARGETS.match(line) else line
        for line in body.splitlines()
    )


def test_readme_blocks_are_found_and_marked() -> None:
    blocks = readme_blocks(README.read_text())
    assert len(blocks) >= 5
    for block in blocks:
        assert block.tags <= {"postgres", "server"}, f"README.md:{block.line}: unknown tags"
        if "server" not in block.tags:
            assert "DATAHUB_GMS" not in block.body, f"README.md:{block.line}: mark it `sh server`"
    assert any("make demo" in b.body for b in blocks)


def _copy_repo(dest: Path) -> None:
    """The files a clone has (tracked, plus new ones not ignored), with their mtimes."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / ".venv").symlink_to(VENV)
    # make must see the shared .venv as up to date: a reinstall from the copy would point the
    # editable install at a folder about to be deleted
    stamp = STAMP.stat().st_mtime
    os.utime(dest / "pyproject.toml", (stamp - 10, stamp - 10))
    dry = subprocess.run(["make", "-n", "demo"], cwd=dest, capture_output=True, text=True)
    assert "pip install" not in dry.stdout, dry.stdout


def _fresh_terminal(home: Path) -> dict[str, str]:
    """The environment of a new terminal: no venv on PATH, no telemetry, a temp HOME."""
    bins = {str(VENV / "bin"), str(VENV.resolve() / "bin")}
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p not in bins]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CDW_", "VIRTUAL_ENV"))}
    env.update(
        PATH=os.pathsep.join(path),
        HOME=str(home),
        DATAHUB_TELEMETRY_ENABLED="false",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@pytest.fixture
def pg_database() -> Iterator[str | None]:
    """A throw-away PostgreSQL database for `sh postgres` blocks, or None (blocks skipped)."""
    from conftest import PG_ADMIN_URL, server_problem

    problem = server_problem(PG_ADMIN_URL)
    if problem:
        if os.environ.get("CDW_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL not reachable ({problem}); CDW_REQUIRE_POSTGRES=1")
        yield None
        return
    import sqlalchemy as sa

    name = f"cdw_readme_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _script(blocks: list[Block], pg_database: str | None) -> tuple[str, list[str]]:
    lines = ["set -e", 'ROOT="$PWD"']
    skipped = []
    for i, block in enumerate(blocks):
        if "server" in block.tags or ("postgres" in block.tags and pg_database is None):
            skipped.append(f"README.md:{block.line} ({' '.join(sorted(block.tags))})")
            continue
        lines += ['cd "$ROOT"', f"echo '{MARKER} {i}' >&2"]
        if "postgres" in block.tags:
            lines.append(f"export CDW_PG_DATABASE={pg_database}")
        lines.append(runnable(block.body))
        if "postgres" in block.tags:
            lines.append("unset CDW_PG_DATABASE")
    lines.append(f"echo '{MARKER} done' >&2")
    return "\n".join(lines) + "\n", skipped


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path: Path, pg_database: str | None) -> None:
    if not STAMP.is_file() or shutil.which("make") is None:
        pytest.skip("needs `make` and the Makefile's .venv (run through `make test`)")
    repo, home = tmp_path / "clone", tmp_path / "home"
    repo.mkdir()
    home.mkdir()
    _copy_repo(repo)
    blocks = readme_blocks(README.read_text())
    script, skipped = _script(blocks, pg_database)
    run = subprocess.run(
        ["bash", "-c", script],
        cwd=repo,
        env=_fresh_terminal(home),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    markers = re.findall(rf"^{MARKER} (\S+)$", run.stderr, re.M)
    last = markers[-1] if markers else None
    if run.returncode != 0 or last != "done":
        block = blocks[int(last)] if last not in (None, "done") else None
        where = f"README.md:{block.line}" if block else "before the first block"
        pytest.fail(
            f"{where}: a command failed (exit {run.returncode})\n--- block\n"
            f"{block.body if block else ''}--- stdout (end)\n{run.stdout[-3000:]}\n"
            f"--- stderr (end)\n{run.stderr[-3000:]}"
        )
    # what the README promises the reader sees along the way
    assert "make: installing" not in run.stdout  # the shared .venv was up to date
    assert "make: running .venv/bin/cdw-datahub demo --workdir demo-out" in run.stdout
    assert ". .venv/bin/activate" in run.stderr  # the demo's closing message names the step
    assert "REDACTED" not in run.stderr  # paths are not secrets
    assert (repo / "demo-out" / "datahub-lite.db").is_file()
    print("not run:", ", ".join(skipped) or "nothing")
