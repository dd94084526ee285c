"""coverage and check, over DataHub Lite catalogs written here in the shapes of catalog-model.md.

`build_lite` is shared with test_worksheet.py (imported from this module).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from datahub.emitter.mce_builder import make_dataset_urn, make_schema_field_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata import schema_classes as m

from cdw_datahub import coverage
from cdw_datahub.catalog import open_catalog
from cdw_datahub.cli import main

ACTOR = "urn:li:corpuser:cdw-datahub"


def _attr(provenance: str | None, rule: str | None = None) -> m.MetadataAttributionClass | None:
    if provenance is None:
        return None
    detail = {"cdw.provenance": provenance}
    if rule:
        detail["cdw.rule"] = rule
    return m.MetadataAttributionClass(
        time=int(time.time() * 1000), actor=ACTOR, sourceDetail=detail
    )


@dataclass
class F:
    """A field: tags/terms are (urn, provenance or None for 'ingested', rule)."""

    name: str
    type: str = "VARCHAR(40)"
    description: str | None = None
    nullable: bool = True
    tags: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    terms: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    props: dict[str, str] = field(default_factory=dict)


@dataclass
class D:
    program: str
    table: str
    fields: list[F]
    owner: str | None = "samantha.lee"
    ui_tags: dict[str, list[str]] = field(
        default_factory=dict
    )  # field -> tag urns (no attribution)


PROGRAM_NAMES = {"w2w": "Walk2Work", "healthy-habits": "Healthy Habits"}


def dataset_urn(d: D) -> str:
    return make_dataset_urn("sqlite", f"main.{d.table}" if d.program == "w2w" else f"hh.{d.table}")


def mcps_for(datasets: list[D]) -> list[MetadataChangeProposalWrapper]:
    out: list[MetadataChangeProposalWrapper] = []
    for pid in sorted({d.program for d in datasets}):
        out.append(
            MetadataChangeProposalWrapper(
                entityUrn=f"urn:li:domain:cdw.{pid}",
                aspect=m.DomainPropertiesClass(name=PROGRAM_NAMES.get(pid, pid)),
            )
        )
    for d in datasets:
        urn = dataset_urn(d)
        fields = []
        for f in d.fields:
            tags = [m.TagAssociationClass(tag=t, attribution=_attr(p, r)) for t, p, r in f.tags]
            terms = [
                m.GlossaryTermAssociationClass(urn=t, attribution=_attr(p, r))
                for t, p, r in f.terms
            ]
            fields.append(
                m.SchemaFieldClass(
                    fieldPath=f.name,
                    type=m.SchemaFieldDataTypeClass(type=m.StringTypeClass()),
                    nativeDataType=f.type,
                    nullable=f.nullable,
                    description=f.description,
                    globalTags=m.GlobalTagsClass(tags=tags) if tags else None,
                    glossaryTerms=m.GlossaryTermsClass(
                        terms=terms, auditStamp=m.AuditStampClass(0, ACTOR)
                    )
                    if terms
                    else None,
                )
            )
            if f.props:
                out.append(
                    MetadataChangeProposalWrapper(
                        entityUrn=make_schema_field_urn(urn, f.name),
                        aspect=m.StructuredPropertiesClass(
                            properties=[
                                m.StructuredPropertyValueAssignmentClass(
                                    propertyUrn=f"urn:li:structuredProperty:{k}", values=[v]
                                )
                                for k, v in f.props.items()
                            ]
                        ),
                    )
                )
        out.append(
            MetadataChangeProposalWrapper(
                entityUrn=urn,
                aspect=m.SchemaMetadataClass(
                    schemaName=d.table,
                    platform="urn:li:dataPlatform:sqlite",
                    version=0,
                    hash="",
                    platformSchema=m.OtherSchemaClass(rawSchema=""),
                    fields=fields,
                ),
            )
        )
        out.append(
            MetadataChangeProposalWrapper(
                entityUrn=urn, aspect=m.DomainsClass(domains=[f"urn:li:domain:cdw.{d.program}"])
            )
        )
        if d.owner:
            out.append(
                MetadataChangeProposalWrapper(
                    entityUrn=urn,
                    aspect=m.OwnershipClass(
                        owners=[
                            m.OwnerClass(
                                owner=f"urn:li:corpuser:{d.owner}",
                                type=m.OwnershipTypeClass.DATA_STEWARD,
                            )
                        ]
                    ),
                )
            )
        if d.ui_tags:
            out.append(
                MetadataChangeProposalWrapper(
                    entityUrn=urn,
                    aspect=m.EditableSchemaMetadataClass(
                        editableSchemaFieldInfo=[
                            m.EditableSchemaFieldInfoClass(
                                fieldPath=path,
                                globalTags=m.GlobalTagsClass(
                                    tags=[m.TagAssociationClass(tag=t) for t in tags]
                                ),
                            )
                            for path, tags in d.ui_tags.items()
                        ]
                    ),
                )
            )
    return out


def build_lite(path: Path, datasets: list[D]) -> str:
    """Write the datasets into a new DataHub Lite file; returns its `lite:` URI."""
    from datahub.lite.lite_util import get_datahub_lite

    lite = get_datahub_lite({"type": "sqlite", "config": {"file": str(path)}})
    try:
        for mcp in mcps_for(datasets):
            lite.write(mcp)
    finally:
        lite.close()
    return f"lite:{path}"


PERSONAL = "urn:li:tag:cdw.level.personal"
PUBLIC = "urn:li:tag:cdw.level.public"
IPA = "urn:li:glossaryTerm:cdw.statute.ca-civ-1798.24"


def sample() -> list[D]:
    return [
        D(
            "w2w",
            "participant",
            [
                F(
                    "participant_id",
                    "INTEGER",
                    "Number the system assigns at enrollment.",
                    tags=[(PUBLIC, "reviewed", "policies/reviewed.yml")],
                    props={"cdw.field.statuteAssessment": "none-apply"},
                ),
                F(
                    "ssn",
                    "CHAR(11)",
                    "Social Security Number.",
                    tags=[(PERSONAL, "suggested", "name.ssn")],
                    terms=[(IPA, "suggested", "ipa-personal-information")],
                ),
                F("favorite_color"),  # nothing at all
            ],
            ui_tags={"favorite_color": [PUBLIC]},
        ),
        D(
            "w2w",
            "stop",
            [F("duration", "INTEGER", "Whole minutes spent at the stop.")],
            owner=None,
        ),
        D(
            "healthy-habits",
            "campaign",
            [
                F(
                    "campaign_id",
                    "INTEGER",
                    "Campaign number.",
                    tags=[(PUBLIC, "reviewed", "policies/reviewed.yml")],
                    terms=[(IPA, "reviewed", "policies/statutes.yml")],
                )
            ],
        ),
    ]


@pytest.fixture(scope="module")
def catalog_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_lite(tmp_path_factory.mktemp("cov") / "lite.db", sample())


def test_compute_counts_each_measure(catalog_uri: str) -> None:
    with open_catalog(catalog_uri) as cat:
        cov = coverage.compute(cat)
    by_field = {(f.dataset, f.field): f for f in cov.fields}
    assert cov.programs == ["healthy-habits", "w2w"]
    pid = by_field[("participant", "participant_id")]
    assert (pid.definitions, pid.classification, pid.statutes, pid.steward) == (
        True,
        True,
        True,
        True,
    )
    ssn = by_field[("participant", "ssn")]
    # a suggested level is not a reviewed classification; a statute term is an assessment
    assert (ssn.classification, ssn.level, ssn.level_provenance, ssn.statutes) == (
        False,
        "personal",
        "suggested",
        True,
    )
    color = by_field[("participant", "favorite_color")]
    # a level set in the DataHub UI counts as reviewed
    assert (color.definitions, color.classification, color.level_provenance) == (
        False,
        True,
        "ui",
    )
    assert by_field[("stop", "duration")].steward is False
    w2w = cov.program_fields("w2w")
    assert coverage.share(w2w, "definitions") == pytest.approx(3 / 4)
    assert coverage.share(w2w, "classification") == pytest.approx(2 / 4)
    assert coverage.share(w2w, "statutes") == pytest.approx(2 / 4)
    assert coverage.share(w2w, "steward") == pytest.approx(3 / 4)


def test_compute_program_by_name_or_id(catalog_uri: str) -> None:
    with open_catalog(catalog_uri) as cat:
        assert {d.name for d in coverage.compute(cat, "walk2work").datasets} == {
            "participant",
            "stop",
        }
        assert [d.name for d in coverage.compute(cat, "HEALTHY-HABITS").datasets] == ["campaign"]


def test_cli_coverage_json_table_csv(catalog_uri: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["coverage", "--catalog", catalog_uri, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    w2w = next(p for p in data["programs"] if p["program"] == "w2w")
    assert w2w["fields"] == 4
    assert w2w["definitions"] == {"count": 3, "share": 0.75}
    stop = next(d for d in w2w["datasets"] if d["dataset"] == "stop")
    assert stop["steward"] == {"count": 0, "share": 0.0}
    assert data["total"]["fields"] == 5

    table = runner.invoke(main, ["coverage", "--catalog", catalog_uri, "--program", "w2w"])
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["program", "dataset", "fields", *coverage.METRICS]
    assert lines[-1].split() == ["w2w", "(all)", "4", "75%", "50%", "50%", "75%", "100%"]

    csv_out = runner.invoke(main, ["coverage", "--catalog", catalog_uri, "--format", "csv"])
    rows = csv_out.stdout.splitlines()
    assert rows[0].startswith("program,dataset,fields,definitions_count,definitions_share")
    assert "w2w,stop,1,1,1.0000,0,0.0000,0,0.0000,0,0.0000,1,1.0000" in rows


def test_cli_coverage_unknown_program(catalog_uri: str) -> None:
    result = CliRunner().invoke(main, ["coverage", "--catalog", catalog_uri, "--program", "nope"])
    assert result.exit_code == 2
    assert "unknown program 'nope'" in result.stderr
    assert "w2w (Walk2Work)" in result.stderr


def test_check_fails_and_lists_failing_fields(catalog_uri: str) -> None:
    result = CliRunner().invoke(
        main,
        [
            "check",
            "--catalog",
            catalog_uri,
            "--program",
            "w2w",
            "--require",
            "definitions=100%",
            "--require",
            "classification=reviewed",
        ],
    )
    assert result.exit_code == 1
    out = result.stdout
    assert "FAIL  w2w  definitions: 75.0% (required 100%)" in out
    assert "      participant.favorite_color" in out
    assert "      participant.ssn" in out  # suggested only
    assert "stop.duration" in out  # no level at all


def test_check_passes_at_threshold(catalog_uri: str) -> None:
    result = CliRunner().invoke(
        main,
        ["check", "--catalog", catalog_uri, "--require", "definitions=75%", "--program", "w2w"],
    )
    assert result.exit_code == 0, result.output
    assert "PASS  w2w  definitions: 75.0%" in result.stdout


def test_check_config_file(catalog_uri: str, tmp_path: Path) -> None:
    cfg = tmp_path / "check.yml"
    cfg.write_text(
        "program: Healthy Habits\nrequire:\n  definitions: 100%\n  classification: reviewed\n"
        "  statutes: 1.0\n  steward: required\n  comments: current\n"
    )
    result = CliRunner().invoke(
        main, ["check", "--catalog", catalog_uri, "--config-file", str(cfg), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passed"] is True
    assert {r["metric"] for r in data["results"]} == set(coverage.METRICS)
    assert all(r["program"] == "healthy-habits" for r in data["results"])


def test_check_bad_requirements(catalog_uri: str, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["check", "--catalog", catalog_uri, "--require", "colour=100%"])
    assert bad.exit_code == 2
    assert "unknown metric 'colour'" in bad.stderr
    bad = runner.invoke(main, ["check", "--catalog", catalog_uri, "--require", "definitions=150%"])
    assert bad.exit_code == 2
    assert "not a share" in bad.stderr
    none = runner.invoke(main, ["check", "--catalog", catalog_uri])
    assert none.exit_code == 2
    cfg = tmp_path / "check.yml"
    cfg.write_text("program: w2w\nrequire:\n  definitions: 100%\n  steward: lots\n")
    bad = runner.invoke(main, ["check", "--catalog", catalog_uri, "--config-file", str(cfg)])
    assert bad.exit_code == 2
    assert f"{cfg}:4" in bad.stderr
