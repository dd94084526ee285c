"""Glossary files in DataHub's own format, as its docs describe it (ids optional, derived from
the name path; explicit ids and full URNs; nested nodes; owners of several types; term source,
inherits / contains / values / related terms, domain, knowledge links, custom properties of any
scalar type; a non-ASCII name): the project accepts them and derives the URNs, parents and
custom property text the stock `datahub-business-glossary` source writes to a file sink."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cdw_datahub.ingest import run_pipeline
from cdw_datahub.policy import load_policy

FIXTURES = Path(__file__).parent / "fixtures" / "glossary_compat"
CLASSIFICATION = Path(__file__).parent / "fixtures" / "policy" / "good" / "policies"


def stock_terms(glossary: Path, out: Path) -> dict[str, dict[str, Any]]:
    """Term URN -> its glossaryTermInfo, as the stock source writes it (enable_auto_id: false,
    as the project's recipes set it)."""
    config = {
        "source": {
            "type": "datahub-business-glossary",
            "config": {"file": str(glossary), "enable_auto_id": False},
        },
        "sink": {"type": "file", "config": {"filename": str(out)}},
    }
    run_pipeline(config, str(glossary))
    terms: dict[str, dict[str, Any]] = {}
    for record in json.loads(out.read_text()):
        snapshot = (record.get("proposedSnapshot") or {}).get(
            "com.linkedin.pegasus2avro.metadata.snapshot.GlossaryTermSnapshot"
        )
        if snapshot:
            for aspect in snapshot["aspects"]:
                info = aspect.get("com.linkedin.pegasus2avro.glossary.GlossaryTermInfo")
                if info:
                    terms[snapshot["urn"]] = info
        elif record.get("aspectName") == "glossaryTermInfo":
            terms[record["entityUrn"]] = record["aspect"]["json"]
    return terms


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_same_urns_as_the_stock_source(name: str, tmp_path: Path) -> None:
    glossary_dir = FIXTURES / name / "glossary"
    policies = tmp_path / "policies"
    policies.mkdir()
    shutil.copy(CLASSIFICATION / "classification.yml", policies)
    policy = load_policy(glossary_dir, policies)
    stock = stock_terms(glossary_dir / "business_glossary.yml", tmp_path / "stock.json")
    assert len(stock) >= 3
    ours = {t.urn: t for t in policy.terms.values()}
    assert sorted(ours) == sorted(stock)
    for urn, info in stock.items():
        assert ours[urn].parent_urn == info.get("parentNode"), urn
        assert (ours[urn].name, ours[urn].definition) == (info["name"], info["definition"])
        assert ours[urn].custom_properties == (info.get("customProperties") or {}), urn


def test_datahub_legal_oddities_are_warnings_naming_file_and_line(tmp_path: Path) -> None:
    glossary = FIXTURES / "oddities" / "glossary"
    policies = tmp_path / "policies"
    policies.mkdir()
    shutil.copy(CLASSIFICATION / "classification.yml", policies)
    policy = load_policy(glossary, policies)
    where = f"{glossary / 'business_glossary.yml'}"
    assert policy.warnings == [
        f"{where}:11: a second term 'Finance.Revenue' (first at line 9) gets the same URN; "
        "DataHub keeps this one",
        f"{where}:18: unknown glossary term 'Finance.Profitability'; DataHub creates an empty "
        "term for it",
    ]
    revenue = policy.terms["urn:li:glossaryTerm:Finance.Revenue"]
    assert revenue.custom_properties == {"audited": "True"}  # YAML's yes, as DataHub stores it


def test_a_glossary_datahub_refuses_exits_2_naming_the_line(tmp_path: Path) -> None:
    from test_bucp_export import run

    (tmp_path / "glossary").mkdir()
    (tmp_path / "policies").mkdir()
    shutil.copy(CLASSIFICATION / "classification.yml", tmp_path / "policies")
    (tmp_path / "glossary" / "business_glossary.yml").write_text(
        'version: "1"\nowners: {users: [a]}\nterms:\n  - name: No description\n'
    )  # DataHub requires a description
    result = run("lint", "--glossary", str(tmp_path / "glossary"),
                 "--policies", str(tmp_path / "policies"))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "business_glossary.yml:4" in result.output and "Traceback" not in result.output
