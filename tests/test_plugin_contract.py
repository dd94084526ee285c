"""The plugins as a DataHub host sees them: one describe transformer configured by its recipe
alone, light imports, and the DataHub internals they rely on pinned."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cdw_datahub.errors import InputError
from cdw_datahub.ingest import run_pipeline

REPO = Path(__file__).resolve().parents[1]
DATAHUB = Path(sys.executable).with_name("datahub")


def test_plugins_import_light() -> None:
    # What our plugin modules add on top of the DataHub modules they build on (DataHub itself
    # imports click): none of the CLI's heavy dependencies, none of the reader or CLI packages.
    code = """
import sys
import datahub.ingestion.api.transform, datahub.ingestion.source.sql.sql_generic
import datahub.lite.lite_local, datahub.ingestion.api.sink
before = set(sys.modules)
import cdw_datahub.sources.sqlite, cdw_datahub.transformers.describe, cdw_datahub.sinks.fast_lite
print("\\n".join(sorted(set(sys.modules) - before)))
"""
    added = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    ).stdout.split()
    heavy = ("click", "openpyxl", "matplotlib", "alembic", "jinja2")
    ours = ("cdw_datahub.cli", "cdw_datahub.catalog", "cdw_datahub.bucp", "cdw_datahub.worksheet")
    assert [m for m in added if m.split(".")[0] in heavy] == []
    assert [m for m in added if m.startswith(ours)] == []
    assert "cdw_datahub.transformers.describe" in added  # the probe did import our plugins


def _recipe(tmp_path: Path, describe_config: dict) -> dict:
    from cdw_datahub.demo.build import build_sqlite

    build_sqlite(tmp_path)
    return {
        "source": {
            "type": "cdw-sqlite",
            "config": {"connect_uri": f"sqlite:///{tmp_path / 'w2w.db'}", "sample_values": True},
        },
        "transformers": [{"type": "cdw_describe", "config": describe_config}],
        "sink": {"type": "file", "config": {"filename": str(tmp_path / "out.json")}},
    }


def test_recipe_without_policies_dir_is_refused(tmp_path: Path) -> None:
    config = _recipe(tmp_path, {"program": "w2w", "glossary_dir": str(REPO / "glossary")})
    with pytest.raises(InputError) as caught:
        run_pipeline(config, "w2w.yml")
    assert "policies_dir" in caught.value.message
    assert "sample department" in caught.value.message

    # The same recipe through the stock `datahub ingest`: it fails and says why, even when run
    # from a folder holding a policies/ folder (the working directory is never consulted).
    path = tmp_path / "recipe.yml"
    path.write_text(yaml.safe_dump(config))
    (tmp_path / "policies").symlink_to(REPO / "policies")
    result = subprocess.run(
        [str(DATAHUB), "ingest", "-c", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode != 0
    assert "policies_dir" in result.stdout + result.stderr


def test_commands_never_fall_back_to_the_sample_department(tmp_path: Path) -> None:
    from cdw_datahub.demo.build import build_sqlite

    build_sqlite(tmp_path)
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cdw-datahub")), "scan", "sqlite:///w2w.db"],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no glossary/, policies/ or cdw.yml here
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert "no glossary/ folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_value_evidence_travels_with_the_dataset(tmp_path: Path) -> None:
    """Detector ids ride on the dataset's own schema object from the source to the transformer
    (no module state), and nothing of them is serialized."""
    from datahub.ingestion.api.common import PipelineContext
    from datahub.metadata.schema_classes import (
        MetadataChangeEventClass,
        OtherSchemaClass,
        SchemaMetadataClass,
    )

    from cdw_datahub.demo.build import build_sqlite
    from cdw_datahub.sources import evidence
    from cdw_datahub.sources.sqlite import CdwSQLiteSource

    build_sqlite(tmp_path)
    uri = f"sqlite:///{tmp_path / 'w2w.db'}"
    source = CdwSQLiteSource.create(
        {"connect_uri": uri, "sample_values": True}, PipelineContext(run_id="t")
    )
    hits = {}
    for wu in source.get_workunits():
        if isinstance(wu.metadata, MetadataChangeEventClass):
            for aspect in wu.metadata.proposedSnapshot.aspects:
                if isinstance(aspect, SchemaMetadataClass):
                    hits[aspect.schemaName] = evidence.of(aspect)
                    assert "_cdw_value_hits" not in json.dumps(aspect.to_obj())
    participant = next(h for name, h in hits.items() if name.endswith("participant"))
    assert participant["email_address"] == frozenset({"email"})
    assert participant["birth_date"] == frozenset({"dob"})
    assert not any(hits.get(n) for n in hits if n.endswith("reward"))  # no text to match there

    # A schema no source sampled carries no evidence.
    unsampled = SchemaMetadataClass(
        schemaName="t",
        platform="urn:li:dataPlatform:sqlite",
        version=0,
        hash="",
        platformSchema=OtherSchemaClass(rawSchema=""),
        fields=[],
    )
    assert evidence.of(unsampled) == {}


def test_datahub_sql_source_hooks_we_override_still_exist() -> None:
    """cdw-sqlite overrides two private hooks of DataHub's SQL source (README: upgrading). If an
    upgrade renames or re-signs them, this fails instead of the overrides silently not running."""
    import inspect

    from datahub.ingestion.source.sql.sql_common import SQLAlchemySource

    assert list(inspect.signature(SQLAlchemySource._get_columns).parameters) == [
        "self",
        "dataset_name",
        "inspector",
        "schema",
        "table",
    ]
    assert list(inspect.signature(SQLAlchemySource._classify).parameters) == [
        "self",
        "dataset_name",
        "schema",
        "table",
        "data_reader",
        "schema_metadata",
    ]
    # ...and the schema _classify receives is the very object the dataset's snapshot carries.
    source = inspect.getsource(SQLAlchemySource._process_table)
    assert source.index("self._classify(") < source.index(
        "dataset_snapshot.aspects.append(schema_metadata)"
    )


def test_urn_prefixes_are_spelled_only_in_the_contract() -> None:
    """One home for the catalog model: no module outside `contract/` spells a URN prefix of
    its own (the few literals left are DataHub's, not the contract's, and listed here)."""
    import re

    src = REPO / "src" / "cdw_datahub"
    allowed = {
        "catalog/backends.py": 'f"urn:li:{entity_type}:"',  # a generic entity-type range
        "catalog/server.py": '"urn:li:corpuser:datahub"',  # the probe DataHub itself answers
        "patching.py": '"urn:li:corpuser:unknown"',  # GMS's default actor of an empty aspect
    }
    found = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if rel.startswith("contract/"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for literal in re.findall(r'f?"urn:li:[^"]*"', line):
                if allowed.get(rel) != literal and not line.lstrip().startswith(("#", '"')):
                    found.append(f"{rel}:{number}: {literal}")
    assert found == []
