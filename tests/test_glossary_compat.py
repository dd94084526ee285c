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
    assert len(stock) >= 9
    ours = {t.urn: t for t in policy.terms.values()}
    assert sorted(ours) == sorted(stock)
    for urn, info in stock.items():
        assert ours[urn].parent_urn == info.get("parentNode"), urn
        assert ours[urn].name == info["name"]
        assert ours[urn].custom_properties == (info.get("customProperties") or {}), urn
