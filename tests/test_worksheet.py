"""worksheet export / import: the steward spreadsheet round trip, with minimal YAML diffs."""

from __future__ import annotations

import difflib
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from cdw_datahub.cli import main
from test_coverage import PERSONAL, D, F, build_lite

CLEAN = Path(__file__).parent / "fixtures" / "lint" / "clean"
DICT = "glossary/dictionary/w2w.yml"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the clean fixture folders, a Lite catalog and a cdw.yml naming them."""
    shutil.copytree(CLEAN / "glossary", tmp_path / "glossary")
    shutil.copytree(CLEAN / "policies", tmp_path / "policies")
    uri = build_lite(
        tmp_path / "lite.db",
        [
            D(
                "w2w",
                "stop",
                [
                    F("geocode", "NUMERIC(9,6)", "Geocode of the stop."),
                    F("location", "VARCHAR(120)"),
                    F("duration", "INTEGER", "Seconds at the stop.", nullable=False),
                ],
            ),
            D(
                "w2w",
                "participant",
                [
                    F("home_zip_code", "CHAR(5)"),
                    F("ssn", "CHAR(11)", tags=[(PERSONAL, "suggested", "name.ssn")]),
                ],
            ),
        ],
    )
    (tmp_path / "cdw.yml").write_text(f"catalog: {uri}\nglossary: glossary\npolicies: policies\n")
    return tmp_path


def run(workdir: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["--config", str(workdir / "cdw.yml"), *args])


def export(workdir: Path, *extra: str) -> Path:
    out = workdir / "w2w.xlsx"
    result = run(workdir, "worksheet", "export", "--program", "Walk2Work", "-o", str(out), *extra)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return out


def rows(ws: Worksheet) -> dict[tuple[str, str], dict[str, object]]:
    header = [c.value for c in ws[1]]
    out = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        values = dict(zip(header, row, strict=True))
        out[(str(values["Dataset"]), str(values["Field"]))] = values
    return out


def set_cell(path: Path, dataset: str, field: str, header: str, value: object) -> str:
    wb = load_workbook(path)
    ws = wb["Fields"]
    col = [c.value for c in ws[1]].index(header) + 1
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 2).value == dataset and ws.cell(r, 3).value == field:
            ws.cell(r, col).value = value
            wb.save(path)
            return ws.cell(r, col).coordinate
    raise AssertionError(f"no row {dataset}.{field}")


def snapshot(workdir: Path) -> dict[str, str]:
    return {
        str(p.relative_to(workdir)): p.read_text()
        for folder in ("glossary", "policies")
        for p in sorted((workdir / folder).rglob("*.yml"))
    }


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    removed = [d[1:] for d in diff if d.startswith("-") and not d.startswith("---")]
    added = [d[1:] for d in diff if d.startswith("+") and not d.startswith("+++")]
    return removed, added


def test_export_layout(workdir: Path) -> None:
    wb = load_workbook(export(workdir))
    assert wb.sheetnames == ["Instructions", "Fields", "Lists", "_meta"]
    assert wb["Lists"].sheet_state == "hidden"
    assert wb["_meta"].sheet_state == "veryHidden"
    ws = wb["Fields"]
    assert ws.protection.sheet is True
    data = rows(ws)
    assert len(data) == 5
    duration = data[("stop", "duration")]
    assert duration["Native type"] == "INTEGER"
    assert duration["Nullable"] == "no"
    assert duration["Current description (catalog)"] == "Seconds at the stop."
    assert duration["Definition"] == (
        "Whole minutes the participant remained at a location during the commute."
    )
    assert duration["Statutes"] == "none"  # statutes.yml: duration: [] (assessed)
    assert data[("participant", "ssn")]["Suggested classification"] == (
        "suggested: personal (rule name.ssn)"
    )
    zip_row = data[("participant", "home_zip_code")]
    assert (zip_row["Classification level"], zip_row["Categories"]) == (
        "confidential",
        "quasi_identifier",
    )
    # harvested facts are locked and grey; editable cells are unlocked
    assert ws["C2"].protection.locked is True
    assert ws["C2"].fill.fgColor.rgb.endswith("D9D9D9")
    assert ws["I2"].protection.locked is False
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert validations["P2:P6"] == "=Lists!$A$2:$A$4"  # levels
    assert validations["R2:R6"].startswith("=Lists!$D$2")  # statutes
    lists = [c.value for c in wb["Lists"]["A"] if c.value]
    assert lists == ["level", "public", "confidential", "personal"]
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True)}
    assert meta["program"] == "w2w"
    assert meta["datasets"] == "participant, stop"
    instructions = "\n".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    assert "not circular" in instructions and "Clear column" in instructions


def test_dry_run_then_apply_minimal_diff(workdir: Path) -> None:
    path = export(workdir)
    new_def = "Whole minutes the participant remained at the stop, rounded down."
    c1 = set_cell(path, "stop", "duration", "Definition", new_def)
    set_cell(path, "stop", "duration", "Notes", None)  # blank: never erases (there is none)
    set_cell(path, "stop", "duration", "Clear", "Valid inputs")  # explicit erase
    set_cell(path, "stop", "geocode", "Definition", None)  # blank: the definition stays
    set_cell(path, "participant", "ssn", "Classification level", "personal")
    set_cell(path, "participant", "ssn", "Categories", "direct_identifier")
    set_cell(path, "participant", "ssn", "Statutes", "cdw.statute.ca-civ-1798.24")
    set_cell(path, "participant", "ssn", "Definition", "Social Security Number of the participant.")
    before = snapshot(workdir)

    dry = run(workdir, "worksheet", "import", str(path), "--format", "json")
    assert dry.exit_code == 0, dry.output  # type: ignore[attr-defined]
    changes = json.loads(dry.stdout)["changes"]  # type: ignore[attr-defined]
    assert {(c["dataset"], c["field"], c["column"]) for c in changes} == {
        ("stop", "duration", "definition"),
        ("stop", "duration", "valid_inputs"),
        ("participant", "ssn", "level"),
        ("participant", "ssn", "categories"),
        ("participant", "ssn", "statutes"),
        ("participant", "ssn", "definition"),
    }
    first = next(c for c in changes if c["column"] == "definition" and c["field"] == "duration")
    assert first["cell"] == f"Fields!{c1}"
    assert next(c for c in changes if c["column"] == "valid_inputs")["new"] is None
    assert snapshot(workdir) == before  # a dry run touches nothing

    applied = run(workdir, "worksheet", "import", str(path), "--apply", "--reviewer", "Ann Lee")
    assert applied.exit_code == 0, applied.output  # type: ignore[attr-defined]
    after = snapshot(workdir)
    today = date.today().isoformat()

    removed, added = changed_lines(before[DICT], after[DICT])
    assert removed == [
        "        definition: Whole minutes the participant remained at a location during the "
        "commute.",
        "        valid_inputs: 0-600",
    ]
    assert added == [
        f"        definition: {new_def}",
        "      ssn:",
        "        definition: Social Security Number of the participant.",
    ]
    assert after[DICT].startswith("# Walk2Work field dictionary (lint fixture: clean)\n")

    removed, added = changed_lines(before["policies/reviewed.yml"], after["policies/reviewed.yml"])
    assert removed == []
    assert added == [  # signed: one key a line, as the flow mapping would pass 100 columns
        "    ssn:",
        "      level: personal",
        "      categories: [direct_identifier]",
        "      reviewed_by: Ann Lee",
        f"      reviewed_on: {today}",
    ]
    removed, added = changed_lines(before["policies/statutes.yml"], after["policies/statutes.yml"])
    assert removed == []
    assert added == [  # within 100 columns: stays one flow mapping
        "    participant:",
        "      ssn: {statutes: [cdw.statute.ca-civ-1798.24], reviewed_by: Ann Lee, "
        f"reviewed_on: {today}}}",
    ]
    untouched = set(before) - {DICT, "policies/reviewed.yml", "policies/statutes.yml"}
    assert all(before[k] == after[k] for k in untouched)

    again = run(workdir, "worksheet", "import", str(path))  # idempotent
    assert again.exit_code == 0
    assert again.stdout == ""  # type: ignore[attr-defined]
    assert "no changes" in again.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("dataset", "field", "header", "value", "message"),
    [
        (
            "stop",
            "geocode",
            "Glossary terms",
            "cdw.w2w.stop, cdw.w2w.stp",
            "unknown glossary term 'cdw.w2w.stp'",
        ),
        (
            "stop",
            "geocode",
            "Classification level",
            "secret",
            "unknown classification level 'secret'",
        ),
        ("stop", "geocode", "Statutes", "cdw.statute.nope", "unknown statute 'cdw.statute.nope'"),
        ("stop", "geocode", "Categories", "direct_identifier, pii", "unknown category 'pii'"),
        ("stop", "geocode", "Definition", 42, "Definition must be text, got int"),
        ("stop", "geocode", "Notes", datetime(2024, 1, 2), "Notes must be text, got datetime"),
        ("stop", "geocode", "Clear", "Colour", "Clear names 'Colour'"),
        ("stop", "geocode", "Dataset", "commute", "dataset 'commute' is not one this workbook"),
        ("stop", "geocode", "Field", "gecode", "field 'stop.gecode' was not in the export"),
        ("stop", "geocode", "Program", None, "malformed row"),
    ],
)
def test_bad_cells_exit_2_and_touch_nothing(
    workdir: Path, dataset: str, field: str, header: str, value: object, message: str
) -> None:
    path = export(workdir)
    where = set_cell(path, dataset, field, header, value)
    set_cell(path, "stop", "duration", "Definition", "A change that must not be written.")
    before = snapshot(workdir)
    result = run(workdir, "worksheet", "import", str(path), "--apply")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert message in stderr
    assert f"Fields!{where}: " in stderr  # the exact cell
    assert snapshot(workdir) == before


def test_renamed_column_and_foreign_workbook(workdir: Path) -> None:
    path = export(workdir)
    wb = load_workbook(path)
    wb["Fields"]["J1"] = "Meaning"
    wb.save(path)
    result = run(workdir, "worksheet", "import", str(path))
    assert result.exit_code == 2
    assert "Fields!J1: expected column 'Definition' here, found 'Meaning'" in result.stderr  # type: ignore[attr-defined]

    path = export(workdir)
    wb = load_workbook(path)
    wb["_meta"]["B3"] = "healthy-habits"
    wb.save(path)
    result = run(workdir, "worksheet", "import", str(path))
    assert result.exit_code == 2
    assert "_meta!B3" in result.stderr  # type: ignore[attr-defined]
    assert "this workbook is for program 'healthy-habits'" in result.stderr  # type: ignore[attr-defined]

    not_xlsx = workdir / "notes.xlsx"
    not_xlsx.write_text("hello")
    result = run(workdir, "worksheet", "import", str(not_xlsx))
    assert result.exit_code == 2
    assert "not an .xlsx workbook" in result.stderr  # type: ignore[attr-defined]


def test_export_one_dataset_and_unknown(workdir: Path) -> None:
    wb = load_workbook(export(workdir, "--dataset", "stop"))
    assert {k[0] for k in rows(wb["Fields"])} == {"stop"}
    result = run(
        workdir,
        "worksheet",
        "export",
        "--program",
        "w2w",
        "--dataset",
        "nope",
        "-o",
        str(workdir / "x.xlsx"),
    )
    assert result.exit_code == 2
    assert "no datasets named nope" in result.stderr  # type: ignore[attr-defined]
    assert not (workdir / "x.xlsx").exists()


# ------------------------------------------------------------------ end to end on the demo


@pytest.mark.slow
def test_round_trip_through_real_ingestion(demo_dir: Path, tmp_path: Path) -> None:
    """Export W2W from the demo catalog, edit a definition and a classification, import --apply
    into a COPY of glossary/ and policies/, re-ingest with the program recipe, read it back."""
    import os
    import subprocess
    import sys

    from cdw_datahub.catalog import open_catalog
    from cdw_datahub.settings import packaged_dir

    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(packaged_dir("glossary"), work / "glossary")
    shutil.copytree(packaged_dir("policies"), work / "policies")
    for f in demo_dir.glob("datahub-lite.db*"):
        shutil.copy(f, work / f.name)
    shutil.copy(demo_dir / "w2w.db", work / "w2w.db")
    lite = work / "datahub-lite.db"
    (work / "cdw.yml").write_text(f"catalog: lite:{lite}\nglossary: glossary\npolicies: policies\n")
    repo_files = snapshot(packaged_dir("glossary").parent)

    out = work / "w2w.xlsx"
    result = run(
        work, "worksheet", "export", "--program", "w2w", "--dataset", "commute", "-o", str(out)
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    sheet_rows = rows(load_workbook(out)["Fields"])
    before = sheet_rows[("commute", "weather_condition")]
    assert before["Definition"] is None and before["Classification level"] is None
    # suggestions are shown, and marked as such, wherever the rules made one
    assert any("suggested:" in str(r["Suggested classification"]) for r in sheet_rows.values())
    definition = "Sky and air condition at the start of the commute, from the program's list."
    set_cell(out, "commute", "weather_condition", "Definition", definition)
    set_cell(out, "commute", "weather_condition", "Classification level", "public")
    set_cell(out, "commute", "weather_condition", "Statutes", "none")
    today = date.today().isoformat()
    applied = run(work, "worksheet", "import", str(out), "--apply", "--reviewer", "Linda Nguyen")
    assert applied.exit_code == 0, applied.output  # type: ignore[attr-defined]

    datahub = Path(sys.executable).parent / "datahub"
    env = {**os.environ, "CDW_DATA_DIR": str(work), "CDW_LITE_FILE": str(lite)}
    recipe = packaged_dir("recipes") / "w2w.lite.yml"
    proc = subprocess.run(
        [str(datahub), "ingest", "-c", str(recipe)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]

    with open_catalog(f"lite:{lite}") as cat:
        ds = next(d for d in cat.datasets() if d.program == "w2w" and d.table == "commute")
    field = next(f for f in ds.fields if f.path == "weather_condition")
    assert field.description == definition
    levels = [t for t in field.tags if t.urn.startswith("urn:li:tag:cdw.level.")]
    assert [(t.urn, t.provenance) for t in levels] == [("urn:li:tag:cdw.level.public", "reviewed")]
    assert not [t for t in field.terms if t.urn.startswith("urn:li:glossaryTerm:cdw.statute.")]
    assert field.properties.get("cdw.field.statuteAssessment") == ["none-apply"]
    assert (levels[0].reviewed_by, levels[0].reviewed_on) == ("Linda Nguyen", today)
    assert snapshot(packaged_dir("glossary").parent) == repo_files  # the repo's files untouched
    _signed_in_exports(work, lite, f"reviewed by Linda Nguyen on {today}")


def _signed_in_exports(work: Path, lite: Path, signed: str) -> None:
    """The signature in the three export formats a coordinator sends on."""
    out = {}
    for fmt in ("json", "md", "xlsx"):
        out[fmt] = work / f"bucp.{fmt}"
        result = run(work, "bucp", "export", "--catalog", f"lite:{lite}", "--program", "w2w",
                     "--dataset", "commute", "-o", str(out[fmt]))  # fmt: skip
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    doc = json.loads(out["json"].read_text())
    row = next(r for r in doc["fields"] if r["field"] == "weather_condition")
    assert row["classification_review"] == signed
    assert row["statute_status"] == "assessed: none apply"
    assert row["statute_review"] == signed  # carried by a property beside none-apply
    unsigned = [r for r in doc["fields"] if r["classification_review"] == "reviewed (unsigned)"]
    assert unsigned  # the demo's hand-written reviews: valid, and shown as unsigned
    assert f"- {signed}: 1 field(s)" in out["md"].read_text()
    md_row = next(
        line for line in out["md"].read_text().splitlines() if "weather_condition" in line
    )
    assert signed in md_row
    summary = run(work, "bucp", "summary", "--catalog", f"lite:{lite}", "--program", "w2w")
    assert f"- {signed}: 1 field(s)" in summary.stdout  # type: ignore[attr-defined]
    assert "- reviewed (unsigned): " in summary.stdout  # type: ignore[attr-defined]
    ws = load_workbook(out["xlsx"])["Fields"]
    header = [c.value for c in ws[1]]
    values = ws.iter_rows(min_row=2, values_only=True)
    xlsx_row = next(r for r in values if r[header.index("Field")] == "weather_condition")
    assert xlsx_row[header.index("Reviewed")] == signed
