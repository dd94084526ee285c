"""`cdw_statutes`: the statutes that govern each field, as statute glossary terms.

Runs after `cdw_classification` (it reads the category tags). An explicit field assessment in
policies/statutes.yml is `reviewed` (an empty list records "assessed: none apply"); otherwise the
rules that match the field's program and categories suggest statutes.
"""

from __future__ import annotations

from collections.abc import Iterator

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AuditStampClass,
    GlossaryTermAssociationClass,
    GlossaryTermsClass,
)

from cdw_datahub.catalog.model import CATEGORY_TAG
from cdw_datahub.transformers.base import ACTOR, DatasetDescriber, DatasetRecord, column_name


class StatutesTransformer(DatasetDescriber):
    def describe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        for schema_field in dataset.schema.fields:
            column = column_name(schema_field)
            categories = [
                t.tag.removeprefix(CATEGORY_TAG)
                for t in (schema_field.globalTags.tags if schema_field.globalTags else [])
                if t.tag.startswith(CATEGORY_TAG)
            ]
            decision = self.policy.statutes_for(
                self.program or "", dataset.table, column, categories
            )
            if not decision.assessed:
                continue
            if not decision.statutes:
                yield from self.field_properties(
                    dataset, schema_field, {"cdw.field.statuteAssessment": "none-apply"}
                )
                continue
            attribution = self.attribution(decision.provenance, ",".join(decision.rules))
            terms = schema_field.glossaryTerms or GlossaryTermsClass(
                terms=[], auditStamp=AuditStampClass(time=self.run_time, actor=ACTOR)
            )
            present = {t.urn for t in terms.terms}
            terms.terms.extend(
                GlossaryTermAssociationClass(urn=urn, attribution=attribution)
                for urn in decision.statutes
                if urn not in present
            )
            schema_field.glossaryTerms = terms
