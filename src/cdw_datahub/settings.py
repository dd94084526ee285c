"""Where the catalog, the register and the steward-owned folders are.

Order: command-line flag, environment (CDW_CATALOG, CDW_REGISTER, CDW_GLOSSARY_DIR,
CDW_POLICIES_DIR), `cdw.yml` in the current directory (or --config FILE), defaults. Relative
paths in cdw.yml are relative to that file. The default catalog is the recipes' Lite file:
`lite:$CDW_LITE_FILE`, else `lite:demo-out/datahub-lite.db`.

The glossary/ and policies/ folders default to ./glossary and ./policies when present; there is no
fallback to the sample department's copies shipped in the package (only `cdw-datahub demo` uses
those, through `packaged_dir`), so a department never classifies with the fictional one's rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from cdw_datahub import masking
from cdw_datahub.errors import InputError

CONFIG_NAME = "cdw.yml"
CONFIG_KEYS = {"catalog", "register", "glossary", "policies"}
# The shipped recipes write `${CDW_LITE_FILE:-demo-out/datahub-lite.db}`; the CLI reads the same
# file by default, so `datahub ingest -c recipes/...` then `cdw-datahub coverage` needs no flag.
LITE_FILE_ENV = "CDW_LITE_FILE"
DEFAULT_LITE_FILE = "demo-out/datahub-lite.db"
DEFAULT_CATALOG = f"lite:{DEFAULT_LITE_FILE}"
DEFAULT_REGISTER = "sqlite:///bucp-register.db"


def packaged_dir(name: str) -> Path:
    """A folder shipped with the package (the sample department's glossary/policies/recipes).

    In a wheel they sit in `cdw_datahub/_data/`; in a source checkout at the repository root.
    """
    data = Path(str(resources.files("cdw_datahub"))) / "_data" / name
    if data.is_dir():
        return data
    return Path(__file__).resolve().parents[2] / name


@dataclass(frozen=True)
class Settings:
    catalog: str
    register: str
    glossary_dir: Path | None
    policies_dir: Path | None
    config_file: Path | None = None

    def policy_dirs(self) -> tuple[Path, Path]:
        """The glossary/ and policies/ folders, for commands that cannot work without them."""
        if self.glossary_dir is None or self.policies_dir is None:
            missing = "glossary/" if self.glossary_dir is None else "policies/"
            raise InputError(
                f"no {missing} folder: run inside the folder that holds glossary/ and "
                "policies/, name them in cdw.yml (glossary:, policies:), or set "
                "CDW_GLOSSARY_DIR and CDW_POLICIES_DIR",
                key=missing.rstrip("/"),
            )
        return self.glossary_dir, self.policies_dir


def _load_config(path: Path) -> dict[str, str]:
    # the steward files' loader: the same size, alias and nesting limits (cdw.yml is read from
    # the current folder by every command, so a bomb there would stall them all)
    from cdw_datahub.policy.yamlfile import load_yaml

    data = load_yaml(path).data or {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of catalog, register, glossary, policies", str(path))
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        raise InputError(
            f"unknown key; allowed keys are {', '.join(sorted(CONFIG_KEYS))}", str(path), unknown[0]
        )
    return {k: str(v) for k, v in data.items() if v is not None}


def _relative_to(base: Path, value: str) -> str:
    """Resolve a path (or `lite:`/`file:` path, or sqlite:/// URL) relative to cdw.yml's folder."""
    for prefix in ("lite:", "file:", "sqlite:///"):
        if value.startswith(prefix):
            rest = value[len(prefix) :]
            if rest and not os.path.isabs(rest):
                return prefix + str(base / rest)
            return value
    if "://" in value or os.path.isabs(value):
        return value
    return str(base / value)


def default_catalog() -> str:
    """Where the shipped recipes write when nothing else is set (same variable, same default)."""
    return f"lite:{os.environ.get(LITE_FILE_ENV) or DEFAULT_LITE_FILE}"


def resolve(
    catalog: str | None = None,
    register: str | None = None,
    config: Path | None = None,
    cwd: Path | None = None,
) -> Settings:
    cwd = cwd or Path.cwd()
    config_file = config if config is not None else cwd / CONFIG_NAME
    file_values: dict[str, str] = {}
    if config is not None or config_file.is_file():
        file_values = {
            k: _relative_to(config_file.parent.resolve(), v)
            for k, v in _load_config(config_file).items()
        }
    else:
        config_file = None  # type: ignore[assignment]

    def pick(flag: str | None, env: str | None, key: str, default: str) -> str:
        return flag or (os.environ.get(env) if env else None) or file_values.get(key) or default

    def folder(key: str) -> Path | None:
        env = os.environ.get(f"CDW_{key.upper()}_DIR")
        if env:
            return Path(env)
        if key in file_values:
            return Path(file_values[key])
        local = cwd / key
        return local if local.is_dir() else None

    resolved = Settings(
        catalog=pick(catalog, "CDW_CATALOG", "catalog", default_catalog()),
        register=pick(register, "CDW_REGISTER", "register", DEFAULT_REGISTER),
        glossary_dir=folder("glossary"),
        policies_dir=folder("policies"),
        config_file=config_file,
    )
    masking.register_url(resolved.catalog, "CATALOG_PASSWORD")
    masking.register_url(resolved.register, "REGISTER_PASSWORD")
    return resolved


def write_config(directory: Path, settings: dict[str, str]) -> Path:
    """Write a cdw.yml (atomically) so commands run inside `directory` need no flags."""
    from cdw_datahub.output import atomic_write_text

    path = directory / CONFIG_NAME
    text = "# Written by `cdw-datahub demo`; see README (Settings).\n" + yaml.safe_dump(
        settings, sort_keys=False
    )
    atomic_write_text(path, text)
    return path
