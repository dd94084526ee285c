"""`cdw_statutes`: the statutes that govern each field, as statute glossary terms.

Runs after `cdw_classification` (it reads the category tags). An explicit field assessment in
policies/statutes.yml is `reviewed` (an empty list records "assessed: none apply"); otherwise the
rules that match the field's program and categories suggest statutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AuditStampClass,
    GlossaryTermAssociationClass,
    GlossaryTermsClass,
)

from cdw_datahub.catalog.model import CATEGORY_TAG
from cdw_datahub.policy import StatuteDecision
from cdw_datahub.transformers.base import (
    ACTOR,
    DatasetDescriber,
    DatasetRecord,
)


class StatutesTransformer(DatasetDescriber):
    def describe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        program, table = self.program or "", dataset.table
        fields = dataset.schema.fields
        for schema_field, column in zip(fields, dataset.column_names, strict=True):
            tags = schema_field.globalTags
            categories = (
                [t.tag[len(CATEGORY_TAG) :] for t in tags.tags if t.tag.startswith(CATEGORY_TAG)]
                if tags
                else []
            )
            decision = self.policy.statutes_for(program, table, column, categories)
            if not decision.assessed:
                continue
            if not decision.statutes:
                yield from self.field_properties(
                    dataset, schema_field, {"cdw.field.statuteAssessment": "none-apply"}
                )
                continue
            ours = self.shared(("statute terms", decision), partial(self._terms, decision))
            terms = schema_field.glossaryTerms
            if terms is None:
                schema_field.glossaryTerms = ours
            else:  # the field has terms of its own (cdw_terms): a new aspect with both
                present = {t.urn for t in terms.terms}
                schema_field.glossaryTerms = GlossaryTermsClass(
                    terms=terms.terms + [t for t in ours.terms if t.urn not in present],
                    auditStamp=terms.auditStamp,
                )

    def _terms(self, decision: StatuteDecision) -> GlossaryTermsClass:
        attribution = self.attribution(decision.provenance, ",".join(decision.rules))
        return GlossaryTermsClass(
            terms=[
                GlossaryTermAssociationClass(urn=urn, attribution=attribution)
                for urn in decision.statutes
            ],
            auditStamp=AuditStampClass(time=self.run_time, actor=ACTOR),
        )
