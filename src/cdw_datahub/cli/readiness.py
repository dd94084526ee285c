"""`cdw-datahub bucp readiness`: is a receiving environment ready for a BUCP's data (play 8)?"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cdw_datahub.bucp.assemble import collect
from cdw_datahub.bucp.package import load_request
from cdw_datahub.bucp.readiness import Readiness, assess, gap_text, security_draft
from cdw_datahub.bucp.register.store import open_register
from cdw_datahub.bucp.select import Selection
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli.bucp import bucp
from cdw_datahub.cli.options import catalog_option, format_option, get_settings, register_option
from cdw_datahub.cli.render import View, show
from cdw_datahub.policy.files import RECEIVING_FILE
from cdw_datahub.policy.receiving import load_receiving


@dataclass(frozen=True)
class ReadinessView(View):
    result: Readiness
    draft: str | None  # the Specialized Security draft, shown only to restricted staff

    def text(self) -> str:
        return gap_text(self.result) + ("\n" + self.draft if self.draft is not None else "")

    def data(self) -> dict[str, Any]:
        data = self.result.as_dict()
        if self.draft is not None:
            data["specialized_security_draft"] = self.draft
        return data

    def notes(self) -> list[str]:
        if self.draft is not None:
            return []
        return [
            "Specialized Security draft stored in the register; show it with "
            f"`cdw-datahub bucp show {self.result.request.id} --specialized`"
        ]


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
@format_option(ReadinessView)
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
    show(ReadinessView(result, draft if specialized else None), fmt)
    sys.exit(0 if result.ready else 1)


bucp.add_command(readiness)

commands: list[click.Command] = []
