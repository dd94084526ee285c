"""Typed loading of the steward-owned folders, `glossary/` and `policies/`.

    policy = load_policy(glossary_dir, policies_dir)
    policy.program("Walk2Work").id            # "w2w"
    policy.field_entry("w2w", "participant", "ssn_nbr")
    policy.statutes_for("w2w", "participant", "ssn_nbr", ["direct_identifier"])

Other modules load their own YAML the same way: `load_model(path, PydanticModel)`.
"""

from cdw_datahub.policy.loader import Policy, clear_cache, load_policy
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
    "term_urn",
    "validate",
]
