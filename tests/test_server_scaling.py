"""A shared DataHub holds many programs: one program's `bucp export` asks the server for that
program's datasets and their fields only, in batches. Requests are counted in the stand-in."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from datahub.emitter.mce_builder import make_schema_field_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    DomainPropertiesClass,
    DomainsClass,
    OtherSchemaClass,
    SchemaFieldClass,
    SchemaFieldDataTypeClass,
    SchemaMetadataClass,
    StatusClass,
    StringTypeClass,
)

from cdw_datahub.contract import properties as props
from gms_standin import GmsStandIn
from test_bucp_export import export_json, workdir  # noqa: F401

PROGRAMS = 100
FIELDS = 8


def size(program: int) -> int:
    """Datasets of program `program`: 1 to 25, so sizes differ a lot."""
    return 1 + (program * 7) % 25


def dataset_mcps(program: int, table: int) -> list[MetadataChangeProposalWrapper]:
    urn = f"urn:li:dataset:(urn:li:dataPlatform:postgres,db.p{program}.t{table},PROD)"
    fields = [
        SchemaFieldClass(f"c{i}", SchemaFieldDataTypeClass(StringTypeClass()), "text")
        for i in range(FIELDS)
    ]
    schema = SchemaMetadataClass(
        schemaName=f"t{table}", platform="urn:li:dataPlatform:postgres", version=0, hash="",
        platformSchema=OtherSchemaClass(""), fields=fields,
    )  # fmt: skip
    mcps = [
        MetadataChangeProposalWrapper(entityUrn=urn, aspect=schema),
        MetadataChangeProposalWrapper(
            entityUrn=urn, aspect=DomainsClass([f"urn:li:domain:cdw.p{program}"])
        ),
    ]
    for f in fields:
        field_urn = make_schema_field_urn(urn, f.fieldPath)
        mcps.append(props.assignment_mcp(field_urn, {"cdw.field.notes": f"note {f.fieldPath}"}))
    return mcps


def instance_mcps() -> list[MetadataChangeProposalWrapper]:
    mcps = [props.definition_mcp(name) for name in props.PROPERTIES]
    for p in range(PROGRAMS):
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=f"urn:li:domain:cdw.p{p}", aspect=DomainPropertiesClass(f"Program {p}")
            )
        )
        for t in range(size(p)):
            mcps += dataset_mcps(p, t)
    gone = dataset_mcps(3, 999)  # soft-deleted: no backend shows it
    gone.append(
        MetadataChangeProposalWrapper(entityUrn=gone[0].entityUrn, aspect=StatusClass(True))
    )
    return mcps + gone


@pytest.fixture(scope="module")
def mcps() -> list[MetadataChangeProposalWrapper]:
    return instance_mcps()


@pytest.fixture(scope="module")
def stored(mcps: list[MetadataChangeProposalWrapper]) -> dict[str, Any]:
    """The instance as a stand-in stores it, built once."""
    return GmsStandIn(None).load(mcps).store


@pytest.fixture(scope="module")
def file_catalog(
    mcps: list[MetadataChangeProposalWrapper], tmp_path_factory: pytest.TempPathFactory
) -> str:
    from datahub.ingestion.sink.file import write_metadata_file

    path = tmp_path_factory.mktemp("scale") / "mcps.json"
    write_metadata_file(path, mcps)
    return f"file:{path}"


def dataset_requests(gms: GmsStandIn) -> int:
    """Requests about datasets and fields (the vocabulary: domains, terms, tags, people, is read
    whole, a few pages: it does not grow with the datasets)."""
    return (
        sum(
            1
            for _, path in gms.requests
            if "/entity/dataset/" in path or "/entity/schemafield/" in path.lower()
        )
        + gms.searches["dataset"]
        + gms.searches["schemaField"]
    )


@pytest.mark.usefixtures("workdir")
def test_one_programs_export_costs_its_size(
    stored: dict[str, Any], file_catalog: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATAHUB_GMS_TOKEN", raising=False)
    total = sum(size(p) for p in range(PROGRAMS))
    counts = {}
    for program in (1, 3, 7):  # 8, 22 and 25 datasets of ~1,300
        with GmsStandIn(None, page_size=100).load(stored) as gms:
            doc = export_json(gms.url, "--program", f"p{program}")
            counts[program] = dataset_requests(gms)
            kinds = Counter(path.split("?")[0] for _, path in gms.requests)
        assert len(doc["fields"]) == size(program) * FIELDS
        assert all(r["notes"].startswith("note c") for r in doc["fields"])
        # a search page, a dataset batch and ceil(fields / 100) schemaField batches
        assert (
            counts[program]
            <= 2 + 2 * (size(program) // 100 + 1) + (size(program) * FIELDS) // 100 + 1
        )
        assert gms.searches["schemaField"] == 0  # fields are read by URN, never listed
        assert kinds["/api/graphql"] < 12, kinds
    assert total > 1200
    assert counts[3] > counts[1]  # grows with the program, not the instance
    local = export_json(file_catalog, "--program", "p3")
    with GmsStandIn(None, page_size=100).load(stored) as gms:
        served = export_json(gms.url, "--program", "p3")
    assert served["fields"] == local["fields"]
    assert not any("t999" in r["dataset"] for r in local["fields"])  # soft-deleted, in both


def _bucp_requesting(register: str, datasets: list[str]) -> str:
    """A BUCP in `register` requesting `datasets` whole (`bucp new` checks its program against
    the sample department's glossary)."""
    from click.testing import CliRunner

    from cdw_datahub.bucp.register import open_register
    from cdw_datahub.cli import main
    from cdw_datahub.settings import packaged_dir

    bucp_id = "BUCP-2026-100"
    args = ["bucp", "new", "--title", "t", "--program", "w2w", "--requesting", "DPH"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CDW_GLOSSARY_DIR", str(packaged_dir("glossary")))
        patch.setenv("CDW_POLICIES_DIR", str(packaged_dir("policies")))
        result = CliRunner().invoke(main, [*args, "--id", bucp_id, "--register", register])
    assert result.exit_code == 0, result.output
    with open_register(register) as reg:
        for name in datasets:
            reg.request(bucp_id, name)
    return bucp_id


@pytest.mark.parametrize("by", ["--dataset", "--bucp"])
def test_a_selection_by_name_costs_its_size(
    by: str,
    stored: dict[str, Any],
    workdir: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A program's datasets named one by one (`--dataset p7.t3 ...`, or a BUCP requesting
    them) are found through the query too: the requests follow the selection's size."""
    monkeypatch.delenv("DATAHUB_GMS_TOKEN", raising=False)
    counts = {}
    for program in (1, 7):  # 8 and 25 datasets of ~1,300
        names = [f"p{program}.t{t}" for t in range(size(program))]
        if by == "--dataset":
            args = [a for name in names for a in ("--dataset", name)]
        else:
            register = f"sqlite:///{workdir / f'register-{program}.db'}"
            args = ["--bucp", _bucp_requesting(register, names), "--register", register]
        with GmsStandIn(None, page_size=100).load(stored) as gms:
            doc = export_json(gms.url, *args)
            counts[program] = dataset_requests(gms)
        assert len(doc["fields"]) == size(program) * FIELDS
        assert {r["dataset"].split(".")[0] for r in doc["fields"]} == {f"p{program}"}
        assert counts[program] <= 2 + 2 + (size(program) * FIELDS) // 100 + 1, counts
    assert counts[7] > counts[1]
