"""The demo's own `recipes/*.rest.yml`, run by the real DataHub pipeline with the stock
`datahub-rest` sink in each of its modes, into an EMPTY stand-in for GMS (tests/gms_standin.py):
zero failures, then `bucp export --catalog http://...` reads back what the Lite export reads.

The modes are set in the sink config (`mode`, `endpoint`): DATAHUB_REST_SINK_DEFAULT_MODE and
DATAHUB_REST_EMITTER_DEFAULT_ENDPOINT only set those keys' defaults, and DataHub reads them when
it is imported, so in one test process the config is the way to choose."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from cdw_datahub.ingest import environment, load_recipe, recipe_path, run_pipeline
from cdw_datahub.settings import packaged_dir
from gms_standin import GmsStandIn
from test_bucp_export import run

TOKEN = "standin-token"
PROGRAMS = ("w2w", "healthy-habits", "your-environment")
NOT_DATABASES = (
    "w2w-extracts.rest.yml",
    "healthy-habits-inventory.rest.yml",
    "your-environment-api.rest.yml",
    "healthy-habits-workbooks.rest.yml",
)
MODES: dict[str, dict[str, str]] = {
    "sync": {"mode": "SYNC"},  # MCEs to /entities?action=ingest, MCPs one by one
    "async-batch": {"mode": "ASYNC_BATCH"},  # the default: /aspects?action=ingestProposalBatch
    "openapi": {"endpoint": "OPENAPI"},  # /openapi/v3/entity/{type}, POST and PATCH
}


def ingest_demo(gms: GmsStandIn, data_dir: Path, sink: dict[str, str]) -> None:
    env = {
        "DATAHUB_GMS_URL": gms.url,
        "DATAHUB_GMS_TOKEN": TOKEN,
        "CDW_DATA_DIR": str(data_dir),
        "CDW_GLOSSARY_DIR": str(packaged_dir("glossary").resolve()),
        "CDW_POLICIES_DIR": str(packaged_dir("policies").resolve()),
        "CDW_INVENTORY_DIR": str(packaged_dir("inventory").resolve()),
        "CDW_APIS_DIR": str(packaged_dir("apis").resolve()),
    }
    # the same recipes as the demo, in their server variants
    for name in ["glossary.rest.yml", *(f"{p}.rest.yml" for p in PROGRAMS), *NOT_DATABASES]:
        with environment(env):
            config = load_recipe(recipe_path(name))
            config["sink"]["config"].update(sink)
            run_pipeline(config, name)  # raises on any source or sink failure


def export(catalog: str) -> dict[str, Any]:
    result = run("bucp", "export", "--catalog", catalog, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_demo_recipes_into_an_empty_server(
    mode: str, demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(demo_dir)  # its cdw.yml names the glossary and policies
    monkeypatch.setenv("DATAHUB_GMS_TOKEN", TOKEN)
    with GmsStandIn(None, token=TOKEN) as gms:
        ingest_demo(gms, demo_dir, MODES[mode])
        assert gms.rejected == []
        served = export(gms.url)
    local = export(f"lite:{demo_dir / 'datahub-lite.db'}")
    assert len(served["fields"]) > 100
    assert served["fields"] == local["fields"]
    assert served["summary"] == local["summary"]
    endpoint = {"sync": "ingestProposal", "async-batch": "ingestProposalBatch"}.get(mode, mode)
    assert gms.writes[endpoint] > 100  # the mode really wrote through its endpoint


def test_a_wrong_token_stops_the_run_before_any_record(demo_dir: Path) -> None:
    """GMS answers /config without a token, so the sink's own check passes; the definitions
    `cdw_describe` stores first are the first authenticated call, and they fail in one line."""
    from cdw_datahub.errors import InputError

    with GmsStandIn(None, token="the-right-one") as gms:
        with pytest.raises(InputError) as failed:
            ingest_demo(gms, demo_dir, {})  # ingest_demo sends TOKEN, which is wrong here
        assert gms.store == {}
    message = str(failed.value)
    assert "401" in message and gms.url in message and TOKEN not in message
    assert "\n" not in message


def datahub_ingest(recipe: str, data_dir: Path, url: str, token: str) -> tuple[int, str]:
    """`datahub ingest -c RECIPE` as a person runs it: DataHub's own CLI, in a subprocess."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, DATAHUB_GMS_URL=url, DATAHUB_GMS_TOKEN=token)
    env |= {"CDW_DATA_DIR": str(data_dir), "DATAHUB_TELEMETRY_ENABLED": "false"}
    env["DATAHUB_REST_EMITTER_DEFAULT_RETRY_MAX_TIMES"] = "0"  # a refused connection: at once
    env["CDW_GLOSSARY_DIR"] = str(packaged_dir("glossary").resolve())
    env["CDW_POLICIES_DIR"] = str(packaged_dir("policies").resolve())
    datahub = str(Path(sys.executable).parent / "datahub")
    done = subprocess.run(
        [datahub, "ingest", "-c", str(recipe_path(recipe).resolve())],
        capture_output=True, text=True, env=env, cwd=data_dir, timeout=300,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def test_datahub_ingest_with_a_wrong_token_says_why_in_its_last_line(demo_dir: Path) -> None:
    """DataHub's CLI owns the exit code (1) and prints the traceback; the line it ends on is
    ours: the server, the reason and the fix, without the token."""
    with GmsStandIn(None, token="the-right-one") as gms:
        code, output = datahub_ingest("w2w.rest.yml", demo_dir, gms.url, TOKEN)
        assert gms.store == {}
    last = output.strip().splitlines()[-1]
    assert code != 0 and TOKEN not in output
    assert "cannot store the structured property definitions on the DataHub server" in last
    assert "the server refused the token (HTTP 401); check the sink's token" in last


def test_datahub_ingest_into_nothing_fails_in_the_sink_without_the_token(demo_dir: Path) -> None:
    """Nothing answers: DataHub's `datahub-rest` sink stops the run before any plugin, in its
    own words (it shows the token's first and last four characters, never all of it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    code, output = datahub_ingest("w2w.rest.yml", demo_dir, url, TOKEN)
    last = output.strip().splitlines()[-1]
    assert code != 0 and TOKEN not in output
    assert "Failed to configure the sink (datahub-rest)" in last and "Failed to connect" in last


def reads(gms: GmsStandIn) -> int:
    """Requests that read stored aspects: GET /aspects/{urn} and the OpenAPI v3 batchGet."""
    return sum(
        1
        for method, path in gms.requests
        if (method == "GET" and path.startswith("/aspects/")) or path.endswith("/batchGet")
    )


def test_reingestion_reads_in_batches_and_patches_what_it_read(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cdw_describe` reads what it wrote before (to patch only its own entries) in batches: a
    constant number of requests per dataset, however many fields and aspects it has; and what
    it read decides the patch: a stale entry of ours goes, a person's entry stays."""
    from cdw_datahub.contract import ATTRIBUTION_SOURCE

    ours = {"time": 0, "actor": ATTRIBUTION_SOURCE, "source": ATTRIBUTION_SOURCE}
    monkeypatch.chdir(demo_dir)
    with GmsStandIn(None, token=TOKEN) as gms:
        ingest_demo(gms, demo_dir, {})
        first = reads(gms)
        dataset = next(u for u in gms.urns_of("dataset") if "w2w.main.participant," in u)
        tags = gms.store[dataset]["globalTags"]["tags"] + [
            {"tag": "urn:li:tag:steward-pick"},
            {"tag": "urn:li:tag:stale", "attribution": ours},
        ]
        field = next(u for u in gms.urns_of("schemaField") if dataset in u)
        for name in ("other.team", "cdw.stale"):  # defined, as GMS requires
            gms.store[f"urn:li:structuredProperty:{name}"] = {
                "propertyDefinition": {
                    "qualifiedName": name,
                    "valueType": "urn:li:dataType:datahub.string",
                    "entityTypes": ["urn:li:entityType:datahub.schemaField"],
                }
            }
        assigned = gms.store[field]["structuredProperties"]["properties"] + [
            {"propertyUrn": "urn:li:structuredProperty:other.team", "values": [{"string": "x"}]},
            {"propertyUrn": "urn:li:structuredProperty:cdw.stale", "values": [{"string": "y"}],
             "attribution": ours},
        ]  # fmt: skip
        # written as the UI and other tools write: whole aspects, with their own system metadata
        gms.write(
            [
                {"urn": dataset, "aspect": "globalTags", "change": "UPSERT",
                 "value": {"tags": tags}, "system": {"runId": "no-run-id-provided"}},
                {"urn": field, "aspect": "structuredProperties", "change": "UPSERT",
                 "value": {"properties": assigned}, "system": {"runId": "no-run-id-provided"}},
            ],
            is_async=False,
        )  # fmt: skip
        gms.requests.clear()
        ingest_demo(gms, demo_dir, {})  # again: now every patched aspect has a stored state
        again = reads(gms)
        datasets = len(gms.urns_of("dataset"))
        fields = len(gms.urns_of("schemaField"))
        kept_tags = {t["tag"] for t in gms.store[dataset]["globalTags"]["tags"]}
        kept_props = {
            a["propertyUrn"] for a in gms.store[field]["structuredProperties"]["properties"]
        }
    assert datasets > 25 and fields > 5 * datasets  # the count did not grow with the fields
    # one batchGet for the dataset's aspects, one per hundred of its fields; a view inheriting
    # through lineage is written (and read) once more
    assert first <= 3 * datasets and again <= 3 * datasets, (first, again, datasets)
    assert not [p for m, p in gms.requests if m == "GET" and p.startswith("/aspects/")]
    assert "urn:li:tag:steward-pick" in kept_tags and "urn:li:tag:stale" not in kept_tags
    assert "urn:li:structuredProperty:other.team" in kept_props
    assert "urn:li:structuredProperty:cdw.stale" not in kept_props


def test_an_unchanged_reingest_sends_the_same_aspects(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into a server, too, a dataset described as before keeps the time it was described with
    (read back from the system metadata GMS returns with `batchGet`), so what a second run
    sends equals what is stored and GMS keeps every version."""
    from cdw_datahub.transformers.stamps import KEY

    monkeypatch.chdir(demo_dir)

    def ours(gms: GmsStandIn) -> dict[tuple[str, str], Any]:
        return {
            (urn, name): json.dumps(value, sort_keys=True)
            for urn, aspects in gms.store.items()
            if urn.startswith(("urn:li:dataset:", "urn:li:schemaField:")) and "w2w.main." in urn
            for name, value in aspects.items()
        }

    with GmsStandIn(None, token=TOKEN) as gms:
        ingest_demo(gms, demo_dir, {})
        first = ours(gms)
        dataset = next(u for u in gms.urns_of("dataset") if "w2w.main.participant," in u)
        stamp = gms.system[(dataset, "globalTags")]["properties"][KEY]
        ingest_demo(gms, demo_dir, {})
        again = ours(gms)
        assert gms.system[(dataset, "globalTags")]["properties"][KEY] == stamp
    changed = sorted({urn for (urn, _), text in again.items() if first.get((urn, _)) != text})
    # the one view is described twice per run (the second time with what it inherits)
    assert all("participant_commute_summary" in urn for urn in changed), changed
    assert len(first) > 100 and first.keys() == again.keys()
