"""Stage 2: business glossary terms on fields and datasets, from the field dictionary.

Terms come from a steward-owned file, so their provenance is `reviewed`, with the dictionary's
file and line as the rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AuditStampClass,
    GlossaryTermAssociationClass,
    GlossaryTermsClass,
)

from cdw_datahub.contract import ACTOR
from cdw_datahub.transformers.record import DatasetRecord, column_name
from cdw_datahub.transformers.run import DescribeRun


class TermsStage:
    def __init__(self, run: DescribeRun):
        self.run = run

    def describe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        entry = dataset.entry
        if entry is None:
            return
        for schema_field in dataset.schema.fields:
            fact = entry.fields.find(column_name(schema_field))
            if fact and fact.terms:
                schema_field.glossaryTerms = self._add(
                    schema_field.glossaryTerms, fact.terms, fact.location
                )
        if entry.terms:
            yield MetadataChangeProposalWrapper(
                entityUrn=dataset.urn, aspect=self._add(None, entry.terms, entry.location)
            )

    def _add(
        self, existing: GlossaryTermsClass | None, urns: Sequence[str], location: str
    ) -> GlossaryTermsClass:
        # A new aspect, never an edit of `existing`: it may be shared with other fields.
        present = {t.urn for t in existing.terms} if existing else set()
        attribution = self.run.attribution("reviewed", location)
        added = [
            GlossaryTermAssociationClass(urn=urn, attribution=attribution)
            for urn in dict.fromkeys(urns)
            if urn not in present
        ]
        return GlossaryTermsClass(
            terms=[*(existing.terms if existing else []), *added],
            auditStamp=existing.auditStamp
            if existing
            else AuditStampClass(time=self.run.time, actor=ACTOR),
        )
