"""Stage 4: the statutes that govern each field, as statute glossary terms.

Reads the category tags the classification stage wrote. An explicit field assessment in
policies/statutes.yml is `reviewed` (an empty list records "assessed: none apply"); otherwise the
rules that match the field's program and categories suggest statutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AuditStampClass,
    GlossaryTermAssociationClass,
    GlossaryTermsClass,
)

from cdw_datahub.contract import ACTOR, CATEGORY_TAG
from cdw_datahub.policy import StatuteDecision
from cdw_datahub.sources import steward
from cdw_datahub.transformers.record import DatasetRecord
from cdw_datahub.transformers.run import DescribeRun


class StatutesStage:
    def __init__(self, run: DescribeRun):
        self.run = run

    def describe(self, dataset: DatasetRecord) -> Iterable[MetadataChangeProposalWrapper]:
        """Edits the fields' terms and collects assessments; emits nothing of its own."""
        run = self.run
        program, table = run.program or "", dataset.table
        fields = dataset.schema.fields
        in_source = steward.of(dataset.schema)  # statutes.yml's field entries win
        for schema_field, column in zip(fields, dataset.column_names, strict=True):
            tags = schema_field.globalTags
            categories = (
                [t.tag[len(CATEGORY_TAG) :] for t in tags.tags if t.tag.startswith(CATEGORY_TAG)]
                if tags
                else []
            )
            decision = run.policy.statutes_for(program, table, column, categories)
            given = in_source.statutes.get(column) if in_source else None
            if given is not None and decision.provenance != "reviewed":  # x-cdw-statutes
                decision = StatuteDecision(given[0], "reviewed", (given[1],), assessed=True)
            if not decision.assessed:
                continue
            if not decision.statutes:
                signed = {
                    "cdw.field.statuteReviewedBy": decision.reviewed_by,
                    "cdw.field.statuteReviewedOn": decision.reviewed_on,
                }  # a none-apply assessment has no association to carry its signature
                values = {"cdw.field.statuteAssessment": "none-apply"}
                dataset.add_field_values(
                    schema_field, values | {k: v for k, v in signed.items() if v}
                )
                continue
            ours = run.shared(("statute terms", decision), partial(self._terms, decision))
            terms = schema_field.glossaryTerms
            if terms is None:
                schema_field.glossaryTerms = ours
            else:  # the field has terms of its own: a new aspect with both
                present = {t.urn for t in terms.terms}
                schema_field.glossaryTerms = GlossaryTermsClass(
                    terms=terms.terms + [t for t in ours.terms if t.urn not in present],
                    auditStamp=terms.auditStamp,
                )
        return ()

    def _terms(self, decision: StatuteDecision) -> GlossaryTermsClass:
        rules = ",".join(decision.rules)
        attribution = self.run.attribution(
            decision.provenance, rules, by=decision.reviewed_by, on=decision.reviewed_on
        )
        return GlossaryTermsClass(
            terms=[
                GlossaryTermAssociationClass(urn=urn, attribution=attribution)
                for urn in decision.statutes
            ],
            auditStamp=AuditStampClass(time=self.run.time, actor=ACTOR),
        )
