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

from cdw_datahub.errors import InputError
from cdw_datahub.ingest import run_pipeline
from cdw_datahub.policy import load_policy

FIXTURES = Path(__file__).parent / "fixtures" / "glossary_compat"
CLASSIFICATION = Path(__file__).parent / "fixtures" / "policy" / "good" / "policies"


SNAPSHOT = "com.linkedin.pegasus2avro.metadata.snapshot.GlossaryTermSnapshot"
ASPECTS = {  # the term aspects of the stock source's snapshots, by their short names
    "com.linkedin.pegasus2avro.glossary.GlossaryTermInfo": "info",
    "com.linkedin.pegasus2avro.glossary.GlossaryRelatedTerms": "related",
    "com.linkedin.pegasus2avro.common.Ownership": "ownership",
}


def stock_terms(glossary_dir: Path, out: Path) -> dict[str, dict[str, Any]]:
    """Term URN -> {info, related, ownership, domains} as the stock source writes them, one run
    per glossary file as the recipes run it (enable_auto_id: false, as they set it); a later
    file's term replaces an earlier one's, as a later ingestion would."""
    from cdw_datahub.policy.files import glossary_files

    terms: dict[str, dict[str, Any]] = {}
    for i, glossary in enumerate(glossary_files(glossary_dir)):
        sink = out.with_name(f"{out.stem}-{i}.json")
        config = {
            "source": {
                "type": "datahub-business-glossary",
                "config": {"file": str(glossary), "enable_auto_id": False},
            },
            "sink": {"type": "file", "config": {"filename": str(sink)}},
        }
        run_pipeline(config, str(glossary))
        written: dict[str, dict[str, Any]] = {}
        for record in json.loads(sink.read_text()):
            snapshot = (record.get("proposedSnapshot") or {}).get(SNAPSHOT)
            if snapshot:
                found = written.setdefault(snapshot["urn"], {})
                for aspect in snapshot["aspects"]:
                    for key, value in aspect.items():
                        if key in ASPECTS:
                            found[ASPECTS[key]] = value
            elif record.get("aspectName") == "domains":  # an MCP, before its term's snapshot
                written.setdefault(record["entityUrn"], {})["domains"] = record["aspect"]["json"]
        terms.update(written)
    return terms


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_same_urns_as_the_stock_source(name: str, tmp_path: Path) -> None:
    glossary_dir = FIXTURES / name / "glossary"
    policies = tmp_path / "policies"
    policies.mkdir()
    shutil.copy(CLASSIFICATION / "classification.yml", policies)
    policy = load_policy(glossary_dir, policies)
    stock = stock_terms(glossary_dir, tmp_path / "stock.json")
    assert len(stock) >= 3
    ours = {t.urn: t for t in policy.terms.values()}
    assert sorted(ours) == sorted(stock)
    for urn, written in stock.items():
        info, term = written["info"], ours[urn]
        assert term.parent_urn == info.get("parentNode"), urn
        assert (term.name, term.definition) == (info["name"], info["definition"])
        assert term.custom_properties == (info.get("customProperties") or {}), urn
        # the rest of the glossary: source, owners (inherited as DataHub inherits them),
        # related terms (resolved in the term's own file, else as ids) and domain
        source = (info["termSource"], info.get("sourceRef"), info.get("sourceUrl"))
        assert (term.source, term.source_ref, term.source_url) == source, urn
        owners = written["ownership"]["owners"]
        assert list(term.owners) == [(o["owner"], o.get("typeUrn") or o["type"]) for o in owners]
        related = written.get("related") or {}
        for ours_key, theirs in (("inherits", "isRelatedTerms"), ("contains", "hasRelatedTerms"),
                                 ("values", "values"), ("related", "relatedTerms")):  # fmt: skip
            assert list(getattr(term, ours_key)) == (related.get(theirs) or []), (urn, ours_key)
        domains = (written.get("domains") or {}).get("domains") or [None]
        assert term.domain == domains[0], urn


def test_datahub_legal_oddities_are_warnings_naming_file_and_line(tmp_path: Path) -> None:
    glossary = FIXTURES / "oddities" / "glossary"
    policies = tmp_path / "policies"
    policies.mkdir()
    shutil.copy(CLASSIFICATION / "classification.yml", policies)
    policy = load_policy(glossary, policies)
    where = f"{glossary / 'business_glossary.yml'}"
    other = f"{glossary / 'planning.yml'}"
    assert policy.warnings == [
        f"{where}:11: a second term 'Finance.Revenue' (first at line 9) gets the same URN; "
        "DataHub keeps this one",
        f"{where}:18: unknown glossary term 'Finance.Profitability'; DataHub creates an empty "
        "term for it",
        # across files: the same name path twice, a name path that only resolves in its file,
        # a link DataHub drops
        f"{other}:6: a second term 'Forecast' (first at glossary/business_glossary.yml:25) gets "
        "the same URN; DataHub keeps the one of the file ingested last",
        f"{other}:11: 'Budget' is the name path of a term of glossary/business_glossary.yml:22 "
        "with the id 'finance-budget'; the stock source reads each file alone and resolves a "
        "name path only inside it, so DataHub creates an empty term urn:li:glossaryTerm:Budget "
        "for it (write its id 'finance-budget')",
        f"{other}:13: a knowledge link without a url: DataHub drops it (give it both label and "
        "url)",
    ]
    assert policy.terms["urn:li:glossaryTerm:Forecast"].definition.startswith("The expected")
    assert "later file" in policy.terms["urn:li:glossaryTerm:Forecast"].definition
    revenue = policy.terms["urn:li:glossaryTerm:Finance.Revenue"]
    assert revenue.custom_properties == {"audited": "True"}  # YAML's yes, as DataHub stores it


REFUSED = {  # a glossary DataHub's source refuses -> (the line we name, what we say)
    "no description": ("terms:\n  - name: No description\n", 4, "missing required key"),
    "a number as a name": (
        "terms:\n  - name: 2024\n    description: A year\n",
        4,
        "put it in quotes",
    ),
    "an ownership type DataHub does not know": (
        "terms:\n  - name: Fee\n    description: A charge\n    owners:\n"
        "      type: CHIEF\n      users: [b]\n",
        6,
        "DataHub refuses these owners (Unexpected ownership type: CHIEF)",
    ),
    "custom properties as a list (the example in DataHub's docs)": (
        "terms:\n  - name: Address\n    description: Where mail goes\n"
        "    custom_properties:\n      - is_used_for_compliance_tracking: 'true'\n",
        6,
        "valid dictionary, got a list; write it as `key: value` lines",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_glossary_datahub_refuses_exits_2_naming_the_line(case: str, tmp_path: Path) -> None:
    from test_bucp_export import run

    body, line, message = REFUSED[case]
    (tmp_path / "glossary").mkdir()
    (tmp_path / "policies").mkdir()
    shutil.copy(CLASSIFICATION / "classification.yml", tmp_path / "policies")
    glossary = tmp_path / "glossary" / "business_glossary.yml"
    glossary.write_text('version: "1"\nowners: {users: [a]}\n' + body)
    # the stock source refuses it too: this is not the project being strict
    with pytest.raises(InputError, match="ingestion failed"):
        run_pipeline(
            {"source": {"type": "datahub-business-glossary", "config": {"file": str(glossary)}},
             "sink": {"type": "file", "config": {"filename": str(tmp_path / "out.json")}}},
            str(glossary),
        )  # fmt: skip
    result = run("lint", "--glossary", str(tmp_path / "glossary"),
                 "--policies", str(tmp_path / "policies"))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"business_glossary.yml:{line}" in result.output, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def _split(tmp_path: Path, first: str, second: str) -> tuple[Path, Path]:
    glossary, policies = tmp_path / "glossary", tmp_path / "policies"
    glossary.mkdir()
    policies.mkdir()
    shutil.copy(CLASSIFICATION / "classification.yml", policies)
    head = 'version: "1"\nowners: {users: [a]}\n'
    (glossary / "a.yml").write_text(head + first)
    (glossary / "b.yml").write_text(head + second)
    return glossary, policies


def test_a_term_id_twice_across_files_is_refused_naming_both_places(tmp_path: Path) -> None:
    from test_bucp_export import run

    glossary, policies = _split(
        tmp_path,
        "terms:\n  - id: shared.fee\n    name: Fee\n    description: A charge\n",
        "nodes:\n  - name: Billing\n    description: Bills\n    terms:\n"
        "      - name: Charge\n        id: shared.fee\n        description: A fee\n",
    )
    with pytest.raises(InputError) as raised:
        load_policy(glossary, policies)
    assert raised.value.location == f"{glossary / 'b.yml'}:8"
    assert "duplicate term id 'shared.fee' (first at glossary/a.yml:4)" in str(raised.value)
    result = run("lint", "--glossary", str(glossary), "--policies", str(policies))
    assert result.exit_code == 1  # lint reports it as a finding, with the same two places
    assert "glossary/b.yml:8: error [term-duplicate] duplicate term id 'shared.fee' (first at " \
        "glossary/a.yml:4)" in result.output  # fmt: skip


def test_a_group_in_two_files_is_refused(tmp_path: Path) -> None:
    glossary, policies = _split(
        tmp_path,
        "nodes:\n  - name: Billing\n    description: Bills\n",
        "nodes:\n  - name: Billing\n    description: Bills again\n",
    )
    with pytest.raises(InputError, match=r"b\.yml:4: .*duplicate node id 'Billing' \(first at "
                       r"glossary/a\.yml:4\) \(a group lives in one file"):  # fmt: skip
        load_policy(glossary, policies)


def test_references_across_files_resolve_by_id(tmp_path: Path) -> None:
    glossary, policies = _split(
        tmp_path,
        "terms:\n  - name: Fee\n    id: billing.fee\n    description: A charge\n"
        "  - name: Net Price\n    description: Price after discounts\n",
        "terms:\n  - name: Late Fee\n    description: A fee for paying late\n"
        "    inherits: [billing.fee]\n    related_terms: [Net Price]\n",
    )
    policy = load_policy(glossary, policies)
    late = policy.terms["urn:li:glossaryTerm:Late-Fee"]
    assert late.inherits == ("urn:li:glossaryTerm:billing.fee",)
    assert late.related == ("urn:li:glossaryTerm:Net-Price",)  # no id: its path is its id
    assert policy.warnings == []


def test_a_domain_by_name_is_a_warning_because_only_a_server_resolves_it(tmp_path: Path) -> None:
    from test_bucp_export import run

    glossary, policies = _split(
        tmp_path,
        "terms:\n  - name: Fee\n    description: A charge\n    domain: Marketing\n",
        "terms:\n  - name: Tax\n    description: A levy\n    domain: urn:li:domain:finance\n",
    )
    policy = load_policy(glossary, policies)
    assert policy.warnings == [
        f"{glossary / 'a.yml'}:6: domain 'Marketing' is a name: DataHub's source resolves a "
        "name only with a server (the *.rest.yml recipes) and refuses the file otherwise "
        "(write the domain's URN, urn:li:domain:<id>)"
    ]
    assert policy.terms["urn:li:glossaryTerm:Fee"].domain == "Marketing"  # as written
    with pytest.raises(InputError, match="need server-side resolution"):  # no server: refused
        run_pipeline(
            {"source": {"type": "datahub-business-glossary",
                        "config": {"file": str(glossary / "a.yml")}},
             "sink": {"type": "file", "config": {"filename": str(tmp_path / "out.json")}}},
            "a.yml",
        )  # fmt: skip
    result = run("lint", "--glossary", str(glossary), "--policies", str(policies))
    assert "glossary/a.yml:6: warning [domain-by-name]" in result.output
