"""One home per policy file: every steward file's name, schema and loader live in `policy/`,
the loaders hand back their findings as data, lint reports each problem once, and what is built
from the files is kept in one cache."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from cdw_datahub import lint
from cdw_datahub.classify import Classifier
from cdw_datahub.errors import InputError
from cdw_datahub.policy import clear_cache, load_policy, read_policy
from cdw_datahub.policy import files as policy_files
from cdw_datahub.policy.model import STATUTE_NODE_ID

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "cdw_datahub"
CLEAN = Path(__file__).parent / "fixtures" / "lint" / "clean"
# The modules that read YAML which is not a steward file: cdw.yml, inventory/, OpenAPI documents.
OTHER_YAML = {"settings.py", "sources/inventory.py", "sources/openapi.py"}


def _outside_policy() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if not rel.startswith("policy/"):
            out.append((rel, ast.parse(path.read_text(encoding="utf-8"))))
    return out


def test_file_names_and_the_statute_group_are_spelled_only_in_policy() -> None:
    names = {
        value
        for key, value in vars(policy_files).items()
        if key.endswith(("_FILE", "_DIR")) and isinstance(value, str)
    }
    assert {"business_glossary.yml", "detection.yml", "rubric.yml", "receiving.yml"} <= names
    names.add(STATUTE_NODE_ID)
    found = []
    for rel, tree in _outside_policy():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert found == []


def test_no_module_outside_policy_parses_yaml_of_its_own() -> None:
    """Steward files are read by their loader in `policy/`; the YAML reader is called
    elsewhere only for files that are not theirs (listed above)."""
    readers = {"load_yaml", "load_model", "validate", "safe_load", "compose"}
    found = []
    for rel, tree in _outside_policy():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in readers and rel not in OTHER_YAML:
                found.append(f"{rel}:{node.lineno}: {name}()")
    assert found == []


def test_every_policy_file_has_one_loader_in_policy() -> None:
    """The loaders of detection.yml, rubric.yml and check.yml moved here; the old homes have no
    copy (the classifier, the rubric's scores and `check` import them)."""
    from cdw_datahub import priority
    from cdw_datahub.classify import engine
    from cdw_datahub.cli import check
    from cdw_datahub.policy import checkfile, detection, rubric

    assert engine.load_detection is detection.load_detection
    assert priority.load_rubric is rubric.load_rubric
    assert priority.Rubric is rubric.Rubric
    assert check.load_check_file is checkfile.load_check_file
    assert not (SRC / "classify" / "policy.py").exists()
    defined = re.compile(r"^def (load_\w+)\(", re.M)
    homes: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for name in defined.findall(path.read_text(encoding="utf-8")):
            homes.setdefault(name, []).append(path.relative_to(SRC).as_posix())
    for name in ("load_policy", "load_detection", "load_rubric", "load_receiving"):
        assert len(homes[name]) == 1 and homes[name][0].startswith("policy/"), homes[name]
    assert homes["load_check_file"] == ["policy/checkfile.py"]


@pytest.fixture
def dept(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(CLEAN, tmp_path / "dept")
    return tmp_path / "dept" / "glossary", tmp_path / "dept" / "policies"


def _first(pattern: str, path: Path) -> str:
    """The first match's group in a fixture (so the tests do not hard-code its ids)."""
    match = re.search(pattern, path.read_text(encoding="utf-8"))
    assert match, f"fixture changed: no {pattern} in {path}"
    return match.group(1)


def _break(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_a_broken_reference_is_one_finding_in_lint_and_the_loaders_error(dept) -> None:
    glossary, policies = dept
    reviewed = policies / "reviewed.yml"
    category = _first(r"categories: \[(\w+)", reviewed)
    line = _break(reviewed, f"categories: [{category}", f"categories: [{category}x")
    findings = lint.run(glossary, policies)
    assert [(f.slug, f.severity, f.location) for f in findings] == [
        ("reference-dangling", "error", f"policies/reviewed.yml:{line}")
    ]
    assert findings[0].message == f"unknown category '{category}x'"
    assert findings[0].suggestion.startswith(f"Did you mean '{category}'")
    # the loader refuses the same problem, naming the file's own path and line
    clear_cache()
    with pytest.raises(InputError) as info:
        load_policy(glossary, policies)
    assert str(info.value).startswith(f"{reviewed}:{line}: ")
    assert f"unknown category '{category}x' (did you mean '{category}'" in str(info.value)


def test_the_loader_keeps_going_and_returns_every_problem(dept) -> None:
    glossary, policies = dept
    dictionary = glossary / "dictionary" / "w2w.yml"
    first = _break(dictionary, "terms: [", "terms: [zzz, ")
    statutes = policies / "statutes.yml"
    second = _break(statutes, "statutes: [", "statutes: [cdw.statute.nope, ")
    policy = read_policy(glossary, policies)
    assert [(f.slug, f.location) for f in policy.findings] == [
        ("reference-dangling", f"glossary/dictionary/w2w.yml:{first}"),
        ("reference-dangling", f"policies/statutes.yml:{second}"),
    ]
    assert policy.findings[0].where == f"{dictionary}:{first}"
    assert policy.findings[0].text() == (
        "unknown glossary term 'zzz' (define it in a glossary file, or remove it; name a term "
        "made in DataHub by its URN)"
    )
    clear_cache()
    with pytest.raises(InputError, match=re.escape(f"{dictionary}:{first}:")):
        load_policy(glossary, policies)


def test_lint_reports_detection_rule_problems(dept) -> None:
    glossary, policies = dept
    shutil.copy(REPO / "policies" / "detection.yml", policies)
    assert lint.run(glossary, policies) == []
    detection = policies / "detection.yml"
    concept = _first(r"when: \{any: \[(\w+)\]", detection)
    line = _break(detection, f"when: {{any: [{concept}]", f"when: {{any: [{concept}zz]")
    findings = lint.run(glossary, policies)
    assert [(f.slug, f.location) for f in findings] == [
        ("reference-dangling", f"policies/detection.yml:{line}")
    ]
    assert findings[0].message == f"unknown concept '{concept}zz'"
    with pytest.raises(InputError, match=re.escape(f"{detection}:{line}:")):
        Classifier.from_file(detection)


def test_one_cache_for_the_policy_and_the_compiled_rules(dept) -> None:
    glossary, policies = dept
    shutil.copy(REPO / "policies" / "detection.yml", policies)
    clear_cache()
    policy = load_policy(glossary, policies)
    rules = Classifier.from_file(policy.detection_file)
    assert load_policy(glossary, policies) is policy
    assert Classifier.from_file(policy.detection_file) is rules
    clear_cache()  # one call empties both
    assert load_policy(glossary, policies) is not policy
    assert Classifier.from_file(policy.detection_file) is not rules
