"""Docs match code: every command has help, and the README names it."""

from __future__ import annotations

import re
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


# ---------------------------------------------------------------- README facts come from the code

REPO = Path(__file__).resolve().parents[1]
GENERATED = tuple(
    f"{p.rstrip('/')}/"
    for p in re.search(r"^clean:\n\trm -rf (.*)$", (REPO / "Makefile").read_text(), re.M)
    .group(1)
    .split()
    if not p.startswith("$")
)
PATH_TOKEN = re.compile(r"`([A-Za-z0-9_.-]+/[A-Za-z0-9_./-]*)`")


def test_readme_paths_and_links_exist(demo_dir: Path) -> None:
    """Every file or folder the README names in backticks or links exists: in the repository,
    or (demo-out/...) in what the demo wrote."""
    missing = []
    for token in PATH_TOKEN.findall(README) + re.findall(r"\]\(([^)#:]+)\)", README):
        if token.startswith(("../", "/", "~")) or "://" in token:
            continue  # outside the repository, or a URL
        if token.startswith(GENERATED):
            continue  # written by `make bench` and friends (what `make clean` removes)
        here = (
            demo_dir / token.removeprefix("demo-out/")
            if token.startswith("demo-out/")
            else (REPO / token)
        )
        if not here.exists():
            missing.append(token)
    assert not missing, f"README names paths that do not exist: {missing}"
    assert "DESIGN.md" not in README or (REPO / "DESIGN.md").is_file()


def test_readme_counts_match_the_sample_department(demo_catalog: str) -> None:
    from cdw_datahub.catalog import open_catalog
    from cdw_datahub.demo.register_seed import _BUCPS
    from cdw_datahub.demo.schema import PROGRAMS

    tables = [t for p in PROGRAMS for t in p.tables]
    columns = sum(len(t.columns) for t in tables)
    table_names = {t.name for t in tables}
    views = {v.name for p in PROGRAMS for v in p.views}
    with open_catalog(demo_catalog) as catalog:  # the databases (the extract, inventory/ and
        datasets = [d for d in catalog.datasets() if d.table in table_names | views]  # API apart)
    fields = [f for d in datasets for f in d.fields]
    undefined = [
        (d.table, f.path) for d in datasets for f in d.fields if not (f.description or "").strip()
    ]
    undefined_columns = [u for u in undefined if u[0] in table_names]
    view_columns = len(fields) - columns
    facts = {
        f"{len(tables)} tables with {columns} columns",
        f"one view per program with {view_columns} more",
        f"{len(datasets)} datasets, {len(fields)} fields",
        f"{len(undefined_columns)} of the {columns} table columns, and "
        f"{len(undefined) - len(undefined_columns)} of the {view_columns} view columns",
        f"{len(undefined)} of {len(fields)} fields",
    }
    text = " ".join(README.split())
    for fact in facts:
        assert fact in text, f"README does not say: {fact}"
    assert len(PROGRAMS) == 3 and all(len(p.views) == 1 for p in PROGRAMS)
    assert len(_BUCPS) == 12 and "twelve sample BUCPs" in text


def test_readme_names_what_the_code_has() -> None:
    from cdw_datahub.bucp import export

    assert "`ROW_KEYS` of `src/cdw_datahub/bucp/export.py`" in README and export.ROW_KEYS
    makefile = (REPO / "Makefile").read_text()
    for target in set(re.findall(r"`make ([a-z-]+)`", README)):
        assert re.search(rf"^{target}:", makefile, re.M), f"no Makefile target {target}"
    recipes = "".join(p.read_text() for p in (REPO / "recipes").glob("*.yml"))
    listed = README.split("Variables:", 1)[1].split("Secrets", 1)[0]
    for variable in re.findall(r"`(CDW_[A-Z_]+)`", listed):
        assert variable in recipes, f"README lists {variable}; no recipe reads it"


def test_the_demo_closing_message_matches_the_readme(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make demo` ends with the steps the README's first blocks show, word for word."""
    import shutil
    import sys

    from cdw_datahub.cli import demo as demo_cli

    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve():
        pytest.skip("runs from the Makefile's .venv")
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(shutil, "which", lambda name: None)  # a fresh terminal: nothing on PATH
    steps = demo_cli.next_steps(REPO / "demo-out")
    assert steps[0] == ". .venv/bin/activate"
    readme_lines = {line.split("  #", 1)[0].strip() for line in README.splitlines()}
    for step in steps:
        assert step in readme_lines, f"the demo says `{step}`; the README does not"
