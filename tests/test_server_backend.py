"""ServerBackend (DataHubGraph) against tests/gms_standin.py, a stand-in for GMS serving a Lite
file. No real DataHub server is used here."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import DomainPropertiesClass

from cdw_datahub.catalog import open_catalog
from cdw_datahub.errors import InputError
from gms_standin import GmsStandIn
from test_bucp_export import PARTICIPANT, run, workdir, write_lite  # noqa: F401

TOKEN = "s3cr3t-token-value"


@pytest.fixture(scope="module")
def lite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_lite(tmp_path_factory.mktemp("gms") / "datahub-lite.db")


def _export(catalog: str, *args: str) -> dict:
    result = run("bucp", "export", "--catalog", catalog, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.usefixtures("workdir")
def test_server_export_equals_lite_export(lite_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAHUB_GMS_TOKEN", TOKEN)
    with GmsStandIn(lite_file, token=TOKEN) as gms:
        served = _export(gms.url)
    local = _export(f"lite:{lite_file}")
    assert served["fields"] == local["fields"]
    assert served["summary"] == local["summary"]
    assert served["catalog"] == gms.url
    # DataHub's client really went through the endpoints, paging the scroll
    paths = [p for _, p in gms.requests]
    assert "/config" in paths
    assert paths.count("/api/graphql") > 3  # several types, 7 URNs a page
    assert "/openapi/v3/entity/dataset/batchGet" in paths
    assert set(gms.auth_headers) == {f"Bearer {TOKEN}"}


def test_get_and_emit_round_trip(lite_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATAHUB_GMS_TOKEN", raising=False)
    with GmsStandIn(lite_file) as gms, open_catalog(gms.url) as catalog:
        ds = catalog.dataset(PARTICIPANT)
        assert ds is not None and ds.table == "participant"
        assert ds.fields[1].prop("cdw.field.required") == "true"
        assert catalog.backend.get("urn:li:dataset:(urn:li:dataPlatform:sqlite,nope,PROD)") is None
        catalog.emit(
            [
                MetadataChangeProposalWrapper(
                    entityUrn="urn:li:domain:cdw.your-environment",
                    aspect=DomainPropertiesClass(name="Your Environment"),
                )
            ]
        )
        assert ("POST", "/aspects?action=ingestProposal") in gms.requests
        assert catalog.domains()["urn:li:domain:cdw.your-environment"] == "Your Environment"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _one_line(result: object) -> str:
    """The only line the CLI wrote on stderr, after exit 2."""
    assert getattr(result, "exit_code", None) == 2, getattr(result, "output", "")
    (line,) = str(getattr(result, "stderr", "")).splitlines()
    assert TOKEN not in line and "wrong-token" not in line and "Traceback" not in line
    return line


@pytest.mark.usefixtures("workdir")
def test_unreachable_server_names_the_url_not_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAHUB_GMS_TOKEN", TOKEN)
    url = f"http://127.0.0.1:{_free_port()}"
    line = _one_line(run("bucp", "export", "--catalog", url))
    assert url in line and "cannot reach the DataHub server" in line
    assert "nothing answers at this address" in line and "check the URL" in line


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize("token", ["wrong-token", None])
def test_a_refused_token_is_one_line_with_the_fix(
    token: str | None, lite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if token:
        monkeypatch.setenv("DATAHUB_GMS_TOKEN", token)
    else:
        monkeypatch.delenv("DATAHUB_GMS_TOKEN", raising=False)
    with GmsStandIn(lite_file, token=TOKEN) as gms:
        line = _one_line(run("bucp", "export", "--catalog", gms.url))
    assert line.startswith(f"Error: {gms.url}: cannot reach the DataHub server: ")
    if token:
        assert "the server refused the token (HTTP 401); check DATAHUB_GMS_TOKEN" in line
    else:
        assert "the server needs a token (HTTP 401); set DATAHUB_GMS_TOKEN" in line


def test_wrong_token_and_credentials_in_url_stay_secret(
    lite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAHUB_GMS_TOKEN", "wrong-token")
    with GmsStandIn(lite_file, token=TOKEN) as gms:
        with pytest.raises(InputError) as failed:
            open_catalog(gms.url)
        assert "DATAHUB_GMS_TOKEN" in str(failed.value)
        assert "wrong-token" not in str(failed.value)
        with_password = gms.url.replace("http://", "http://admin:hunter2@")
        with pytest.raises(InputError) as failed:
            open_catalog(with_password)
        assert "hunter2" not in str(failed.value) and gms.url in str(failed.value)


@pytest.mark.usefixtures("workdir")
def test_datasets_named_by_urn_are_read_even_before_search_catches_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from test_bucp_export import sample_mcps

    monkeypatch.delenv("DATAHUB_GMS_TOKEN", raising=False)
    with GmsStandIn(None, index_delay=60).load(sample_mcps()) as gms:
        doc = _export(gms.url, "--dataset", PARTICIPANT)  # just written, not searchable yet
        assert {r["dataset_urn"] for r in doc["fields"]} == {PARTICIPANT}
        assert doc["fields"][1]["required"] in ("Yes", "yes", "true", True)
