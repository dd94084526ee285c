"""`cdw-datahub lint`: check glossary/ and policies/ against the definition criteria."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from cdw_datahub import lint as lint_mod
from cdw_datahub.cli.options import catalog_option, format_option, get_settings
from cdw_datahub.cli.render import Table, View, show


@dataclass(frozen=True)
class FindingsView(View):
    findings: list[lint_mod.Finding]

    def text(self) -> str:
        lines = []
        for f in self.findings:
            lines.append(f"{f.location}: {f.severity} [{f.slug}] {f.message}")
            if f.suggestion:
                lines.append(f"    fix: {f.suggestion}")
        return "\n".join(lines)

    def data(self) -> list[dict[str, str]]:
        return [f.to_dict() for f in self.findings]

    # the keys of Finding.to_dict (tests/test_render.py holds the two together)
    COLUMNS = ("slug", "severity", "location", "message", "suggestion")

    def rows(self) -> Table:
        return Table.of(self.COLUMNS, self.data())


@click.command(short_help="Find weak definitions and term problems.")
@click.option(
    "--glossary",
    "glossary_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The glossary/ folder (default: from cdw.yml, ./glossary, or the sample department's).",
)
@click.option(
    "--policies",
    "policies_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The policies/ folder (default: from cdw.yml, ./policies, or the sample department's).",
)
@click.option(
    "--fail-on",
    type=click.Choice(lint_mod.SEVERITIES, case_sensitive=False),
    default="error",
    show_default=True,
    help="Exit 1 when a finding at or above this severity remains.",
)
@catalog_option
@format_option(FindingsView)
def lint(
    glossary_dir: Path | None,
    policies_dir: Path | None,
    fail_on: str,
    catalog: str | None,
    fmt: str,
) -> None:
    """Find weak definitions (empty, circular, no unit, purpose instead of meaning, unknown
    acronyms), duplicate or conflicting terms, and dangling references.

    Every glossary/*.yml is a glossary file. A full urn:li:glossaryTerm: URN that no glossary
    file defines (a term made in DataHub) is looked up in the catalog: missing there is an
    error, a catalog that cannot be read a warning.

    --format csv: one row per finding (slug, severity, location, message, suggestion).

    \b
    Example:
      cdw-datahub lint --fail-on warning
    """
    settings = get_settings(catalog)
    if glossary_dir is None or policies_dir is None:
        configured = settings.policy_dirs()
        glossary_dir, policies_dir = glossary_dir or configured[0], policies_dir or configured[1]
    findings = lint_mod.run(glossary_dir, policies_dir, _lookup(settings.catalog))
    show(FindingsView(findings), fmt)
    counts = {s: sum(f.severity == s for f in findings) for s in lint_mod.SEVERITIES}
    click.echo(
        f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info",
        err=True,
    )
    if any(lint_mod.failing(findings, fail_on.lower())):
        raise SystemExit(1)


def _lookup(uri: str) -> lint_mod.CatalogLookup:
    """Opens the catalog only when a term must be looked up there."""

    def existing(urns: list[str]) -> set[str]:
        from cdw_datahub.catalog import open_catalog

        with open_catalog(uri) as catalog:
            return catalog.existing(urns)

    return existing


commands = [lint]
