"""worksheet import as a three-way merge (export base, files now, worksheet) and signed reviews."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from cdw_datahub.policy import clear_cache, load_policy
from test_worksheet import DICT, run, set_cell, snapshot, workdir  # noqa: F401

REVIEWED = "policies/reviewed.yml"


def export_as(workdir: Path, name: str) -> Path:  # noqa: F811
    out = workdir / f"{name}.xlsx"
    result = run(workdir, "worksheet", "export", "--program", "w2w", "-o", str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return out


def apply(workdir: Path, path: Path, *extra: str) -> object:  # noqa: F811
    clear_cache()
    return run(workdir, "worksheet", "import", str(path), "--apply", *extra)


def definition(workdir: Path, table: str, column: str) -> str | None:  # noqa: F811
    clear_cache()
    entry = load_policy(workdir / "glossary", workdir / "policies").field_entry(
        "w2w", table, column
    )
    return entry.definition if entry else None


def test_two_stewards_never_revert_each_other(workdir: Path) -> None:  # noqa: F811
    a = export_as(workdir, "steward-a")
    b = shutil.copy(a, workdir / "steward-b.xlsx")  # both start from the same export
    a_def = "Whole minutes the participant stayed at the stop, rounded down."
    b_def = "Whole minutes between arrival at and departure from the stop."
    set_cell(a, "stop", "duration", "Definition", a_def)
    set_cell(a, "participant", "home_zip_code", "Classification level", "personal")
    set_cell(b, "stop", "duration", "Definition", b_def)  # the overlapping cell
    set_cell(b, "stop", "duration", "Notes", "Rounded down by the app since 2021.")
    where_b = set_cell(b, "stop", "geocode", "Friendly name", "Geocode of the Stop")

    first = apply(workdir, a, "--reviewer", "Steward A")
    assert first.exit_code == 0, first.output  # type: ignore[attr-defined]
    assert definition(workdir, "stop", "duration") == a_def
    after_a = snapshot(workdir)

    dry = run(workdir, "worksheet", "import", str(b), "--format", "json")
    assert dry.exit_code == 1  # a conflict is waiting
    plan = json.loads(dry.stdout)  # type: ignore[attr-defined]
    assert {(c["field"], c["column"]) for c in plan["changes"]} == {
        ("duration", "notes"),
        ("geocode", "name"),
    }
    [conflict] = plan["conflicts"]
    assert (conflict["field"], conflict["column"]) == ("duration", "definition")
    assert conflict["base"] == (
        "Whole minutes the participant remained at a location during the commute."
    )
    assert (conflict["files"], conflict["worksheet"]) == (a_def, b_def)
    # B never touched the level A set: it is not even listed
    assert not [c for c in plan["changes"] if c["column"] == "level"]

    second = apply(workdir, b, "--reviewer", "Steward B")
    assert second.exit_code == 1
    stderr = second.stderr  # type: ignore[attr-defined]
    assert "conflict: Fields!J" in stderr and "--take-worksheet" in stderr
    assert f'in the files now "{a_def}", in the worksheet "{b_def}"' in stderr
    assert definition(workdir, "stop", "duration") == a_def  # nothing reverted
    assert "level: personal" in snapshot(workdir)[REVIEWED]  # A's classification stands
    text = snapshot(workdir)[DICT]
    assert "notes: Rounded down by the app since 2021." in text  # B's other edits landed
    assert "name: Geocode of the Stop" in text
    assert where_b.startswith("I")
    assert snapshot(workdir)[REVIEWED] == after_a[REVIEWED]

    taken = apply(workdir, b, "--take-worksheet")
    assert taken.exit_code == 0, taken.output  # type: ignore[attr-defined]
    assert definition(workdir, "stop", "duration") == b_def


def test_old_worksheet_with_only_a_note_reverts_nothing(workdir: Path) -> None:  # noqa: F811
    old = export_as(workdir, "old")
    fresh = export_as(workdir, "fresh")
    new_def = "Whole minutes the participant stayed at the stop."
    set_cell(fresh, "stop", "duration", "Definition", new_def)
    assert apply(workdir, fresh).exit_code == 0  # type: ignore[attr-defined]
    set_cell(old, "stop", "duration", "Notes", "Checked against the app logs.")
    dry = run(workdir, "worksheet", "import", str(old))
    assert dry.exit_code == 0, dry.output  # type: ignore[attr-defined]
    lines = dry.stdout.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1  # only the note: the old definition cell is not a change
    assert lines[0].endswith('  stop.duration  Notes: (none) -> "Checked against the app logs."')
    assert apply(workdir, old).exit_code == 0  # type: ignore[attr-defined]
    assert definition(workdir, "stop", "duration") == new_def


def test_locked_lint_names_and_plain_text(workdir: Path) -> None:  # noqa: F811
    path = export_as(workdir, "w")
    locked = set_cell(path, "stop", "duration", "Native type", "BIGINT")
    set_cell(path, "stop", "geocode", "Classification level", "confidential")
    set_cell(path, "stop", "location", "Glossary terms", "stop, Participant")  # display names
    set_cell(
        path, "stop", "geocode", "Statutes", "information practices act - conditions of disclosure"
    )
    # a warning (a purpose, not a meaning) is listed, the cell is taken
    set_cell(
        path, "stop", "location", "Definition", "USPS address of the stop, used to plan routes."
    )
    dry = run(workdir, "worksheet", "import", str(path))
    assert dry.exit_code == 0, dry.output  # type: ignore[attr-defined]
    out, err = dry.stdout, dry.stderr  # type: ignore[attr-defined]
    assert "Classification level: (none) -> confidential" in out
    assert "Glossary terms: (none) -> cdw.w2w.stop, cdw.w2w.participant" in out
    assert "Statutes: (none) -> cdw.statute.ca-civ-1798.24" in out
    assert "None" not in out and "'" not in out  # no Python reprs
    assert f"ignored: Fields!{locked}: Native type is locked" in err
    assert '"BIGINT" is ignored, the export had "INTEGER"' in err
    assert "warning: Fields!J" in err and "definition-purpose" in err

    # an error finding refuses the cell (and so the workbook); each problem listed once
    set_cell(path, "stop", "geocode", "Definition", "The geocode.")
    set_cell(path, "stop", "location", "Glossary terms", "cdw.w2w.nope")
    before = snapshot(workdir)
    bad = run(workdir, "worksheet", "import", str(path), "--apply")
    assert bad.exit_code == 2
    err = bad.stderr  # type: ignore[attr-defined]
    assert "restates its name" in err and "definition-circular" in err
    assert "unknown glossary term 'cdw.w2w.nope'" in err
    assert err.count("restates its name") == 1 and err.count("cdw.w2w.nope") == 1
    assert "2 problems in the workbook (listed above); nothing was written" in err
    assert "more problem(s)" not in err
    assert snapshot(workdir) == before


def test_reviews_are_signed_and_unsigned_entries_stay_valid(workdir: Path) -> None:  # noqa: F811
    path = export_as(workdir, "w")
    set_cell(path, "stop", "geocode", "Classification level", "confidential")
    set_cell(path, "stop", "geocode", "Statutes", "none")
    assert apply(workdir, path, "--reviewer", "Linda Nguyen").exit_code == 0  # type: ignore[attr-defined]
    clear_cache()
    policy = load_policy(workdir / "glossary", workdir / "policies")
    today = date.today().isoformat()
    signed = policy.reviewed("w2w", "stop", "geocode")
    assert signed is not None
    assert (signed.reviewed_by, signed.reviewed_on) == ("Linda Nguyen", today)
    statutes = policy.statutes_for("w2w", "stop", "geocode", [])
    assert (statutes.statutes, statutes.reviewed_by, statutes.reviewed_on) == (
        (),
        "Linda Nguyen",
        today,
    )
    unsigned = policy.reviewed("w2w", "participant", "home_zip_code")  # typed by hand
    assert unsigned is not None and unsigned.reviewed_by is None

    again = export_as(workdir, "again")
    from openpyxl import load_workbook

    from test_worksheet import rows

    data = rows(load_workbook(again)["Fields"])
    assert data[("stop", "geocode")]["Reviewed"] == f"reviewed by Linda Nguyen on {today}"
    assert data[("participant", "home_zip_code")]["Reviewed"] == (
        "classification: reviewed (unsigned)"
    )


def test_default_reviewer_is_git_user_then_login(
    workdir: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import subprocess

    from cdw_datahub.cli.worksheet import default_reviewer

    home = workdir / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.chdir(home)  # outside any repository's own config
    login = default_reviewer()
    assert login and login != "Grace Hopper"
    subprocess.run(["git", "config", "--global", "user.name", "Grace Hopper"], check=True)
    assert default_reviewer() == "Grace Hopper"


def test_signed_entries_in_the_policy_files(workdir: Path) -> None:  # noqa: F811
    """Hand-written signed entries load; a bad date or statute names its file and line."""
    from cdw_datahub import lint
    from cdw_datahub.errors import InputError

    statutes = workdir / "policies" / "statutes.yml"
    reviewed = workdir / "policies" / "reviewed.yml"
    reviewed.write_text(
        "w2w:\n  participant:\n    home_zip_code:\n      level: confidential\n"
        "      categories: [quasi_identifier]\n      reviewed_by: José Ortiz-Núñez\n"
        "      reviewed_on: 2025-02-28\n"
    )
    base = statutes.read_text()
    statutes.write_text(
        base + "    participant:\n      home_zip_code:\n"
        "        statutes: [cdw.statute.ca-civ-1798.24]\n        reviewed_by: Legal Office\n"
    )
    clear_cache()
    policy = load_policy(workdir / "glossary", workdir / "policies")
    signed = policy.reviewed("w2w", "participant", "home_zip_code")
    assert signed is not None
    assert (signed.reviewed_by, signed.reviewed_on) == ("José Ortiz-Núñez", "2025-02-28")
    decision = policy.statutes_for("w2w", "participant", "home_zip_code", [])
    assert (decision.reviewed_by, decision.reviewed_on) == ("Legal Office", None)
    assert policy.statutes_for("w2w", "stop", "duration", []).reviewed_by is None  # unsigned
    assert lint.run(workdir / "glossary", workdir / "policies") == []

    statutes.write_text(base.replace("duration: []", "duration:\n        statutes: [cdw.nope]"))
    clear_cache()
    with pytest.raises(InputError, match=r"statutes.yml:\d+.*unknown statute 'cdw.nope'"):
        load_policy(workdir / "glossary", workdir / "policies")
    [finding] = [f for f in lint.run(workdir / "glossary", workdir / "policies")]
    assert finding.slug == "reference-dangling"
    assert finding.location == "policies/statutes.yml:" + str(
        base.replace("duration: []", "duration:\n        statutes: [cdw.nope]")
        .splitlines()
        .index("        statutes: [cdw.nope]")
        + 1
    )
    statutes.write_text(base)
    reviewed.write_text(reviewed.read_text().replace("2025-02-28", "last tuesday"))
    clear_cache()
    with pytest.raises(InputError, match=r"reviewed.yml:7"):
        load_policy(workdir / "glossary", workdir / "policies")


def test_dropdowns_offer_names_and_a_new_reviewed_file_is_readable(workdir: Path) -> None:  # noqa: F811
    from openpyxl import load_workbook

    path = export_as(workdir, "w")
    lists = load_workbook(path)["Lists"]
    header = [c.value for c in lists[1]]
    column = {
        h: [c.value for c in col[1:] if c.value]
        for h, col in zip(header, lists.columns, strict=True)
    }
    assert "Stop" in column["terms"] and "cdw.w2w.stop" not in column["terms"]
    assert column["statutes"][0] == "none"
    assert "Information Practices Act - conditions of disclosure" in column["statutes"]
    (workdir / "policies" / "reviewed.yml").unlink()  # a first review writes a new file
    set_cell(path, "stop", "geocode", "Classification level", "Public")
    assert (
        apply(
            workdir, path, "--reviewer", "Dr. Maximiliana Featherstonehaugh-Worthington"
        ).exit_code
        == 0
    )  # type: ignore[attr-defined]
    text = (workdir / "policies" / "reviewed.yml").read_text()
    assert all(len(line) <= 100 for line in text.splitlines()), text
    assert "reviewed_by: Dr. Maximiliana Featherstonehaugh-Worthington" in text


def test_a_worksheet_without_its_base_is_refused(workdir: Path) -> None:  # noqa: F811
    from openpyxl import load_workbook

    path = export_as(workdir, "w")
    wb = load_workbook(path)
    wb["_meta"]["B1"] = "cdw-datahub worksheet 1"  # made before the merge existed
    wb.save(path)
    old = run(workdir, "worksheet", "import", str(path))
    assert old.exit_code == 2
    assert "could revert edits made since" in old.stderr  # type: ignore[attr-defined]

    path = export_as(workdir, "w")
    wb = load_workbook(path)
    row = next(r for r in wb["_meta"].iter_rows() if r[0].value == "field")
    row[3].value = '{"values": broken'
    wb.save(path)
    damaged = run(workdir, "worksheet", "import", str(path))
    assert damaged.exit_code == 2
    assert f"_meta!D{row[0].row}: the record of this field" in damaged.stderr  # type: ignore[attr-defined]
