"""Stage 5: what a dataset inherits from its fields, plus its inventory (play 2).

Runs last. Level = the strictest of the fields' levels (an unclassified field keeps the dataset
unclassified unless a field is already at the top level); categories and statutes = unions,
statutes as links to the official text; program -> domain; steward -> ownership; inventory
attributes -> structured properties.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AuditStampClass,
    CorpUserInfoClass,
    DomainPropertiesClass,
    GlobalTagsClass,
    InstitutionalMemoryClass,
    InstitutionalMemoryMetadataClass,
    OwnerClass,
    OwnershipClass,
    OwnershipTypeClass,
    TagAssociationClass,
)

from cdw_datahub.contract import (
    ACTOR,
    CATEGORY_TAG,
    LEVEL_TAG,
    PROVENANCE_KEY,
    domain_urn,
    platform_of,
)
from cdw_datahub.contract import properties as props
from cdw_datahub.transformers.record import DatasetRecord
from cdw_datahub.transformers.run import DescribeRun
from cdw_datahub.transformers.writes import attributed

PropertyValues = dict[str, str | float | list[str]]


class RollupStage:
    def __init__(self, run: DescribeRun):
        self.run = run

    def describe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        run = self.run
        levels: list[str | None] = []
        categories: set[str] = set()
        statutes: dict[str, None] = {}
        suggested = False
        known_statutes = run.policy.statutes
        for schema_field in dataset.schema.fields:
            level: TagAssociationClass | None = None
            field_tags = schema_field.globalTags
            for t in field_tags.tags if field_tags else ():
                tag = t.tag
                if tag.startswith(LEVEL_TAG):
                    level = level or t
                elif tag.startswith(CATEGORY_TAG):
                    categories.add(tag[len(CATEGORY_TAG) :])
            levels.append(level.tag[len(LEVEL_TAG) :] if level else None)
            if level and level.attribution:
                suggested |= level.attribution.sourceDetail.get(PROVENANCE_KEY) == "suggested"
            field_terms = schema_field.glossaryTerms
            for term in field_terms.terms if field_terms else ():
                if term.urn in known_statutes:
                    statutes[term.urn] = None

        dataset_level = run.policy.strictest(levels)
        provenance = "suggested" if suggested else "reviewed"
        ordered = tuple(sorted(categories))
        yield MetadataChangeProposalWrapper(
            entityUrn=dataset.urn,
            aspect=run.shared(
                ("dataset tags", dataset_level, ordered, provenance),
                partial(self._tags, dataset_level, ordered, provenance),
            ),
        )
        links = tuple(statutes)
        yield MetadataChangeProposalWrapper(
            entityUrn=dataset.urn,
            aspect=run.shared(("statute links", links), partial(self._statute_links, links)),
        )
        yield from self._program(dataset)
        inventory = self._inventory(dataset, dataset_level, list(ordered))
        yield from run.define_properties(inventory)
        yield props.assignment_mcp(dataset.urn, inventory, run.attribution("ingested", "rollup"))

    def _tags(
        self, level: str | None, categories: tuple[str, ...], provenance: str
    ) -> GlobalTagsClass:
        attribution = self.run.attribution(provenance, "rollup")
        tags = (
            [TagAssociationClass(tag=LEVEL_TAG + level, attribution=attribution)] if level else []
        )
        tags += [
            TagAssociationClass(tag=CATEGORY_TAG + c, attribution=attribution) for c in categories
        ]
        return GlobalTagsClass(tags=tags)

    def _statute_links(self, urns: tuple[str, ...]) -> InstitutionalMemoryClass:
        stamp = AuditStampClass(time=self.run.time, actor=ACTOR)
        statutes = [self.run.policy.statutes[urn] for urn in urns]
        return InstitutionalMemoryClass(
            elements=[
                InstitutionalMemoryMetadataClass(
                    url=s.url, description=f"{s.citation} - {s.title}", createStamp=stamp
                )
                for s in statutes
            ]
        )

    def _program(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        run = self.run
        if run.program is None:
            return
        program = run.policy.programs[run.program]
        urn = domain_urn(program.id)
        yield from run.define_once(
            urn,
            lambda: [
                MetadataChangeProposalWrapper(
                    entityUrn=urn,
                    aspect=DomainPropertiesClass(
                        name=program.name, description=program.description
                    ),
                )
            ],
        )
        yield MetadataChangeProposalWrapper(
            entityUrn=dataset.urn,
            aspect=run.shared(
                ("domains", urn), lambda: attributed(urn, run.attribution("reviewed", None))
            ),
        )

        steward = dataset.entry.steward if dataset.entry else program.steward
        user = steward.urn
        yield from run.define_once(
            user,
            lambda: [
                MetadataChangeProposalWrapper(
                    entityUrn=user, aspect=CorpUserInfoClass(active=True, displayName=steward.name)
                )
            ],
        )
        yield MetadataChangeProposalWrapper(
            entityUrn=dataset.urn,
            aspect=run.shared(
                ("ownership", user),
                lambda: OwnershipClass(
                    owners=[
                        OwnerClass(
                            owner=user,
                            type=OwnershipTypeClass.DATA_STEWARD,
                            attribution=run.attribution("reviewed", None),
                        )
                    ]
                ),
            ),
        )

    def _inventory(
        self, dataset: DatasetRecord, level: str | None, categories: list[str]
    ) -> PropertyValues:
        values: PropertyValues = {
            "cdw.dataset.program": self.run.program or "",
            "cdw.dataset.platform": platform_of(dataset.urn),
            "cdw.dataset.classification": level or "unclassified",
            "cdw.dataset.categories": categories,
        }
        if dataset.entry is not None:
            inv = dataset.entry.inventory
            scalars = {
                "cdw.dataset.title": inv.title,
                "cdw.dataset.topic": inv.topic,
                "cdw.dataset.updateFrequency": inv.update_frequency,
                "cdw.dataset.lifecycle": inv.lifecycle,
                "cdw.dataset.internalReportUse": inv.internal_report_use,
            }
            lists = {
                "cdw.dataset.relatedSystems": inv.related_systems,
                "cdw.dataset.relatedPrograms": inv.related_programs,
                "cdw.dataset.crossProgramUse": inv.cross_program_use,
                "cdw.dataset.agencyInitiative": inv.agency_initiative,
            }
            values.update({k: v for k, v in scalars.items() if v})
            values.update({k: list(v) for k, v in lists.items() if v})
            if inv.modernization_candidate is not None:
                values["cdw.dataset.modernizationCandidate"] = (
                    "true" if inv.modernization_candidate else "false"
                )
        return {k: v for k, v in values.items() if v not in ([], "")}
