"""`cdw_classification`: a security level and categories on every field it can decide.

A reviewed assignment (policies/reviewed.yml) always wins; otherwise the detection rules suggest
categories, and the scheme maps a category to its level. Suggestions are recomputed every run.
A field nobody decided gets no level tag: it reads back as unclassified (protect as Moderate).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.api.common import PipelineContext
from datahub.metadata.schema_classes import GlobalTagsClass, TagAssociationClass

from cdw_datahub.catalog.model import CATEGORY_TAG, LEVEL_TAG
from cdw_datahub.classify import Classifier, ColumnInfo
from cdw_datahub.policy import NameMap
from cdw_datahub.sources import evidence
from cdw_datahub.transformers.base import (
    DatasetDescriber,
    DatasetRecord,
    DescribeConfig,
)


def is_cdw_tag(urn: str) -> bool:
    return urn.startswith((LEVEL_TAG, CATEGORY_TAG))


class ClassificationTransformer(DatasetDescriber):
    def __init__(self, config: DescribeConfig, ctx: PipelineContext):
        super().__init__(config, ctx)
        self.classifier = Classifier.from_file(self.policy.detection_file)

    def describe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        hits = evidence.take(dataset.urn)
        columns = dataset.column_names
        keys = set(dataset.schema.primaryKeys or [])
        foreign = {
            column_name_of(path)
            for fk in dataset.schema.foreignKeys or []
            for path in fk.sourceFields
        }
        table = dataset.table
        reviewed_columns = (
            self.policy.reviewed_columns(self.program, table) if self.program else NameMap()
        )
        for schema_field, column in zip(dataset.schema.fields, columns, strict=True):
            reviewed = reviewed_columns.find(column)
            if reviewed is not None:
                level, categories = reviewed.level, reviewed.categories
                provenance, rule = "reviewed", reviewed.source
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
                level = self.policy.categories[suggestion.category].level
                provenance, rule = "suggested", suggestion.rule_id

            key = (level, categories, provenance, rule)
            ours = self.shared(("field tags", *key), partial(self._tags, *key))
            yield from self.define_once(
                ("tag definitions", level, categories), self._define, level, categories
            )
            field_tags = schema_field.globalTags
            kept = [t for t in field_tags.tags if not is_cdw_tag(t.tag)] if field_tags else []
            schema_field.globalTags = GlobalTagsClass(tags=kept + ours.tags) if kept else ours

    def _tags(
        self, level: str, categories: tuple[str, ...], provenance: str, rule: str | None
    ) -> GlobalTagsClass:
        attribution = self.attribution(provenance, rule)
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
        spec = self.policy.level(level)
        yield from self.define_tag(
            LEVEL_TAG + level, f"Classification: {spec.name}", spec.description
        )
        for category in categories:
            c = self.policy.categories[category]
            yield from self.define_tag(CATEGORY_TAG + category, c.name, c.description)


def column_name_of(schema_field_urn: str) -> str:
    return schema_field_urn.rsplit(",", 1)[-1].rstrip(")")
