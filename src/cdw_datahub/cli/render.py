"""One renderer for what commands print: a command computes its result, wraps it in a `View`
and hands it to `show(view, fmt)`, which prints it as a table (for a person), json, csv or md.

A view has the forms its result has: `text()` (the table form) and `data()` (json) always,
`rows()` (csv, spreadsheet-safe) and `markdown()` (md) where the result has them. `--format`
offers exactly the forms of the command's view (`options.format_option(SomeView)`), so no
command tests its format and every command prints each format the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import click

from cdw_datahub.output import csv_text

FORMATS = ("table", "json", "csv", "md")


@dataclass(frozen=True)
class Table:
    """Rows under a header: a result's csv form."""

    header: Sequence[str]
    rows: Sequence[Sequence[Any]]

    @classmethod
    def of(cls, header: Sequence[str], records: Iterable[Mapping[str, Any]]) -> Table:
        """Records (a json form's objects) as rows of `header`'s keys; a list is one cell, its
        items joined by ", "; a mapping (a search hit's glossary facts) its json text."""
        return cls(header, [[_cell(r[key]) for key in header] for r in records])


def _cell(value: Any) -> Any:
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False)
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else value


class View:
    """A command's result, in each form it can be shown in."""

    formats: ClassVar[tuple[str, ...]]  # set per subclass from the forms it defines

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "formats" not in cls.__dict__:  # else the view lists its forms itself
            defined = {"csv": cls.rows is not View.rows, "md": cls.markdown is not View.markdown}
            cls.formats = tuple(f for f in FORMATS if defined.get(f, True))

    def text(self) -> str:
        """The table form: what a person reads on a terminal."""
        raise NotImplementedError

    def data(self) -> Any:
        """The json form: lists, dicts, strings, numbers; anything else (a date) is written as
        its text."""
        raise NotImplementedError

    def rows(self) -> Table:
        """The csv form, for a result that is rows."""
        raise NotImplementedError

    def markdown(self) -> str:
        """The md form, for a result that reads as a document."""
        raise NotImplementedError

    def notes(self) -> list[str]:
        """What the table form also tells the person, on stderr (json and csv stay bare)."""
        return []

    def render(self, fmt: str) -> str:
        if fmt == "json":
            return json.dumps(self.data(), indent=2, ensure_ascii=False, default=str)
        if fmt == "csv":
            table = self.rows()
            return csv_text([table.header, *table.rows])
        if fmt == "md":
            return self.markdown()
        return self.text()


def show(view: View, fmt: str) -> None:
    """Print `view` in `fmt` on stdout (ending in one newline; nothing when the form is empty),
    then the table form's notes on stderr."""
    fmt = fmt.lower()
    text = view.render(fmt)
    if text:
        click.echo(text, nl=not text.endswith("\n"))
    if fmt == "table":
        for note in view.notes():
            click.echo(note, err=True)
