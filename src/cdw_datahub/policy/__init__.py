"""Typed loading of the steward-owned folders, `glossary/` and `policies/`.

    policy = load_policy(glossary_dir, policies_dir)
    policy.program("Walk2Work").id            # "w2w"
    policy.field_entry("w2w", "participant", "ssn_nbr")
    policy.statutes_for("w2w", "participant", "ssn_nbr", ["direct_identifier"])

Each steward file has its schema and loader here, and its name in `policy/files.py`:
`glossary/` and `classification.yml`, `reviewed.yml`, `statutes.yml` (`loader.py`, models in
`schema.py`), `detection.yml` (`detection.py`), `rubric.yml` (`rubric.py`), `receiving.yml`
(`receiving.py`) and a check's `check.yml` (`checkfile.py`). Problems are findings
(`findings.py`): `read_policy` keeps them all, the loaders raise the first error. What is built
from the files is kept in one cache (`cache.py`; `clear_cache()` empties it).

Other modules load their own YAML the same way: `load_model(path, PydanticModel)`.
"""

from cdw_datahub.policy.cache import clear_cache
from cdw_datahub.policy.findings import Finding
from cdw_datahub.policy.loader import Policy, load_policy, read_policy
from cdw_datahub.policy.model import (
    Category,
    DatasetEntry,
    FieldEntry,
    Inventory,
    Level,
    NameMap,
    Person,
    Program,
    Reviewed,
    Statute,
    StatuteDecision,
    Term,
    Unclassified,
    term_urn,
)
from cdw_datahub.policy.yamlfile import YamlDoc, YamlInputError, load_model, load_yaml, validate

__all__ = [
    "Category",
    "DatasetEntry",
    "FieldEntry",
    "Finding",
    "Inventory",
    "Level",
    "NameMap",
    "Person",
    "Policy",
    "Program",
    "Reviewed",
    "Statute",
    "StatuteDecision",
    "Term",
    "Unclassified",
    "YamlDoc",
    "YamlInputError",
    "clear_cache",
    "load_model",
    "load_policy",
    "load_yaml",
    "read_policy",
    "term_urn",
    "validate",
]
