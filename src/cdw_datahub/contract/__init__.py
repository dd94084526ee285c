"""The catalog model contract: how every concept lives in DataHub (docs/catalog-model.md).

One home for what ingestion writes and readers read back: URN prefixes, attribution keys,
provenance and its precedence, the strictest-level and winning-level rules. Structured-property
definitions are in `contract.properties`. Nothing here imports the reader, the CLI or the policy
files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

# URN prefixes
TAG = "urn:li:tag:"
TERM = "urn:li:glossaryTerm:"
NODE = "urn:li:glossaryNode:"
USER = "urn:li:corpuser:"
GROUP = "urn:li:corpGroup:"
OWNERSHIP_TYPE = "urn:li:ownershipType:"  # a custom ownership type (the glossary's owners)
STRUCTURED_PROPERTY = "urn:li:structuredProperty:"
PLATFORM = "urn:li:dataPlatform:"
SCHEMA_FIELD = "urn:li:schemaField:"
DATASET = "urn:li:dataset:"
LEVEL_TAG = TAG + "cdw.level."
CATEGORY_TAG = TAG + "cdw.category."
STATUTE_TERM = TERM + "cdw.statute."
ANY_DOMAIN = "urn:li:domain:"
DOMAIN = ANY_DOMAIN + "cdw."  # one domain per program: urn:li:domain:cdw.<program id>

# Who ingestion says made an association, and the attribution source that marks the associations
# ingestion owns (DataHub keys PATCH operations on it: a re-run changes only its own entries)
ACTOR = USER + "cdw-datahub"
ATTRIBUTION_SOURCE = ACTOR

# Keys of an association's attribution (MetadataAttribution.sourceDetail)
PROVENANCE_KEY = "cdw.provenance"
RULE_KEY = "cdw.rule"
EVIDENCE_KEY = "cdw.evidence"  # what a suggestion fired on: concepts and words, table kind
INHERITED_KEY = "cdw.inheritedFrom"  # JSON list of the upstream schemaField URNs it came from
# who signed a reviewed association and when (ISO date), from policies/reviewed.yml, statutes.yml
REVIEWED_BY_KEY = "cdw.reviewedBy"
REVIEWED_ON_KEY = "cdw.reviewedOn"

# Provenance of an association, in precedence order (first wins).
PROVENANCE_ORDER = ("ui", "reviewed", "ingested", "suggested")
_PROVENANCE_RANK = {p: i for i, p in enumerate(PROVENANCE_ORDER)}


def review_text(reviewed_by: str | None, reviewed_on: str | None) -> str:
    """How a review is shown: "reviewed by Linda Nguyen on 2026-12-01", "reviewed (unsigned)"."""
    if not reviewed_by and not reviewed_on:
        return "reviewed (unsigned)"
    by = f" by {reviewed_by}" if reviewed_by else ""
    on = f" on {reviewed_on}" if reviewed_on else ""
    return f"reviewed{by}{on}"


def domain_urn(program_id: str) -> str:
    return DOMAIN + program_id


def program_of_domain(urn: str | None) -> str | None:
    """The program id of one of our program domains, None for any other domain."""
    return urn[len(DOMAIN) :] if urn and urn.startswith(DOMAIN) else None


def user_urn(user_id: str) -> str:
    return USER + user_id


def platform_of(dataset_urn: str) -> str:
    """`sqlite` of urn:li:dataset:(urn:li:dataPlatform:sqlite,name,PROD)."""
    return dataset_urn.split(PLATFORM, 1)[-1].split(",")[0]


class Attributed(Protocol):
    @property
    def urn(self) -> str: ...

    @property
    def provenance(self) -> str: ...


A = TypeVar("A", bound=Attributed)


def strictest_level(
    level_ids: Iterable[str | None], rank: Callable[[str], int], top_rank: int | None = None
) -> str | None:
    """The most restrictive of several levels, by `rank` (0 = least restrictive); the first
    listed wins a tie. None is an unclassified field: it makes the result None ("protect as
    FIPS 199 Moderate"), because nobody knows it is not worse than the classified ones, unless a
    level already reaches `top_rank`, which nothing unclassified could exceed. No levels: None."""
    ids = dict.fromkeys(level_ids)  # many fields, few distinct levels
    known = [i for i in ids if i is not None]
    if not known:
        return None
    strictest = max(known, key=rank)
    if None in ids and (top_rank is None or rank(strictest) < top_rank):
        return None
    return strictest


def winning_level(
    tags: Iterable[A], strictness: Callable[[str], int] = lambda level: 0
) -> A | None:
    """The level tag that counts: best provenance first (UI > reviewed > ingested > suggested),
    then the strictest level (by `strictness` of the level id), then the first listed."""
    levels = [t for t in tags if t.urn.startswith(LEVEL_TAG)]
    if len(levels) < 2:  # most fields: nothing to decide
        return levels[0] if levels else None
    best = min(_provenance_rank(t.provenance) for t in levels)
    candidates = [t for t in levels if _provenance_rank(t.provenance) == best]
    level = strictest_level((t.urn.removeprefix(LEVEL_TAG) for t in candidates), strictness)
    return next(t for t in candidates if t.urn.removeprefix(LEVEL_TAG) == level)


def _provenance_rank(provenance: str) -> int:
    return _PROVENANCE_RANK.get(provenance, len(PROVENANCE_ORDER))
