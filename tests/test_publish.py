"""`cdw-datahub publish` without a browser: what the pages say, the selections, the errors, the
escaping; on the demo department and on Chinook (a public sample schema) through the real
pipeline. The browser side is tests/test_publish_browser.py."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cdw_datahub.demo.schema import PROGRAMS
from test_bucp_export import CLI, file_catalog  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures" / "publish"
REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, check=False,
                          timeout=300)  # fmt: skip


def _publish(demo_dir: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _cli("publish", "--output", str(out), *args, cwd=demo_dir)


def _index(site: Path) -> dict:
    text = (site / "search-index.js").read_text(encoding="utf-8")
    prefix = "window.CDW_SEARCH_INDEX = "
    assert text.startswith(prefix) and text.rstrip().endswith(";")
    return json.loads(text[len(prefix) :].rstrip().rstrip(";"))


class _Page(HTMLParser):
    """Text, ids, links and table headers of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.th_without_scope = 0
        self.landmarks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "th" and a.get("scope") not in ("col", "row"):
            self.th_without_scope += 1
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(demo_dir: Path) -> Path:
    return demo_dir / "site"


def test_demo_prints_where_the_site_is(demo_dir: Path, site: Path) -> None:
    output = (demo_dir / "demo-output.log").read_text()
    assert f"open {site / 'index.html'}" in output
    assert (site / "index.html").is_file()


def test_one_page_per_dataset_with_every_field(site: Path) -> None:
    expected = {(p.id, t.name): len(t.columns) for p in PROGRAMS for t in p.tables}
    pages = sorted((site / "datasets").glob("*.html"))
    not_databases = 6  # the extract, the workbook's sheet, two inventory/, two API endpoints
    assert len(pages) == len(expected) + sum(len(p.views) for p in PROGRAMS) + not_databases
    for (program, table), columns in expected.items():
        page = _parse(site / "datasets" / f"{program}-{table.replace('_', '-')}.html")
        assert len([i for i in page.ids if i.startswith("field-") and i.endswith("-h")]) == columns


def test_a_field_carries_every_fact_of_its_export_row(demo_dir: Path, site: Path) -> None:
    rows = json.loads(
        _cli("bucp", "export", "--format", "json", "--field", "w2w.participant.ssn",
             cwd=demo_dir).stdout
    )["fields"]  # fmt: skip
    row = rows[0]
    text = (site / "datasets" / "w2w-participant.html").read_text(encoding="utf-8")
    start = text.index('id="field-ssn"')
    article = text[start : text.index("</article>", start)]
    for key in ("field_name", "definition", "type", "valid_inputs", "source", "notes",
                "guide_for_use", "classification", "steward"):  # fmt: skip
        assert row[key] and row[key] in html.unescape(article), key
    for statute in row["statutes"]:
        assert html.escape(statute["url"]) in article  # the official text
        assert statute["citation"] in article
    glossary = _parse(site / "glossary.html")
    for term in row["glossary_terms"]:
        anchors = re.findall(r'href="\.\./glossary\.html#([^"]+)">' + re.escape(term), article)
        assert anchors and anchors[0] in glossary.ids, term
    assert "Direct identifier" in article  # the category's display name


def test_index_lists_programs_with_inventory_attributes(site: Path) -> None:
    page = _parse(site / "index.html")
    text = " ".join(page.text)
    for program in PROGRAMS:
        assert program.name in text
    for header in ("Topic", "Update frequency", "Related IT systems", "Database platform",
                   "Related programs", "Lifecycle status", "Modernization candidate"):  # fmt: skip
        assert header in text
    assert "W2W Commute Tracker" in text and "Physical activity" in text
    assert re.search(r"Harvested \d{4}-\d\d-\d\d \d\d:\d\d UTC", text)


def test_statute_pages_list_what_they_govern(site: Path, demo_dir: Path) -> None:
    page = _parse(site / "statutes" / "ca-civ-1798-24.html")
    text = " ".join(page.text)
    assert "What it restricts" in text
    assert any(link.startswith("https://leginfo.legislature.ca.gov/") for link in page.links)
    assert "../datasets/w2w-legacy-prtcpnt.html#field-hh-incm-amt" in page.links
    statutes = _parse(site / "statutes.html")
    assert len([link for link in statutes.links if link.startswith("statutes/")]) == len(
        list((site / "statutes").glob("*.html"))
    )


def test_every_page_has_landmarks_headers_and_the_harvest_date(site: Path) -> None:
    for path in site.rglob("*.html"):
        page = _parse(path)
        assert page.th_without_scope == 0, path
        assert {"header", "nav", "main", "footer"} <= set(page.landmarks), path
        assert "Skip to main content" in page.text, path
        assert any("Harvested from the catalog on" in t for t in page.text), path


def test_index_rules_are_the_classifiers_abbreviations(site: Path) -> None:
    import yaml

    detection = yaml.safe_load((REPO / "policies" / "detection.yml").read_text())
    rules = _index(site)["rules"]
    assert rules["abbreviations"]["incm"] == ["income"]
    assert len(rules["abbreviations"]) == len(detection["abbreviations"])
    docs = _index(site)["docs"]
    hh = next(d for d in docs if d["field"] == "HH_INCM_AMT")
    assert {"hh", "incm", "household", "income"} <= set(hh["places"]["name"])
    assert hh["url"] == "datasets/w2w-legacy-prtcpnt.html#field-hh-incm-amt"


def test_program_selection(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    done = _publish(demo_dir, out, "--program", "w2w", "--program", "healthy habits")
    assert done.returncode == 0, done.stderr
    datasets = {d["dataset"].split(".")[0] for d in _index(out)["docs"]}
    assert datasets == {"w2w", "healthy-habits"}
    assert "Your Environment" not in (out / "index.html").read_text()
    bad = _publish(demo_dir, tmp_path / "other", "--program", "walk2wrk")
    assert bad.returncode == 2 and "unknown program 'walk2wrk'" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "other").exists()


def test_bucp_publishes_only_its_fields_and_never_specialized_terms(
    demo_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dhcs"
    done = _publish(demo_dir, out, "--bucp", "bucp-2025-003")
    assert done.returncode == 0, done.stderr
    fields = {(d["dataset"].split(".")[-1], d["field"]) for d in _index(out)["docs"] if d["field"]}
    assert fields == {("participant", "birth_date"), ("participant", "home_zip_code"),
                      ("participant", "enrollment_date"), ("step_log", "step_count")}  # fmt: skip
    index = (out / "index.html").read_text()
    assert "BUCP-2025-003" in index and "Department of Health Care Services" in index
    shown = subprocess.run(
        [CLI, "bucp", "show", "BUCP-2025-003", "--specialized", "--format", "json"],
        cwd=demo_dir, capture_output=True, text=True, check=True,
    )  # fmt: skip
    record = json.loads(shown.stdout)
    secrets = [record["specialized_security"], record["specialized_privacy"]]
    assert all(secrets)
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for secret in secrets:
                for piece in secret.split(";"):  # no part of it either
                    assert html.escape(piece.strip()) not in text and piece.strip() not in text
    # the glossary sheet sent with the data: exactly the terms its fields link to
    terms = {i for i in _parse(out / "glossary.html").ids if re.fullmatch(r"term-[a-z0-9-]+", i)}
    terms = {t for t in terms if not t.endswith("-h")}
    linked = {
        link.partition("#")[2]
        for page in (out / "datasets").glob("*.html")
        for link in _parse(page).links
        if link.startswith("../glossary.html#")
    }
    assert terms == linked and "term-dob" in terms
    full = {i for i in _parse(demo_dir / "site" / "glossary.html").ids if i.startswith("term-")}
    assert len(terms) < len(full) / 4
    bad = _publish(demo_dir, tmp_path / "x", "--bucp", "BUCP-1999-001")
    assert bad.returncode == 2 and "BUCP-1999-001" in bad.stderr


def test_output_folder_rules(demo_dir: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    done = _publish(demo_dir, foreign, "--program", "w2w")
    assert done.returncode == 2 and "not written by `cdw-datahub publish`" in done.stderr
    assert (foreign / "notes.txt").read_text() == "keep me"
    out = tmp_path / "site"
    assert _publish(demo_dir, out, "--program", "w2w").returncode == 0
    (out / "stale.html").write_text("old")
    assert _publish(demo_dir, out, "--program", "your-environment").returncode == 0
    assert not (out / "stale.html").exists()  # replaced whole, not merged
    assert "Your Environment" in (out / "index.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "site"]  # no temp left over
    file_out = tmp_path / "a-file"
    file_out.write_text("x")
    done = _publish(demo_dir, file_out)
    assert done.returncode == 2 and "a-file" in done.stderr


# ---------------------------------------------------------------- Chinook, through the pipeline


@pytest.fixture(scope="module")
def chinook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("chinook")
    db = sqlite3.connect(work / "chinook.db")
    db.executescript((FIXTURES / "chinook.sql").read_text())
    db.commit()
    db.close()
    env = {
        "CDW_DATA_DIR": str(work),
        "CDW_LITE_FILE": str(work / "lite.db"),
        "CDW_GLOSSARY_DIR": str(REPO / "glossary"),
        "CDW_POLICIES_DIR": str(REPO / "policies"),
    }
    from cdw_datahub.ingest import run_recipe

    run_recipe(FIXTURES / "chinook.lite.yml", env)
    from cdw_datahub.settings import write_config

    write_config(work, {"catalog": "lite:lite.db", "glossary": env["CDW_GLOSSARY_DIR"],
                        "policies": env["CDW_POLICIES_DIR"]})  # fmt: skip
    done = _cli("publish", "--catalog", f"lite:{work / 'lite.db'}", "--output", "site", cwd=work)
    assert done.returncode == 0, done.stderr
    return work


def test_chinook_markup_in_comments_arrives_as_text(chinook: Path) -> None:
    site = chinook / "site"
    album = (site / "datasets" / "chinook-main-album.html").read_text()
    assert "</script><script>alert('album')" not in album
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;album&#39;)&lt;/script&gt;" in album
    employee = (site / "datasets" / "chinook-main-employee.html").read_text()
    assert "<img" not in employee and "&lt;img src=x onerror=alert(1)&gt;" in employee
    script = (site / "search-index.js").read_text()
    assert "<" not in script  # nothing in the index can close a script element
    assert "alert('album')" in json.dumps(_index(site), ensure_ascii=False)


def test_chinook_no_sampled_value_and_search(chinook: Path) -> None:
    sampled = ["Qqqplorf", "Zyxwvut", "zyxwvut.qqqplorf@example.invalid", "428-9482", "T5K 2N1",
               "Plokijuh", "Vbnmqw", "D02 XY45", "6009999", "11120 Jasper"]  # fmt: skip
    for path in (chinook / "site").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for value in sampled:
                assert value not in text, (path, value)
    hits = json.loads(
        _cli("search", "postal", "code", "--catalog", f"lite:{chinook / 'lite.db'}", "--format",
             "json", cwd=chinook).stdout
    )  # fmt: skip
    assert [h["field"] for h in hits] == ["PostalCode", "PostalCode", "BillingPostalCode"]
    dob = json.loads(
        _cli("search", "dob", "--catalog", f"lite:{chinook / 'lite.db'}", "--format", "json",
             cwd=chinook).stdout
    )  # fmt: skip
    assert [(h["dataset"], h["field"]) for h in dob if h["kind"] != "term"] == [
        ("chinook.main.Employee", "BirthDate")
    ]
    assert [h["label"] for h in dob if h["kind"] == "term"] == ["DOB"]  # the glossary's acronym


def test_harvest_date_from_lite_and_its_absence(
    demo_dir: Path,
    tmp_path: Path,
    file_catalog: str,  # noqa: F811
) -> None:
    import datetime as dt

    from cdw_datahub.catalog import open_catalog

    with open_catalog(f"lite:{demo_dir / 'datahub-lite.db'}") as catalog:
        harvested = catalog.harvested_at()
    assert harvested is not None
    age = dt.datetime.now(dt.timezone.utc) - harvested
    assert dt.timedelta(0) <= age < dt.timedelta(hours=3)
    # file-sink JSON written without system metadata: the site says the date is unknown
    (tmp_path / "glossary").mkdir()
    (tmp_path / "policies").mkdir()
    done = _cli("publish", "--catalog", file_catalog, "--output", "site", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "does not record when it was harvested" in done.stderr
    assert "Harvest date not recorded" in (tmp_path / "site" / "index.html").read_text()
