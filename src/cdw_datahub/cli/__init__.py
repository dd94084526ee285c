"""The `cdw-datahub` command: a thin root group; each command area lives in its own module."""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path
from typing import NoReturn

import click

from cdw_datahub import __version__, masking
from cdw_datahub.cli import console
from cdw_datahub.errors import CdwError, environment_error

# One module per command area; each exposes `commands`, a list of click commands or groups.
COMMAND_MODULES = [
    "cdw_datahub.cli.demo",
    "cdw_datahub.cli.scan",
    "cdw_datahub.cli.bucp",
    "cdw_datahub.cli.register",
    "cdw_datahub.cli.metrics",
    "cdw_datahub.cli.priority",
    "cdw_datahub.cli.coverage",
    "cdw_datahub.cli.check",
    "cdw_datahub.cli.lint",
    "cdw_datahub.cli.bucp_export",
    "cdw_datahub.cli.readiness",
    "cdw_datahub.cli.search",
    "cdw_datahub.cli.publish",
    "cdw_datahub.cli.ddl",
    "cdw_datahub.cli.worksheet",
    "cdw_datahub.cli.inventory",
]


class RootGroup(click.Group):
    """Turns CdwError, and errors of the environment (a full disk, a path that is missing,
    read-only or a folder, a database that refuses), into one red line and exit 2; a traceback
    only with --debug.

    Both are masked (masking.py): a URL password or a token never reaches the terminal.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        masking.register_arguments(args)  # before anything can log or fail with them
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CdwError as e:
            self._fail(ctx, e)
        except Exception as e:
            error = environment_error(e)
            if error is None:
                raise
            self._fail(ctx, error)

    @staticmethod
    def _fail(ctx: click.Context, error: CdwError) -> NoReturn:
        if ctx.meta.get("cdw.debug"):
            click.echo(masking.mask(traceback.format_exc()), err=True, nl=False)
        console.error(masking.mask(str(error)))
        sys.exit(error.exit_code)


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cdw-datahub")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (default: ./cdw.yml when present).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and DataHub's debug logging.")
@click.pass_context
def main(ctx: click.Context, config: Path | None, debug: bool) -> None:
    """Describe the department's data once in DataHub, and share it fast.

    Settings resolve in this order: command-line flag, environment (CDW_CATALOG, CDW_REGISTER),
    ./cdw.yml (or --config FILE), defaults.
    """
    ctx.meta["cdw.config"] = config
    ctx.meta["cdw.debug"] = debug
    if console.colour_wanted() is False:
        ctx.color = False  # NO_COLOR: click.echo strips styles, even on a terminal
    console.setup_logging(debug)  # before masking.install(), which filters the handlers present
    masking.install()  # every handler and level, --debug included


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).commands:
        main.add_command(_command)
