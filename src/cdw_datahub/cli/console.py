"""What the CLI says on the terminal besides data: colour only where a person reads it, each
warning once.

Colour goes through `click.style` and `click.echo`, which drop it when the stream is not a
terminal (a pipe, a file, CliRunner); `NO_COLOR` (https://no-color.org) turns it off on a terminal
too. Files the commands write never contain colour: they never go through here.
"""

from __future__ import annotations

import logging
import os

import click

WARNING_COLOUR = "yellow"
ERROR_COLOUR = "red"
PASS_COLOUR = "green"


def colour_wanted() -> bool | None:
    """False when NO_COLOR is set to anything non-empty; else None (click decides per stream)."""
    return False if os.environ.get("NO_COLOR") else None


def _seen(kind: str) -> set[str]:
    """Messages already shown in this run (one command invocation): `warn` or `log`."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return set()
    return ctx.find_root().meta.setdefault(f"cdw.shown.{kind}", set())


def warn(message: str, where: str | None = None) -> None:
    """`Warning: [where: ]message` in yellow on stderr, once per run however often it is
    raised, and not at all when a log line of this run already said it (a plugin's finding is
    logged by the plugin and returned in the ingestion result too)."""
    seen = _seen("warn")
    if message in seen or any(message in logged for logged in _seen("log")):
        return
    seen.add(message)
    text = f"Warning: {where}: {message}" if where else f"Warning: {message}"
    click.echo(click.style(text, fg=WARNING_COLOUR), err=True)


def error(message: str) -> None:
    click.echo(click.style(f"Error: {message}", fg=ERROR_COLOUR), err=True)


def mark(passed: bool) -> str:
    """PASS in green, FAIL in red (plain text off a terminal)."""
    return click.style("PASS", fg=PASS_COLOUR) if passed else click.style("FAIL", fg=ERROR_COLOUR)


class CliLogHandler(logging.Handler):
    """Log records on stderr as `LEVEL logger: message`, the level coloured, each distinct
    message once per run (DataHub and our plugins repeat the same warning per table or per
    recipe)."""

    COLOURS = {logging.WARNING: WARNING_COLOUR, logging.ERROR: ERROR_COLOUR}

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.shown: set[tuple[int, str, str]] = set()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            key = (record.levelno, record.name, message)
            if key in self.shown and record.levelno < logging.ERROR:
                return
            self.shown.add(key)
            _seen("log").add(message)
            level = record.levelname
            colour = self.COLOURS.get(record.levelno if record.levelno < 40 else logging.ERROR)
            if colour and record.levelno >= logging.WARNING:
                level = click.style(level, fg=colour)
            text = f"{level} {record.name}: {message}"
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            click.echo(text, err=True)
        except Exception:  # logging must never break a command
            self.handleError(record)


def setup_logging(debug: bool) -> None:
    """One fresh handler per run (so "once" means once per command, also under CliRunner)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, CliLogHandler)]:
        root.removeHandler(handler)
    level = logging.DEBUG if debug else logging.WARNING
    root.addHandler(CliLogHandler(level))
    root.setLevel(level)
    if not debug:
        # DataHub logs a failing pipeline's traceback itself; we report the failure in one line.
        logging.getLogger("datahub").setLevel(logging.CRITICAL)
