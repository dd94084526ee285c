"""`cdw-datahub publish`: the data dictionary as a static site consumers can search (play 7)."""

from __future__ import annotations

from pathlib import Path

import click

from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli import console
from cdw_datahub.cli.options import catalog_option, get_settings, register_option


@click.command(short_help="Publish the data dictionary as a site.")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site into (replaced atomically; only a folder written by "
    "publish, or an empty one, is replaced).",
)
@click.option(
    "--program",
    "programs",
    multiple=True,
    metavar="ID|NAME",
    help="Only this program's datasets (id or display name, repeatable). Default: all.",
)
@click.option(
    "--bucp",
    "bucp_id",
    metavar="ID",
    help="Only the datasets and fields this BUCP requests (the dictionary sent with the data).",
)
@click.option("--title", help="Site title. Default: 'Data dictionary' (or '<BUCP>: ...').")
@catalog_option
@register_option
def publish(
    output: Path,
    programs: tuple[str, ...],
    bucp_id: str | None,
    title: str | None,
    catalog: str | None,
    register: str | None,
) -> None:
    """Write the data dictionary as a static site: programs and datasets with their inventory
    attributes, a page per dataset with its fields, a glossary page, a page per statute.

    It works opened from file://, a web server or a file share (no server, no CDN), and its
    search box reads a prebuilt index with the same rules as `search`. It carries the harvest
    date and contains no data value and no Specialized Security / Privacy terms.

    \b
    Example:
      cdw-datahub publish -o site
      cdw-datahub publish -o w2w-site --program w2w
    """
    from cdw_datahub.publish import Request
    from cdw_datahub.publish import publish as run

    settings = get_settings(catalog, register)
    with open_catalog(settings.catalog) as cat:
        result = run(cat, Request(output, programs, bucp_id, title), settings)
    for message in result.warnings:
        console.warn(message)
    click.echo(
        f"Published {result.datasets} dataset(s), {result.fields} field(s) in {result.pages} "
        f"page(s) to {output}; open {output / 'index.html'}",
        err=True,
    )


commands = [publish]
