"""Inheritance through column lineage: a view column takes what its upstream columns carry.

DataHub computes the column-level lineage of views (`upstreamLineage.fineGrainedLineages`) and
DataHub OSS does not propagate column-level terms along it (datahub#19502), so this stage does,
for lineage recorded in the same run. The SQL sources emit a view's lineage right after the view,
and its upstream tables before it: the stage remembers every described field's facts, keeps the
last few datasets, and when a lineage record arrives for one of them re-describes its fields and
re-emits the dataset's schema and roll-up.

Rules (README: Inheritance through lineage):
- A field's own reviewed values always win; a suggestion of its own yields to an upstream value
  (the upstream column is the real thing, the view column a copy of it).
- Classification and statutes pass through any transformation (a derived value carries at most
  its inputs' sensitivity): several upstreams combine by the strictest level and the union of
  categories and statutes.
- Definition, friendly name and business terms pass only through a plain copy (`COPY:` in
  DataHub's transformOperation): an aggregate such as COUNT(id) means something else.
- Every inherited association is attributed to its upstream fields (`cdw.inheritedFrom`, a JSON
  list of schemaField URNs); the upstream's provenance (reviewed / suggested) and rule are kept.
- Chains resolve in stream order (a view of a view sees its upstream view's inherited values);
  a cycle cannot loop, because only fields already described are looked up.

Any described field may be an upstream, so the facts of every one are kept for the whole run,
compactly (`_Described`): a pipeline of 10,000 tables x 30 columns must not hold 300,000 URNs.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from datahub.emitter.mce_builder import make_schema_field_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AuditStampClass,
    FineGrainedLineageClass,
    GlobalTagsClass,
    GlossaryTermAssociationClass,
    GlossaryTermsClass,
    MetadataAttributionClass,
    SchemaFieldClass,
    TagAssociationClass,
    UpstreamLineageClass,
)
from datahub.utilities.urn_encoder import UrnEncoder

from cdw_datahub.contract import (
    ACTOR,
    ATTRIBUTION_SOURCE,
    CATEGORY_TAG,
    INHERITED_KEY,
    LEVEL_TAG,
    PROVENANCE_KEY,
    SCHEMA_FIELD,
    STATUTE_TERM,
    strictest_level,
)
from cdw_datahub.transformers.record import DatasetRecord
from cdw_datahub.transformers.run import DescribeRun

ASSESSMENT = "cdw.field.statuteAssessment"
INHERITED_DEFINITION = "cdw.field.inheritedFrom"
RECENT = 256  # datasets kept for a lineage record that follows them


@dataclass(frozen=True, slots=True)
class FieldFacts:
    """What a described field carries, as later fields may inherit it."""

    description: str | None
    label: str | None
    tags: GlobalTagsClass | None
    terms: GlossaryTermsClass | None
    assessed_none: bool


class _Described:
    """A described dataset's fields, compact: their paths as a schemaField URN spells them,
    joined by "," (an encoded path has none), and their facts in the same order. Most fields
    share one facts object (the run shares tag and term aspects per decision), so a field costs
    its path's characters and one reference."""

    __slots__ = ("facts", "paths")

    def __init__(self, paths: list[str], facts: tuple[FieldFacts, ...]):
        self.paths = ",".join(paths)
        self.facts = facts

    def by_path(self) -> dict[str, FieldFacts]:
        return dict(zip(self.paths.split(",") if self.facts else (), self.facts, strict=True))


class _Known:
    """The described fields, by schemaField URN, for one lineage record (datasets are unpacked
    on first use)."""

    def __init__(self, described: dict[str, _Described]):
        self.described = described
        self.unpacked: dict[str, dict[str, FieldFacts]] = {}

    def get(self, field_urn: str) -> FieldFacts | None:
        # make_schema_field_urn's inverse: `urn:li:schemaField:(<dataset urn>,<encoded path>)`
        if not (field_urn.startswith(SCHEMA_FIELD + "(") and field_urn.endswith(")")):
            return None
        dataset_urn, _, path = field_urn[len(SCHEMA_FIELD) + 1 : -1].rpartition(",")
        fields = self.unpacked.get(dataset_urn)
        if fields is None:
            described = self.described.get(dataset_urn)
            fields = self.unpacked[dataset_urn] = described.by_path() if described else {}
        return fields.get(path)


def _provenance(attribution: MetadataAttributionClass | None) -> str | None:
    return attribution.sourceDetail.get(PROVENANCE_KEY) if attribution else None


def _steward_set(
    urns_and_attributions: Iterator[tuple[str, MetadataAttributionClass | None]], prefix: str
) -> bool:
    """A value of the field's own that is not a suggestion (reviewed, or by a person)."""
    return any(
        urn.startswith(prefix) and _provenance(a) != "suggested" for urn, a in urns_and_attributions
    )


def _combined(provenances: set[str | None]) -> str:
    """Reviewed only when every contributing upstream value was reviewed (or set by a person)."""
    return "reviewed" if provenances <= {"reviewed", "ui"} else "suggested"


class LineageInheritance:
    def __init__(self, run: DescribeRun):
        self.run = run
        self.described: dict[str, _Described] = {}  # dataset URN -> its fields' facts
        # one object per distinct facts; the key holds ids, kept valid by the value's references
        self._facts: dict[tuple[object, ...], FieldFacts] = {}
        self.recent: OrderedDict[str, DatasetRecord] = OrderedDict()

    def remember(self, dataset: DatasetRecord) -> None:
        self._remember_fields(dataset)
        self.recent[dataset.urn] = dataset
        while len(self.recent) > RECENT:
            self.recent.popitem(last=False)

    def _remember_fields(self, dataset: DatasetRecord) -> None:
        fields = dataset.schema.fields
        self.described[dataset.urn] = _Described(
            [UrnEncoder.encode_string(f.fieldPath) for f in fields],
            tuple(self._facts_of(dataset, f) for f in fields),
        )

    def _facts_of(self, dataset: DatasetRecord, f: SchemaFieldClass) -> FieldFacts:
        values = dataset.field_values.get(f.fieldPath)
        assessed_none = values is not None and values.get(ASSESSMENT) == "none-apply"
        description, label, tags, terms = f.description, f.label, f.globalTags, f.glossaryTerms
        key = (description, label, id(tags), id(terms), assessed_none)
        facts = self._facts.get(key)
        if facts is None:
            facts = self._facts[key] = FieldFacts(description, label, tags, terms, assessed_none)
        return facts

    def inherit(self, urn: str, lineage: UpstreamLineageClass) -> DatasetRecord | None:
        """The dataset re-described with what its fields inherit (a copy: the record already
        sent is never changed), or None when nothing is inherited."""
        dataset = self.recent.get(urn)
        if dataset is None or not lineage.fineGrainedLineages:
            return None
        by_field: dict[str, list[FineGrainedLineageClass]] = {}
        for fgl in lineage.fineGrainedLineages:
            for down in fgl.downstreams or []:
                by_field.setdefault(down, []).append(fgl)
        inherited = DatasetRecord(urn, copy.deepcopy(dataset.schema), None, dataset.entry)
        inherited.field_values = {p: dict(v) for p, v in dataset.field_values.items()}
        inherited.stamp = dataset.stamp
        known = _Known(self.described)
        changed = False
        for f in inherited.schema.fields:
            edges = by_field.get(make_schema_field_urn(urn, f.fieldPath), [])
            upstream = [
                (u, facts)
                for e in edges
                for u in e.upstreams or []
                if (facts := known.get(u)) is not None
            ]
            if upstream:
                plain_copy = all((e.transformOperation or "").startswith("COPY") for e in edges)
                changed |= self._inherit_field(inherited, f, upstream, plain_copy)
        if not changed:
            return None
        self._remember_fields(inherited)
        return inherited

    def _inherit_field(
        self,
        dataset: DatasetRecord,
        f: SchemaFieldClass,
        found: list[tuple[str, FieldFacts]],
        plain_copy: bool,
    ) -> bool:
        upstream = [u for u, _ in found]
        facts = [up for _, up in found]
        source = json.dumps(list(dict.fromkeys(upstream)))
        changed = self._classification(f, facts, source)
        changed |= self._statutes(dataset, f, facts, source)
        if plain_copy and len(facts) == 1:
            up = facts[0]
            if not f.description and up.description:
                f.description = up.description
                dataset.add_field_values(f, {INHERITED_DEFINITION: upstream[0]})
                changed = True
            if not f.label and up.label:
                f.label = up.label
                changed = True
            changed |= self._business_terms(f, up, source)
        return changed

    def _attribution(
        self, upstream: MetadataAttributionClass | None, provenance: str, source: str
    ) -> MetadataAttributionClass:
        """The upstream association's attribution (its provenance and rule), plus where from."""
        detail = {**(upstream.sourceDetail if upstream else {}), PROVENANCE_KEY: provenance}
        detail[INHERITED_KEY] = source
        key = ("inherited attribution", *sorted(detail.items()))
        return self.run.shared(
            key,
            lambda: MetadataAttributionClass(
                time=self.run.time, actor=ACTOR, source=ATTRIBUTION_SOURCE, sourceDetail=detail
            ),
        )

    def _classification(self, f: SchemaFieldClass, facts: list[FieldFacts], source: str) -> bool:
        own = f.globalTags.tags if f.globalTags else []
        if _steward_set(((t.tag, t.attribution) for t in own), LEVEL_TAG):
            return False
        levels: dict[str, MetadataAttributionClass | None] = {}  # level id -> its attribution
        categories: dict[str, None] = {}
        for up in facts:
            for t in up.tags.tags if up.tags else []:
                if t.tag.startswith(LEVEL_TAG):
                    levels[t.tag[len(LEVEL_TAG) :]] = t.attribution
                elif t.tag.startswith(CATEGORY_TAG):
                    categories[t.tag] = None
        level = strictest_level(levels, self.run.policy.level_rank)
        if level is None:  # no upstream field carries a level
            return False
        provenance = _combined({_provenance(a) for a in levels.values()})
        attribution = self._attribution(levels[level], provenance, source)
        kept = [t for t in own if not t.tag.startswith((LEVEL_TAG, CATEGORY_TAG))]
        f.globalTags = GlobalTagsClass(
            tags=kept
            + [TagAssociationClass(tag=LEVEL_TAG + level, attribution=attribution)]
            + [TagAssociationClass(tag=c, attribution=attribution) for c in categories]
        )
        return True

    def _statutes(
        self, dataset: DatasetRecord, f: SchemaFieldClass, facts: list[FieldFacts], source: str
    ) -> bool:
        own = f.glossaryTerms.terms if f.glossaryTerms else []
        values = dataset.field_values.get(f.fieldPath, {})
        if _steward_set(((t.urn, t.attribution) for t in own), STATUTE_TERM) or values.get(
            ASSESSMENT
        ):
            return False
        statutes: dict[str, MetadataAttributionClass | None] = {}
        for up in facts:
            for t in up.terms.terms if up.terms else []:
                if t.urn.startswith(STATUTE_TERM):
                    statutes[t.urn] = t.attribution
        if not statutes:
            if facts and all(up.assessed_none for up in facts):
                dataset.add_field_values(f, {ASSESSMENT: "none-apply"})
                return True
            return False
        provenance = _combined({_provenance(a) for a in statutes.values()})
        attribution = self._attribution(next(iter(statutes.values())), provenance, source)
        kept = [t for t in own if not t.urn.startswith(STATUTE_TERM)]
        f.glossaryTerms = GlossaryTermsClass(
            terms=kept
            + [GlossaryTermAssociationClass(urn=u, attribution=attribution) for u in statutes],
            auditStamp=AuditStampClass(time=self.run.time, actor=ACTOR),
        )
        return True

    def _business_terms(self, f: SchemaFieldClass, up: FieldFacts, source: str) -> bool:
        own = f.glossaryTerms.terms if f.glossaryTerms else []
        if any(not t.urn.startswith(STATUTE_TERM) for t in own) or not up.terms:
            return False
        present = {t.urn for t in own}
        added = [
            GlossaryTermAssociationClass(
                urn=t.urn,
                attribution=self._attribution(
                    t.attribution, _provenance(t.attribution) or "reviewed", source
                ),
            )
            for t in up.terms.terms
            if not t.urn.startswith(STATUTE_TERM) and t.urn not in present
        ]
        if not added:
            return False
        f.glossaryTerms = GlossaryTermsClass(
            terms=own + added, auditStamp=AuditStampClass(time=self.run.time, actor=ACTOR)
        )
        return True


def lineage_of(record: object) -> tuple[str, UpstreamLineageClass] | None:
    if (
        isinstance(record, MetadataChangeProposalWrapper)
        and isinstance(record.aspect, UpstreamLineageClass)
        and record.entityUrn
    ):
        return record.entityUrn, record.aspect
    return None
