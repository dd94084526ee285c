"""Docs match code: every command has help, and the README names it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cdw_datahub.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path


COMMANDS = list(_commands(main))


def test_the_design_commands_exist() -> None:
    names = {" ".join(c) for c in COMMANDS}
    for required in (
        "demo", "scan", "bucp export", "bucp summary", "metrics", "priority", "coverage",
        "check", "lint", "worksheet export", "worksheet import", "ddl comments", "search",
    ):  # fmt: skip
        assert required in names


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_has_help_and_is_in_the_readme(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3, result.output
    name = " ".join(path)
    parent, _, leaf = name.rpartition(" ")
    # either spelled out, or on a line listing the group's subcommands ("bucp new / list / ...")
    listed = any(
        f"cdw-datahub {parent} " in line and f" {leaf} " in line.replace("/", " ").replace("`", " ")
        for line in README.splitlines()
    )
    assert f"cdw-datahub {name}" in README or (parent and listed), (
        f"README does not mention `cdw-datahub {name}`"
    )
