"""`cdw-datahub demo`: the one place a newcomer sees the whole product work end to end."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cdw_datahub.cli import console
from cdw_datahub.errors import InputError

if TYPE_CHECKING:
    from cdw_datahub.catalog import Catalog
    from cdw_datahub.settings import Settings

SAMPLE_BUCP = "BUCP-2026-003"  # the sample register's open Walk2Work request


def _say(message: str) -> None:
    click.echo(message, err=True)


def _shown(path: Path) -> str:
    """A path as the reader would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)


def write_datahubenv(workdir: Path, lite: Path) -> Path:
    """WORKDIR/.datahubenv: `HOME=$PWD datahub lite ...` inside WORKDIR reads the demo catalog,
    and the reader's own ~/.datahubenv stays untouched (DataHub's CLI wants a gms: section too)."""
    from cdw_datahub.output import atomic_write_text

    path = workdir / ".datahubenv"
    text = (
        "# Written by `cdw-datahub demo`: run `HOME=$PWD datahub lite ls /` in this folder.\n"
        'gms: {server: "http://localhost:8080"}\n'
        f"lite: {{type: sqlite, config: {{file: {json.dumps(str(lite))}}}}}\n"
    )
    atomic_write_text(path, text)
    return path


def next_steps(workdir: Path) -> list[str]:
    """What to type next; the activation line only when `cdw-datahub` is not on PATH already
    (`make demo` runs it from .venv without activating it)."""
    steps = []
    running = Path(sys.prefix) / "bin" / "cdw-datahub"
    found = shutil.which("cdw-datahub")
    if running.exists() and (found is None or Path(found).resolve() != running.resolve()):
        local = Path.cwd() / ".venv"  # `make demo`'s venv, however it is linked
        venv = (
            ".venv" if local.resolve() == Path(sys.prefix).resolve() else _shown(Path(sys.prefix))
        )
        steps.append(f". {shlex.quote(venv)}/bin/activate")
    steps += [f"cd {shlex.quote(_shown(workdir))}", "cdw-datahub coverage"]
    return steps


@click.command(short_help="Build and catalog the sample department.")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Folder to build the sample department into (created if missing).",
)
@click.option(
    "--bucp",
    "bucp_id",
    default=SAMPLE_BUCP,
    show_default=True,
    metavar="ID",
    help="The register's BUCP whose package (xlsx and md) the demo writes.",
)
# A database server option per dialect the sample department loads into; each names the
# recipes that read it back. (MySQL / MariaDB: add `--mysql URL` here, same shape.)
@click.option(
    "--postgres",
    "postgres_url",
    metavar="URL",
    help="Instead: load the sample department into this PostgreSQL database (one schema per "
    "program, replaced), for the *.postgres.* recipes.",
)
def demo(workdir: Path, bucp_id: str, postgres_url: str | None) -> None:
    """Build the sample department and catalog it through the real DataHub pipeline.

    Creates one SQLite database per program (Walk2Work, Healthy Habits, Your Environment),
    ingests the business glossary and the three databases with the shipped recipes into a
    DataHub Lite file, seeds a BUCP register, writes the package of the register's Walk2Work
    BUCP (--bucp: exactly the datasets and fields it requests, as xlsx and md), publishes the
    searchable data dictionary into WORKDIR/site/ and writes WORKDIR/cdw.yml (so every command
    run inside WORKDIR works on the demo without flags), and
    prints what was built: coverage per program, the priority ranking and BUCP metrics.

    With --postgres URL it only loads the three programs into that database (schemas w2w,
    healthy_habits, your_environment, dropped and recreated) and prints the recipe to run.

    \b
    Example:
      cdw-datahub demo
      cdw-datahub demo --postgres postgresql+psycopg2://postgres@127.0.0.1:5432/test
    """
    if postgres_url:
        _load_postgres(postgres_url)
        return
    _build(workdir, bucp_id)


def _load_postgres(url: str) -> None:
    from sqlalchemy.engine import make_url

    from cdw_datahub.demo.postgres import load_postgres
    from cdw_datahub.demo.schema import PROGRAMS

    try:
        parsed = make_url(url)
    except Exception as e:  # SQLAlchemy raises ArgumentError and ValueError for bad URLs
        raise InputError(f"not a database URL ({e})", key="--postgres") from e
    if parsed.get_backend_name() != "postgresql":
        raise InputError(
            f"not a PostgreSQL URL ({parsed.get_backend_name()}); "
            "use postgresql+psycopg2://USER@HOST:5432/DATABASE",
            key="--postgres",
        )
    load_postgres(url)
    shown = parsed.render_as_string(hide_password=True)
    schemas = ", ".join(p.schema_name for p in PROGRAMS)
    _say(f"Loaded the sample department into {shown} (schemas {schemas}).")
    # only what differs from the recipes' defaults; a password is never printed
    env = {
        "CDW_PG_HOST_PORT": f"{parsed.host or '127.0.0.1'}:{parsed.port or 5432}",
        "CDW_PG_DATABASE": parsed.database or "",
        "CDW_PG_USER": parsed.username or "",
    }
    defaults = {"CDW_PG_HOST_PORT": "127.0.0.1:5432", "CDW_PG_DATABASE": "test",
                "CDW_PG_USER": "postgres"}  # fmt: skip
    prefix = "".join(f"{k}={shlex.quote(v)} " for k, v in env.items() if v and v != defaults[k])
    _say("Catalog a program from it (glossary first, as for the SQLite recipes):")
    if parsed.password:
        _say("  export CDW_PG_PASSWORD=...   # the recipes read the password from here")
    for program in PROGRAMS:
        _say(f"  {prefix}datahub ingest -c recipes/{program.id}.postgres.lite.yml")


def _build(workdir: Path, bucp_id: str) -> None:
    from cdw_datahub import priority
    from cdw_datahub.bucp import metrics
    from cdw_datahub.catalog import open_catalog
    from cdw_datahub.demo.register_seed import seed_register
    from cdw_datahub.demo.summary import print_summary
    from cdw_datahub.ingest import environment
    from cdw_datahub.policy.files import RUBRIC_FILE
    from cdw_datahub.publish import Request, publish
    from cdw_datahub.settings import Settings, packaged_dir, write_config

    # The demo is the one command that uses the sample department's folders shipped with the
    # package; every other command reads the department's own (see settings.py).
    glossary_dir, policies_dir = (
        packaged_dir("glossary").resolve(),
        packaged_dir("policies").resolve(),
    )
    workdir, lite = _workdir(workdir)
    started = time.monotonic()
    env = _catalog_the_department(workdir, lite, glossary_dir, policies_dir)

    register = f"sqlite:///{workdir / 'bucp-register.db'}"
    _say("Seeding the BUCP register with the sample department's BUCPs ...")
    with environment(env):  # the register checks program names against the sample's glossary
        seed_register(register)

    config = write_config(
        workdir,
        {
            "catalog": "lite:datahub-lite.db",
            "register": "sqlite:///bucp-register.db",
            "glossary": env["CDW_GLOSSARY_DIR"],
            "policies": env["CDW_POLICIES_DIR"],
        },
    )
    write_datahubenv(workdir, lite)
    with open_catalog(f"lite:{lite}") as catalog:
        settings = Settings(f"lite:{lite}", register, glossary_dir, policies_dir)
        sheets = _write_package(catalog, settings, bucp_id, workdir)
        _say("Publishing the data dictionary ...")
        site = publish(catalog, Request(workdir / "site"), settings)
        ranking = priority.rank(catalog, register, policies_dir / RUBRIC_FILE)
        print_summary(catalog, ranking, metrics.compute(register), sheets, out=sys.stdout)
    _say(f"Published the data dictionary ({site.datasets} datasets, {site.fields} fields): "
         f"open {site.output / 'index.html'}")  # fmt: skip
    _say(f"Wrote {config}: every cdw-datahub command run inside {_shown(workdir)} uses this demo.")
    _say(f"Done in {time.monotonic() - started:.1f} s. Next (see README.md, The CLI):")
    for step in next_steps(workdir):
        _say(f"  {step}")


def _workdir(workdir: Path) -> tuple[Path, Path]:
    """The demo folder (created, absolute) and the catalog file in it."""
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create the demo folder ({e.strerror})", str(workdir)) from e
    workdir = workdir.resolve()
    lite = workdir / "datahub-lite.db"
    if lite.is_dir():
        raise InputError("is a folder; the demo writes its catalog file here", str(lite))
    return workdir, lite


def _catalog_the_department(
    workdir: Path, lite: Path, glossary_dir: Path, policies_dir: Path
) -> dict[str, str]:
    """Build the sample department's databases, extract and workbook, and ingest them (with the
    glossary, the inventory and the API) into a fresh catalog with the shipped recipes; the
    recipes' environment."""
    from cdw_datahub.demo.build import build_sqlite
    from cdw_datahub.demo.extracts import build_extracts
    from cdw_datahub.demo.workbooks import build_workbooks, excel_source_missing
    from cdw_datahub.ingest import glossary_runs, recipe_path, run_recipe
    from cdw_datahub.settings import packaged_dir

    _say(f"Building the sample department's databases in {workdir} ...")
    databases = build_sqlite(workdir)
    build_extracts(workdir)  # W2W's monthly CSV extract, next to the databases
    excel_missing = excel_source_missing()  # the workbook needs the `excel` extra
    if excel_missing is None:
        build_workbooks(workdir)  # Healthy Habits' hand-kept workbook

    # A fresh catalog each time: the demo shows what one run produces.
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{lite}{suffix}")
    env = {
        "CDW_LITE_FILE": str(lite),
        "CDW_DATA_DIR": str(workdir),
        "CDW_GLOSSARY_DIR": str(glossary_dir),
        "CDW_POLICIES_DIR": str(policies_dir),
        "CDW_INVENTORY_DIR": str(packaged_dir("inventory").resolve()),
        "CDW_APIS_DIR": str(packaged_dir("apis").resolve()),
    }
    runs = [
        (f"{path.name} with recipes/glossary.lite.yml", "glossary.lite.yml", file_env)
        for path, file_env in glossary_runs(glossary_dir, env)  # glossary first, file by file
    ]
    recipes = [f"{program}.lite.yml" for program in databases]
    # datasets that are not databases: an extract, a vendor system and report, an API, a workbook
    recipes += ["w2w-extracts.lite.yml", "healthy-habits-inventory.lite.yml"]
    recipes += ["your-environment-api.lite.yml"]
    if excel_missing is None:
        recipes.append("healthy-habits-workbooks.lite.yml")
    else:
        console.warn(excel_missing)  # one line; everything else is catalogued
    runs += [(f"with recipes/{name}", name, env) for name in recipes]
    for what, name, run_env in runs:
        _say(f"Ingesting {what} ...")
        result = run_recipe(recipe_path(name), run_env)
        for warning in result.warnings:
            console.warn(warning, where=name)
    return env


def _write_package(catalog: Catalog, settings: Settings, bucp_id: str, workdir: Path) -> list[Path]:
    """The package (xlsx and md) of the register's BUCP `bucp_id`; the files written."""
    from cdw_datahub.bucp import writers
    from cdw_datahub.bucp.assemble import collect, document
    from cdw_datahub.bucp.package import load_request
    from cdw_datahub.bucp.select import Selection

    request = load_request(settings.register, bucp_id)
    _say(f"Writing the package of {request.id} from the register ...")
    rows, summary, location = collect(
        catalog, Selection(), None, settings.glossary_dir, settings.policies_dir,
        request=request,
    )  # fmt: skip
    doc = document(rows, summary, location, None, request)
    sheets = [workdir / "w2w-bucp.xlsx", workdir / "w2w-bucp.md"]
    for sheet in sheets:
        writers.write(doc, sheet.suffix[1:], sheet)
    return sheets


commands = [demo]
