"""Stage 3: a security level and categories on every field it can decide.

A reviewed assignment (policies/reviewed.yml) always wins; otherwise the detection rules suggest
categories, and the scheme maps a category to its level. Suggestions are recomputed every run.
A field nobody decided gets no level tag: it reads back as unclassified (protect as Moderate).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    GlobalTagsClass,
    TagAssociationClass,
)

from cdw_datahub.classify import Classifier, ColumnInfo
from cdw_datahub.contract import CATEGORY_TAG, LEVEL_TAG
from cdw_datahub.policy import NameMap
from cdw_datahub.sources import evidence, steward
from cdw_datahub.transformers.record import DatasetRecord
from cdw_datahub.transformers.run import DescribeRun


def is_cdw_tag(urn: str) -> bool:
    return urn.startswith((LEVEL_TAG, CATEGORY_TAG))


def column_of_field_urn(schema_field_urn: str) -> str:
    return schema_field_urn.rsplit(",", 1)[-1].rstrip(")")


class ClassificationStage:
    def __init__(self, run: DescribeRun):
        self.run = run
        self.classifier = Classifier.from_file(run.policy.detection_file)

    def describe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        run, policy = self.run, self.run.policy
        hits = evidence.of(dataset.schema)
        columns = dataset.column_names
        keys = set(dataset.schema.primaryKeys or [])
        foreign = {
            column_of_field_urn(path)
            for fk in dataset.schema.foreignKeys or []
            for path in fk.sourceFields
        }
        table = dataset.table
        reviewed_columns = policy.reviewed_columns(run.program, table) if run.program else NameMap()
        in_source = steward.of(dataset.schema)  # x-cdw-classification: reviewed.yml wins
        for schema_field, column in zip(dataset.schema.fields, columns, strict=True):
            reviewed = reviewed_columns.find(column) or (
                in_source.reviewed.get(column) if in_source else None
            )
            if reviewed is not None:
                level, categories = reviewed.level, reviewed.categories
                provenance, rule, why = "reviewed", reviewed.source, ""
                signed = (reviewed.reviewed_by, reviewed.reviewed_on)
            else:
                suggestion = self.classifier.classify(
                    ColumnInfo(
                        table,
                        column,
                        schema_field.nativeDataType,
                        columns,
                        column in keys or bool(schema_field.isPartOfKey),
                        column in foreign,
                        schema_field.description,
                    ),
                    hits.get(column, frozenset()),
                )
                if suggestion.category is None:
                    continue
                categories = (suggestion.category,)
                level = policy.categories[suggestion.category].level
                provenance, rule, why = "suggested", suggestion.rule_id, suggestion.evidence
                signed = (None, None)

            key = (level, categories, provenance, rule, why, *signed)
            ours = run.shared(("field tags", *key), partial(self._tags, *key))
            yield from run.define_once(
                ("tag definitions", level, categories), self._define, level, categories
            )
            field_tags = schema_field.globalTags
            kept = [t for t in field_tags.tags if not is_cdw_tag(t.tag)] if field_tags else []
            schema_field.globalTags = GlobalTagsClass(tags=kept + ours.tags) if kept else ours

    def _tags(
        self,
        level: str,
        categories: tuple[str, ...],
        provenance: str,
        rule: str | None,
        why: str,
        by: str | None,
        on: str | None,
    ) -> GlobalTagsClass:
        # why: what the rule fired on; by, on: who signed a review, and when
        attribution = self.run.attribution(provenance, rule, why, by, on)
        return GlobalTagsClass(
            tags=[
                TagAssociationClass(tag=LEVEL_TAG + level, attribution=attribution),
                *(
                    TagAssociationClass(tag=CATEGORY_TAG + c, attribution=attribution)
                    for c in categories
                ),
            ]
        )

    def _define(
        self, level: str, categories: tuple[str, ...]
    ) -> Iterator[MetadataChangeProposalWrapper]:
        spec = self.run.policy.level(level)
        yield from self.run.define_tag(
            LEVEL_TAG + level, f"Classification: {spec.name}", spec.description
        )
        for category in categories:
            c = self.run.policy.categories[category]
            yield from self.run.define_tag(CATEGORY_TAG + category, c.name, c.description)
