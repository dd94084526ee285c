"""Datasets that are not databases (play 2): file extracts, OpenAPI endpoints, inventory/ YAML.

Each goes through the real `datahub` pipeline (the project's source plugins, `cdw_describe`,
the file sink) and is read back by the catalog reader, like a table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdw_datahub.catalog import DatasetView, open_catalog
from cdw_datahub.demo.build import SAMPLE_SENTINELS
from cdw_datahub.demo.extracts import build_extracts
from cdw_datahub.errors import InputError
from cdw_datahub.ingest import run_pipeline

REPO = Path(__file__).resolve().parents[1]
API = REPO / "apis" / "your-environment.openapi.yaml"
INVENTORY = REPO / "inventory" / "healthy-habits.yml"


def ingest(tmp_path: Path, source: dict, program: str) -> tuple[dict[str, DatasetView], list]:
    out = tmp_path / "out.json"
    config = {
        "source": source,
        "transformers": [
            {
                "type": "cdw_describe",
                "config": {
                    "program": program,
                    "glossary_dir": str(REPO / "glossary"),
                    "policies_dir": str(REPO / "policies"),
                },
            }
        ],
        "sink": {"type": "file", "config": {"filename": str(out)}},
    }
    result = run_pipeline(config, "test recipe")
    with open_catalog(f"file:{out}") as catalog:
        return {d.table: d for d in catalog.datasets()}, result.warnings


def level(field) -> tuple[str, str, str | None]:  # type: ignore[no-untyped-def]
    tag = next(t for t in field.tags if t.urn.startswith("urn:li:tag:cdw.level."))
    return tag.urn.rsplit(".", 1)[-1], tag.provenance, tag.rule


def statutes(field) -> set[str]:  # type: ignore[no-untyped-def]
    return {t.urn.rsplit(":", 1)[-1] for t in field.terms if "cdw.statute." in t.urn}


# -- files


def test_csv_extract_is_named_typed_described_and_sampled(tmp_path: Path) -> None:
    folder = build_extracts(tmp_path, rows=40)
    source = {
        "type": "cdw-files",
        "config": {
            "path_specs": [{"include": f"{folder}/*.*"}],
            "platform_instance": "w2w",
            "sample_values": True,
        },
    }
    datasets, warnings = ingest(tmp_path, source, "w2w")
    assert warnings == []
    extract = datasets["w2w_monthly_extract"]
    assert extract.urn == "urn:li:dataset:(urn:li:dataPlatform:file,w2w.w2w_monthly_extract,PROD)"
    fields = {f.path: f for f in extract.fields}
    assert fields["steps_total"].native_type == "integer"
    assert fields["report_month"].native_type == "date"
    # the dictionary describes the file like a table
    assert fields["report_month"].label == "Report Month"
    assert extract.prop("cdw.dataset.updateFrequency") == "monthly"
    # `notify_to` says nothing in its name or definition: only the sampled values tell
    assert level(fields["notify_to"]) == ("personal", "suggested", "value.email")
    assert statutes(fields["notify_to"])
    text = (tmp_path / "out.json").read_text()
    for sentinel in SAMPLE_SENTINELS:
        assert sentinel not in text


def test_without_sampling_the_values_are_not_read(tmp_path: Path) -> None:
    folder = build_extracts(tmp_path, rows=5)
    source = {"type": "cdw-files", "config": {"path_specs": [{"include": f"{folder}/*.csv"}]}}
    datasets, _ = ingest(tmp_path, source, "w2w")
    notify = next(f for f in datasets["w2w_monthly_extract"].fields if f.path == "notify_to")
    assert not [t for t in notify.tags if t.rule == "value.email"]


def test_parquet_values_are_sampled_too(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "drop"
    folder.mkdir()
    table = pa.table(
        {"visit_no": [1, 2, 3], "contact": [f"p{i}@example.invalid" for i in range(3)]}
    )
    pq.write_table(table, folder / "visits.parquet")
    source = {
        "type": "cdw-files",
        "config": {"path_specs": [{"include": f"{folder}/*.parquet"}], "sample_values": True},
    }
    datasets, _ = ingest(tmp_path, source, "your-environment")
    fields = {f.path: f for f in datasets["visits"].fields}
    assert level(fields["contact"])[2] == "value.email"
    assert "example.invalid" not in (tmp_path / "out.json").read_text()


def test_a_broken_csv_header_is_a_warning_naming_file_and_line_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "broken.csv").write_text("id,,id\n1,2,3\n")
    (folder / "fine.csv").write_text("id,e_mail\n1,a@example.invalid\n")
    source = {"type": "cdw-files", "config": {"path_specs": [{"include": f"{folder}/*.csv"}]}}
    datasets, warnings = ingest(tmp_path, source, "w2w")
    assert any("Broken CSV header" in w and f"{folder / 'broken.csv'}:1" in w for w in warnings)
    assert [f.path for f in datasets["fine"].fields] == ["id", "e_mail"]


def test_a_workbook_sheet_is_a_dataset_named_by_file_and_sheet_and_sampled(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Volunteers"
    sheet.append(["volunteer_no", "reach_at", "shifts"])
    for i in range(1, 6):
        sheet.append([i, f"v{i}.mctestface@example.invalid", i * 2])
    book.save(tmp_path / "roster.xlsx")
    source = {
        "type": "cdw-excel",
        "config": {
            "path_list": [str(tmp_path / "roster.xlsx")],
            "platform_instance": "your-environment",
            "sample_values": True,
        },
    }
    datasets, _ = ingest(tmp_path, source, "your-environment")
    roster = datasets["Volunteers"]
    assert roster.urn == (
        "urn:li:dataset:(urn:li:dataPlatform:excel,your-environment.roster.Volunteers,PROD)"
    )
    fields = {f.path: f for f in roster.fields}
    assert level(fields["reach_at"])[2] == "value.email"
    assert "example.invalid" not in (tmp_path / "out.json").read_text()


def test_cells_around_a_sheets_table_never_become_dataset_properties(tmp_path: Path) -> None:
    """DataHub's excel source copies two-cell rows above and below the table into the dataset's
    properties; cdw-excel keeps only the workbook's document properties."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    sheet.append(["Kept by", "Dana Q. Example"])
    sheet.append([])
    sheet.append(["volunteer_no", "full_name", "reach_at", "shifts", "county"])
    for i in range(1, 12):
        sheet.append([i, f"Person {i}", f"p{i}@example.invalid", i * 2, "Kern"])
    sheet.append([])
    sheet.append(["Late sign-up", "late.signup@example.invalid"])
    book.properties.title = "Volunteer contacts"
    book.save(tmp_path / "contacts.xlsx")
    source = {"type": "cdw-excel", "config": {"path_list": [str(tmp_path / "contacts.xlsx")]}}
    datasets, _ = ingest(tmp_path, source, "your-environment")
    contacts = datasets["Contacts"]
    assert [f.path for f in contacts.fields] == [
        "volunteer_no", "full_name", "reach_at", "shifts", "county",
    ]  # fmt: skip
    records = json.loads((tmp_path / "out.json").read_text())
    properties = next(
        r["aspect"]["json"]["customProperties"]
        for r in records
        if r.get("aspectName") == "datasetProperties"
    )
    assert properties["title"] == "Volunteer contacts"
    text = (tmp_path / "out.json").read_text()
    for cell in ("Dana Q. Example", "late.signup@example.invalid", "Late sign-up", "Kept by"):
        assert cell not in text


# -- OpenAPI


def test_openapi_endpoints_are_datasets_with_the_stewards_x_cdw_values(tmp_path: Path) -> None:
    source = {"type": "cdw-openapi", "config": {"name": "ye-api", "spec_file": str(API)}}
    datasets, _ = ingest(tmp_path, source, "your-environment")
    assert set(datasets) == {"air-quality-readings", "visit-reports"}
    visits = datasets["visit-reports"]
    fields = {f.path: f for f in visits.fields}
    assert list(fields)[:3] == ["report_id", "park_id", "visit_date"]  # simplified paths
    email = fields["visitor_email"]
    assert email.label == "Visitor E-mail Address"
    assert email.description.startswith("E-mail address at which the visitor asked")
    tag, provenance, rule = level(email)
    assert (tag, provenance) == ("personal", "reviewed")
    line = API.read_text().splitlines().index("        visitor_email:") + 1
    assert rule == f"apis/{API.name}:{line}"  # as cited: no folder of the harvesting machine
    assert statutes(email) == {"cdw.statute.ca-civ-1798.24", "cdw.statute.ca-gov-11015.5"}
    # `x-cdw-statutes: []` records "assessed, none apply"
    assert fields["party_size"].prop("cdw.field.statuteAssessment") == "none-apply"
    # the dictionary adds the play 2 attributes of the endpoint
    assert visits.prop("cdw.dataset.updateFrequency") == "continuous"


def test_the_dictionary_wins_over_an_x_cdw_definition(tmp_path: Path) -> None:
    import shutil

    glossary = tmp_path / "glossary"
    shutil.copytree(REPO / "glossary", glossary)
    path = glossary / "dictionary" / "your-environment.yml"
    path.write_text(
        path.read_text()
        + "    fields:\n      party_size:\n        definition: People in the party.\n"
    )
    out = tmp_path / "out.json"
    config = {
        "source": {"type": "cdw-openapi", "config": {"name": "ye", "spec_file": str(API)}},
        "transformers": [
            {
                "type": "cdw_describe",
                "config": {
                    "program": "your-environment",
                    "glossary_dir": str(glossary),
                    "policies_dir": str(REPO / "policies"),
                },
            }
        ],
        "sink": {"type": "file", "config": {"filename": str(out)}},
    }
    run_pipeline(config, "test recipe")
    with open_catalog(f"file:{out}") as catalog:
        visits = next(d for d in catalog.datasets() if d.table == "visit-reports")
    fields = {f.path: f for f in visits.fields}
    assert fields["party_size"].description == "People in the party."
    assert fields["party_size"].label == "Party Size"  # the x-cdw value fills the gap


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("openapi: 3.0.3\npaths:\n  /a: {get: [}\n", 3, "not valid YAML"),
        ("title: no spec here\n", 1, "not an OpenAPI description"),
        (
            "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    A:\n      properties:\n"
            "        b: {type: string, x-cdw-clasification: public}\n",
            7,
            "x-cdw",
        ),
    ],
)
def test_a_bad_openapi_file_is_one_error_naming_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(text)
    source = {"type": "cdw-openapi", "config": {"name": "x", "spec_file": str(spec)}}
    with pytest.raises(InputError) as caught:
        ingest(tmp_path, source, "your-environment")
    assert f"{spec}:{line}" in str(caught.value) and message in str(caught.value)


def test_the_bucp_export_covers_an_apis_fields(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cdw_datahub.cli import main

    source = {"type": "cdw-openapi", "config": {"name": "ye-api", "spec_file": str(API)}}
    ingest(tmp_path, source, "your-environment")
    result = CliRunner().invoke(
        main,
        [
            "bucp",
            "export",
            "--catalog",
            f"file:{tmp_path / 'out.json'}",
            "--dataset",
            "visit-reports",
            "--format",
            "json",
        ],
        env={
            "CDW_GLOSSARY_DIR": str(REPO / "glossary"),
            "CDW_POLICIES_DIR": str(REPO / "policies"),
        },
    )
    assert result.exit_code == 0, result.output
    rows = {r["field"]: r for r in json.loads(result.stdout)["fields"]}
    assert rows["visitor_email"]["classification_status"] == "reviewed"
    assert rows["visitor_email"]["field_name"] == "Visitor E-mail Address"
    assert {s["citation"] for s in rows["visitor_email"]["statutes"]} >= {
        "California Civil Code section 1798.24"
    }


# -- inventory/


def test_inventory_datasets_are_described_like_tables(tmp_path: Path) -> None:
    source = {"type": "cdw-inventory", "config": {"path": str(INVENTORY.parent)}}
    datasets, _ = ingest(tmp_path, source, "healthy-habits")
    vendor = datasets["coaching_enrollment"]
    assert vendor.subtype == "Vendor System" and vendor.platform == "wellcoach"
    assert vendor.prop("cdw.dataset.lifecycle") == "active"
    assert vendor.properties["cdw.dataset.relatedSystems"] == [
        "WellCoach coaching portal",
        "Healthy Habits Campaign Manager",
    ]
    assert set(vendor.owners) == {
        "urn:li:corpuser:marcus.ortiz",
        "urn:li:corpuser:wellcoach.support",
    }
    assert vendor.domain == "urn:li:domain:cdw.healthy-habits"
    fields = {f.path: f for f in vendor.fields}
    assert fields["enrolled_on"].native_type == "date"
    assert fields["participant_phone"].prop(
        "cdw.field.validInputs",
    ) == ("Ten-digit North American number, digits only.")
    assert level(fields["chronic_condition"])[0] == "personal"
    assert statutes(fields["chronic_condition"])
    report = datasets["quarterly_outcomes_report"]
    assert report.prop("cdw.dataset.lifecycle") == "deprecate-candidate"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "- id: x\n  platform: p\n  schema: {fields: [{id: a, type: string}\n",
            4,
            "not valid YAML",
        ),
        (
            "- id: x\n  platform: p\n  structured_properties:\n    cdw.dataset.lifecycle: gone\n"
            "  schema: {fields: [{id: a, type: string}]}\n",
            4,
            "lifecycle",
        ),
        (
            "- id: x\n  platform: p\n  schema:\n    fields:\n      - {id: a, type: string}\n"
            "      - {id: b}\n",
            6,
            "needs an 'id' and a 'type'",
        ),
        ("- id: x\n  platfrom: p\n", 2, "platfrom"),
    ],
)
def test_a_bad_inventory_file_is_one_error_naming_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "inventory.yml"
    path.write_text(text)
    source = {"type": "cdw-inventory", "config": {"path": str(path)}}
    with pytest.raises(InputError) as caught:
        ingest(tmp_path, source, "healthy-habits")
    assert f"{path}:{line}" in str(caught.value) and message in str(caught.value)


def test_datahub_ingest_names_the_bad_inventory_line(tmp_path: Path) -> None:
    """The stock `datahub` CLI, as a subprocess, on the shipped recipe with a broken file."""
    import os
    import subprocess
    import sys

    (tmp_path / "healthy-habits.yml").write_text(
        "- id: x\n  platform: p\n  structured_properties:\n    cdw.dataset.topic: [a, b]\n"
        "  schema: {fields: [{id: a, type: string}]}\n"
    )
    env = {
        **os.environ,
        "CDW_INVENTORY_DIR": str(tmp_path),
        "CDW_GLOSSARY_DIR": str(REPO / "glossary"),
        "CDW_POLICIES_DIR": str(REPO / "policies"),
        "CDW_LITE_FILE": str(tmp_path / "lite.db"),
    }
    datahub = Path(sys.executable).with_name("datahub")
    recipe = REPO / "recipes" / "healthy-habits-inventory.lite.yml"
    done = subprocess.run(
        [str(datahub), "ingest", "-c", str(recipe)], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    # DataHub's own log masking hides the recipe variables' values (the folder), not the line
    assert "/healthy-habits.yml:4: 'cdw.dataset.topic'" in done.stdout + done.stderr
    assert not (tmp_path / "lite.db").exists() or (tmp_path / "lite.db").stat().st_size < 100_000
