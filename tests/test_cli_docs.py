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


def _listing_rows(output: str) -> list[str]:
    rows = output.split("Commands:", 1)[1].splitlines() if "Commands:" in output else []
    return [r for r in rows if r.strip()]


@pytest.mark.parametrize("path", [(), *sorted({c[:1] for c in COMMANDS if len(c) > 1})], ids=str)
def test_command_summaries_are_whole_sentences(path: tuple[str, ...]) -> None:
    """Click cuts a summary that does not fit at "..."; each command gives one that fits."""
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=80)
    rows = _listing_rows(result.output)
    assert rows, result.output
    for row in rows:
        assert "..." not in row, f"cut summary in `cdw-datahub {' '.join(path)} --help`: {row}"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_help_has_an_example_that_parses(path: tuple[str, ...]) -> None:
    """Every command's --help ends with an Example paragraph; each example line names the
    command and its options exist (parsing it with --help must succeed)."""
    import shlex

    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=100)
    assert "Example" in result.output, result.output
    lines = result.output.split("Example", 1)[1].split("Options:", 1)[0].splitlines()[1:]
    examples = [line.strip() for line in lines if line.strip().startswith("cdw-datahub ")]
    assert examples, result.output
    for example in examples:
        words = shlex.split(example.split("  #", 1)[0])[1:]
        assert words[: len(path)] == list(path), example
        parsed = CliRunner().invoke(main, [*words, "--help"])
        assert parsed.exit_code == 0, (example, parsed.output)
