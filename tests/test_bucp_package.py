"""The BUCP package on the real demo department: `bucp export --bucp ID` takes the register's
request, and the workbook prints as a form (rendered by LibreOffice headless, read back with
poppler's pdftotext / pdfinfo)."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CLI = str(Path(sys.executable).parent / "cdw-datahub")
BUCP = "BUCP-2026-003"
# an absolute POSIX path with at least two parts, a home folder, or a Windows drive path
PATH_LIKE = re.compile(r"(?<![\w:/])/(?:[\w.-]+/)+[\w.-]*|~/|\b[A-Za-z]:\\")

# In CI (.ci/run installs them) a missing LibreOffice fails the tests instead of skipping them.
needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdfinfo"))
    and not os.environ.get("CI"),
    reason="LibreOffice (soffice) and poppler-utils are needed; .ci/run installs them",
)


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def request_json(demo_dir: Path) -> dict[str, Any]:
    done = cli(demo_dir, "bucp", "show", BUCP, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def package(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package") / "x.xlsx"
    done = cli(demo_dir, "bucp", "export", "--bucp", BUCP, "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_export_takes_exactly_the_registers_request(
    package: Path, request_json: dict[str, Any]
) -> None:
    requested = {(r["dataset"], r["field"]) for r in request_json["requested"] if r["field"]}
    assert len(requested) == 6
    fields = _cells(package)["Fields"]
    header = fields[0]
    got = {(r[header.index("Dataset")], r[header.index("Field")]) for r in fields[1:]}
    assert got == requested  # <program>.<table> names, as the register writes them
    assert len(fields) - 1 == len(requested)
    names = [r[header.index("Field Name")] for r in fields[1:]]
    assert all(isinstance(n, str) and n.strip() for n in names)
    weather = next(r for r in fields[1:] if r[header.index("Field")] == "weather_condition")
    assert weather[header.index("Field Name")] == "Weather Condition"
    assert weather[header.index("Name status")] == "not yet defined"


def test_cover_names_the_bucp_and_its_parties(package: Path, request_json: dict[str, Any]) -> None:
    cover = {r[0]: r[1] for r in _cells(package)["Cover"] if r and r[0]}
    assert cover["BUCP"] == BUCP
    assert cover["Title"] == request_json["title"]
    assert cover["Requesting department"] == "California Department of Public Health"
    assert cover["Providing department"] == "California Department of Wellness"
    assert cover["Legal authority"] == "Health and Safety Code 131051"
    assert cover["Point of contact (data coordinator)"] == "Samantha Lee"
    assert cover["Program(s)"] == "Walk2Work; Your Environment"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \(all 2 dataset\(s\)\)", cover["Catalog harvest date(s)"])
    assert cover["Fields"] == 6
    assert sum(cover[s] for s in ("reviewed", "suggested", "unclassified", "inherited")) == 6


def test_no_cell_holds_a_filesystem_path(package: Path, demo_dir: Path) -> None:
    for sheet, rows in _cells(package).items():
        for r, row in enumerate(rows, start=1):
            for value in row:
                text = str(value or "")
                assert not PATH_LIKE.search(text), f"{sheet} row {r}: {text!r}"
                assert str(demo_dir) not in text
    assert PATH_LIKE.search("see /tmp/demo/datahub-lite.db")  # the check can fail
    for fmt in ("md", "json", "csv"):
        done = cli(demo_dir, "bucp", "export", "--bucp", BUCP, "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert not PATH_LIKE.search(done.stdout.replace("https://", "")), fmt


def test_bucp_and_selectors_do_not_mix_and_unknown_ids_exit_2(demo_dir: Path) -> None:
    done = cli(demo_dir, "bucp", "export", "--bucp", BUCP, "--dataset", "w2w.commute")
    assert done.returncode == 2 and "--dataset" in done.stderr
    done = cli(demo_dir, "bucp", "export", "--bucp", "BUCP-2026-093")
    assert done.returncode == 2
    assert "no BUCP 'BUCP-2026-093'" in done.stderr and "Traceback" not in done.stderr
    done = cli(demo_dir, "bucp", "summary", "--bucp", BUCP, "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert [d["dataset"] for d in summary["datasets"]] == [
        "w2w.commute",
        "your-environment.air_quality_reading",
    ]


# ---------------------------------------------------------------- printed by LibreOffice


def _render(xlsx: Path, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    profile = (outdir / "lo-profile").as_uri()
    done = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile}",
         "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)],
        capture_output=True, text=True, check=False, timeout=180,
    )  # fmt: skip
    pdf = outdir / (xlsx.stem + ".pdf")
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    return pdf


def _only_sheet(xlsx: Path, keep: str, out: Path) -> Path:
    """The workbook with one sheet left, so the PDF's pages are that sheet's pages."""
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    for name in wb.sheetnames:
        if name != keep:
            del wb[name]
    wb.save(out)
    return out


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return [p for p in text.split("\f") if p.strip()]


def _sizes(pdf: Path, pages: int) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    return [
        (float(w), float(h))
        for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    ]


@needs_office
def test_fields_sheet_prints_landscape_with_its_header_on_every_page(
    demo_dir: Path, tmp_path: Path
) -> None:
    """All of Walk2Work (102 fields, many pages): the case the issue printed as 35 pages."""
    xlsx = tmp_path / "w2w.xlsx"
    done = cli(demo_dir, "bucp", "export", "--program", "w2w", "-o", str(xlsx))
    assert done.returncode == 0, done.stderr
    rows = len(_cells(xlsx)["Fields"]) - 1
    pdf = _render(_only_sheet(xlsx, "Fields", tmp_path / "fields.xlsx"), tmp_path / "pdf")
    pages = _pages(pdf)
    assert 2 <= len(pages) <= math.ceil(rows / 4) + 1  # about 8 rows a page; never 35
    sizes = _sizes(pdf, len(pages))
    assert len(sizes) == len(pages)
    assert all(w > h for w, h in sizes), sizes  # landscape
    for n, page in enumerate(pages, start=1):
        first = next(line for line in page.splitlines() if line.strip())
        # the repeated header row, first to last column, on one page width
        for header in ("Dataset", "Field Name", "Definition", "Classification", "Steward"):
            assert header in first, f"page {n}: {first!r}"
        assert re.search(rf"Page {n} of {len(pages)}", page), f"page {n} has no footer"


@needs_office
def test_whole_package_renders_and_the_cover_names_the_bucp(package: Path, tmp_path: Path) -> None:
    pdf = _render(package, tmp_path / "pdf")
    pages = _pages(pdf)
    assert len(pages) <= 8  # cover, fields, statutes, summary, glossary for 6 fields
    assert BUCP in pages[0] and "California Department of Public Health" in pages[0]
    assert all(f"{BUCP} Technical Fields" in p for p in pages)  # the footer names the BUCP
    assert not any(PATH_LIKE.search(p.replace("https://", "")) for p in pages)


def test_a_request_the_catalog_no_longer_matches_exits_2(demo_dir: Path, tmp_path: Path) -> None:
    """The register names a field the catalog does not have (dropped since the request), and a
    BUCP that requests nothing yet: both are bad input naming the BUCP, never an empty sheet."""
    from cdw_datahub.bucp.register.store import NewBucp, open_register

    shutil.copy(demo_dir / "bucp-register.db", tmp_path / "r.db")
    url = f"sqlite:///{tmp_path / 'r.db'}"
    with open_register(url) as reg:  # written directly: `bucp request` would check the catalog
        reg.request(BUCP, "w2w.commute", ["weather_conditions"])
        empty = reg.new(NewBucp("t", "w2w", "Department of Aging", "CDW"))
    done = cli(demo_dir, "bucp", "export", "--bucp", BUCP, "--register", url, "--format", "json")
    assert done.returncode == 2 and done.stdout == ""
    assert f"{BUCP}: 'requested':" in done.stderr
    assert "no field matches 'w2w.commute.weather_conditions'" in done.stderr
    assert "did you mean 'commute.weather_condition'" in done.stderr
    done = cli(demo_dir, "bucp", "export", "--bucp", empty, "--register", url, "--format", "json")
    assert done.returncode == 2 and "requests no datasets yet" in done.stderr


# Pagila's `film` table (the PostgreSQL sample database), as a catalog would show it, with
# hostile extras: a 1,500-character definition, five statutes on one field, no labels at all.
PAGILA_FILM = [
    ("film_id", "INTEGER"), ("title", "VARCHAR(255)"), ("description", "TEXT"),
    ("release_year", "INTEGER"), ("language_id", "SMALLINT"), ("original_language_id", "SMALLINT"),
    ("rental_duration", "SMALLINT"), ("rental_rate", "NUMERIC(4,2)"), ("length", "SMALLINT"),
    ("replacement_cost", "NUMERIC(5,2)"), ("rating", "MPAA_RATING"), ("last_update", "TIMESTAMP"),
    ("special_features", "TEXT[]"), ("fulltext", "TSVECTOR"),
]  # fmt: skip


def _pagila_document() -> Any:
    from cdw_datahub.bucp.export import Facts, Level, Statute, export_rows
    from cdw_datahub.bucp.summary import build_summary
    from cdw_datahub.bucp.writers import ExportDocument
    from cdw_datahub.catalog import Association, DatasetView, FieldView

    statutes = {
        f"urn:li:glossaryTerm:cdw.statute.s{i}": Statute(
            f"urn:li:glossaryTerm:cdw.statute.s{i}",
            f"California Civil Code section 1798.{i}, subdivision (a)",
            f"Statute {i}",
            f"https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml?sectionNum=1798.{i}",
        )
        for i in range(1, 6)
    }
    facts = Facts([Level("public", "Public"), Level("personal", "Personal", ("AC-2",))],
                  {"quasi_identifier": "Quasi-identifier"}, "unclassified - protect as Moderate",
                  "Moderate", ("AC-2",), statutes, {}, {"pagila": "Pagila"}, {})  # fmt: skip
    fields = [
        FieldView(path, native, True, path == "film_id",
                  f"A film's {path.replace('_', ' ')}. " * (60 if path == "description" else 1),
                  "ingested", None,
                  [Association("urn:li:tag:cdw.level.personal", "suggested", "r")],
                  [Association(u, "suggested", "r") for u in statutes] if path == "title" else [])
        for path, native in PAGILA_FILM
    ]  # fmt: skip
    view = DatasetView("urn:li:dataset:(urn:li:dataPlatform:postgres,pagila.public.film,PROD)",
                       "pagila.public.film", "postgres", None, "urn:li:domain:cdw.pagila",
                       fields=fields * 6)  # fmt: skip
    rows = export_rows([(view, view.fields)], facts)
    return ExportDocument("Pagila film", "https://gms.example.org", "2026-12-01", rows,
                          build_summary(rows, facts))  # fmt: skip


@needs_office
def test_a_public_schema_with_hostile_cells_still_prints_as_a_form(tmp_path: Path) -> None:
    from cdw_datahub.bucp.workbook import MAX_ROW_HEIGHT_PT
    from cdw_datahub.bucp.writers import write

    doc = _pagila_document()
    assert {r["dataset"] for r in doc.rows} == {"pagila.film"}
    assert all(r["field_name"] and r["field_name_status"] == "not yet defined" for r in doc.rows)
    xlsx = tmp_path / "pagila.xlsx"
    write(doc, "xlsx", xlsx)
    cells = _cells(xlsx)["Fields"]
    header = cells[0]
    assert [h for h in header if h.startswith("Statute")] == [f"Statute {i}" for i in range(1, 6)]
    from openpyxl import load_workbook

    ws = load_workbook(xlsx)["Fields"]
    assert max(ws.row_dimensions[r].height for r in range(2, ws.max_row + 1)) <= MAX_ROW_HEIGHT_PT
    pdf = _render(_only_sheet(xlsx, "Fields", tmp_path / "fields.xlsx"), tmp_path / "pdf")
    pages = _pages(pdf)
    assert all(w > h for w, h in _sizes(pdf, len(pages)))
    assert len(pages) <= math.ceil(len(doc.rows) / 2) + 1
    for page in pages:
        first = next(line for line in page.splitlines() if line.strip())
        assert "Dataset" in first and "Steward" in first and "Statute 5" in first


def test_a_view_column_reads_as_inherited(demo_dir: Path) -> None:
    """The W2W summary view takes its classification and statutes through column lineage:
    the cover's and summary's fourth status, and the statute says where it came from."""
    done = cli(demo_dir, "bucp", "export", "--dataset", "w2w.participant_commute_summary",
               "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    county = next(r for r in doc["fields"] if r["field"] == "home_county")
    assert county["classification_status"] == "inherited"
    assert county["statute_status"] == "inherited"
    assert {s["status"] for s in county["statutes"]} == {"inherited"}
    assert county["statutes"][0]["inherited_from"] == ["participant.home_county"]
    by_status = doc["summary"]["classification"]["by_status"]
    assert by_status["inherited"] == 3
    decisions = [d["text"] for s in doc["summary"]["statutes"] for d in s["decisions"]]
    assert "inherited through lineage from participant.home_county" in decisions
