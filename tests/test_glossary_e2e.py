"""A glossary split over two files, end to end through the real tools: DataHub's own CLI runs
the shipped glossary recipe once per file (the stock `datahub-business-glossary` source) and a
program database through `cdw_describe`, into DataHub Lite; a term made "in the DataHub UI"
(a GUID URN, written as the UI writes it) is named by the dictionary by its full URN. Then the
real `cdw-datahub` CLI: the BUCP export, its sheet and summary, search and lint show every
glossary fact (owners, term source and reference, related terms, domain, group), and a
reference to a catalog-only term is checked against the catalog."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cdw_datahub.settings import packaged_dir

SPLIT = Path(__file__).parent / "fixtures" / "glossary_compat" / "split" / "glossary"
CLASSIFICATION = Path(__file__).parent / "fixtures" / "policy" / "good" / "policies"
BIN = Path(sys.executable).parent
UI_TERM = "urn:li:glossaryTerm:41516e310acbfd9076fffc2c98d2d1a3"
DICTIONARY_LINE = "glossary/dictionary/finance.yml:32"  # where the dictionary names it

pytestmark = pytest.mark.slow


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*args], cwd=cwd, capture_output=True, text=True, check=False, timeout=600,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(cwd, str(BIN / "cdw-datahub"), *args)


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("split-glossary")
    shutil.copytree(SPLIT, work / "glossary")
    (work / "policies").mkdir()
    shutil.copy(CLASSIFICATION / "classification.yml", work / "policies")
    shutil.copy(packaged_dir("policies") / "detection.yml", work / "policies")
    with sqlite3.connect(work / "finance.db") as db:
        db.execute(
            "CREATE TABLE account (account_id INTEGER PRIMARY KEY, balance_amt REAL, "
            "diagnosis_cd TEXT, fiscal_yr INTEGER, service_line TEXT)"
        )
    lite = work / "lite.db"
    env = {"CDW_LITE_FILE": str(lite), "CDW_GLOSSARY_DIR": "glossary"}
    recipe = str(packaged_dir("recipes") / "glossary.lite.yml")
    for name in ("finance.yml", "privacy.yml"):  # one stock run per glossary file
        done = _run(work, str(BIN / "datahub"), "ingest", "-c", recipe,
                    env={**env, "CDW_GLOSSARY_FILE": f"glossary/{name}"})  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    _made_in_the_ui(lite)
    (work / "finance.lite.yml").write_text(
        yaml.safe_dump(
            {
                "source": {
                    "type": "cdw-sqlite",
                    "config": {
                        "connect_uri": f"sqlite:///{work / 'finance.db'}",
                        "platform_instance": "finance",
                    },
                },
                "transformers": [
                    {
                        "type": "cdw_describe",
                        "config": {
                            "program": "finance",
                            "glossary_dir": "glossary",
                            "policies_dir": "policies",
                        },
                    }
                ],
                "sink": {
                    "type": "cdw-lite",
                    "config": {"type": "sqlite", "config": {"file": str(lite)}},
                },
            }  # fmt: skip
        )
    )
    done = _run(work, str(BIN / "datahub"), "ingest", "-c", "finance.lite.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    # no server in this pipeline: the UI's term is named, not checked, and the run says so
    assert f"{DICTIONARY_LINE}: glossary term '{UI_TERM}' is in no glossary file" in (
        done.stdout + done.stderr
    )
    (work / "cdw.yml").write_text(
        yaml.safe_dump({"catalog": "lite:lite.db", "glossary": "glossary", "policies": "policies"})
    )
    return work


def _made_in_the_ui(lite: Path) -> None:
    """A term a steward created in the DataHub UI: a GUID URN, its info and its owner."""
    from datahub.emitter.mcp import MetadataChangeProposalWrapper
    from datahub.metadata.schema_classes import (
        GlossaryTermInfoClass,
        OwnerClass,
        OwnershipClass,
        OwnershipTypeClass,
    )

    from cdw_datahub.catalog import open_catalog

    with open_catalog(f"lite:{lite}") as catalog:
        catalog.emit([
            MetadataChangeProposalWrapper(entityUrn=UI_TERM, aspect=GlossaryTermInfoClass(
                name="Service Line", definition="A family of services the department pays for.",
                termSource="INTERNAL")),
            MetadataChangeProposalWrapper(entityUrn=UI_TERM, aspect=OwnershipClass(owners=[
                OwnerClass("urn:li:corpuser:maria.lopez", OwnershipTypeClass.BUSINESS_OWNER)])),
        ])  # fmt: skip


def _export(department: Path, *args: str) -> dict[str, Any]:
    done = _cli(department, "bucp", "export", "--program", "finance", "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_export_carries_every_glossary_fact(department: Path) -> None:
    doc = _export(department)
    rows = {r["field"]: r for r in doc["fields"]}
    assert rows["account_id"]["glossary_terms"] == ["Account"]
    assert rows["service_line"]["glossary_terms"] == ["Service Line"]  # the UI's term, by name
    glossary = {g["term"]: g for g in doc["summary"]["glossary"]}
    assert set(glossary) == {"Account", "Balance", "Diagnosis Code", "Fiscal Year", "Service Line"}
    assert glossary["Account"] == {
        "term": "Account",
        "urn": "urn:li:glossaryTerm:Clients-And-Accounts.Account",
        "definition": "Container for records of a business arrangement for regular transactions",
        "fields": ["finance.account.account_id"],
        "group": "Clients And Accounts",
        "owners": ["finance (group, dataowner)"],  # the file's owners, as DataHub inherits them
        "source": "EXTERNAL",
        "source_ref": "FIBO",  # the file's default source
        "source_url": "https://spec.edmcouncil.org/fibo/ontology/FBC/ProductsAndServices/"
        "ClientsAndAccounts/Account",
        "inherits": ["PII"],  # in privacy.yml, by its id
        "contains": ["Balance"],
        "values": [],
        "related_terms": ["Diagnosis Code"],  # in privacy.yml, by its name path
        "domain": "finance",
    }
    assert glossary["Balance"]["owners"] == [
        "ledger.bot (technical owner)",
        "finance-stewards (group, steward)",  # a custom ownership type, by its URN's id
    ]
    diagnosis = glossary["Diagnosis Code"]
    assert (diagnosis["group"], diagnosis["owners"]) == ("Health", ["priya.shah (business owner)"])
    assert (diagnosis["source_ref"], diagnosis["inherits"]) == ("ICD-10-CM", ["Sensitive Data"])
    assert glossary["Fiscal Year"]["owners"] == ["budget.officer (budget office)"]
    assert glossary["Fiscal Year"]["group"] is None  # a top-level term
    ui = glossary["Service Line"]
    assert (ui["urn"], ui["definition"]) == (
        UI_TERM,
        "A family of services the department pays for.",
    )
    assert ui["owners"] == ["maria.lopez (business owner)"]


def test_the_glossary_sheet_and_the_summary_show_them(department: Path) -> None:
    from openpyxl import load_workbook

    done = _cli(department, "bucp", "export", "--program", "finance", "-o", "finance.xlsx")
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(department / "finance.xlsx")["Glossary"]
    header = [c.value for c in sheet[1]]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    account = {h: c for h, c in zip(header, rows["Account"], strict=True)}
    assert account["Owners"].value == "finance (group, dataowner)"
    assert account["Source"].value == "FIBO (external)"
    assert account["Source"].hyperlink.target.endswith("/ClientsAndAccounts/Account")
    assert (account["Inherits (is a)"].value, account["Contains (has a)"].value) == (
        "PII", "Balance"
    )  # fmt: skip
    assert (account["Related terms"].value, account["Domain"].value) == (
        "Diagnosis Code", "finance"
    )  # fmt: skip
    assert account["Group"].value == "Clients And Accounts"

    done = _cli(department, "bucp", "summary", "--program", "finance")
    assert done.returncode == 0, done.stderr
    text = done.stdout[done.stdout.index("Glossary (5 term(s))") :]
    account_text = text[text.index("- Account:") : text.index("- Balance:")]
    for line in (
        "    group: Clients And Accounts",
        "    owners: finance (group, dataowner)",
        "    source: FIBO (external),",  # its URL on the next line: too long for one
        "        https://spec.edmcouncil.org/fibo/ontology/FBC/ProductsAndServices/Clients",
        "    inherits (is a): PII",
        "    contains (has a): Balance",
        "    related terms: Diagnosis Code",
        "    domain: finance",
    ):
        assert line in account_text, account_text


def test_search_finds_terms_by_their_glossary_facts(department: Path) -> None:
    def search(*words: str) -> list[dict[str, Any]]:
        done = _cli(department, "search", *words, "--format", "json", "--limit", "0")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    icd = search("icd")  # a term's source reference, and a field's definition
    assert [(h["kind"], h["label"] if h["kind"] == "term" else h["field"]) for h in icd] == [
        ("field", "diagnosis_cd"),  # its definition (weight 2) above the term's source (1)
        ("term", "Diagnosis Code"),
    ]
    term = icd[1]["term"]
    assert (term["source"], term["source_url"]) == (
        "EXTERNAL", "https://www.cms.gov/medicare/coding-billing/icd-10-codes"
    )  # fmt: skip
    assert icd[1]["matched"] == ["source"] and icd[1]["dataset"] == "Health"
    # by owner, and by a related term: the terms that inherit PII
    assert {h["label"] for h in search("priya") if h["kind"] == "term"} == {
        "PII", "Sensitive Data", "Diagnosis Code"
    }  # fmt: skip
    by_relation = [h for h in search("pii") if h["kind"] == "term"]
    assert by_relation[0]["label"] == "PII"  # its own name first
    assert {h["label"] for h in by_relation[1:]} == {"Account", "Sensitive Data"}


def test_a_catalog_only_term_is_checked_against_the_catalog(
    department: Path, tmp_path: Path
) -> None:
    lint = _cli(department, "lint", "--format", "json")
    assert lint.returncode == 0, lint.stdout + lint.stderr  # it is in the catalog: fine
    assert not [f for f in json.loads(lint.stdout) if f["slug"].startswith("reference")]

    # a catalog that cannot be read: not checked, a warning naming the dictionary's line
    lint = _cli(department, "lint", "--catalog", f"lite:{tmp_path / 'none.db'}")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert f"{DICTIONARY_LINE}: warning [reference-unverified] glossary term '{UI_TERM}'" in (
        lint.stdout
    )

    # a catalog without it (the glossary files' terms only): an error naming the line
    other = tmp_path / "other.db"
    shutil.copy(department / "lite.db", other)
    with sqlite3.connect(other) as db:
        db.execute("DELETE FROM metadata_aspect_v2 WHERE urn = ?", (UI_TERM,))
    lint = _cli(department, "lint", "--catalog", f"lite:{other}")
    assert lint.returncode == 1
    assert f"{DICTIONARY_LINE}: error [reference-dangling] unknown glossary term '{UI_TERM}'" in (
        lint.stdout
    )
    export = _cli(department, "bucp", "export", "--catalog", f"lite:{other}", "--format", "json")
    assert export.returncode == 2 and export.stdout == ""
    assert export.stderr.strip().splitlines() == [
        f"Error: {DICTIONARY_LINE}: glossary term '{UI_TERM}' is in no glossary file and not "
        "in the catalog (DataHub Lite (other.db)); create it in DataHub, or fix the reference"
    ]


@pytest.mark.parametrize("in_catalog", [True, False])
def test_on_a_server_ingestion_checks_the_catalog_only_term(
    department: Path, in_catalog: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a server (the rest sink gives `cdw_describe` the graph) the UI's term is looked up
    there before any record: present, the run goes on; missing, it stops naming the line."""
    from datahub.emitter.mcp import MetadataChangeProposalWrapper
    from datahub.metadata.schema_classes import GlossaryTermInfoClass

    from cdw_datahub.errors import InputError
    from cdw_datahub.ingest import load_recipe, run_pipeline
    from gms_standin import GmsStandIn

    monkeypatch.chdir(department)
    monkeypatch.delenv("DATAHUB_GMS_TOKEN", raising=False)
    ui_term = MetadataChangeProposalWrapper(
        entityUrn=UI_TERM,
        aspect=GlossaryTermInfoClass(
            definition="Services.", name="Service Line", termSource="INTERNAL"
        ),
    )
    with GmsStandIn(None) as gms:
        gms.load([ui_term] if in_catalog else [])
        config = load_recipe(department / "finance.lite.yml")
        config["sink"] = {"type": "datahub-rest", "config": {"server": gms.url}}
        if in_catalog:
            run_pipeline(config, "finance")
            assert any(u.endswith("finance.main.account,PROD)") for u in gms.urns_of("dataset"))
        else:
            with pytest.raises(InputError) as raised:
                run_pipeline(config, "finance")
            assert f"{DICTIONARY_LINE}: glossary term '{UI_TERM}' is in no glossary file and " \
                "not in the catalog (the DataHub server)" in str(raised.value)  # fmt: skip
            assert gms.urns_of("dataset") == []  # stopped before any record
