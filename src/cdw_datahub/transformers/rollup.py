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
        for schema_field in dataset.schema.fields:
            tags = schema_field.globalTags.tags if schema_field.globalTags else []
            level = next((t for t in tags if t.tag.startswith(LEVEL_TAG)), None)
            levels.append(level.tag.removeprefix(LEVEL_TAG) if level else None)
            if level and level.attribution:
                suggested |= level.attribution.sourceDetail.get(PROVENANCE_KEY) == "suggested"
            categories.update(
                t.tag.removeprefix(CATEGORY_TAG) for t in tags if t.tag.startswith(CATEGORY_TAG)
            )
            for term in schema_field.glossaryTerms.terms if schema_field.glossaryTerms else []:
                if term.urn in self.policy.statutes:
                    statutes[term.urn] = None

        dataset_level = self.policy.strictest(levels)
        attribution = self.attribution("suggested" if suggested else "reviewed", "rollup")
        tags = (
            [TagAssociationClass(tag=LEVEL_TAG + dataset_level, attribution=attribution)]
            if dataset_level
            else []
        )
        tags += [
            TagAssociationClass(tag=CATEGORY_TAG + c, attribution=attribution)
            for c in sorted(categories)
        ]
        yield MetadataChangeProposalWrapper(
            entityUrn=dataset.urn, aspect=GlobalTagsClass(tags=tags)
        )

        stamp = AuditStampClass(time=self.run_time, actor=ACTOR)
        yield MetadataChangeProposalWrapper(
            entityUrn=dataset.urn,
            aspect=InstitutionalMemoryClass(
                elements=[
                    InstitutionalMemoryMetadataClass(
                        url=self.policy.statutes[urn].url,
                        description=f"{self.policy.statutes[urn].citation} - "
                        f"{self.policy.statutes[urn].title}",
                        createStamp=stamp,
                    )
                    for urn in statutes
                ]
            ),
        )
        yield from self._program(dataset)
        inventory = self._inventory(dataset, dataset_level, sorted(categories))
        for name in inventory:
            yield from self.define_once(name, partial(props.definition_mcps, name))
        yield props.assignment_mcp(dataset.urn, inventory)

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
            entityUrn=dataset.urn, aspect=DomainsClass(domains=[urn])
        )

        entry = self.dataset_entry(dataset)
        steward = entry.steward if entry else program.steward
        user = f"urn:li:corpuser:{steward.id}"
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
            aspect=OwnershipClass(
                owners=[OwnerClass(owner=user, type=OwnershipTypeClass.DATA_STEWARD)]
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
