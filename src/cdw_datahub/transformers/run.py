"""What one pipeline run of `cdw_describe` shares across datasets.

Building DataHub's Avro objects is the hot spot at 30,000 fields, so an association, a tag set or
an ownership aspect is built once per decision and attached wherever it applies (`shared`), and
the entities a run refers to (tags, domains, users, property definitions) are defined once
(`define_once`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    MetadataAttributionClass,
    TagKeyClass,
    TagPropertiesClass,
)

from cdw_datahub.contract import (
    ACTOR,
    ATTRIBUTION_SOURCE,
    EVIDENCE_KEY,
    PROVENANCE_KEY,
    REVIEWED_BY_KEY,
    REVIEWED_ON_KEY,
    RULE_KEY,
    TAG,
)
from cdw_datahub.contract import properties as props
from cdw_datahub.policy import Policy

T = TypeVar("T")


logger = logging.getLogger("cdw_datahub.describe")


@dataclass(frozen=True)
class Finding:
    """Something a steward should act on, found while describing (e.g. a stale DB comment)."""

    slug: str
    message: str


class DescribeRun:
    def __init__(self, policy: Policy, program: str | None):
        self.policy = policy
        self.program = program
        # One timestamp per run keeps a run's associations identical; SOURCE_DATE_EPOCH (the
        # reproducible-builds convention) pins it for golden files. `time` is the dataset's being
        # described: a dataset described as before keeps the time it was first described with
        # (stamps.py).
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        self.started = int(epoch) * 1000 if epoch else int(time.time() * 1000)
        self.time = self.started
        self._defined: set[Hashable] = set()
        self._shared: dict[Hashable, Any] = {}
        self.findings: list[Finding] = []

    def at(self, time_ms: int) -> None:
        """Describe what follows with this time. Shared objects may carry the time, so they
        are built again after a change (a re-ingest meets few distinct times, in runs)."""
        if time_ms != self.time:
            self.time = time_ms
            self._shared.clear()

    def finding(self, slug: str, message: str) -> None:
        """Record a finding for the run's report (and DataHub's log: its pipeline summary has
        no section for transformers)."""
        self.findings.append(Finding(slug, message))
        logger.warning("%s [%s]", message, slug)

    def shared(self, key: Hashable, build: Callable[[], T]) -> T:
        """One object per key and run. What it returns is shared: never mutate it (give a field
        a new aspect instead)."""
        if key not in self._shared:
            self._shared[key] = build()
        result: T = self._shared[key]
        return result

    def attribution(
        self,
        provenance: str,
        rule: str | None,
        evidence: str | None = None,
        by: str | None = None,
        on: str | None = None,
    ) -> MetadataAttributionClass:
        """Every association ingestion makes carries one: who (our actor and source, which
        PATCH writes key on), its provenance, the rule or file, the evidence that fired, and
        who signed a review and when (policies/reviewed.yml, statutes.yml)."""

        def build() -> MetadataAttributionClass:
            detail = {PROVENANCE_KEY: provenance}
            if rule:
                detail[RULE_KEY] = rule
            if evidence:
                detail[EVIDENCE_KEY] = evidence
            detail.update({k: v for k, v in ((REVIEWED_BY_KEY, by), (REVIEWED_ON_KEY, on)) if v})
            return MetadataAttributionClass(
                time=self.time, actor=ACTOR, source=ATTRIBUTION_SOURCE, sourceDetail=detail
            )

        return self.shared(("attribution", provenance, rule, evidence, by, on), build)

    def define_once(
        self,
        key: Hashable,
        build: Callable[..., Iterable[MetadataChangeProposalWrapper]],
        *args: Any,
    ) -> Iterable[MetadataChangeProposalWrapper]:
        """`build(*args)` the first time a run asks for `key`, nothing after (asked once per
        field, so no generator here)."""
        if key in self._defined:
            return ()
        self._defined.add(key)
        return build(*args)

    def define_tag(
        self, urn: str, name: str, description: str
    ) -> Iterator[MetadataChangeProposalWrapper]:
        # Tags a transformer adds are not materialized by the source: emit their entities here.
        yield from self.define_once(
            urn,
            lambda: [
                MetadataChangeProposalWrapper(
                    entityUrn=urn, aspect=TagKeyClass(name=urn.removeprefix(TAG))
                ),
                MetadataChangeProposalWrapper(
                    entityUrn=urn,
                    aspect=TagPropertiesClass(name=name, description=description),
                ),
            ],
        )

    def define_properties(self, names: Iterable[str]) -> Iterator[MetadataChangeProposalWrapper]:
        for name in names:
            yield from self.define_once(name, props.definition_mcps, name)
