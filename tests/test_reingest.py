"""Re-ingestion: stable read-back, reviewed assignments beat suggestions, UI edits survive."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    EditableSchemaFieldInfoClass,
    EditableSchemaMetadataClass,
    GlobalTagsClass,
    TagAssociationClass,
)

from cdw_datahub.catalog import open_catalog
from cdw_datahub.ingest import recipe_path, run_recipe
from cdw_datahub.policy import clear_cache

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def workdir(tmp_path: Path, demo_dir: Path) -> Path:
    shutil.copy(demo_dir / "w2w.db", tmp_path / "w2w.db")
    shutil.copytree(REPO / "policies", tmp_path / "policies")
    return tmp_path


def _ingest(workdir: Path) -> None:
    env = {
        "CDW_DATA_DIR": str(workdir),
        "CDW_LITE_FILE": str(workdir / "lite.db"),
        "CDW_GLOSSARY_DIR": str(REPO / "glossary"),
        "CDW_POLICIES_DIR": str(workdir / "policies"),
    }
    clear_cache()
    for name in ("glossary.lite.yml", "w2w.lite.yml"):
        run_recipe(recipe_path(name), env)


def _read(workdir: Path) -> dict[str, Any]:
    with open_catalog(f"lite:{workdir / 'lite.db'}") as catalog:
        return {d.urn: dataclasses.asdict(d) for d in catalog.datasets()}


def _field(snapshot: dict[str, Any], table: str, column: str) -> dict[str, Any]:
    dataset = next(d for d in snapshot.values() if d["name"].endswith(f".{table}"))
    return next(f for f in dataset["fields"] if f["path"] == column)


def test_running_twice_reads_back_identically(workdir: Path) -> None:
    _ingest(workdir)
    first = _read(workdir)
    _ingest(workdir)
    assert _read(workdir) == first
    assert len(first) == 9


def test_a_reviewed_assignment_replaces_the_suggestion(workdir: Path) -> None:
    _ingest(workdir)
    before = _read(workdir)
    reviewed = yaml.safe_load((workdir / "policies" / "reviewed.yml").read_text())
    # a field the rules classified, that nobody has reviewed yet
    table, column = next(
        (d["name"].rsplit(".", 1)[-1], f["path"])
        for d in before.values()
        for f in d["fields"]
        if any(t["provenance"] == "suggested" and "cdw.level." in t["urn"] for t in f["tags"])
    )
    reviewed["w2w"].setdefault(table, {})[column] = {"level": "public", "categories": []}
    (workdir / "policies" / "reviewed.yml").write_text(yaml.safe_dump(reviewed))

    _ingest(workdir)
    tags = _field(_read(workdir), table, column)["tags"]
    cdw_tags = [t for t in tags if t["urn"].startswith("urn:li:tag:cdw.")]
    assert [t["urn"] for t in cdw_tags] == ["urn:li:tag:cdw.level.public"]
    assert cdw_tags[0]["provenance"] == "reviewed"
    assert cdw_tags[0]["rule"].startswith("policies/reviewed.yml")


def test_a_steward_ui_edit_survives_reingestion_and_wins(workdir: Path) -> None:
    _ingest(workdir)
    snapshot = _read(workdir)
    participant = next(u for u, d in snapshot.items() if d["name"].endswith(".participant"))
    ui_text = "Given name the participant uses, as entered at enrollment (steward edit)."
    with open_catalog(f"lite:{workdir / 'lite.db'}") as catalog:
        catalog.emit(
            [
                MetadataChangeProposalWrapper(
                    entityUrn=participant,
                    aspect=EditableSchemaMetadataClass(
                        editableSchemaFieldInfo=[
                            EditableSchemaFieldInfoClass(
                                fieldPath="first_name",
                                description=ui_text,
                                globalTags=GlobalTagsClass(
                                    tags=[TagAssociationClass(tag="urn:li:tag:steward-checked")]
                                ),
                            )
                        ]
                    ),
                )
            ]
        )
    _ingest(workdir)
    field = _field(_read(workdir), "participant", "first_name")
    assert field["description"] == ui_text
    assert field["description_source"] == "ui"
    assert field["tags"][0] == {
        "urn": "urn:li:tag:steward-checked",
        "provenance": "ui",
        "rule": None,
        "evidence": None,  # a person's edit carries no rule evidence
        "inherited_from": (),
        "reviewed_by": None,
        "reviewed_on": None,
    }
    assert any(t["urn"] == "urn:li:tag:cdw.level.personal" for t in field["tags"])


def test_bad_policy_file_is_exit_2_with_file_and_line(workdir: Path, demo_dir: Path) -> None:
    reviewed = workdir / "policies" / "reviewed.yml"
    lines = reviewed.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if "first_name:" in line)
    lines[at] = "    first_name: {level: top-secret, categories: [direct_identifier]}"
    reviewed.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("cdw-datahub")),
            "scan",
            f"sqlite:///{demo_dir / 'w2w.db'}",
            "--program",
            "w2w",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "CDW_POLICIES_DIR": str(workdir / "policies")},
    )
    assert result.returncode == 2
    assert f"reviewed.yml:{at + 1}" in result.stderr
    assert "top-secret" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_sampled_value_in_file_sink_outputs() -> None:
    from cdw_datahub.demo.build import SAMPLE_SENTINELS

    for golden in (REPO / "tests" / "golden").glob("*.json"):
        text = golden.read_text()
        json.loads(text)
        for sentinel in SAMPLE_SENTINELS:
            assert sentinel not in text, (golden.name, sentinel)


def _ui_edits(workdir: Path, urn: str) -> None:
    """What a steward's clicks in the DataHub UI write: whole dataset-level aspects, read back
    first and written again with the new entry (no attribution), and a new domain."""
    from datahub.emitter.aspect import ASPECT_MAP
    from datahub.emitter.serialization_helper import post_json_transform
    from datahub.metadata.schema_classes import (
        AuditStampClass,
        DomainsClass,
        InstitutionalMemoryMetadataClass,
        OwnerClass,
        StructuredPropertyValueAssignmentClass,
    )

    with open_catalog(f"lite:{workdir / 'lite.db'}") as catalog:
        raw = catalog.backend.get(urn) or {}
        aspects = {
            n: ASPECT_MAP[n].from_obj(post_json_transform(raw[n]))
            for n in raw
            if n in ("globalTags", "ownership", "institutionalMemory", "structuredProperties")
        }
        aspects["globalTags"].tags.append(TagAssociationClass(tag="urn:li:tag:steward-favourite"))
        aspects["ownership"].owners.append(
            OwnerClass(owner="urn:li:corpuser:linda", type="TECHNICAL_OWNER")
        )
        aspects["institutionalMemory"].elements.append(
            InstitutionalMemoryMetadataClass(
                url="https://example.invalid/w2w-runbook",
                description="Runbook",
                createStamp=AuditStampClass(time=1, actor="urn:li:corpuser:linda"),
            )
        )
        aspects["structuredProperties"].properties.append(
            StructuredPropertyValueAssignmentClass(
                propertyUrn="urn:li:structuredProperty:other.team.retention", values=["7 years"]
            )
        )
        aspects["domains"] = DomainsClass(domains=["urn:li:domain:transportation-data"])
        catalog.emit(
            [MetadataChangeProposalWrapper(entityUrn=urn, aspect=a) for a in aspects.values()]
        )


def test_dataset_level_edits_survive_and_stale_suggestions_go(workdir: Path) -> None:
    """Tags, owners, links, structured properties and the domain a person set on a dataset
    survive re-ingestion; what ingestion set and no longer applies is removed."""
    _ingest(workdir)
    participant = next(u for u, d in _read(workdir).items() if d["name"].endswith(".participant"))
    before = _read(workdir)[participant]
    assert any(t["urn"] == "urn:li:tag:cdw.level.personal" for t in before["tags"])
    _ui_edits(workdir, participant)
    scored = _emit_priority(workdir)

    # legal and security now review every participant field as public, nothing applies
    reviewed = yaml.safe_load((workdir / "policies" / "reviewed.yml").read_text())
    reviewed["w2w"]["participant"] = {
        f["path"]: {"level": "public", "categories": []} for f in before["fields"]
    }
    (workdir / "policies" / "reviewed.yml").write_text(yaml.safe_dump(reviewed))
    _ingest(workdir)

    after = _read(workdir)[participant]
    tags = {t["urn"] for t in after["tags"]}
    assert "urn:li:tag:steward-favourite" in tags  # the person's tag
    assert "urn:li:tag:cdw.level.public" in tags  # ours, recomputed
    assert not any(t.startswith("urn:li:tag:cdw.category.") for t in tags)  # stale ones gone
    assert "urn:li:tag:cdw.level.personal" not in tags
    assert "urn:li:corpuser:linda" in after["owners"]
    assert set(before["owners"]) <= set(after["owners"])
    assert "https://example.invalid/w2w-runbook" in {url for url, _ in after["links"]}
    assert after["properties"]["other.team.retention"] == ["7 years"]
    assert after["properties"]["cdw.dataset.classification"] == ["public"]
    assert after["domain"] == "urn:li:domain:transportation-data"  # the UI's choice wins
    assert after["properties"]["cdw.dataset.priorityScore"] == scored  # `priority --emit` kept


def _emit_priority(workdir: Path) -> list[str]:
    from click.testing import CliRunner

    from cdw_datahub.cli import main

    args = ["priority", "--emit", "--catalog", f"lite:{workdir / 'lite.db'}"]
    args += ["--register", f"sqlite:///{workdir / 'register.db'}", "--rubric"]
    args += [str(workdir / "policies" / "rubric.yml"), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    participant = next(d for d in _read(workdir).values() if d["name"].endswith(".participant"))
    return participant["properties"]["cdw.dataset.priorityScore"]


def _versions(workdir: Path) -> dict[tuple[str, str], int]:
    """(urn, aspect) -> how many versions the Lite file holds (version 0 mirrors the latest),
    for what `cdw_describe` and the source write: datasets and their fields. (DataHub's stock
    glossary source stamps its term links with the time of each run.)"""
    import sqlite3

    with sqlite3.connect(workdir / "lite.db") as db:
        rows = db.execute(
            "SELECT urn, aspect_name, count(*) FROM metadata_aspect_v2 "
            "WHERE urn LIKE 'urn:li:dataset:%' OR urn LIKE 'urn:li:schemaField:%' "
            "GROUP BY urn, aspect_name"
        ).fetchall()
        # A view is described twice per run, the second time with what its columns inherit
        # through lineage, so its aspects take two versions per run (README: Re-ingestion).
        views = {u for (u,) in db.execute(VIEWS)}
    return {
        (u, a): n for u, a, n in rows if not any(v[len("urn:li:dataset:") :] in u for v in views)
    }


VIEWS = "SELECT urn FROM metadata_aspect_v2 WHERE aspect_name = 'upstreamLineage' AND version = 0"


def _attribution_times(workdir: Path, urn: str) -> set[int]:
    with open_catalog(f"lite:{workdir / 'lite.db'}") as catalog:
        schema = (catalog.backend.get(urn) or {})["schemaMetadata"]
    return {
        t["attribution"]["time"]
        for f in schema["fields"]
        for t in (f.get("globalTags") or {}).get("tags", [])
        if t.get("attribution")
    }


def test_an_unchanged_reingest_writes_no_new_version(workdir: Path) -> None:
    """Re-ingestion writes only what changed: each association keeps the time its dataset was
    described with (stamps.py), so an unchanged dataset comes out identical; a changed table
    or policy file gets new versions with a new time, the rest are left as they were."""
    import sqlite3

    _ingest(workdir)
    first = _versions(workdir)
    tables = [u for u in _read(workdir) if "w2w.main." in u]
    participant = next(u for u in tables if u.endswith(".participant,PROD)"))
    times = _attribution_times(workdir, participant)
    assert len(times) == 1

    _ingest(workdir)
    assert _versions(workdir) == first
    assert _attribution_times(workdir, participant) == times

    with sqlite3.connect(workdir / "w2w.db") as db:  # one table changes
        db.execute("ALTER TABLE participant ADD COLUMN bus_pass_number TEXT")
    _ingest(workdir)
    after = _versions(workdir)
    grown = {urn for (urn, _), n in after.items() if n != first.get((urn, _))}
    assert participant in grown
    assert not grown & (set(tables) - {participant})
    assert _attribution_times(workdir, participant) != times

    reviewed = workdir / "policies" / "reviewed.yml"  # a policy file changes: all re-described
    reviewed.write_text(reviewed.read_text() + "\n# reviewed again\n")
    _ingest(workdir)
    again = _versions(workdir)
    schemas = [key for key in after if key[1] == "schemaMetadata"]
    assert len(schemas) == len(tables) - 1  # the view is left out
    assert all(again[key] == after[key] + 1 for key in schemas)


@pytest.mark.parametrize(
    ("recipe", "whole"),
    [
        ("your-environment-api.lite.yml", "globalTags"),
        ("healthy-habits-inventory.lite.yml", "ownership"),
    ],
)
def test_a_steward_file_source_reingested_in_a_new_process_is_unchanged(
    tmp_path: Path, recipe: str, whole: str
) -> None:
    """The OpenAPI and inventory sources hand `cdw_describe` what the steward wrote as Python
    objects beside the schema; they are part of the fingerprint, which must come out the same
    in another process (no object address in it): `datahub ingest` run twice, as people run it."""
    import os
    import sqlite3

    env = {
        **os.environ,
        "CDW_LITE_FILE": str(tmp_path / "lite.db"),
        "CDW_APIS_DIR": str(REPO / "apis"),
        "CDW_INVENTORY_DIR": str(REPO / "inventory"),
        "CDW_GLOSSARY_DIR": str(REPO / "glossary"),
        "CDW_POLICIES_DIR": str(REPO / "policies"),
        "DATAHUB_TELEMETRY_ENABLED": "false",
    }
    datahub = str(Path(sys.executable).with_name("datahub"))
    counts = []
    for _ in range(2):
        done = subprocess.run(
            [datahub, "ingest", "-c", str(REPO / "recipes" / recipe)],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        with sqlite3.connect(tmp_path / "lite.db") as db:
            counts.append(
                dict(
                    db.execute(
                        "SELECT urn || ' ' || aspect_name, count(*) FROM metadata_aspect_v2 "
                        "GROUP BY urn, aspect_name"
                    ).fetchall()
                )
            )
    grown = {key for key, n in counts[1].items() if n != counts[0].get(key)}
    # Each source writes one aspect of its datasets whole (the openapi source the spec's tags,
    # the inventory source the owners), which takes the place of the entries cdw_describe
    # patched in: that aspect alone takes new versions on every run (README: Re-ingestion)
    assert {key.rsplit(" ", 1)[1] for key in grown} <= {whole}, grown
    assert len(counts[0]) > 20 and counts[1].keys() == counts[0].keys()


def test_an_entry_of_ours_a_person_removed_comes_back_on_the_next_run(workdir: Path) -> None:
    """An aspect written as before is not written again, but only while its system metadata is
    still ours: a person's write replaces it, and the next run patches our entries back in."""
    _ingest(workdir)
    participant = next(u for u, d in _read(workdir).items() if d["name"].endswith(".participant"))
    with open_catalog(f"lite:{workdir / 'lite.db'}") as catalog:
        tags = (catalog.backend.get(participant) or {})["globalTags"]["tags"]
        ours = [t["tag"] for t in tags if t["tag"].startswith("urn:li:tag:cdw.")]
        assert ours
        catalog.emit(  # the UI's write: the whole aspect, without our entries
            [
                MetadataChangeProposalWrapper(
                    entityUrn=participant,
                    aspect=GlobalTagsClass(
                        tags=[TagAssociationClass(tag="urn:li:tag:steward-checked")]
                    ),
                )
            ]
        )
    _ingest(workdir)
    with open_catalog(f"lite:{workdir / 'lite.db'}") as catalog:
        after = [t["tag"] for t in (catalog.backend.get(participant) or {})["globalTags"]["tags"]]
    assert "urn:li:tag:steward-checked" in after
    assert set(ours) <= set(after)
