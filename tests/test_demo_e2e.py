"""End to end on the real demo: sample databases -> real DataHub pipeline -> Lite -> reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdw_datahub.catalog import DatasetView, open_catalog
from cdw_datahub.demo.build import SAMPLE_SENTINELS
from cdw_datahub.demo.schema import PROGRAMS
from cdw_datahub.policy import load_policy

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def datasets(demo_catalog: str) -> dict[tuple[str, str], DatasetView]:
    with open_catalog(demo_catalog) as catalog:
        return {(d.program or "", d.table): d for d in catalog.datasets()}


@pytest.fixture(scope="module")
def policy():  # type: ignore[no-untyped-def]
    return load_policy(REPO / "glossary", REPO / "policies")


def test_every_table_column_and_foreign_key_is_catalogued(
    datasets: dict[tuple[str, str], DatasetView],
) -> None:
    for program in PROGRAMS:
        for table in program.tables:
            dataset = datasets[(program.id, table.name)]
            assert [f.path for f in dataset.fields] == [c.name for c in table.columns]
        for view in program.views:
            assert (program.id, view.name) in datasets


def test_foreign_keys_in_lite(demo_dir: Path) -> None:
    """Named and unnamed keys all arrive (the stock source dies on the unnamed ones)."""
    from cdw_datahub.catalog.backends import LiteBackend

    backend = LiteBackend(demo_dir / "datahub-lite.db")
    found = sum(
        len((aspects.get("schemaMetadata") or {}).get("foreignKeys") or [])
        for _, aspects in backend.entities("dataset")
    )
    expected = sum(1 for p in PROGRAMS for t in p.tables for c in t.columns if c.references)
    assert found == expected


def test_dictionary_facts_land_on_the_right_fields(
    datasets: dict[tuple[str, str], DatasetView], policy
) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for program in policy.programs.values():
        for table, entry in policy.datasets(program.id).items():
            dataset = datasets[(program.id, table)]
            by_path = {f.path: f for f in dataset.fields}
            for column, fact in entry.fields.items():
                field = by_path[column]
                assert field.label == fact.name
                if fact.definition:  # the steward's dictionary wins over a database comment
                    assert field.description == fact.definition
                if fact.valid_inputs:
                    assert field.prop("cdw.field.validInputs") == fact.valid_inputs
                terms = {t.urn for t in field.terms}
                assert set(fact.terms) <= terms
                for term in field.terms:
                    if term.urn in fact.terms:
                        assert term.provenance == "reviewed"
                checked += 1
    assert checked > 150


def test_dictionary_wins_and_the_stale_comment_stays_visible_and_reported(
    datasets: dict[tuple[str, str], DatasetView], demo_dir: Path
) -> None:
    duration = next(f for f in datasets[("w2w", "stop")].fields if f.path == "duration")
    assert "minute" in (duration.description or "").lower()
    assert "second" in (duration.prop("cdw.field.databaseComment") or "").lower()
    # the demo's ingestion summary names it (DataHub's own report has no transformer section)
    log = (demo_dir / "demo-output.log").read_text()
    assert "stop.duration: the database comment differs from the field dictionary" in log


def test_reviewed_classifications_win_and_carry_provenance(
    datasets: dict[tuple[str, str], DatasetView], policy
) -> None:  # type: ignore[no-untyped-def]
    reviewed_seen = suggested_seen = 0
    for (program, table), dataset in datasets.items():
        for field in dataset.fields:
            level_tags = [t for t in field.tags if t.urn.startswith("urn:li:tag:cdw.level.")]
            assert len(level_tags) <= 1
            reviewed = policy.reviewed(program, table, field.path)
            if reviewed is not None:
                assert level_tags[0].urn == f"urn:li:tag:cdw.level.{reviewed.level}"
                assert level_tags[0].provenance == "reviewed"
                categories = {
                    t.urn.removeprefix("urn:li:tag:cdw.category.")
                    for t in field.tags
                    if t.urn.startswith("urn:li:tag:cdw.category.")
                }
                assert categories == set(reviewed.categories)
                reviewed_seen += 1
            elif level_tags and level_tags[0].inherited_from:
                continue  # a view column: inherited from its upstream (see below)
            elif level_tags and ".openapi.yaml:" in (level_tags[0].rule or ""):
                assert level_tags[0].provenance == "reviewed"  # the API's x-cdw-classification
            elif level_tags:
                assert level_tags[0].provenance == "suggested"
                assert level_tags[0].rule
                suggested_seen += 1
    assert reviewed_seen > 20 and suggested_seen > 20


def test_statutes_follow_policy(datasets: dict[tuple[str, str], DatasetView], policy) -> None:  # type: ignore[no-untyped-def]
    with_statutes = 0
    for (program, table), dataset in datasets.items():
        dataset_links = {url for url, _ in dataset.links}
        for field in dataset.fields:
            categories = [
                t.urn.removeprefix("urn:li:tag:cdw.category.")
                for t in field.tags
                if t.urn.startswith("urn:li:tag:cdw.category.")
            ]
            decision = policy.statutes_for(program, table, field.path, categories)
            statutes = {t.urn for t in field.terms if t.urn in policy.statutes}
            api = [t for t in field.terms if ".openapi.yaml:" in (t.rule or "")]
            if api:  # the API's x-cdw-statutes: reviewed by its steward
                assert {t.provenance for t in api} == {"reviewed"}
            else:
                assert statutes == set(decision.statutes)
            for urn in statutes:
                assert policy.statutes[urn].url in dataset_links
                with_statutes += 1
            if decision.assessed and not decision.statutes:
                assert field.prop("cdw.field.statuteAssessment") == "none-apply"
    assert with_statutes > 30


def test_dataset_rollup(datasets: dict[tuple[str, str], DatasetView], policy) -> None:  # type: ignore[no-untyped-def]
    participant = datasets[("w2w", "participant")]
    assert participant.domain == "urn:li:domain:cdw.w2w"
    assert participant.owners == [f"urn:li:corpuser:{policy.programs['w2w'].steward.id}"] or (
        participant.owners and participant.owners[0].startswith("urn:li:corpuser:")
    )
    levels = []
    for field in participant.fields:
        tag = next((t for t in field.tags if t.urn.startswith("urn:li:tag:cdw.level.")), None)
        levels.append(tag.urn.removeprefix("urn:li:tag:cdw.level.") if tag else None)
    expected = policy.strictest(levels) or "unclassified"
    assert participant.prop("cdw.dataset.classification") == expected
    assert participant.prop("cdw.dataset.program") == "w2w"
    assert "direct_identifier" in participant.properties["cdw.dataset.categories"]


def test_no_sampled_value_reaches_the_catalog(demo_dir: Path) -> None:
    lite = (demo_dir / "datahub-lite.db").read_bytes()
    for sentinel in SAMPLE_SENTINELS:
        assert sentinel.encode() not in lite, sentinel


def test_demo_prints_the_whole_product_and_no_sampled_value(demo_dir: Path) -> None:
    output = (demo_dir / "demo-output.log").read_text()
    for heading in (
        "what was harvested and how well it is described",
        "What to describe next",
        "BUCP register",
        "Walk2Work BUCP technical fields",
    ):
        assert heading in output
    assert (demo_dir / "w2w-bucp.xlsx").is_file() and (demo_dir / "w2w-bucp.md").is_file()
    assert (demo_dir / "cdw.yml").is_file()
    # the guidebook's ranking: Walk2Work, then Healthy Habits, then Your Environment
    priority = output[output.index("What to describe next") : output.index("BUCP register (")]
    order = [priority.index(n) for n in ("Walk2Work", "Healthy Habits", "Your Environment")]
    assert order == sorted(order)
    for sentinel in SAMPLE_SENTINELS:
        assert sentinel not in output


def test_view_columns_inherit_from_their_upstream_columns(
    datasets: dict[tuple[str, str], DatasetView],
) -> None:
    view = {f.path: f for f in datasets[("w2w", "participant_commute_summary")].fields}
    table = {f.path: f for f in datasets[("w2w", "participant")].fields}
    county, upstream = view["home_county"], table["home_county"]
    assert county.description == upstream.description and county.label == upstream.label
    assert county.prop("cdw.field.inheritedFrom") == (
        "urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:sqlite,w2w.main.participant,"
        "PROD),home_county)"
    )
    level = next(t for t in county.tags if t.urn.startswith("urn:li:tag:cdw.level."))
    upstream_level = next(t for t in upstream.tags if t.urn.startswith("urn:li:tag:cdw.level."))
    assert (level.urn, level.provenance) == (upstream_level.urn, upstream_level.provenance)
    assert level.inherited_from and level.inherited_from[0].endswith(",home_county)")
    statutes = {t.urn for t in county.terms if "cdw.statute." in t.urn}
    assert statutes == {t.urn for t in upstream.terms if "cdw.statute." in t.urn}
    # an aggregate (COUNT) gets no copied definition
    assert not view["commute_count"].description


def test_no_sampled_value_reaches_the_published_site(demo_dir: Path) -> None:
    """The leak scan over the demo's published dictionary: the sentinels, and every e-mail
    address and phone number actually stored in the demo databases."""
    import sqlite3

    values = set(SAMPLE_SENTINELS)
    for program in PROGRAMS:
        db = sqlite3.connect(demo_dir / f"{program.id}.db")
        for table in program.tables:
            for column in table.columns:
                if "email" in column.name or "phone" in column.name:
                    rows = db.execute(f'SELECT "{column.name}" FROM "{table.name}"').fetchall()
                    values.update(str(v) for (v,) in rows if v)
        db.close()
    values.update(file_values(demo_dir))
    assert len(values) > 100
    files = [p for p in (demo_dir / "site").rglob("*") if p.is_file()]
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        leaked = [v for v in values if v in text]
        assert not leaked, (path, leaked[:3])


def file_values(demo_dir: Path) -> set[str]:
    """The values the value detectors sample from the demo's files: every e-mail address of the
    W2W extract, every attendee name and telephone number of the Healthy Habits workbook."""
    import csv

    from openpyxl import load_workbook

    from cdw_datahub.demo import workbooks

    with (demo_dir / "extracts" / "w2w_monthly_extract.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) > 100
    values = {r["notify_to"] for r in rows} | {"Testy McTestface"}
    book = load_workbook(demo_dir / "workbooks" / workbooks.HH_WORKBOOK, read_only=True)
    sheet = book[workbooks.SHEET].iter_rows(values_only=True)
    header = next(sheet)
    signins = [dict(zip(header, row, strict=True)) for row in sheet]
    book.close()
    assert len(signins) > 100
    values |= {str(r[c]) for r in signins for c in ("attendee_name", "follow_up")}
    return values


def readable_bytes(path: Path) -> bytes:
    """A file's bytes as a reader would search them: an xlsx is a zip, so its members unpacked."""
    import zipfile

    if path.suffix != ".xlsx":
        return path.read_bytes()
    with zipfile.ZipFile(path) as book:
        return b"".join(book.read(name) for name in book.namelist())


@pytest.mark.parametrize(
    ("program", "table", "field"),
    [
        ("w2w", "w2w_monthly_extract", "notify_to"),  # a CSV extract (cdw-files)
        ("healthy-habits", "workshop_signins", "follow_up"),  # a workbook's sheet (cdw-excel)
        ("healthy-habits", "coaching_enrollment", "chronic_condition"),  # inventory/, vendor
        ("your-environment", "visit-reports", "visitor_email"),  # an API endpoint (OpenAPI)
        ("your-environment", "air-quality-readings", "station_code"),
    ],
)
def test_extracts_inventory_and_api_endpoints_are_described_like_tables(
    datasets: dict[tuple[str, str], DatasetView], program: str, table: str, field: str
) -> None:
    dataset = datasets[(program, table)]
    assert len(dataset.fields) >= 4
    described = {f.path: f for f in dataset.fields}[field]
    assert described.description and described.label
    assert any(t.urn.startswith("urn:li:tag:cdw.level.") for t in described.tags)
    assert any("cdw.statute." in t.urn for t in described.terms) or (
        described.prop("cdw.field.statuteAssessment") == "none-apply"
    )
    assert dataset.prop("cdw.dataset.lifecycle") == "active"


@pytest.mark.parametrize(
    ("program", "table", "field", "rule"),
    [
        ("w2w", "w2w_monthly_extract", "notify_to", "value.email"),
        ("healthy-habits", "workshop_signins", "follow_up", "value.phone"),
    ],
)
def test_only_the_sampled_values_tell_what_a_files_column_holds(
    datasets: dict[tuple[str, str], DatasetView], program: str, table: str, field: str, rule: str
) -> None:
    described = {f.path: f for f in datasets[(program, table)].fields}[field]
    level = next(t for t in described.tags if t.urn.startswith("urn:li:tag:cdw.level."))
    assert (level.urn, level.provenance, level.rule) == (
        "urn:li:tag:cdw.level.personal",
        "suggested",
        rule,
    )


def test_the_files_sampled_values_reach_no_output(demo_dir: Path) -> None:
    values = file_values(demo_dir)
    outputs = [demo_dir / "datahub-lite.db", demo_dir / "demo-output.log"]
    outputs += [demo_dir / "w2w-bucp.md", demo_dir / "w2w-bucp.xlsx"]
    for path in outputs:
        data = readable_bytes(path)
        leaked = [v for v in values if v.encode() in data]
        assert not leaked, (path, leaked[:3])


# Stands in for an install without the `excel` extra: the packages it adds to the default
# install (pandas, the Azure clients DataHub's excel source imports) cannot be imported.
WITHOUT_EXCEL = """
import sys
from importlib.abc import MetaPathFinder

class WithoutExcelExtra(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pandas", "azure"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, WithoutExcelExtra())
from cdw_datahub.cli import main
main(["demo", "--workdir", sys.argv[1]])
"""


@pytest.mark.slow
def test_without_the_excel_extra_the_demo_skips_only_the_workbook(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXCEL, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    said = [line for line in done.stderr.splitlines() if "cdw-datahub[excel]" in line]
    assert len(said) == 1
    assert said[0].startswith(
        "Warning: skipped the Healthy Habits workbook (recipes/healthy-habits-workbooks.lite.yml):"
        " DataHub's excel source is not installed (No module named "
    )  # the first of the extra's packages DataHub imports
    assert said[0].endswith("; pip install 'cdw-datahub[excel]' to catalog it")
    assert "healthy-habits-workbooks" not in done.stderr.replace(said[0], "")  # not run
    assert not (tmp_path / "workbooks").exists()
    with open_catalog(f"lite:{tmp_path / 'datahub-lite.db'}") as catalog:
        tables = {d.table for d in catalog.datasets()}
    assert "workshop_signins" not in tables
    # everything else is catalogued: the databases, the extract, inventory/ and the API
    expected = {t.name for p in PROGRAMS for t in p.tables} | {
        "w2w_monthly_extract",
        "coaching_enrollment",
        "visit-reports",
    }
    assert expected <= tables
    assert "Published the data dictionary" in done.stderr
