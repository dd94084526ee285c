"""Render the site with Jinja2 (autoescaping on) and write it atomically.

The folder is built beside the output as a temp folder, then renamed into place; an existing
output is moved aside first and removed only once the new site is in place. Only a folder this
command wrote before (it carries `MARKER`) or an empty one is ever replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from cdw_datahub.contract.properties import PROPERTIES
from cdw_datahub.errors import InputError
from cdw_datahub.publish.model import INDEX_COLUMNS, Site

MARKER = ".cdw-datahub-site"
STATIC = ("site.css", "search.js", "favicon.svg")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cdw_datahub.publish", "templates"),
        autoescape=True,  # every value from the catalog is text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["inventory_columns"] = [(k, PROPERTIES[k].display_name) for k in INDEX_COLUMNS]
    return env


def _pages(site: Site) -> list[tuple[str, str, dict[str, Any]]]:
    """(path in the site, template, context) for every page."""
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("index.html", "index.html.j2", {"root": "", "page_id": "index"}),
        ("glossary.html", "glossary.html.j2", {"root": "", "page_id": "glossary"}),
        ("statutes.html", "statutes.html.j2", {"root": "", "page_id": "statutes"}),
    ]
    for ds in site.datasets:
        pages.append((f"datasets/{ds.slug}.html", "dataset.html.j2",
                      {"root": "../", "page_id": "dataset", "dataset": ds}))  # fmt: skip
    for statute in site.statutes:
        pages.append((f"statutes/{statute.ref.slug}.html", "statute.html.j2",
                      {"root": "../", "page_id": "statute", "statute": statute}))  # fmt: skip
    return pages


def index_script(index: dict[str, Any]) -> str:
    """The search index as a script that sets a global (file:// pages cannot fetch() JSON)."""
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # "<" escaped so no text in the index can ever close a script element
    return "window.CDW_SEARCH_INDEX = " + data.replace("<", "\\u003c") + ";\n"


def _render_into(folder: Path, site: Site, index: dict[str, Any]) -> int:
    env = environment()
    pages = _pages(site)
    for path, template, context in pages:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        html = env.get_template(template).render(site=site, **context)
        target.write_text(html, encoding="utf-8")
    static = resources.files("cdw_datahub.publish") / "static"
    for name in STATIC:
        (folder / name).write_bytes((static / name).read_bytes())
    (folder / "search-index.js").write_text(index_script(index), encoding="utf-8")
    (folder / MARKER).write_text("published by cdw-datahub publish; replaced on every run\n")
    return len(pages)


def _check_replaceable(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise InputError("the output exists and is not a folder", str(output), "--output")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise InputError(
            "the output folder is not empty and was not written by `cdw-datahub publish`; "
            "choose a new or empty folder",
            str(output),
            "--output",
        )


def write_site(site: Site, index: dict[str, Any], output: Path) -> int:
    output = Path(output)
    _check_replaceable(output)
    parent = output.parent if str(output.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=parent))
    except OSError as e:
        raise InputError(f"cannot write here ({e.strerror})", str(output), "--output") from e
    old: Path | None = None
    try:
        pages = _render_into(tmp, site, index)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a published site is for reading
        if output.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".old", dir=parent))
            os.replace(output, old / "site")
        os.replace(tmp, output)
    except BaseException:
        if old is not None and not output.exists():  # put the previous site back
            os.replace(old / "site", output)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(old)
    return pages
