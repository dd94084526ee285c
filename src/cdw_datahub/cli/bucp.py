"""`cdw-datahub bucp`: the group only; subcommands live in their own modules and attach here
(`register.py`: the BUCP register; the field export and summary are added by their module)."""

from __future__ import annotations

import click


@click.group(short_help="Field exports and the BUCP register.")
def bucp() -> None:
    """BUCPs: export the Technical Fields, and track proposals in the department's register."""


commands = [bucp]
