"""`cdw_statutes`: the statutes that govern each field, as statute glossary terms.

Runs after `cdw_classification` (it reads the category tags). An explicit field assessment in
policies/statutes.yml is `reviewed` (an empty list records "assessed: none apply"); otherwise the
rules that match the field's program and categories suggest statutes.
"""

from __future__ import annotations

from collections.abc import Iterator

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.api.common import PipelineContext
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
    DescribeConfig,
    column_name,
)


class StatutesTransformer(DatasetDescriber):
    def __init__(self, config: DescribeConfig, ctx: PipelineContext):
        super().__init__(config, ctx)
        self._stamp = AuditStampClass(time=self.run_time, actor=ACTOR)

    def describe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        for schema_field in dataset.schema.fields:
            tags = schema_field.globalTags
            categories = (
                [t.tag[len(CATEGORY_TAG) :] for t in tags.tags if t.tag.startswith(CATEGORY_TAG)]
                if tags
                else []
            )
            decision = self.policy.statutes_for(
                self.program or "", dataset.table, column_name(schema_field), categories
            )
            if not decision.assessed:
                continue
            if not decision.statutes:
                yield from self.field_properties(
                    dataset, schema_field, {"cdw.field.statuteAssessment": "none-apply"}
                )
                continue
            new = self._terms(decision)
            terms = schema_field.glossaryTerms
            if terms is None:
                schema_field.glossaryTerms = GlossaryTermsClass(
                    terms=list(new), auditStamp=self._stamp
                )
            else:
                present = {t.urn for t in terms.terms}
                terms.terms.extend(t for t in new if t.urn not in present)

    def _terms(self, decision: StatuteDecision) -> list[GlossaryTermAssociationClass]:
        def build() -> list[GlossaryTermAssociationClass]:
            attribution = self.attribution(decision.provenance, ",".join(decision.rules))
            return [
                GlossaryTermAssociationClass(urn=urn, attribution=attribution)
                for urn in decision.statutes
            ]

        return self.shared(("statute terms", decision), build)
