"""`cdw-datahub inventory review`: the lifecycle review of every catalogued dataset (play 2)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import click

from cdw_datahub.cli.options import catalog_option, format_option, get_settings, register_option
from cdw_datahub.cli.render import Table, View, show
from cdw_datahub.contract import USER
from cdw_datahub.output import text_table
from cdw_datahub.review import ReviewRow


@dataclass(frozen=True)
class ReviewView(View):
    reviewed: list[ReviewRow]

    def text(self) -> str:
        header = ["lifecycle", "dataset", "platform", "last harvest", "owners", "BUCPs"]
        body = [
            [
                r.lifecycle,
                r.dataset,
                r.platform,
                r.last_harvest or "never",
                ", ".join(o.removeprefix(USER) for o in r.owners) or "MISSING",
                ", ".join(r.bucps) or "-",
            ]
            for r in self.reviewed
        ]
        return text_table(header, body)

    def data(self) -> list[dict[str, object]]:
        return [r.to_dict() for r in self.reviewed]

    def rows(self) -> Table:
        return Table.of([f.name for f in fields(ReviewRow)], self.data())


@click.group()
def inventory() -> None:
    """The department's dataset inventory (play 2).

    \b
    Example:
      cdw-datahub inventory review --format json
    """


@inventory.command()
@catalog_option
@register_option
@click.option("--program", help="Program id or display name (default: every program).")
@click.option(
    "--lifecycle",
    "lifecycles",
    multiple=True,
    metavar="STATUS",
    help="Only datasets with this lifecycle status (repeatable): active, deprecate-candidate, "
    "archive-candidate, purge-candidate, unset.",
)
@format_option(ReviewView)
def review(
    catalog: str | None,
    register: str | None,
    program: str | None,
    lifecycles: tuple[str, ...],
    fmt: str,
) -> None:
    """Lifecycle review: candidates to retire first.

    Every dataset by lifecycle status (purge, archive and deprecate candidates first), with its
    last harvest, its owners, and the BUCPs in review or current that request it.
    --format csv: the json's keys as columns (owners and BUCPs joined by ", ").

    \b
    Example:
      cdw-datahub inventory review --program healthy-habits --lifecycle deprecate-candidate
    """
    from cdw_datahub.catalog import open_catalog
    from cdw_datahub.policy import load_policy
    from cdw_datahub.priority import register_records
    from cdw_datahub.review import review as review_rows

    settings = get_settings(catalog=catalog, register=register)
    if program and settings.glossary_dir and settings.policies_dir:
        program = load_policy(settings.glossary_dir, settings.policies_dir).program(program).id
    records, note = register_records(settings.register)
    if note:
        click.echo(note, err=True)
    with open_catalog(settings.catalog) as cat:
        rows = review_rows(cat, records, program)
    wanted = {s.strip().lower() for s in lifecycles}
    rows = [r for r in rows if not wanted or r.lifecycle in wanted]
    show(ReviewView(rows), fmt)


commands = [inventory]
