"""The one renderer of command output (cli/render.py): each command returns a view of its result,
and every format is printed the same way for every command."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from cdw_datahub.cli import main
from cdw_datahub.cli.render import Table, View
from cdw_datahub.output import from_spreadsheet_text

REPO = Path(__file__).resolve().parents[1]
PLANTED = REPO / "tests/fixtures/lint/planted"


@dataclass(frozen=True)
class Cells(View):
    values: list[Any]

    def text(self) -> str:
        return " ".join(map(str, self.values))

    def data(self) -> list[Any]:
        return self.values

    def rows(self) -> Table:
        return Table(["value"], [[v] for v in self.values])


@dataclass(frozen=True)
class Words(View):
    words: list[str]

    def text(self) -> str:
        return "\n".join(self.words)

    def data(self) -> list[str]:
        return self.words

    def markdown(self) -> str:
        return "".join(f"- {w}\n" for w in self.words)


def test_a_view_offers_the_forms_it_has() -> None:
    assert Cells.formats == ("table", "json", "csv")
    assert Words.formats == ("table", "json", "md")


def test_csv_cells_a_spreadsheet_would_run_are_quoted_and_json_keeps_them() -> None:
    view = Cells(['=HYPERLINK("http://x")', "@SUM(A1)", "-1", "+3.5", "-90 to 90", "plain"])
    cells = [row[0] for row in csv.reader(io.StringIO(view.render("csv")))][1:]
    assert cells == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "-1", "+3.5", "'-90 to 90", "plain"]
    assert json.loads(view.render("json")) == view.values


def test_json_keeps_text_as_it_is_and_writes_a_date_as_iso() -> None:
    import datetime as dt

    view = Cells(["Größe ≥ 5 µg/m³", dt.date(2026, 1, 20)])
    assert '"Größe ≥ 5 µg/m³"' in view.render("json")
    assert json.loads(view.render("json")) == ["Größe ≥ 5 µg/m³", "2026-01-20"]


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def _csv_records(text: str) -> list[dict[str, str]]:
    return [
        {k: from_spreadsheet_text(v) for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


def _as_cell(value: Any) -> str:
    """A json value as the csv form writes it."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _commands(demo_dir: Path) -> dict[str, list[str]]:
    catalog = f"lite:{demo_dir / 'datahub-lite.db'}"
    register = f"sqlite:///{demo_dir / 'bucp-register.db'}"
    return {
        "lint": ["lint", "--glossary", str(PLANTED / "glossary"),
                 "--policies", str(PLANTED / "policies")],
        "search": ["search", "zip", "code", "--catalog", catalog, "--limit", "0"],
        "inventory": ["inventory", "review", "--catalog", catalog, "--register", register],
        "bucp list": ["bucp", "list", "--register", register],
    }  # fmt: skip


@pytest.mark.parametrize("name", ["lint", "search", "inventory", "bucp list"])
def test_the_csv_form_is_the_json_records_one_row_each(demo_dir: Path, name: str) -> None:
    args = _commands(demo_dir)[name]
    as_json, as_csv = _run(*args, "--format", "json"), _run(*args, "--format", "csv")
    assert as_csv.exit_code == as_json.exit_code, as_csv.output
    records = json.loads(as_json.stdout)
    assert records, as_json.output
    rows = _csv_records(as_csv.stdout)
    assert list(rows[0]) == list(records[0])  # the json's keys are the columns, in order
    assert rows == [{k: _as_cell(v) for k, v in r.items()} for r in records]


def test_notes_go_with_the_table_form_only(tmp_path: Path) -> None:
    """A person reading the table is told the catalog is empty (stderr); a script reading json
    or csv gets the bare result."""
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    table = _run("coverage", "--catalog", f"file:{empty}")
    assert table.exit_code == 0
    assert table.stdout == "" and table.stderr == "no datasets in the catalog\n"
    as_json = _run("coverage", "--catalog", f"file:{empty}", "--format", "json")
    assert json.loads(as_json.stdout)["programs"] == [] and as_json.stderr == ""
    as_csv = _run("coverage", "--catalog", f"file:{empty}", "--format", "csv")
    assert as_csv.stdout.startswith("program,dataset,fields,") and as_csv.stderr == ""


def test_no_command_tests_its_format() -> None:
    """Commands hand their result to the renderer; only it looks at --format."""
    cli = REPO / "src/cdw_datahub/cli"
    testing = re.compile(r"\bfmt\s*(==|!=|\bin\b)")
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(cli.glob("*.py"))
        if path.name != "render.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if testing.search(line)
    ]
    assert not offenders, offenders


def _formats(group: click.Group, prefix: str = "") -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(_formats(command, f"{prefix}{name} "))
        for param in command.params:
            if param.name == "fmt" and isinstance(param.type, click.Choice):
                found[f"{prefix}{name}"] = tuple(map(str, param.type.choices))
    return found


def test_the_readme_lists_the_commands_of_each_format() -> None:
    readme = " ".join((REPO / "README.md").read_text().split())
    listed = {
        "csv": re.search(r"`csv` where the result is rows \(([^)]*)\)", readme),
        "md": re.search(r"`md` for ([^,]*),", readme),
        "xlsx": re.search(r"`xlsx` for ([^.]*)\.", readme),
    }
    formats = _formats(main)
    for fmt, match in listed.items():
        assert match, f"README: no list of the commands printing {fmt}"
        named = set(re.findall(r"`([a-z ]+)`", match.group(1)))
        assert named == {c for c, choices in formats.items() if fmt in choices}, fmt
