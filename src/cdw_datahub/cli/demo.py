"""`cdw-datahub demo`: build the sample department and catalog it end to end."""

from __future__ import annotations

import click


@click.command()
@click.option("--workdir", default="demo-out", show_default=True, help="Folder to build into.")
def demo(workdir: str) -> None:
    """Build the sample department's databases, ingest them into DataHub Lite, and summarise."""
    raise click.ClickException("not built yet")


commands = [demo]
