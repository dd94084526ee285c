"""`cdw_rollup`: what a dataset inherits from its fields, plus its inventory (play 2).

Runs last. Level = the strictest of the fields' levels (an unclassified field keeps the dataset
unclassified unless a field is already at the top level); categories and statutes = unions,
statutes as links to the official text; program → domain; steward → ownership; inventory
attributes → structured properties.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AuditStampClass,
    CorpUserInfoClass,
    DomainPropertiesClass,
    DomainsClass,
    GlobalTagsClass,
    InstitutionalMemoryClass,
    InstitutionalMemoryMetadataClass,
    OwnerClass,
    OwnershipClass,
    OwnershipTypeClass,
    TagAssociationClass,
)

from cdw_datahub import properties as props
from cdw_datahub.catalog.model import CATEGORY_TAG, LEVEL_TAG, PROVENANCE_KEY
from cdw_datahub.transformers.base import ACTOR, DatasetDescriber, DatasetRecord


def domain_urn(program_id: str) -> str:
    return f"urn:li:domain:cdw.{program_id}"


class DatasetRollupTransformer(DatasetDescriber):
    def describe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        levels: list[str | None] = []
        categories: set[str] = set()
        statutes: dict[str, None] = {}
        suggested = False
        known_statutes = self.policy.statutes
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

        dataset_level = self.policy.strictest(levels)
        provenance = "suggested" if suggested else "reviewed"
        ordered = tuple(sorted(categories))
        yield MetadataChangeProposalWrapper(
            entityUrn=dataset.urn,
            aspect=self.shared(
                ("dataset tags", dataset_level, ordered, provenance),
                partial(self._tags, dataset_level, ordered, provenance),
            ),
        )
        links = tuple(statutes)
        yield MetadataChangeProposalWrapper(
            entityUrn=dataset.urn,
            aspect=self.shared(("statute links", links), partial(self._statute_links, links)),
        )
        yield from self._program(dataset)
        inventory = self._inventory(dataset, dataset_level, list(ordered))
        for name in inventory:
            yield from self.define_once(name, props.definition_mcps, name)
        yield props.assignment_mcp(dataset.urn, inventory)

    def _tags(
        self, level: str | None, categories: tuple[str, ...], provenance: str
    ) -> GlobalTagsClass:
        attribution = self.attribution(provenance, "rollup")
        tags = (
            [TagAssociationClass(tag=LEVEL_TAG + level, attribution=attribution)] if level else []
        )
        tags += [
            TagAssociationClass(tag=CATEGORY_TAG + c, attribution=attribution) for c in categories
        ]
        return GlobalTagsClass(tags=tags)

    def _statute_links(self, urns: tuple[str, ...]) -> InstitutionalMemoryClass:
        stamp = AuditStampClass(time=self.run_time, actor=ACTOR)
        statutes = [self.policy.statutes[urn] for urn in urns]
        return InstitutionalMemoryClass(
            elements=[
                InstitutionalMemoryMetadataClass(
                    url=s.url, description=f"{s.citation} - {s.title}", createStamp=stamp
                )
                for s in statutes
            ]
        )

    def _program(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        if self.program is None:
            return
        program = self.policy.programs[self.program]
        urn = domain_urn(program.id)
        yield from self.define_once(
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
            aspect=self.shared(("domains", urn), lambda: DomainsClass(domains=[urn])),
        )

        entry = self.dataset_entry(dataset)
        steward = entry.steward if entry else program.steward
        user = steward.urn
        yield from self.define_once(
            user,
            lambda: [
                MetadataChangeProposalWrapper(
                    entityUrn=user, aspect=CorpUserInfoClass(active=True, displayName=steward.name)
                )
            ],
        )
        yield MetadataChangeProposalWrapper(
            entityUrn=dataset.urn,
            aspect=self.shared(
                ("ownership", user),
                lambda: OwnershipClass(
                    owners=[OwnerClass(owner=user, type=OwnershipTypeClass.DATA_STEWARD)]
                ),
            ),
        )

    def _inventory(
        self, dataset: DatasetRecord, level: str | None, categories: list[str]
    ) -> dict[str, str | float | list[str]]:
        values: dict[str, str | float | list[str]] = {
            "cdw.dataset.program": self.program or "",
            "cdw.dataset.platform": dataset.urn.split("urn:li:dataPlatform:", 1)[1].split(",")[0],
            "cdw.dataset.classification": level or "unclassified",
            "cdw.dataset.categories": categories,
        }
        entry = self.dataset_entry(dataset)
        if entry is not None:
            inv = entry.inventory
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
