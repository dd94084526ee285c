"""`cdw-datahub bucp readiness`: is a receiving environment ready for a BUCP's data (play 8)?"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cdw_datahub.bucp.export import collect
from cdw_datahub.bucp.package import load_request
from cdw_datahub.bucp.readiness import assess, gap_text, security_draft
from cdw_datahub.bucp.register.store import open_register
from cdw_datahub.bucp.select import Selection
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli.bucp import bucp
from cdw_datahub.cli.options import catalog_option, format_option, get_settings, register_option
from cdw_datahub.policy.files import RECEIVING_FILE
from cdw_datahub.policy.receiving import load_receiving


@click.command("readiness", short_help="Controls required vs a receiving site's.")
@click.option("--bucp", "bucp_id", required=True, metavar="ID", help="The BUCP in the register.")
@click.option(
    "--environment", required=True, metavar="NAME", help="A receiving environment's name."
)
@click.option(
    "--receiving",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The receiving environments file. Default: {RECEIVING_FILE} in the policies folder.",
)
@click.option(
    "--specialized",
    is_flag=True,
    help="Also print the Specialized Security draft (restricted staff only).",
)
@format_option("table", "json")
@catalog_option
@register_option
def readiness(
    bucp_id: str,
    environment: str,
    receiving: Path | None,
    specialized: bool,
    fmt: str,
    catalog: str | None,
    register: str | None,
) -> None:
    """Check the NIST SP 800-53 controls a BUCP's data requires (its classification, per
    policies/classification.yml) against those the receiving environment implements
    (policies/receiving.yml). Prints the gap list and stores a Specialized Security draft in the
    register, shown only with --specialized or `bucp show ID --specialized`.

    Exit 0 when every required control is implemented, 1 when gaps remain.

    \b
    Example:
      cdw-datahub bucp readiness --bucp BUCP-2026-003 --environment cdw-research-enclave
    """
    settings = get_settings(catalog, register)
    # the classification scheme says which controls the data requires: no scheme, no answer
    glossary_dir, policies_dir = settings.policy_dirs()
    path = receiving or policies_dir / RECEIVING_FILE
    env = load_receiving(path).environment(environment, str(path))
    request = load_request(settings.register, bucp_id)
    with open_catalog(settings.catalog) as cat:
        _, summary, _ = collect(cat, Selection(), None, glossary_dir, policies_dir, request=request)
    result = assess(request, summary, env)
    draft = security_draft(result)
    with open_register(settings.register) as reg:
        reg.save_security_draft(request.id, draft)
    if fmt == "json":
        data = result.as_dict()
        if specialized:
            data["specialized_security_draft"] = draft
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(gap_text(result), nl=False)
        if specialized:
            click.echo("\n" + draft, nl=False)
        else:
            click.echo(
                f"Specialized Security draft stored in the register; show it with "
                f"`cdw-datahub bucp show {request.id} --specialized`",
                err=True,
            )
    sys.exit(0 if result.ready else 1)


bucp.add_command(readiness)

commands: list[click.Command] = []
