"""`cdw-datahub search`: find datasets, fields and glossary terms by words."""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields

import click

from cdw_datahub import search as search_mod
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli.options import catalog_option, format_option, get_settings
from cdw_datahub.cli.render import Table, View, show
from cdw_datahub.errors import InputError
from cdw_datahub.output import text_table


def _short(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class HitsView(View):
    hits: list[search_mod.Hit]

    def text(self) -> str:
        if not self.hits:
            return ""
        header = ["score", "kind", "dataset", "field", "label", "classification", "matched",
                  "definition"]  # fmt: skip
        rows = [
            [str(h.score), h.kind, h.dataset, h.field or "", h.label or "",
             h.classification or "", ",".join(h.matched), _short(h.definition, 50)]
            for h in self.hits
        ]  # fmt: skip
        return text_table(header, rows)

    def data(self) -> list[dict[str, object]]:
        return [h.as_dict() for h in self.hits]

    def rows(self) -> Table:
        """The json's keys as columns (the whole definition)."""
        return Table.of([f.name for f in fields(search_mod.Hit)], self.data())


@click.command(short_help="Find datasets, fields and glossary terms by words.")
@click.argument("query", nargs=-1, required=True)
@catalog_option
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="Show at most this many hits (0: all).")  # fmt: skip
@format_option(HitsView)
def search(query: tuple[str, ...], catalog: str | None, limit: int, fmt: str) -> None:
    """Find datasets, fields and glossary terms by every word of QUERY, ranked like a search
    engine.

    Words are matched in names, friendly names, glossary terms and statutes, definitions and
    program names (id or display name), and in a glossary term's related terms, group, domain,
    owners and source, ignoring case, with the classifier's abbreviations
    expanded both ways (income finds HH_INCM_AMT, "date of birth" finds PRTCPNT_DOB_DT). A match
    in a field's own name ranks highest; a field that only shares its table's or program's name
    ranks lowest. Exit 1 when nothing matched (as grep does). --format csv: the json's keys as
    columns, with the whole definition.

    \b
    Example:
      cdw-datahub search zip code
      cdw-datahub search "date of birth" --format json
    """
    text = " ".join(query)
    if not search_mod.words_of(text):
        raise InputError("give at least one word to search for", key="QUERY")
    settings = get_settings(catalog)
    with open_catalog(settings.catalog) as cat:
        hits = search_mod.search(cat, text, settings.glossary_dir, settings.policies_dir)
    shown = hits[:limit] if limit else hits
    show(HitsView(shown), fmt)
    if not hits:
        click.echo(f"no dataset, field or glossary term matches '{text}'", err=True)
        sys.exit(1)
    if len(shown) < len(hits):
        click.echo(f"{len(hits) - len(shown)} more hit(s); use --limit 0 to see all", err=True)


commands = [search]
