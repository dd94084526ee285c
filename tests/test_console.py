"""Colour only where a person reads it (a terminal without NO_COLOR), never in pipes or files;
each warning once per run."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cdw_datahub.cli import console, main

ANSI = "\x1b["


@pytest.fixture
def warn_twice() -> object:
    """A throw-away command that warns twice, through logging and through console.warn."""

    @main.command("warn-twice-test")
    def _command() -> None:
        for _ in range(2):
            logging.getLogger("cdw_datahub.test").warning("the same warning")
            console.warn("the same note")
            console.warn("the same warning", where="recipe.yml")  # logged already: not again
        click.echo(console.mark(False))

    yield _command
    main.commands.pop("warn-twice-test")


def test_colour_on_a_terminal_and_each_warning_once(warn_twice: object) -> None:
    # color=True is how CliRunner stands in for a terminal
    result = CliRunner().invoke(main, ["warn-twice-test"], color=True)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("the same warning") == 1, result.stderr
    assert result.stderr.count("the same note") == 1, result.stderr
    assert f"{ANSI}33mWARNING" in result.stderr  # yellow
    assert f"{ANSI}31mFAIL" in result.stdout  # red
    again = CliRunner().invoke(main, ["warn-twice-test"], color=True)
    assert again.stderr.count("the same warning") == 1  # once per run, not once per process


def test_no_color_turns_colour_off_even_on_a_terminal(warn_twice: object) -> None:
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(main, ["warn-twice-test"], color=True)
    assert result.exit_code == 0
    assert ANSI not in result.output and "FAIL" in result.stdout


def test_no_colour_in_a_pipe_or_a_file(demo_dir: Path, tmp_path: Path) -> None:
    """The real executable, its output piped: a failing check and a warning, plain text."""
    exe = Path(sys.executable).parent / "cdw-datahub"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    run = subprocess.run(
        [str(exe), "check", "--require", "definitions=100%"],
        cwd=demo_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "FAIL" in run.stdout and ANSI not in run.stdout + run.stderr
    out = tmp_path / "fields.md"
    export = subprocess.run(
        [str(exe), "bucp", "export", "-o", str(out)],
        cwd=demo_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert export.returncode == 0, export.stderr
    assert ANSI not in out.read_text() and ANSI not in export.stderr


def test_the_demo_prints_its_paths_unmasked(demo_dir: Path) -> None:
    """DataHub registers every recipe ${VAR} as a secret; folder and file variables are not
    secrets, and the demo's closing lines must show where things are."""
    log = (demo_dir / "demo-output.log").read_text()
    assert "REDACTED" not in log, log[-2000:]
    assert f"{demo_dir / 'cdw.yml'}" in log
