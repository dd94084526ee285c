"""`bucp request` checks dataset and field names against the catalog when one is configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cdw_datahub.bucp.register import open_register
from cdw_datahub.cli import main

pytestmark = pytest.mark.usefixtures("sample_department")


def build_catalog(path: Path) -> str:
    from datahub.emitter.mcp import MetadataChangeProposalWrapper as Mcp
    from datahub.lite.lite_util import LiteLocalConfig, get_datahub_lite
    from datahub.metadata.schema_classes import (
        DatasetPropertiesClass,
        DomainsClass,
        OtherSchemaClass,
        SchemaFieldClass,
        SchemaFieldDataTypeClass,
        SchemaMetadataClass,
        StringTypeClass,
    )

    lite = get_datahub_lite(
        LiteLocalConfig(type="sqlite", config={"file": str(path)}), read_only=False
    )
    for program, table, columns in [
        ("w2w", "commute", ["commute_id", "commute_date", "distance_miles"]),
        ("w2w", "participant", ["participant_id", "first_name", "home_zip_code"]),
        ("healthy-habits", "participant", ["participant_id", "medi_cal_cin"]),
    ]:
        urn = f"urn:li:dataset:(urn:li:dataPlatform:sqlite,{program}.main.{table},PROD)"
        lite.write(Mcp(entityUrn=urn, aspect=DatasetPropertiesClass(name=table)))
        lite.write(
            Mcp(entityUrn=urn, aspect=DomainsClass(domains=[f"urn:li:domain:cdw.{program}"]))
        )
        lite.write(Mcp(entityUrn=urn, aspect=SchemaMetadataClass(
            schemaName=table, platform="urn:li:dataPlatform:sqlite", version=0, hash="",
            platformSchema=OtherSchemaClass(rawSchema=""),
            fields=[SchemaFieldClass(fieldPath=c, nativeDataType="TEXT",
                                     type=SchemaFieldDataTypeClass(type=StringTypeClass()))
                    for c in columns])))  # fmt: skip
    lite.close()
    return f"lite:{path}"


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CDW_CATALOG", raising=False)
    catalog = build_catalog(tmp_path / "lite.db")
    register = f"sqlite:///{tmp_path / 'register.db'}"
    result = CliRunner().invoke(main, ["bucp", "new", "--title", "t", "--program", "w2w",
                                       "--requesting", "DPH", "--register", register])  # fmt: skip
    assert result.exit_code == 0, result.output
    return catalog, register


def request(catalog: str | None, register: str, *args: str) -> tuple[int, str]:
    extra = ["--catalog", catalog] if catalog else []
    result = CliRunner().invoke(main, ["bucp", "request", "BUCP-2026-001", *args, *extra,
                                       "--register", register])  # fmt: skip
    return result.exit_code, result.stderr


def requests(register: str) -> list[tuple[str, str | None]]:
    with open_register(register) as reg:
        return reg.get("BUCP-2026-001").requests


def test_unknown_dataset_names_close_ones_and_changes_nothing(setup: tuple[str, str]) -> None:
    catalog, register = setup
    code, err = request(catalog, register, "w2w.comute")
    assert (
        code == 2 and "unknown dataset 'w2w.comute'" in err and "did you mean 'w2w.commute'" in err
    )
    code, err = request(catalog, register, "w2w.participant", "first_nme")
    assert code == 2 and "no field 'first_nme'" in err and "first_name" in err
    assert requests(register) == []


def test_known_names_are_recorded(setup: tuple[str, str]) -> None:
    catalog, register = setup
    code, err = request(catalog, register, "w2w.participant", "first_name", "home_zip_code")
    assert code == 0, err
    assert requests(register) == [("w2w.participant", None), ("w2w.participant", "first_name"),
                                  ("w2w.participant", "home_zip_code")]  # fmt: skip


def test_catalog_from_cdw_yml(setup: tuple[str, str], tmp_path: Path) -> None:
    catalog, register = setup
    (tmp_path / "cdw.yml").write_text(f"catalog: {catalog}\n")
    code, err = request(None, register, "healthy-habits.particpant")
    assert code == 2 and "did you mean 'healthy-habits.participant'" in err


def test_an_explicit_missing_catalog_is_an_error(setup: tuple[str, str], tmp_path: Path) -> None:
    _, register = setup
    code, err = request(f"lite:{tmp_path / 'nope.db'}", register, "w2w.commute")
    assert code == 2 and "no DataHub Lite catalog" in err
    assert requests(register) == []


@pytest.mark.slow
def test_against_the_demo_catalog(demo_catalog: str, setup: tuple[str, str]) -> None:
    _, register = setup
    assert request(demo_catalog, register, "w2w.step_log", "step_count")[0] == 0
    code, err = request(demo_catalog, register, "w2w.steplog")
    assert code == 2 and "w2w.step_log" in err
