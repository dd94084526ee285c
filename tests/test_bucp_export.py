"""`bucp export` / `bucp summary` against small catalogs written with the exact shapes of
docs/catalog-model.md, through DataHub's own Lite API and file sink.

`sample_mcps()` and `write_lite()` are reused by test_search.py and test_server_backend.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from datahub.emitter.mce_builder import make_dataset_urn, make_schema_field_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AuditStampClass,
    CorpUserInfoClass,
    DatasetPropertiesClass,
    DomainPropertiesClass,
    DomainsClass,
    EditableSchemaFieldInfoClass,
    EditableSchemaMetadataClass,
    GlobalTagsClass,
    GlossaryTermAssociationClass,
    GlossaryTermInfoClass,
    GlossaryTermsClass,
    InstitutionalMemoryClass,
    InstitutionalMemoryMetadataClass,
    MetadataAttributionClass,
    NumberTypeClass,
    OtherSchemaClass,
    OwnerClass,
    OwnershipClass,
    OwnershipTypeClass,
    SchemaFieldClass,
    SchemaFieldDataTypeClass,
    SchemaMetadataClass,
    StringTypeClass,
    StructuredPropertiesClass,
    StructuredPropertyValueAssignmentClass,
    TagAssociationClass,
    TagPropertiesClass,
)

from cdw_datahub.cli import main

CLI = str(Path(sys.executable).parent / "cdw-datahub")
ACTOR = "urn:li:corpuser:cdw-datahub"
PARTICIPANT = make_dataset_urn("sqlite", "w2w.participant")
COMMUTE = make_dataset_urn("sqlite", "w2w.commute")
CAMPAIGN = make_dataset_urn("sqlite", "healthy_habits.campaign")
IPA = "urn:li:glossaryTerm:cdw.statute.ca-civ-1798.24"
HIPAA = "urn:li:glossaryTerm:cdw.statute.cfr-45-164.514"
IPA_URL = "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml?sectionNum=1798.24.&lawCode=CIV"
HIPAA_URL = "https://www.ecfr.gov/current/title-45/section-164.514"


def _attr(provenance: str, rule: str, evidence: str | None = None) -> MetadataAttributionClass:
    detail = {"cdw.provenance": provenance, "cdw.rule": rule}
    if evidence:
        detail["cdw.evidence"] = evidence
    return MetadataAttributionClass(time=0, actor=ACTOR, sourceDetail=detail)


def _tag(
    urn: str, provenance: str | None = None, rule: str = "r", evidence: str | None = None
) -> TagAssociationClass:
    attribution = _attr(provenance, rule, evidence) if provenance else None
    return TagAssociationClass(tag=urn, attribution=attribution)


def _term(urn: str, provenance: str | None = "reviewed") -> GlossaryTermAssociationClass:
    return GlossaryTermAssociationClass(
        urn=urn, attribution=_attr(provenance, "f") if provenance else None
    )


def _field(
    path: str,
    native: str,
    *,
    nullable: bool = True,
    label: str | None = None,
    description: str | None = None,
    tags: list[TagAssociationClass] | None = None,
    terms: list[GlossaryTermAssociationClass] | None = None,
) -> SchemaFieldClass:
    number = native.upper() in ("INTEGER", "REAL")
    return SchemaFieldClass(
        fieldPath=path,
        type=SchemaFieldDataTypeClass(NumberTypeClass() if number else StringTypeClass()),
        nativeDataType=native,
        nullable=nullable,
        label=label,
        description=description,
        globalTags=GlobalTagsClass(tags) if tags else None,
        glossaryTerms=(GlossaryTermsClass(terms, AuditStampClass(0, ACTOR)) if terms else None),
    )


def _props(dataset: str, path: str, **values: str) -> MetadataChangeProposalWrapper:
    return MetadataChangeProposalWrapper(
        entityUrn=make_schema_field_urn(dataset, path),
        aspect=StructuredPropertiesClass(
            [
                StructuredPropertyValueAssignmentClass(
                    f"urn:li:structuredProperty:cdw.field.{k}", [v]
                )
                for k, v in values.items()
            ]
        ),
    )


def _dataset(
    urn: str, name: str, fields: list[SchemaFieldClass], domain: str, steward: str
) -> list[MetadataChangeProposalWrapper]:
    return [
        MetadataChangeProposalWrapper(
            entityUrn=urn,
            aspect=SchemaMetadataClass(
                schemaName=name,
                platform="urn:li:dataPlatform:sqlite",
                version=0,
                hash="",
                platformSchema=OtherSchemaClass(rawSchema=""),
                fields=fields,
            ),
        ),
        MetadataChangeProposalWrapper(
            entityUrn=urn, aspect=DatasetPropertiesClass(name=name, qualifiedName=name)
        ),
        MetadataChangeProposalWrapper(entityUrn=urn, aspect=DomainsClass([domain])),
        MetadataChangeProposalWrapper(
            entityUrn=urn,
            aspect=OwnershipClass([OwnerClass(steward, OwnershipTypeClass.DATA_STEWARD)]),
        ),
    ]


def sample_mcps() -> list[MetadataChangeProposalWrapper]:
    """Two W2W tables and one Healthy Habits table, with every concept of the catalog model."""
    level = "urn:li:tag:cdw.level."
    cat = "urn:li:tag:cdw.category."
    stamp = AuditStampClass(0, ACTOR)
    mcps: list[MetadataChangeProposalWrapper] = []
    for pid, name in (("w2w", "Walk2Work"), ("healthy-habits", "Healthy Habits")):
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=f"urn:li:domain:cdw.{pid}", aspect=DomainPropertiesClass(name=name)
            )
        )
    for uid, display in (("samantha.lee", "Samantha Lee"), ("omar.diaz", "Omar Diaz")):
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=f"urn:li:corpuser:{uid}",
                aspect=CorpUserInfoClass(active=True, displayName=display),
            )
        )
    for tag_id, tag_name in (
        ("level.public", "Public"),
        ("level.confidential", "Confidential"),
        ("level.sensitive", "Sensitive"),
        ("level.personal", "Personal"),
        ("category.direct_identifier", "Direct identifier"),
        ("category.quasi_identifier", "Quasi-identifier"),
        ("category.health", "Health information"),
    ):
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=f"urn:li:tag:cdw.{tag_id}", aspect=TagPropertiesClass(name=tag_name)
            )
        )
    terms = {
        "cdw.w2w.participant": ("Participant", "A person enrolled in Walk2Work.", {}),
        "cdw.w2w.stop": (
            "Stop",
            "A planned stop on a participant's commute, not a traffic light or crosswalk wait.",
            {},
        ),
        "cdw.statute.ca-civ-1798.24": (
            "Information Practices Act: conditions of disclosure",
            "Limits disclosure of personal information held by state agencies.",
            {"citation": "Cal. Civ. Code § 1798.24", "jurisdiction": "California"},
        ),
        "cdw.statute.cfr-45-164.514": (
            "HIPAA Privacy Rule: de-identification",
            "Standards for de-identifying protected health information.",
            {"citation": "45 CFR 164.514", "jurisdiction": "Federal"},
        ),
    }
    for term_id, (term_name, definition, props) in terms.items():
        urn = f"urn:li:glossaryTerm:{term_id}"
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=urn,
                aspect=GlossaryTermInfoClass(
                    definition=definition,
                    termSource="INTERNAL",
                    name=term_name,
                    customProperties=props,
                ),
            )
        )
        if urn in (IPA, HIPAA):
            mcps.append(
                MetadataChangeProposalWrapper(
                    entityUrn=urn,
                    aspect=InstitutionalMemoryClass(
                        [
                            InstitutionalMemoryMetadataClass(
                                IPA_URL if urn == IPA else HIPAA_URL, "Official text", stamp
                            )
                        ]
                    ),
                )
            )

    participant = [
        _field(
            "participant_id",
            "INTEGER",
            nullable=False,
            label="Participant Identifier",
            description="Number the W2W system assigns to a participant at enrollment.",
            tags=[
                _tag(level + "confidential", "reviewed"),
                _tag(cat + "quasi_identifier", "reviewed"),
            ],
            terms=[_term("urn:li:glossaryTerm:cdw.w2w.participant")],
        ),
        _field(
            "ssn_nbr",
            "TEXT",
            label="Social Security Number",
            description="The participant's nine-digit Social Security number.",
            tags=[
                _tag(level + "confidential", "suggested"),
                _tag(level + "personal", "reviewed"),
                _tag(cat + "direct_identifier", "reviewed"),
            ],
            terms=[_term(IPA)],
        ),
        _field(
            "home_lat",
            "REAL",
            label="Home Latitude",
            description="Latitude of the participant's home in decimal degrees.",
            tags=[
                _tag(level + "sensitive", "suggested", "geo-rule", "coords 'latitude'"),
                _tag(cat + "quasi_identifier", "suggested"),
            ],
        ),
        _field("photo", "BLOB"),  # no label, no definition, unclassified
        _field(
            "favorite_color",
            "TEXT",
            label="Favorite Color",
            description="Color the participant | named at enrollment.",
            tags=[_tag(level + "personal", "reviewed")],  # the UI lowers it to Public below
        ),
        _field(
            "reward_amt",
            "INTEGER",
            nullable=False,
            label="Reward Amount",
            description="Whole US dollars paid to the participant as rewards.",
            tags=[_tag(level + "public", "reviewed")],
        ),
        _field(
            "diagnosis_cd",
            "WEIRDTYPE",
            label="Diagnosis Code",
            description="ICD-10 code of a condition the participant reported.",
            tags=[_tag(level + "personal", "reviewed"), _tag(cat + "health", "reviewed")],
            terms=[_term(HIPAA), _term(IPA)],
        ),  # fmt: skip
    ]
    commute = [
        _field(
            "commute_id",
            "INTEGER",
            nullable=False,
            label="Commute Identifier",
            description="Number of one logged walk to work.",
            tags=[_tag(level + "public", "reviewed")],
        ),
        _field(
            "stop_geocode",
            "TEXT",
            label="Stop Geocode",
            description="The geocode of the stop in decimal-degree format.",
            tags=[_tag(level + "confidential", "suggested", "geo-rule")],
            terms=[_term("urn:li:glossaryTerm:cdw.w2w.stop", "suggested")],
        ),
        _field(
            "started_at",
            "TIMESTAMP",
            label="Commute Start",
            description="Date and time the participant started walking, Pacific time.",
            tags=[_tag(level + "public")],  # ingested without cdw attribution
        ),
    ]
    campaign = [
        _field(
            "campaign_id",
            "INTEGER",
            nullable=False,
            label="Campaign Identifier",
            description="Number of an awareness campaign.",
            tags=[_tag(level + "public", "reviewed")],
        )
    ]
    mcps += _dataset(PARTICIPANT, "w2w.participant", participant, "urn:li:domain:cdw.w2w",
                     "urn:li:corpuser:samantha.lee")  # fmt: skip
    mcps += _dataset(COMMUTE, "w2w.commute", commute, "urn:li:domain:cdw.w2w",
                     "urn:li:corpuser:samantha.lee")  # fmt: skip
    mcps += _dataset(CAMPAIGN, "healthy_habits.campaign", campaign,
                     "urn:li:domain:cdw.healthy-habits", "urn:li:corpuser:omar.diaz")  # fmt: skip
    # a steward's edits in the UI: new definition for ssn_nbr, favorite_color lowered to Public
    mcps.append(
        MetadataChangeProposalWrapper(
            entityUrn=PARTICIPANT,
            aspect=EditableSchemaMetadataClass(
                editableSchemaFieldInfo=[
                    EditableSchemaFieldInfoClass(
                        "ssn_nbr", description="Nine-digit SSN the participant gave (UI edit)."
                    ),
                    EditableSchemaFieldInfoClass(
                        "favorite_color",
                        globalTags=GlobalTagsClass([TagAssociationClass(level + "public")]),
                    ),
                ]
            ),
        )
    )
    mcps += [
        _props(
            PARTICIPANT,
            "participant_id",
            validInputs="1-999999",
            source="Assigned by the W2W system",
            guideForUse="Join key to commute.participant_id",
        ),  # fmt: skip
        _props(PARTICIPANT, "ssn_nbr", required="true", notes="About 3% blank before 2019"),
        _props(PARTICIPANT, "reward_amt", required="false"),
    ]
    return mcps


def write_lite(path: Path, mcps: list[Any] | None = None) -> Path:
    from datahub.lite.lite_util import get_datahub_lite

    lite = get_datahub_lite({"type": "sqlite", "config": {"file": str(path)}})
    try:
        for mcp in sample_mcps() if mcps is None else mcps:
            lite.write(mcp)
    finally:
        lite.close()
    return path


@pytest.fixture(scope="module")
def lite_catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    return "lite:" + str(write_lite(tmp_path_factory.mktemp("cat") / "datahub-lite.db"))


@pytest.fixture(scope="module")
def file_catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    from datahub.ingestion.sink.file import write_metadata_file

    path = tmp_path_factory.mktemp("cat") / "mcps.json"
    write_metadata_file(path, sample_mcps())
    return f"file:{path}"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated folder with empty glossary/ and policies/: facts come from the catalog only."""
    (tmp_path / "glossary").mkdir()
    (tmp_path / "policies").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CDW_CATALOG", raising=False)
    return tmp_path


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def export_json(catalog: str, *args: str) -> dict[str, Any]:
    result = run("bucp", "export", "--catalog", catalog, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_field(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{r['dataset']}.{r['field']}": r for r in doc["fields"]}


EXPECTED_KEYS = [
    "dataset_urn", "dataset", "field", "field_name", "field_name_status", "type", "native_type",
    "definition", "required", "valid_inputs", "source", "notes", "guide_for_use",
    "glossary_terms", "classification", "categories", "category_names", "classification_status",
    "classification_reason", "classification_review",
    "statutes", "statute_status", "statute_review", "steward",
]  # fmt: skip


# ---------------------------------------------------------------- rows


def test_rows_have_exactly_the_design_keys(workdir: Path, lite_catalog: str) -> None:
    doc = export_json(lite_catalog)
    assert doc["format_version"] == 1
    assert len(doc["fields"]) == 7 + 3 + 1
    for row in doc["fields"]:
        assert list(row) == EXPECTED_KEYS


def test_row_content_follows_the_catalog_model(workdir: Path, lite_catalog: str) -> None:
    rows = by_field(export_json(lite_catalog, "--dataset", "participant"))
    pid = rows["w2w.participant.participant_id"]
    assert pid == {
        "dataset_urn": PARTICIPANT,
        "dataset": "w2w.participant",
        "field": "participant_id",
        "field_name": "Participant Identifier",
        "field_name_status": "defined",
        "type": "numeric",
        "native_type": "INTEGER",
        "definition": "Number the W2W system assigns to a participant at enrollment.",
        "required": "yes",
        "valid_inputs": "1-999999",
        "source": "Assigned by the W2W system",
        "notes": None,
        "guide_for_use": "Join key to commute.participant_id",
        "glossary_terms": ["Participant"],
        "classification": "Confidential",
        "categories": ["quasi_identifier"],
        "category_names": ["Quasi-identifier"],
        "classification_status": "reviewed",
        "classification_reason": "r",
        "classification_review": "reviewed (unsigned)",  # the fixture's entry has no reviewer
        "statutes": [],
        "statute_status": "not assessed",
        "statute_review": None,
        "steward": "Samantha Lee",
    }
    ssn = rows["w2w.participant.ssn_nbr"]
    assert ssn["definition"] == "Nine-digit SSN the participant gave (UI edit)."  # UI wins
    assert ssn["required"] == "yes"  # cdw.field.required beats nullable
    assert ssn["classification"] == "Personal"  # reviewed beats the suggested Confidential
    assert ssn["classification_status"] == "reviewed"
    assert ssn["categories"] == ["direct_identifier"]
    assert ssn["statutes"] == [
        {"citation": "Cal. Civ. Code § 1798.24",
         "title": "Information Practices Act: conditions of disclosure", "url": IPA_URL,
         "status": "reviewed", "rules": ["f"], "inherited_from": [],
         "review": "reviewed (unsigned)"}
    ]  # fmt: skip
    assert ssn["statute_status"] == "reviewed"
    assert ssn["glossary_terms"] == []  # statute terms are not business terms
    lat = rows["w2w.participant.home_lat"]
    assert (lat["type"], lat["classification_status"]) == ("coordinates", "suggested")
    assert lat["classification"] == "Sensitive"
    # the rule and the evidence it fired on, read back from the attribution
    assert lat["classification_reason"] == "geo-rule: coords 'latitude'"
    assert rows["w2w.participant.photo"]["classification_reason"] is None  # unclassified
    photo = rows["w2w.participant.photo"]
    assert photo["classification"] == "unclassified - protect as Moderate"
    assert photo["classification_status"] == "unclassified"
    # a Field Name is never blank: a readable name from the column, marked as not yet defined
    assert (photo["type"], photo["field_name"], photo["definition"]) == ("other", "Photo", None)
    assert photo["field_name_status"] == "not yet defined"
    color = rows["w2w.participant.favorite_color"]
    assert (color["classification"], color["classification_status"]) == ("Public", "reviewed")
    amount = rows["w2w.participant.reward_amt"]
    assert (amount["type"], amount["required"]) == ("currency", "no")
    diagnosis = rows["w2w.participant.diagnosis_cd"]
    assert diagnosis["type"] == "other"  # unknown native type: fallback, reported
    assert [s["citation"] for s in diagnosis["statutes"]] == [
        "45 CFR 164.514",
        "Cal. Civ. Code § 1798.24",
    ]


def test_untagged_ingested_level_is_not_called_reviewed(workdir: Path, lite_catalog: str) -> None:
    rows = by_field(export_json(lite_catalog, "--dataset", "commute"))
    assert rows["w2w.commute.started_at"]["classification_status"] == "suggested"
    assert rows["w2w.commute.started_at"]["type"] == "date and time"
    assert rows["w2w.commute.stop_geocode"]["type"] == "coordinates"
    assert rows["w2w.commute.stop_geocode"]["glossary_terms"] == ["Stop"]


def test_unknown_native_type_is_reported_on_stderr(workdir: Path, lite_catalog: str) -> None:
    result = run(
        "bucp", "export", "--catalog", lite_catalog, "--dataset", "participant", "--format", "json"
    )
    assert result.exit_code == 0
    # once per unknown type, with the fields it affects
    assert "native type 'WEIRDTYPE' is not in the BUCP type table" in result.stderr
    assert "exported as 'other': participant.diagnosis_cd" in result.stderr
    assert "'BLOB'" not in result.stderr  # BLOB is known: 'other' on purpose
    json.loads(result.stdout)  # stdout stays pure JSON


def test_file_sink_catalog_gives_the_same_rows(
    workdir: Path, lite_catalog: str, file_catalog: str
) -> None:
    assert export_json(file_catalog)["fields"] == export_json(lite_catalog)["fields"]


# ---------------------------------------------------------------- selection


def test_select_by_program_id_or_display_name(workdir: Path, lite_catalog: str) -> None:
    by_id = export_json(lite_catalog, "--program", "healthy-habits")
    by_name = export_json(lite_catalog, "--program", "HEALTHY habits")
    assert [r["field"] for r in by_id["fields"]] == ["campaign_id"]
    assert by_id["fields"] == by_name["fields"]
    assert {r["steward"] for r in by_id["fields"]} == {"Omar Diaz"}


def test_select_fields_by_glob_and_dataset_urn(workdir: Path, lite_catalog: str) -> None:
    doc = export_json(lite_catalog, "--field", "participant.*_id", "--field", "commute.stop_*")
    assert sorted(by_field(doc)) == ["w2w.commute.stop_geocode", "w2w.participant.participant_id"]
    doc = export_json(lite_catalog, "--dataset", COMMUTE)
    assert {r["dataset"] for r in doc["fields"]} == {"w2w.commute"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--dataset", "particpant"),
            "no dataset matches 'particpant' (did you mean 'participant'",
        ),
        (("--field", "participant.ssn_num"), "did you mean 'participant.ssn_nbr'"),
        (("--program", "walk2wrk"), "unknown program 'walk2wrk' (did you mean 'Walk2Work'"),
    ],
)
def test_unknown_names_exit_2_with_suggestions(
    workdir: Path, lite_catalog: str, args: tuple[str, ...], expected: str
) -> None:
    result = run("bucp", "export", "--catalog", lite_catalog, *args)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stdout == ""


def test_unreadable_catalog_exits_2(workdir: Path) -> None:
    (workdir / "junk.db").write_text("not sqlite at all" * 100)
    result = run("bucp", "export", "--catalog", "lite:junk.db")
    assert result.exit_code == 2
    assert "junk.db" in result.stderr and "Traceback" not in result.stderr
    result = run("bucp", "export", "--catalog", "lite:missing.db")
    assert result.exit_code == 2 and "missing.db" in result.stderr


# ---------------------------------------------------------------- formats


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_every_format_carries_the_same_rows(workdir: Path, lite_catalog: str) -> None:
    from openpyxl import load_workbook

    from cdw_datahub.bucp.writers import HEADERS, cells

    for ext in ("csv", "xlsx", "md", "json"):
        result = run("bucp", "export", "--catalog", lite_catalog, "-o", f"out.{ext}",
                     "--title", "DHCS request 2026-07")  # fmt: skip
        assert result.exit_code == 0, result.output
    expected = [cells(r) for r in json.loads((workdir / "out.json").read_text())["fields"]]
    assert len(expected) == 11

    csv_rows = _csv_rows((workdir / "out.csv").read_text(encoding="utf-8"))
    assert tuple(csv_rows[0]) == HEADERS
    assert csv_rows[1:] == expected

    # the workbook's Fields sheet is laid out for print (one cell per statute, short citations)
    # from the same rows: the same fields in the same order with the same template columns
    wb = load_workbook(workdir / "out.xlsx")
    sheet = wb["Fields"]
    xlsx_rows = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    header = list(xlsx_rows[0])
    rows = json.loads((workdir / "out.json").read_text())["fields"]
    assert [(r[0], r[1]) for r in xlsx_rows[1:]] == [(r["dataset"], r["field"]) for r in rows]
    for name in HEADERS[:8]:
        col = header.index(name)
        assert [r[col] for r in xlsx_rows[1:]] == [e[HEADERS.index(name)] for e in expected]

    md = (workdir / "out.md").read_text(encoding="utf-8").splitlines()
    start = md.index("| " + " | ".join(HEADERS) + " |")
    table = md[start + 2 : start + 2 + len(expected)]
    md_rows = [
        [c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")]
        for line in (t.replace("\\|", "\x00") for t in table)
    ]
    md_rows = [[c.replace("\x00", "|") for c in r] for r in md_rows]
    # in Markdown each statute citation is its own link; the text is the same
    cite = HEADERS.index("Statute citations")
    links = [re.findall(r"\[([^\]]*)\]\((https://[^)]*)\)", r[cite]) for r in md_rows]
    assert ("Cal. Civ. Code § 1798.24", IPA_URL) in links[
        [r[HEADERS.index("Field")] for r in md_rows].index("diagnosis_cd")
    ]
    for r in md_rows:
        r[cite] = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", r[cite])
    assert md_rows == expected


def test_template_column_order(workdir: Path) -> None:
    from cdw_datahub.bucp.writers import HEADERS

    assert HEADERS[:8] == ("Field Name", "Type", "Definition", "Required", "Valid inputs",
                           "Source", "Notes", "Guide for use")  # fmt: skip
    assert (
        HEADERS.index("Classification")
        < HEADERS.index("Statute citations")
        < HEADERS.index("Glossary terms")
        < HEADERS.index("Steward")
        < HEADERS.index("Dataset")
        < HEADERS.index("Field")
    )


def test_xlsx_is_a_finished_document(workdir: Path, lite_catalog: str) -> None:
    from openpyxl import load_workbook

    result = run("bucp", "export", "--catalog", lite_catalog, "--program", "w2w",
                 "-o", "bucp.xlsx", "--title", "DHCS request")  # fmt: skip
    assert result.exit_code == 0, result.output
    wb = load_workbook(workdir / "bucp.xlsx")
    assert wb.sheetnames == ["Cover", "Fields", "Statutes", "Summary", "Glossary"]
    assert wb["Cover"]["A1"].value == "DHCS request"
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert cover["Datasets (2)"] == "w2w.commute (3 field(s))\nw2w.participant (7 field(s))"
    assert cover["Catalog"] == "DataHub Lite (datahub-lite.db)"  # never the machine's path
    assert cover["Fields"] == 10
    assert cover["BUCP"].startswith("not recorded")  # no --bucp: no parties to show
    assert (cover["Personal"], cover["reviewed"], cover["inherited"]) == (2, 6, 0)
    fields = wb["Fields"]
    header = [c.value for c in fields[1]]
    assert header[:3] == ["Dataset", "Field", "Field Name"]
    assert fields.freeze_panes == "A2"
    assert fields.auto_filter.ref == f"A1:{fields.cell(1, len(header)).column_letter}11"
    assert fields.print_title_rows == "$1:$1"
    assert fields.page_setup.orientation == "landscape" and fields.page_setup.fitToWidth == 1
    assert "Page &P of &N" in fields.oddFooter.right.text
    assert fields["F2"].alignment.wrap_text
    # two citations on one field: two cells, two working links
    diagnosis = next(
        r for r in range(2, fields.max_row + 1) if fields.cell(r, 2).value == "diagnosis_cd"
    )
    first, second = header.index("Statute 1") + 1, header.index("Statute 2") + 1
    assert fields.cell(diagnosis, first).hyperlink.target == HIPAA_URL
    assert fields.cell(diagnosis, second).hyperlink.target == IPA_URL
    assert fields.cell(diagnosis, second).value == "Cal. Civ. Code § 1798.24"
    # a row is as tall as its longest wrapped cell
    heights = {fields.cell(r, 2).value: fields.row_dimensions[r].height for r in range(2, 12)}
    # "unclassified - protect as Moderate" wraps to 3 lines in its column; "Public" needs one
    assert heights["photo"] >= 3 * BODY_LINE > heights["commute_id"] >= BODY_LINE
    statutes = list(wb["Statutes"].iter_rows(values_only=True))
    assert statutes[0][:3] == ("Citation", "Title", "Status")
    assert len(statutes) == 1 + 3  # one row per statute and field
    summary = [r for r in wb["Summary"].iter_rows(values_only=True)]
    assert ("Strictest classification", "Personal", None) in summary
    glossary = list(wb["Glossary"].iter_rows(values_only=True))
    assert glossary[0] == ("Term", "Definition", "Fields", "Group", "Owners", "Source",
                           "Inherits (is a)", "Contains (has a)", "Values", "Related terms",
                           "Domain")  # fmt: skip
    # this catalog's terms carry only a term source (what the stock source always writes)
    assert ("Stop", terms_definition("Stop"), "w2w.commute.stop_geocode", None, None,
            "internal", None, None, None, None, None) in glossary  # fmt: skip


BODY_LINE = 9 * 1.25  # points: one line of the workbook's 9 pt body text


def terms_definition(name: str) -> str:
    return {
        "Stop": "A planned stop on a participant's commute, not a traffic light or crosswalk wait."
    }[name]


def test_format_from_extension_and_bad_extension(workdir: Path, lite_catalog: str) -> None:
    result = run("bucp", "export", "--catalog", lite_catalog, "-o", "out.txt")
    assert result.exit_code == 2
    assert "out.txt" in result.stderr and ".csv, .xlsx, .md or .json" in result.stderr
    result = run("bucp", "export", "--catalog", lite_catalog, "--format", "xlsx")
    assert result.exit_code == 2 and "--output" in result.stderr
    result = run("bucp", "export", "--catalog", lite_catalog, "--format", "csv")
    assert result.exit_code == 0 and result.stdout.startswith("Field Name,Type,Definition")


def test_unwritable_output_keeps_the_previous_file(workdir: Path, lite_catalog: str) -> None:
    from cdw_datahub.bucp import writers

    target = workdir / "bucp.xlsx"
    target.write_bytes(b"previous version")
    # a failure in the middle of writing (here: the workbook cannot be built)
    original = writers._WRITERS["xlsx"]

    def broken(doc: Any, out: Any) -> None:
        out.write(b"half a workbook")
        raise OSError("disk full")

    writers._WRITERS["xlsx"] = broken
    try:
        result = run("bucp", "export", "--catalog", lite_catalog, "-o", str(target))
    finally:
        writers._WRITERS["xlsx"] = original
    # one clear line naming the file, exit 2, no traceback (README: every failure a clear line)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if not line.startswith("Warning: ")]
    assert errors == [
        f"Error: {target}: cannot write (disk full); the previous file, if any, is unchanged"
    ]
    assert target.read_bytes() == b"previous version"
    assert sorted(p.name for p in workdir.iterdir()) == ["bucp.xlsx", "glossary", "policies"]

    result = run("bucp", "export", "--catalog", lite_catalog, "-o", "no/such/dir/out.csv")
    assert result.exit_code == 2 and "no/such/dir" in result.stderr


def test_read_only_folder_exits_2(workdir: Path, lite_catalog: str) -> None:
    from test_faults import read_only  # root writes anywhere: a read-only bind mount, as in CI

    locked = workdir / "locked"
    locked.mkdir()
    (locked / "out.csv").write_text("previous")
    with read_only(locked) as how:
        if how == "nobody":
            pytest.skip("cannot mount here; test_faults.py covers this as the nobody user")
        result = run("bucp", "export", "--catalog", lite_catalog, "-o", str(locked / "out.csv"))
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert (locked / "out.csv").read_text() == "previous"


# ---------------------------------------------------------------- summary


def test_summary_in_json_and_on_its_own(workdir: Path, lite_catalog: str) -> None:
    doc = export_json(lite_catalog, "--program", "w2w")
    s = doc["summary"]
    assert [(x["citation"], x["fields"]) for x in s["statutes"]] == [
        ("45 CFR 164.514", ["w2w.participant.diagnosis_cd"]),
        ("Cal. Civ. Code § 1798.24", ["w2w.participant.ssn_nbr", "w2w.participant.diagnosis_cd"]),
    ]
    assert s["classification"]["strictest"] == "Personal"  # Personal outranks the unclassified
    assert s["classification"]["unclassified_fields"] == 1
    assert [c["id"] for c in s["categories"]] == ["direct_identifier", "quasi_identifier", "health"]
    assert s["unclassified_fields"] == ["w2w.participant.photo"]
    assert s["undefined_fields"] == ["w2w.participant.photo"]
    assert {g["term"] for g in s["glossary"]} == {"Participant", "Stop"}

    alone = run("bucp", "summary", "--catalog", lite_catalog, "--program", "Walk2Work",
                "--format", "json")  # fmt: skip
    assert alone.exit_code == 0
    assert json.loads(alone.stdout) == s

    text = run("bucp", "summary", "--catalog", lite_catalog, "--program", "w2w").stdout
    assert "Strictest classification: Personal" in text
    assert "Cal. Civ. Code § 1798.24 - Information Practices Act" in text
    assert "- unclassified: 1" in text
    # grouped statute -> dataset -> fields, each statute with how it was decided
    ipa = next(x for x in s["statutes"] if x["citation"] == "Cal. Civ. Code § 1798.24")
    assert ipa["status"] == "reviewed"
    assert ipa["decisions"] == [{"status": "reviewed", "rules": [], "fields": 2,
                                 "text": "reviewed (unsigned), recorded in f"}]  # fmt: skip
    assert ipa["datasets"] == [
        {
            "dataset": "w2w.participant",
            "fields": [
                {"field": "ssn_nbr", "field_name": "Social Security Number", "status": "reviewed"},
                {"field": "diagnosis_cd", "field_name": "Diagnosis Code", "status": "reviewed"},
            ],
        }
    ]
    assert "    w2w.participant (2): ssn_nbr, diagnosis_cd" in text
    assert "Late-statute risk" in text and "stalls the BUCP" in text
    assert s["classification"]["by_status"] == {
        "reviewed": 6,
        "suggested": 3,
        "unclassified": 1,
        "inherited": 0,
    }
    assert [c["name"] for c in s["categories"]] == [
        "Direct identifier",
        "Quasi-identifier",
        "Health information",
    ]


def test_summary_without_a_top_level_field_is_moderate(workdir: Path, lite_catalog: str) -> None:
    s = export_json(lite_catalog, "--field", "participant.photo", "--field", "commute.*")["summary"]
    assert s["classification"]["strictest"] == "unclassified - protect as Moderate"
    assert s["classification"]["fips199"] == "Moderate"
    md = run("bucp", "summary", "--catalog", lite_catalog, "--dataset", "commute",
             "--format", "md").stdout  # fmt: skip
    assert "### Strictest classification: Confidential" in md


# ---------------------------------------------------------------- the real CLI


def test_real_cli_subprocess(workdir: Path, lite_catalog: str) -> None:
    env = {**os.environ, "CDW_CATALOG": lite_catalog}
    done = subprocess.run(
        [CLI, "bucp", "export", "--dataset", "participant",
         "--field", "*.ssn_nbr", "--format", "json"],
        capture_output=True, text=True, env=env, cwd=workdir, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["fields"]
    assert [r["classification"] for r in rows] == ["Personal"]
    bad = subprocess.run(
        [CLI, "bucp", "export", "--dataset", "nope"],
        capture_output=True, text=True, env=env, cwd=workdir, check=False,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.startswith("Error: ") and "Traceback" not in bad.stderr


def test_table_is_the_default_on_a_terminal(workdir: Path, lite_catalog: str) -> None:
    result = run("bucp", "export", "--catalog", lite_catalog, "--field", "*.ssn_nbr")
    assert result.exit_code == 0
    header, rule, row = result.stdout.splitlines()[:3]
    assert header.split() == [
        "dataset", "field", "type", "classification", "status", "categories", "statutes"
    ]  # fmt: skip
    assert set(rule.replace(" ", "")) == {"-"}
    assert "ssn_nbr" in row and "Personal" in row
    assert "Direct identifier" in row and "direct_identifier" not in row  # display names


def test_the_export_names_no_folder_of_the_harvesting_machine(
    demo_catalog: str, demo_dir: Path
) -> None:
    """Where a value came from is cited as folder/file:line (an OpenAPI spec's x-cdw-*, a policy
    file), never with the folders of the machine that ran the ingestion."""
    result = run("bucp", "export", "--catalog", demo_catalog, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "apis/your-environment.openapi.yaml:" in result.stdout
    for folder in {str(Path(__file__).resolve().parents[1]), str(demo_dir)}:
        assert folder not in result.stdout
