"""A selection read from a server (tests/gms_standin.py): narrowed in the search query itself,
and not cut short by the search index's lag right after an ingestion.

The stand-in's `index_delay` keeps what was just written out of search results for a while, as
GMS's index does (seconds); reads by URN see it at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdw_datahub.catalog import open_catalog
from cdw_datahub.catalog.server import name_filter
from gms_standin import GmsStandIn, load_lite
from test_bucp_export import run

# patterns in every form `--dataset` takes (DatasetView.matches), cased as people type them
PATTERNS = [
    "participant", "main.participant", "w2w.main.participant", "w2w.participant",
    "W2W.Participant", "healthy-habits.participant", "w2w.*", "w2w.p*", "*_summary", "commute*",
    "p?rk", "[vw]2w.stop", "*.air-quality-readings", "your-environment.visit-reports",
    "urn:li:dataset:*w2w_monthly*", "*extract*", "healthy-habits.coaching_enrollment",
    "*", "w*.stop", "*e*",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo_store(demo_dir: Path) -> dict[str, Any]:
    return load_lite(demo_dir / "datahub-lite.db")


@pytest.fixture
def in_demo(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Inside the demo folder (its cdw.yml names the glossary, policies and register)."""
    monkeypatch.chdir(demo_dir)
    monkeypatch.delenv("DATAHUB_GMS_TOKEN", raising=False)
    monkeypatch.delenv("CDW_INDEX_WAIT", raising=False)
    return demo_dir


def export(catalog: str, *args: str) -> Any:
    return run("bucp", "export", "--catalog", catalog, "--format", "json", *args)


def fields(result: Any) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout)["fields"])


def test_name_filters_are_a_superset_and_narrow(demo_dir: Path, demo_store: dict) -> None:
    """For every pattern, the search the server is asked for returns every dataset the pattern
    matches (nothing the export needs is filtered out) and, where the pattern says enough, few
    others."""
    with open_catalog(f"lite:{demo_dir / 'datahub-lite.db'}") as lite:
        views = list(lite.datasets())
    everything = {v.urn for v in views}
    with GmsStandIn(None).load(demo_store) as gms:
        for pattern in PATTERNS:
            wanted = {v.urn for v in views if v.matches(pattern)}
            filters = name_filter([pattern])
            searched = set(gms.search(["DATASET"], filters)) & everything
            assert wanted <= searched, (pattern, wanted - searched)
            if pattern in ("*", "*e*"):
                assert filters is None  # nothing to narrow by: every dataset is read
            elif not any(c in pattern for c in "*?["):  # an exact name: a handful at most
                assert len(searched) <= 3, (pattern, searched)
        both = name_filter(["w2w.participant", "healthy-habits.campaign"])
        assert len(set(gms.search(["DATASET"], both)) & everything) <= 5


SELECTIONS = {
    "by name": ("--dataset", "w2w.participant", "--dataset", "stop"),
    "by BUCP": ("--bucp", "BUCP-2026-003"),  # the demo register's Walk2Work request
    "by program": ("--program", "your-environment"),  # its dictionary names its datasets
}


@pytest.mark.parametrize("selection", sorted(SELECTIONS))
@pytest.mark.usefixtures("in_demo")
def test_an_export_right_after_ingestion_waits_for_the_index(
    selection: str, demo_dir: Path, demo_store: dict
) -> None:
    args = SELECTIONS[selection]
    local = fields(export(f"lite:{demo_dir / 'datahub-lite.db'}", *args))
    with GmsStandIn(None, index_delay=3).load(demo_store) as gms:  # all of it just written
        result = export(gms.url, *args)
        assert result.exit_code == 0, result.output
        assert "waiting for DataHub's search index" in result.stderr
        assert "datasets not indexed yet (retry 1/5)" in result.stderr
        served = fields(result)
    assert served == local and len(local) >= 5


@pytest.mark.usefixtures("in_demo")
def test_an_index_already_caught_up_costs_no_wait(demo_store: dict) -> None:
    with GmsStandIn(None).load(demo_store) as gms:
        result = export(gms.url, *SELECTIONS["by BUCP"])
    assert fields(result) and "waiting" not in result.stderr


@pytest.mark.usefixtures("in_demo")
def test_still_missing_after_the_wait_is_exit_2_naming_them(
    demo_store: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDW_INDEX_WAIT", "1.5")
    out = tmp_path / "sheet.xlsx"
    with GmsStandIn(None, index_delay=600).load(demo_store) as gms:
        result = run("bucp", "export", "--catalog", gms.url, *SELECTIONS["by name"], "-o", str(out))
    assert result.exit_code == 2
    assert "(retry 1/2)" in result.stderr and "(retry 2/2)" in result.stderr
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert gms.url in line and "'w2w.participant', 'stop'" in line
    assert "DataHub's search index at" in line and "after waiting 1.5 s" in line
    assert not out.exists() and result.stdout == ""


@pytest.mark.usefixtures("in_demo")
def test_a_dictionary_dataset_never_ingested_is_said_not_waited_for_forever(
    demo_store: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDW_INDEX_WAIT", "1")
    gone = next(u for u in demo_store if "your-environment.visit-reports" in u)
    store = {urn: a for urn, a in demo_store.items() if urn != gone and gone not in urn}
    with GmsStandIn(None).load(store) as gms:
        result = export(gms.url, *SELECTIONS["by program"])
    rows = fields(result)
    assert rows and all(r["dataset_urn"] != gone for r in rows)
    said = "still shows no 'your-environment.visit-reports' after waiting 1 s; left out"
    assert said in result.stderr


def test_the_wait_is_a_number_of_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    from cdw_datahub.catalog.server import index_wait
    from cdw_datahub.errors import InputError

    monkeypatch.setenv("CDW_INDEX_WAIT", "soon")
    with pytest.raises(InputError, match="CDW_INDEX_WAIT"):
        index_wait()
    monkeypatch.setenv("CDW_INDEX_WAIT", "0")
    assert index_wait() == 0
