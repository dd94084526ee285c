"""Run recipes through the real DataHub pipeline, in this process.

`datahub ingest -c RECIPE` does the same from a shell; running in-process saves DataHub's CLI
start-up per recipe (seconds) and lets the caller turn failures into one clear line.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from cdw_datahub.errors import InputError
from cdw_datahub.settings import packaged_dir

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    recipe: str
    events: int
    warnings: list[str]


def recipe_path(name: str) -> Path:
    """A shipped recipe by file name, e.g. `w2w.lite.yml`."""
    local = Path("recipes") / name
    return local if local.is_file() else packaged_dir("recipes") / name


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """`values` set in os.environ for the block, restored after."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def load_recipe(path: Path, env: Mapping[str, str] | None = None) -> dict:
    from datahub.configuration.common import ConfigurationError
    from datahub.configuration.config_loader import load_config_file

    with environment(env or {}):
        try:
            return load_config_file(path, resolve_env_vars=True)
        except (ConfigurationError, OSError) as e:
            raise InputError(f"cannot load the recipe ({e})", str(path)) from e


@functools.cache
def _freeze_startup_objects() -> None:
    """Once per CLI process, before its first pipeline: move everything alive (DataHub's schema
    classes, SQLAlchemy, the compiled policies, ~170,000 objects) out of the cyclic garbage
    collector's reach. They live until the process exits anyway, and otherwise every full
    collection during the run walks them all again; measured at 1,000 tables x 30 columns, this
    halves the time spent in garbage collection (0.7 s to 0.35 s). The CLI owns its process, so
    it may; the plugins do not (under `datahub ingest` the process is DataHub's)."""
    gc.freeze()


def run_pipeline(config: dict, label: str) -> IngestResult:
    """Run one pipeline config; a failure becomes an InputError naming the recipe."""
    from datahub.ingestion.run.pipeline import Pipeline

    try:
        pipeline = Pipeline.create(config, no_progress=True)
    except Exception as e:  # DataHub wraps config problems in several exception types
        raise InputError(_first_line(e), label) from e
    _freeze_startup_objects()
    pipeline.run()
    source_report = pipeline.source.get_report()
    failures = [_entry_text(f) for f in source_report.failures]
    failures += [_entry_text(f) for f in pipeline.sink.get_report().failures]
    if failures:
        raise InputError("ingestion failed: " + "; ".join(failures[:3]), label)
    warnings = [_entry_text(w) for w in source_report.warnings]
    # DataHub's pipeline report has no section for transformers: ours keep their findings.
    warnings += [f.message for t in pipeline.transformers for f in getattr(t, "findings", ())]
    return IngestResult(label, source_report.events_produced, warnings)


def run_recipe(path: Path, env: Mapping[str, str] | None = None) -> IngestResult:
    """Run a recipe file; `env` is visible to `${VAR}` expansion and to the plugins."""
    with environment(env or {}):
        return run_pipeline(load_recipe(path), str(path))


def _entry_text(entry: object) -> str:
    title = getattr(entry, "title", None) or getattr(entry, "message", None) or str(entry)
    context = getattr(entry, "context", None)
    text = f"{title} ({', '.join(map(str, context))})" if context else str(title)
    return _one_line(text)


def _one_line(text: str) -> str:
    """DataHub and driver messages span lines and link to docs; keep what says what failed."""
    text = text.split("(Background on this error", 1)[0]
    return " ".join(text.split()).rstrip(" ()")


def _first_line(e: BaseException) -> str:
    # DataHub's config errors chain a PipelineInitError to the pydantic error that says what.
    from pydantic import ValidationError

    cause: BaseException | None = e
    while cause is not None and cause.__cause__ is not None:
        cause = cause.__cause__
    if isinstance(cause, ValidationError):
        return "; ".join(
            f"'{'.'.join(map(str, err['loc']))}': {err['msg'].removeprefix('Value error, ')}"
            for err in cause.errors()
        )
    return _one_line(str(cause or e))
