"""cdw_datahub.policy: typed loading of glossary/ and policies/, errors at file:line."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from cdw_datahub.errors import InputError
from cdw_datahub.policy import (
    NameMap,
    YamlInputError,
    clear_cache,
    load_model,
    load_policy,
    load_yaml,
)
from cdw_datahub.policy.schema import GlossaryFile

FIXTURE = Path(__file__).parent / "fixtures" / "policy" / "good"
REPO = Path(__file__).resolve().parents[1]
T = "urn:li:glossaryTerm:"


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the good fixture: (glossary_dir, policies_dir)."""
    shutil.copytree(FIXTURE, tmp_path / "dept")
    return tmp_path / "dept" / "glossary", tmp_path / "dept" / "policies"


def load(dirs: tuple[Path, Path]):
    return load_policy(*dirs)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based line of the nth occurrence of `needle` (so tests do not hard-code numbers)."""
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return hits[nth - 1]


def raises_at(dirs, path: Path, line: int) -> InputError:
    with pytest.raises(InputError) as info:
        load(dirs)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    return info.value


# ---------------------------------------------------------------- loading the good fixture


def test_fixture_loads_with_resolved_references(dirs):
    policy = load(dirs)
    assert sorted(policy.programs) == ["healthy-habits", "w2w"]
    w2w = policy.programs["w2w"]
    assert (w2w.name, w2w.steward.id, w2w.system) == (
        "Walk2Work",
        "samantha.lee",
        "W2W Commute Tracker",
    )

    entry = policy.dataset_entry("w2w", "participant")
    assert entry is not None
    assert entry.terms == (T + "cdw.w2w.participant",)
    assert entry.steward == w2w.steward  # falls back to the program steward
    assert entry.inventory.related_programs == ("healthy-habits",)
    assert entry.inventory.modernization_candidate is True
    assert entry.location == "glossary/dictionary/w2w.yml:8"

    stop = policy.dataset_entry("w2w", "stop")
    assert stop is not None and stop.steward.id == "raj.patel"
    duration = policy.field_entry("w2w", "stop", "duration")
    assert duration is not None
    assert duration.terms == (T + "cdw.w2w.stop",)  # a single id is read as a list
    assert duration.valid_inputs == "0"  # a number where text is expected becomes text
    pid = policy.field_entry("w2w", "participant", "participant_id")
    assert pid is not None and pid.required is True and pid.name == "Participant Identifier"
    bare = policy.field_entry("w2w", "participant", "step_count")  # listed with no body
    assert bare is not None and bare.definition is None and bare.terms == ()
    assert policy.field_entry("w2w", "participant", "nope") is None
    assert policy.dataset_entry("w2w", "nope") is None
    assert policy.dataset_entry("nope", "participant") is None
    # Databases fold identifier case; the dictionary is looked up ignoring it.
    assert policy.field_entry("w2w", "PARTICIPANT", "SSN") is not None


def test_name_map_finds_exact_then_ignoring_case() -> None:
    names: NameMap[int] = NameMap(Participant=1, PARTICIPANT=2)
    assert names.find("PARTICIPANT") == 2  # the exact spelling first
    assert names.find("participant") == 1  # then the first spelling that folds the same
    assert names.find("household") is None
    names["Household"] = 3  # added after the index was built: it is rebuilt
    assert names.find("HOUSEHOLD") == 3


def test_terms_statutes_and_scheme(dirs):
    policy = load(dirs)
    stop = policy.terms[T + "cdw.w2w.stop"]
    assert stop.parent_urn == "urn:li:glossaryNode:cdw.w2w"
    assert not stop.is_statute
    ipa = policy.statutes[T + "cdw.statute.ca-civ-1798.24"]
    assert ipa.citation == "Cal. Civ. Code § 1798.24"
    assert ipa.jurisdiction == "California"
    assert ipa.url.startswith("https://leginfo.legislature.ca.gov/")
    assert policy.terms[ipa.urn].is_statute
    assert set(policy.statutes) < set(policy.terms)

    assert [level.id for level in policy.levels] == [
        "public",
        "confidential",
        "sensitive",
        "personal",
    ]
    assert [level.rank for level in policy.levels] == [0, 1, 2, 3]
    assert policy.level("Personal").controls == ("AC-3", "AC-2(1)")
    assert policy.categories["quasi_identifier"].level == "confidential"
    assert policy.unclassified.fips199 == "Moderate"
    assert policy.glossary_files == [dirs[0] / "business_glossary.yml"]
    assert policy.detection_file == dirs[1] / "detection.yml"
    assert len(policy.files) == 6  # glossary, 2 dictionaries, 3 policies


@pytest.mark.parametrize("name", ["w2w", "W2W", "Walk2Work", "walk2work", " WALK2WORK "])
def test_program_by_id_or_name_ignoring_case(dirs, name):
    assert load(dirs).program(name).id == "w2w"


def test_unknown_program_suggests(dirs):
    with pytest.raises(InputError, match=r"unknown program 'Walk2Wrk' \(did you mean 'Walk2Work'"):
        load(dirs).program("Walk2Wrk")


def test_reviewed_carries_its_source_line(dirs):
    policy = load(dirs)
    assert [e[:3] for e in policy.reviewed_entries()] == [
        ("w2w", "participant", "ssn"),
        ("w2w", "participant", "step_count"),
    ]
    assert [(e[2], e[3].statutes) for e in policy.statute_entries()] == [
        ("ssn", (T + "cdw.statute.ca-civ-1798.24",)),
        ("step_count", ()),
    ]
    reviewed = policy.reviewed("w2w", "participant", "ssn")
    assert reviewed is not None
    assert (reviewed.level, reviewed.categories) == ("personal", ("direct_identifier",))
    assert reviewed.source == f"policies/reviewed.yml:{line_of(dirs[1] / 'reviewed.yml', 'ssn:')}"
    assert policy.reviewed("w2w", "participant", "email") is None
    assert policy.reviewed("healthy-habits", "campaign", "x") is None


# ---------------------------------------------------------------- strictest


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["public", "confidential"], "confidential"),
        (["sensitive", "public", "confidential"], "sensitive"),
        (["public", None], None),  # unclassified: protect as Moderate, never Public
        (["sensitive", None], None),
        (["personal", None, "public"], "personal"),  # top level already beats Moderate
        ([None], None),
        ([], None),
    ],
)
def test_strictest(dirs, levels, expected):
    assert load(dirs).strictest(levels) == expected


def test_strictest_rejects_unknown_level(dirs):
    with pytest.raises(InputError, match="unknown classification level 'persnal'.*'personal'"):
        load(dirs).strictest(["persnal"])


# ---------------------------------------------------------------- statutes_for precedence


def test_explicit_field_entry_is_reviewed_and_wins_over_rules(dirs):
    policy = load(dirs)
    decision = policy.statutes_for("w2w", "participant", "ssn", ["direct_identifier"])
    assert decision.provenance == "reviewed"
    assert decision.statutes == (T + "cdw.statute.ca-civ-1798.24",)  # not 11015.5 from the rule
    line = line_of(dirs[1] / "statutes.yml", "ssn:")
    assert decision.rules == (f"policies/statutes.yml:{line}",)
    assert decision.assessed


def test_empty_explicit_entry_means_assessed_none_apply(dirs):
    decision = load(dirs).statutes_for("w2w", "participant", "step_count", ["direct_identifier"])
    assert (decision.statutes, decision.provenance, decision.assessed) == ((), "reviewed", True)


def test_rules_suggest_union_in_file_order(dirs):
    decision = load(dirs).statutes_for("w2w", "participant", "email", ["direct_identifier"])
    assert decision.provenance == "suggested"
    assert decision.rules == ("ipa-personal-information", "w2w-electronic-collection")
    assert decision.statutes == (
        T + "cdw.statute.ca-civ-1798.24",
        T + "cdw.statute.ca-gov-11015.5",
    )


def test_rule_needs_every_given_key(dirs):
    # the W2W rule also names a program: a Healthy Habits identifier gets only the IPA rule
    decision = load(dirs).statutes_for("healthy-habits", "campaign", "x", ["direct_identifier"])
    assert decision.rules == ("ipa-personal-information",)
    health = load(dirs).statutes_for("healthy-habits", "campaign", "x", ["health", "other"])
    assert health.rules == ("hipaa-health",)


def test_nothing_matches_is_not_assessed(dirs):
    decision = load(dirs).statutes_for("w2w", "stop", "duration", [])
    assert decision == type(decision)((), "suggested", (), assessed=False)


# ---------------------------------------------------------------- the cache


def test_cache_shares_one_load_and_sees_edits(dirs):
    first = load(dirs)
    assert load(dirs) is first  # five transformers, one load
    path = dirs[0] / "dictionary" / "w2w.yml"
    edit(path, "name: Participant Identifier", "name: Participant Number")
    st = path.stat()  # make sure the stamp moves even on coarse-clock file systems
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    second = load(dirs)
    assert second is not first
    entry = second.field_entry("w2w", "participant", "participant_id")
    assert entry is not None and entry.name == "Participant Number"


def test_cache_sees_a_new_dictionary_file(dirs):
    first = load(dirs)
    shutil.copy(dirs[0] / "dictionary" / "w2w.yml", dirs[0] / "dictionary" / "x.yml")
    with pytest.raises(InputError, match="duplicate program id 'w2w'"):
        load(dirs)
    (dirs[0] / "dictionary" / "x.yml").unlink()
    assert load(dirs) is first


# ---------------------------------------------------------------- bad input -> file:line


def test_malformed_yaml_names_the_line(dirs):
    path = dirs[1] / "reviewed.yml"
    edit(path, "step_count: {level: public, categories: []}", "step_count: {level: public")
    err = raises_at(dirs, path, line_of(path, "step_count") + 1)
    assert "not valid YAML" in str(err)


def test_unknown_key_suggests_the_right_one(dirs):
    path = dirs[0] / "dictionary" / "w2w.yml"
    edit(path, "name: Social Security Number", "nam: Social Security Number")
    err = raises_at(dirs, path, line_of(path, "nam: Social"))
    assert "'datasets.participant.fields.ssn.nam'" in str(err)
    assert "unknown key 'nam' (did you mean 'name'?)" in str(err)
    assert err.key == "datasets.participant.fields.ssn.nam"


def test_unknown_key_without_close_match_lists_allowed(dirs):
    path = dirs[1] / "classification.yml"
    edit(path, "fips199: Moderate", "fips199: Moderate\n  colour: red")
    err = raises_at(dirs, path, line_of(path, "colour"))
    assert "unknown key 'colour'; allowed keys: label, fips199, controls" in str(err)


def test_bad_type_names_the_line(dirs):
    path = dirs[0] / "dictionary" / "w2w.yml"
    edit(path, "required: true", "required: maybe")
    err = raises_at(dirs, path, line_of(path, "required: maybe"))
    assert "'datasets.participant.fields.participant_id.required'" in str(err)
    assert "valid boolean" in str(err) and "'maybe'" in str(err)


def test_bad_literal_and_bad_control_id(dirs):
    path = dirs[0] / "dictionary" / "w2w.yml"
    edit(path, "lifecycle: active", "lifecycle: retired")
    raises_at(dirs, path, line_of(path, "lifecycle"))
    shutil.copy(FIXTURE / "glossary" / "dictionary" / "w2w.yml", path)
    path = dirs[1] / "classification.yml"
    edit(path, "controls: [AC-1]", "controls: [AC1]")
    err = raises_at(dirs, path, line_of(path, "AC1"))
    assert "'levels[0].controls[0]'" in str(err)
    assert "not a NIST SP 800-53 control id" in str(err)


def test_missing_required_key_points_at_its_parent(dirs):
    path = dirs[0] / "dictionary" / "healthy-habits.yml"
    edit(path, "  system: Healthy Habits Campaign Manager\n", "")
    err = raises_at(dirs, path, line_of(path, "program:"))
    assert "missing required key 'system'" in str(err)


def test_every_problem_in_a_file_is_kept(dirs):
    path = dirs[1] / "classification.yml"
    edit(path, "fips199: Moderate", "fips199: Medium")
    edit(path, "level: personal}", "levl: personal}")
    with pytest.raises(YamlInputError) as info:
        load(dirs)
    assert len(info.value.problems) == 3  # levl unknown, level missing, fips199 bad
    assert "and 2 more problem(s)" in str(info.value)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "glossary/dictionary/w2w.yml",
            "terms: [cdw.w2w.participant]\n      ssn:",
            "terms: [cdw.w2w.participnt]\n      ssn:",
            "unknown glossary term 'cdw.w2w.participnt' (did you mean 'cdw.w2w.participant'",
        ),
        (
            "glossary/dictionary/w2w.yml",
            "related_programs: [healthy-habits]",
            "related_programs: [healthy-habit]",
            "unknown program 'healthy-habit' (did you mean 'healthy-habits'",
        ),
        (
            "policies/statutes.yml",
            "statutes: [cdw.statute.us-45-cfr-164.514]",
            "statutes: [cdw.statute.us-45-cfr-164.51]",
            "unknown statute 'cdw.statute.us-45-cfr-164.51' (did you mean",
        ),
        (
            "policies/statutes.yml",
            "statutes: [cdw.statute.us-45-cfr-164.514]",
            "statutes: [cdw.w2w.stop]",  # a term, but not a statute
            "unknown statute 'cdw.w2w.stop'",
        ),
        (
            "policies/statutes.yml",
            "when: {programs: [w2w]",
            "when: {programs: [w2ww]",
            "unknown program 'w2ww' (did you mean 'w2w'",
        ),
        (
            "policies/statutes.yml",
            "when: {categories: [health]}",
            "when: {categories: [helth]}",
            "unknown category 'helth' (did you mean 'health'",
        ),
        (
            "policies/statutes.yml",
            "      ssn: [cdw.statute.ca-civ-1798.24]",
            "      ssn: [cdw.statute.ca-civ-1798.2]",
            "unknown statute 'cdw.statute.ca-civ-1798.2'",
        ),
        (
            "policies/reviewed.yml",
            "ssn: {level: personal",
            "ssn: {level: persnal",
            "unknown level 'persnal' (did you mean 'personal'",
        ),
        (
            "policies/reviewed.yml",
            "categories: [direct_identifier]",
            "categories: [direct_identifer]",
            "unknown category 'direct_identifer' (did you mean 'direct_identifier'",
        ),
        (
            "policies/reviewed.yml",
            "w2w:",
            "walk2work:",
            "unknown program 'walk2work'",
        ),
        (
            "policies/classification.yml",
            "level: confidential}",
            "level: internal}",
            "unknown level 'internal'",
        ),
    ],
)
def test_unknown_references_name_the_line_of_the_reference(dirs, file, old, new, message):
    path = dirs[0].parent / file
    edit(path, old, new)
    bad = new.split("\n")[0].strip()
    err = raises_at(dirs, path, line_of(path, bad))
    assert message in str(err)


@pytest.mark.parametrize(
    ("file", "old", "new", "message", "nth"),
    [
        (
            "glossary/business_glossary.yml",
            "id: cdw.w2w.stop",
            "id: cdw.w2w.participant",
            "duplicate term id 'cdw.w2w.participant' (first at line",
            2,
        ),
        (
            "policies/classification.yml",
            "{id: sensitive,",
            "{id: confidential,",
            "duplicate level id 'confidential'",
            2,
        ),
        (
            "policies/statutes.yml",
            "id: hipaa-health",
            "id: ipa-personal-information",
            "duplicate rule id 'ipa-personal-information' (first at line",
            2,
        ),
        (
            "policies/reviewed.yml",
            "    step_count:",
            "    ssn:",
            "duplicate key 'ssn' (first at line",
            2,
        ),
    ],
)
def test_duplicate_ids(dirs, file, old, new, message, nth):
    path = dirs[0].parent / file
    edit(path, old, new)
    err = raises_at(dirs, path, line_of(path, new.strip(), nth))
    assert message in str(err)


def test_program_file_name_must_match_its_id(dirs):
    path = dirs[0] / "dictionary" / "healthy-habits.yml"
    edit(path, "id: healthy-habits", "id: healthy-living")
    err = raises_at(dirs, path, line_of(path, "id: healthy-living"))
    assert "must be in a file named healthy-living.yml" in str(err)


def test_statute_term_needs_citation_and_link(dirs):
    path = dirs[0] / "business_glossary.yml"
    edit(path, "          citation: 45 CFR 164.514\n", "")
    err = raises_at(dirs, path, line_of(path, "name: HIPAA de-identification"))
    assert "needs custom_properties.citation" in str(err)


def test_glossary_version_and_owners_follow_datahub(dirs):
    path = dirs[0] / "business_glossary.yml"
    edit(path, 'version: "1"', "version: 2")
    err = raises_at(dirs, path, line_of(path, "version"))
    assert 'only version "1"' in str(err)


def test_missing_required_files_and_folders(dirs, tmp_path):
    (dirs[1] / "classification.yml").unlink()
    with pytest.raises(InputError, match=r"classification\.yml: required file is missing"):
        load(dirs)
    with pytest.raises(InputError, match="the glossary folder does not exist"):
        load_policy(tmp_path / "nowhere", dirs[1])


def test_optional_policy_files_may_be_absent(dirs):
    (dirs[1] / "reviewed.yml").unlink()
    (dirs[1] / "statutes.yml").unlink()
    policy = load(dirs)
    assert policy.reviewed("w2w", "participant", "ssn") is None
    assert not policy.statutes_for("w2w", "participant", "ssn", ["direct_identifier"]).assessed


# ---------------------------------------------------------------- the reusable YAML helper


class _Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weights: dict[str, int] = Field(description="weights")


def test_load_model_is_reusable(tmp_path):
    path = tmp_path / "rubric.yml"
    path.write_text("weights:\n  modernization: 3\n  cross_program: five\n")
    with pytest.raises(InputError) as info:
        load_model(path, _Rubric)
    assert str(info.value).startswith(f"{path}:3: 'weights.cross_program': ")
    path.write_text("weights: {modernization: 3}\n")
    assert load_model(path, _Rubric).weights == {"modernization": 3}


def test_yaml_keys_stay_as_typed(tmp_path):
    # YAML 1.1 reads `no:` as False and `1:` as an int; a column may well be called that.
    path = tmp_path / "x.yml"
    path.write_text("no: 1\n'on': 2\n3: [a, b]\nbase: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n")
    doc = load_yaml(path)
    assert doc.data == {
        "no": 1,
        "on": 2,
        "3": ["a", "b"],
        "base": {"x": 1},
        "merged": {"x": 1, "y": 2},
    }
    assert doc.line("3", 1) == 3
    assert doc.line("merged", "y") == 7
    assert doc.line("merged", "missing") == 5


def test_empty_file_and_unreadable_file(tmp_path):
    path = tmp_path / "empty.yml"
    path.write_text("# nothing yet\n")
    assert load_yaml(path).data is None
    with pytest.raises(
        InputError, match=re.escape(f"{path}:1: 'weights': missing required key 'weights'")
    ):
        load_model(path, _Rubric)
    path.write_bytes(b"\xff\xfe bad")
    with pytest.raises(InputError, match="not UTF-8"):
        load_yaml(path)


# ---------------------------------------------------------------- the real repository folders


def test_fixture_glossary_is_valid_for_datahub():
    from datahub.ingestion.source.metadata.business_glossary import BusinessGlossaryFileSource

    # DataHub's own model accepts what ours accepts (ours is stricter: explicit ids, links).
    path = FIXTURE / "glossary" / "business_glossary.yml"
    ours = load_model(path, GlossaryFile)
    theirs = BusinessGlossaryFileSource.load_glossary_config(path)
    assert [n.id for n in ours.nodes or []] == [n.id for n in theirs.nodes or []]


def test_repository_folders_load():
    policy = load_policy(REPO / "glossary", REPO / "policies")
    assert {"w2w", "healthy-habits", "your-environment"} <= set(policy.programs)
    assert policy.program("Walk2Work").id == "w2w"
    assert [level.id for level in policy.levels] == [
        "public",
        "confidential",
        "sensitive",
        "personal",
    ]
    assert set(policy.categories) >= {"direct_identifier", "quasi_identifier", "health"}
    assert policy.statutes, "the glossary defines the statute terms"
    for program_id in policy.programs:
        assert policy.datasets(program_id), f"{program_id} has no dictionary tables"


def test_repository_glossary_is_valid_for_datahub():
    from datahub.ingestion.source.metadata.business_glossary import BusinessGlossaryFileSource

    BusinessGlossaryFileSource.load_glossary_config(REPO / "glossary" / "business_glossary.yml")


def test_repository_policies_name_real_sample_columns():
    """Reviewed assessments must point at columns that exist, or they silently never apply."""
    from cdw_datahub.demo.schema import PROGRAMS

    columns = {(p.id, t.name, c.name) for p in PROGRAMS for t in p.tables for c in t.columns}
    policy = load_policy(REPO / "glossary", REPO / "policies")
    named = [e[:3] for e in policy.statute_entries()] + [e[:3] for e in policy.reviewed_entries()]
    assert named
    assert [key for key in named if key not in columns] == []
    for program in policy.programs:
        for table, entry in policy.datasets(program).items():
            if entry.kind != "table":  # the extract and API entries describe no database
                continue
            unknown = [c for c in entry.fields if (program, table, c) not in columns]
            assert unknown == [], f"{program}.{table}"


# Columns that describe one thing together: reviewing one and not the other (or giving them
# different levels) is an inconsistency a reader spots at once (park latitude Public, longitude
# unclassified).
PAIRS = [("latitude", "longitude"), ("first_name", "last_name"), ("systolic", "diastolic")]


def test_the_sample_reviews_classify_paired_columns_alike() -> None:
    import yaml

    from cdw_datahub.demo.schema import PROGRAMS

    reviewed = yaml.safe_load((REPO / "policies" / "reviewed.yml").read_text())
    checked = 0
    for p in PROGRAMS:
        for table in p.tables:
            columns = [c.name for c in table.columns]
            entries = (reviewed.get(p.id) or {}).get(table.name) or {}
            for left, right in PAIRS:
                for column in columns:
                    if left not in column:
                        continue
                    partner = column.replace(left, right)
                    if partner not in columns or (column not in entries and partner not in entries):
                        continue
                    checked += 1
                    assert entries.get(column) == entries.get(partner), (
                        f"{p.id}.{table.name}: {column} and {partner} are reviewed differently"
                    )
    assert checked >= 4


def test_statute_rules_decide_a_table_no_rule_names_like_any_other() -> None:
    """Decisions are cached without the table when no rule names it (memory at 10,000 tables):
    a named table still gets its own rules, two unnamed tables the same decision."""
    from cdw_datahub.policy import load_policy

    policy = load_policy(REPO / "glossary", REPO / "policies")
    named = policy.statutes_for("healthy-habits", "referral", "x", ["direct_identifier", "health"])
    unnamed = [
        policy.statutes_for("healthy-habits", table, "x", ["direct_identifier", "health"])
        for table in ("nobody_names_this", "nor_this")
    ]
    assert unnamed[0] == unnamed[1]
    assert set(named.rules) > set(unnamed[0].rules)
    assert not {"nobody_names_this", "nor_this"} & {k[1] for k in policy._rule_decisions}
