"""The published demo dictionary in a real headless Chromium: search, links, console, a11y."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import axe_violations, chromium, console_errors
from test_bucp_export import CLI

REPO = Path(__file__).resolve().parents[1]

ZIP_FIELDS = {
    ("cbo_partner", "zip_code"), ("participant", "zip_code"), ("provider", "zip_code"),
    ("commute", "origin_zip_code"), ("commute", "destination_zip_code"),
    ("employer", "worksite_zip_code"), ("participant", "home_zip_code"), ("stop", "zip_code"),
    ("community", "zip_code"), ("park", "zip_code"), ("park_visit", "visitor_zip_code"),
    ("volunteer", "zip_code"), ("visit-reports", "visitor_zip_code"),
    ("workshop_signins", "zip_code"),
}  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture(scope="module")
def site(demo_dir: Path) -> Path:
    return demo_dir / "site"


def _open(browser: Any, url: str) -> None:
    browser.get(url)
    browser.get_log("browser")  # drop what an earlier page logged


def _type_search(browser: Any, text: str) -> list[Any]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text)
    WebDriverWait(browser, 10).until(
        lambda b: b.find_element(By.ID, "search-status").text.strip() != ""
    )
    return browser.find_elements(By.CSS_SELECTOR, "#search-results li")


def test_typing_zip_lists_the_zip_code_fields(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, (site / "index.html").as_uri())
    assert browser.execute_script("return location.protocol") == "file:"
    results = _type_search(browser, "zip")
    found = {
        (r.get_attribute("data-dataset").rsplit(".", 1)[-1], r.get_attribute("data-field"))
        for r in results
    }
    assert found == ZIP_FIELDS
    for result in results:
        link = result.find_element(By.TAG_NAME, "a")
        assert "ZIP" in link.text, link.text
        assert link.get_attribute("href").endswith(
            "#field-" + result.get_attribute("data-field").replace("_", "-")
        )
    assert len(results) == len(ZIP_FIELDS)
    status = browser.find_element(By.ID, "search-status").text
    assert status.startswith(f"{len(ZIP_FIELDS)} matches")
    levels = ("Public", "Confidential", "Sensitive", "Personal", "unclassified")
    assert all(any(level in r.text for level in levels) for r in results)  # classification shown
    assert console_errors(browser) == []


def test_a_result_opens_the_field_on_its_dataset_page(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, (site / "index.html").as_uri() + "?q=income")
    first = browser.find_element(By.CSS_SELECTOR, "#search-results li a")
    assert "HH_INCM_AMT" in first.text
    first.click()
    assert browser.current_url.endswith("#field-hh-incm-amt")
    heading = browser.find_element(By.ID, "field-hh-incm-amt-h")
    assert "HH_INCM_AMT" in heading.text and heading.is_displayed()
    assert console_errors(browser) == []


@pytest.fixture(scope="module")
def cli_ranking(demo_dir: Path) -> Any:
    """The `search` command's ranking over the demo catalog (its documents built once)."""
    from cdw_datahub import search
    from cdw_datahub.bucp.export import load_facts
    from cdw_datahub.catalog import open_catalog

    policies, glossary = REPO / "policies", REPO / "glossary"
    with open_catalog(f"lite:{demo_dir / 'datahub-lite.db'}") as catalog:
        facts = load_facts(catalog, glossary, policies)
        docs = search.catalog_documents(catalog, facts, search.tokenizer_for(policies))
    rules = search.QueryRules.from_policies(policies)
    # the site has no glossary-term documents (its glossary page lists the terms): the
    # command's datasets and fields, in the command's order
    return lambda query: [
        (h.dataset, h.field) for h in search.rank(docs, rules, query) if h.kind != "term"
    ]


def test_cli_ranking_fixture_is_the_command(demo_dir: Path, cli_ranking: Any) -> None:
    done = subprocess.run(
        [CLI, "search", "commute", "--format", "json", "--limit", "0"],
        cwd=demo_dir, capture_output=True, text=True, check=True,
    )  # fmt: skip
    hits = json.loads(done.stdout)
    assert [(h["dataset"], h["field"]) for h in hits if h["kind"] != "term"] == cli_ranking(
        "commute"
    )
    assert ("Walk2Work", None) in [(h["dataset"], h["field"]) for h in hits]  # the term Commute


@pytest.mark.parametrize(
    "query",
    ["zip", "income", "date of birth", "commute", "walk2work", "Healthy Habits", "dob",
     "commutes", "HOME zip", "hh_incm", "of the", "st", "ZIP-Code", "Participant's e-mail",
     "</script>"],
)  # fmt: skip
def test_site_ranks_exactly_like_the_search_command(
    browser: Any, site: Path, cli_ranking: Any, query: str
) -> None:
    _open(browser, (site / "index.html").as_uri())
    ranked = browser.execute_script(
        "return window.cdwSearch(arguments[0]).map(h => [h.doc.dataset, h.doc.field]);", query
    )
    assert [tuple(r) for r in ranked] == cli_ranking(query)
    assert ranked or query == "</script>"


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_console_error_on_any_page(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    for page in _pages(site):
        _open(browser, page.as_uri())
        assert browser.find_element(By.TAG_NAME, "h1").text.strip(), page
        assert console_errors(browser) == [], page


def test_every_internal_link_resolves_in_the_browser(browser: Any, site: Path) -> None:
    """Every same-site href of every page, as the browser resolves it: the file exists and the
    #fragment names an element of that page."""
    checked = 0
    ids: dict[str, set[str]] = {}
    for page in _pages(site):
        _open(browser, page.as_uri())
        hrefs = browser.execute_script(
            "return Array.from(document.querySelectorAll('a[href], link[href], script[src]'))"
            ".map(a => a.href || a.src);"
        )
        for href in hrefs:
            if not href.startswith("file://"):
                assert href.startswith("https://"), (page, href)  # statutes' official text
                continue
            target, _, fragment = href.partition("#")
            path = Path(target.removeprefix("file://").split("?", 1)[0])
            assert path.is_file(), (page, href)
            if fragment:
                if target not in ids:
                    _open(browser, target)
                    ids[target] = set(
                        browser.execute_script(
                            "return Array.from(document.querySelectorAll('[id]')).map(e => e.id);"
                        )
                    )
                    _open(browser, page.as_uri())
                assert fragment in ids[target], (page, href)
            checked += 1
    assert checked > 500


def test_keyboard_skip_link_and_results(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(browser, (site / "index.html").as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.text == "Skip to main content" and active.is_displayed()
    active.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"
    _type_search(browser, "commute")
    browser.switch_to.active_element.send_keys(Keys.TAB)  # the Search button
    browser.switch_to.active_element.send_keys(Keys.TAB)  # the first result
    first = browser.switch_to.active_element
    assert first.tag_name == "a" and first.get_attribute("href").endswith("w2w-commute.html")
    first.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("datasets/w2w-commute.html")


def test_header_search_on_other_pages_goes_to_the_results(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, (site / "glossary.html").as_uri())
    box = browser.find_element(By.ID, "header-q")
    box.send_keys("date of birth", Keys.ENTER)
    WebDriverWait(browser, 10).until(  # the results page loads, then searches
        lambda b: any(
            "PRTCPNT_DOB_DT" in r.text
            for r in b.find_elements(By.CSS_SELECTOR, "#search-results li")
        )
    )
    assert browser.find_element(By.ID, "q").get_attribute("value") == "date of birth"


@pytest.mark.parametrize(
    "page",
    [
        "index.html?q=zip",
        "datasets/w2w-participant.html",
        "datasets/w2w-legacy-prtcpnt.html",
        "glossary.html",
        "statutes.html",
        "statutes/ca-civ-1798-24.html",
    ],
)
def test_axe_finds_no_serious_or_critical_violation(browser: Any, site: Path, page: str) -> None:
    path, _, query = page.partition("?")
    assert (site / path).is_file(), path
    _open(browser, (site / path).as_uri() + (f"?{query}" if query else ""))
    violations = axe_violations(browser)
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == [], json.dumps(bad, indent=1)


def test_print_stylesheet_hides_navigation_and_search(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, (site / "index.html").as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element(By.CSS_SELECTOR, ".site-header nav").is_displayed()
        assert not browser.find_element(By.ID, "search-form").is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, "table.inventory").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_works_from_a_web_server_too(browser: Any, site: Path) -> None:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _open(browser, f"http://127.0.0.1:{server.server_address[1]}/index.html")
        assert len(_type_search(browser, "zip")) == len(ZIP_FIELDS)
        assert console_errors(browser) == []
    finally:
        server.shutdown()
        server.server_close()


def test_screenshots_for_review(browser: Any, site: Path, tmp_path_factory: Any) -> None:
    """Screenshots a person looks at (kept under the session's temp folder)."""
    out = tmp_path_factory.mktemp("screenshots")
    _open(browser, (site / "index.html").as_uri() + "?q=zip")
    assert browser.save_screenshot(str(out / "index.png"))
    _open(browser, (site / "datasets" / "w2w-commute.html").as_uri())
    assert browser.save_screenshot(str(out / "dataset.png"))
    print(f"screenshots in {out}")


def test_the_scan_does_find_violations(browser: Any, tmp_path: Path) -> None:
    """The scan above can fail: a page with an unlabelled input and an image without alt text."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>bad</title></head><body>"
        '<input type="text"><img src="x.png"><p style="color:#bbb">faint</p></body></html>'
    )
    _open(browser, page.as_uri())
    found = {v["id"]: v["impact"] for v in axe_violations(browser)}
    assert found.get("label") == "critical" and found.get("image-alt") == "critical"
    assert found.get("color-contrast") == "serious"
