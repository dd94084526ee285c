"""Options shared by every command, and the settings they resolve to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from cdw_datahub import settings as settings_mod
from cdw_datahub.cli.render import View
from cdw_datahub.settings import Settings


def catalog_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--catalog",
        metavar="URI",
        help="lite:PATH, file:PATH (file-sink JSON) or a DataHub server URL "
        "(token from DATAHUB_GMS_TOKEN). Default: CDW_CATALOG, then cdw.yml, then where "
        "the recipes write (lite:demo-out/datahub-lite.db, or $CDW_LITE_FILE).",
    )(f)


def register_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--register",
        metavar="URL",
        help="BUCP register database URL (SQLAlchemy). Default: CDW_REGISTER, then cdw.yml, "
        "then sqlite:///bucp-register.db.",
    )(f)


def format_option(view: type[View], default: str | None = "table") -> Callable[..., Any]:
    """`--format`, offering the forms of the command's result (`view`, see cli/render.py)."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(view.formats, case_sensitive=False),
            default=default,
            show_default=default is not None,
            help="Output format.",
        )(f)

    return decorate


def get_settings(catalog: str | None = None, register: str | None = None) -> Settings:
    ctx = click.get_current_context()
    return settings_mod.resolve(
        catalog=catalog, register=register, config=ctx.find_root().meta.get("cdw.config")
    )
