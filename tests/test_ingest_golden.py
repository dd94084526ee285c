"""Golden files: each shipped recipe, with its sink swapped for DataHub's file sink, produces
exactly the pinned metadata (DataHub's own `check_golden_file`; `--update-golden-files` rewrites).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from datahub.testing.mce_helpers import check_golden_file

from cdw_datahub.demo.build import build_sqlite
from cdw_datahub.ingest import load_recipe, recipe_path, run_pipeline

GOLDEN = Path(__file__).parent / "golden"
RECIPES = ["glossary", "w2w", "healthy-habits", "your-environment"]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def recipe_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    workdir = tmp_path_factory.mktemp("golden")
    build_sqlite(workdir)
    env = {
        # relative, so the database path recorded in container properties is the same every run
        "CDW_DATA_DIR": ".",
        "CDW_GLOSSARY_DIR": str(REPO / "glossary"),
        "CDW_POLICIES_DIR": str(REPO / "policies"),
        "SOURCE_DATE_EPOCH": "1767225600",  # 2026-01-01: pins association timestamps
    }
    outputs = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(workdir)
        for key, value in env.items():
            mp.setenv(key, value)
        for name in RECIPES:
            config = load_recipe(recipe_path(f"{name}.lite.yml"))
            out = workdir / f"{name}.json"
            config["sink"] = {"type": "file", "config": {"filename": str(out)}}
            config["pipeline_name"] = f"cdw-golden-{name}"
            run_pipeline(config, name)
            outputs[name] = out
    return outputs


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_output_matches_golden(
    name: str, recipe_outputs: dict[str, Path], pytestconfig: pytest.Config
) -> None:
    check_golden_file(
        pytestconfig,
        output_path=recipe_outputs[name],
        golden_path=GOLDEN / f"{name}_golden.json",
        # the stock glossary source stamps knowledge links with the wall clock
        ignore_paths=[r"root\[\d+\]\['aspect'\]\['json'\]\['elements'\]\[\d+\]\['createStamp'\]"],
    )


@pytest.mark.parametrize("name", RECIPES)
def test_datahub_accepts_recipe_output(name: str, recipe_outputs: dict[str, Path]) -> None:
    datahub = Path(sys.executable).with_name("datahub")
    result = subprocess.run(
        [str(datahub), "check", "metadata-file", str(recipe_outputs[name])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", RECIPES[1:])
def test_catalog_read_back_matches_golden(
    name: str, recipe_outputs: dict[str, Path], pytestconfig: pytest.Config, tmp_path: Path
) -> None:
    """What the CLI reads back from a recipe's output (every dataset and field view), pinned:
    a change of how ingestion writes (the renovation into one transformer, PATCH writes) must
    not change what a reader sees, unless the golden file is deliberately updated."""
    import dataclasses
    import json

    from cdw_datahub.catalog import Catalog
    from cdw_datahub.catalog.backends import FileBackend

    with Catalog(FileBackend(recipe_outputs[name])) as catalog:
        views = [dataclasses.asdict(d) for d in catalog.datasets()]
    out = tmp_path / f"{name}_readback.json"
    out.write_text(json.dumps(views, indent=2, sort_keys=True) + "\n")
    golden = GOLDEN / f"{name}_readback_golden.json"
    if pytestconfig.getoption("update_golden_files", default=False):
        golden.write_text(out.read_text())
    assert golden.exists(), f"{golden} is missing; run pytest --update-golden-files"
    assert json.loads(out.read_text()) == json.loads(golden.read_text())
