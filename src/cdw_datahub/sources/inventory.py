"""`cdw-inventory`: datasets no source can harvest (report result sets, vendor systems), from YAML.

Program staff describe them in `inventory/*.yml`, in DataHub's own dataset YAML (the format
`datahub dataset upsert` reads: `id`, `platform`, `name`, `description`, `subtype`, `owners`,
`glossary_terms`, `structured_properties`, `schema.fields`), parsed by DataHub's own `Dataset`
model through the project's line-tracking loader, so every error names file and line. A file
may hold one dataset or a list of them.

Play 2 attributes go in `structured_properties` under the project's ids (`cdw.dataset.topic`,
`cdw.dataset.updateFrequency`, `cdw.dataset.relatedSystems`, `cdw.dataset.relatedPrograms`,
`cdw.dataset.lifecycle`, ...); the platform is the dataset's `platform`; the points of contact
are `owners` (the first `DATA_STEWARD`, else the first owner, is the steward). Every field needs
a `type`. What the file says has the standing of the field dictionary (`sources/steward.py`);
`cdw_describe` classifies and cites statutes like for a table.

We emit the aspects ourselves rather than through `Dataset.generate_mcp`: it writes dataset
properties as PATCH proposals, which only a DataHub server applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from datahub.api.entities.dataset.dataset import Dataset, Ownership
from datahub.configuration.common import ConfigModel
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.api.common import PipelineContext
from datahub.ingestion.api.decorators import (
    SupportStatus,
    config_class,
    platform_name,
    support_status,
)
from datahub.ingestion.api.source import Source, SourceReport
from datahub.ingestion.api.workunit import MetadataWorkUnit
from datahub.metadata.schema_classes import (
    DatasetPropertiesClass,
    OtherSchemaClass,
    OwnershipClass,
    OwnershipTypeClass,
    SchemaFieldClass,
    SchemaMetadataClass,
    SubTypesClass,
)
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cdw_datahub.errors import InputError
from cdw_datahub.policy import FieldEntry, Inventory, Person, YamlDoc, load_yaml, term_urn, validate
from cdw_datahub.policy.yamlfile import suggest
from cdw_datahub.sources import steward

Lifecycle = Literal["active", "deprecate-candidate", "archive-candidate", "purge-candidate"]


class CdwInventoryConfig(ConfigModel):
    path: str = Field(
        description="An inventory YAML file, or a folder whose *.yml / *.yaml files are read. A "
        "relative path is resolved against the folder `datahub ingest` runs in."
    )


class Play2(BaseModel):
    """The play 2 attributes a dataset's `structured_properties` may carry."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    title: str | None = Field(None, alias="cdw.dataset.title")
    topic: str | None = Field(None, alias="cdw.dataset.topic")
    update_frequency: str | None = Field(None, alias="cdw.dataset.updateFrequency")
    related_systems: list[str] = Field([], alias="cdw.dataset.relatedSystems")
    related_programs: list[str] = Field([], alias="cdw.dataset.relatedPrograms")
    lifecycle: Lifecycle | None = Field(None, alias="cdw.dataset.lifecycle")
    internal_report_use: Literal["high", "medium", "low", "none"] | None = Field(
        None, alias="cdw.dataset.internalReportUse"
    )

    @field_validator("related_systems", "related_programs", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        # DataHub's model turns a one-item list into its item; either spelling is fine.
        return [value] if isinstance(value, str) else value


FIELD_FACTS = {  # field structured property -> FieldEntry attribute
    "cdw.field.validInputs": "valid_inputs",
    "cdw.field.source": "source",
    "cdw.field.notes": "notes",
    "cdw.field.guideForUse": "guide_for_use",
}


def inventory_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError("no inventory file or folder here", str(path))
    return sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def load_datasets(path: Path) -> list[tuple[Dataset, YamlDoc]]:
    """Every dataset of one inventory file with its part of the file (for lines)."""
    doc = load_yaml(path)
    items = doc.data if isinstance(doc.data, list) else [doc.data]
    out = []
    for i, item in enumerate(items):
        prefix: tuple[str | int, ...] = (i,) if isinstance(doc.data, list) else ()
        part = YamlDoc(
            path,
            item,
            {k[len(prefix) :]: v for k, v in doc.lines.items() if k[: len(prefix)] == prefix},
        )
        if not isinstance(item, dict):
            raise part.error("an inventory entry must be a mapping (DataHub dataset YAML)")
        _precheck(item, part)
        dataset = validate(part, Dataset)
        out.append((dataset, part))
        _check(dataset, part)
    return out


def _precheck(item: dict, doc: YamlDoc) -> None:
    """What DataHub's model would fail on with a message that names no key: an unknown key
    (its URN validator then runs without a platform), a missing id or platform."""
    allowed = [f.alias or name for name, f in Dataset.model_fields.items()]
    for key in item:
        if key not in allowed:
            raise doc.error(f"unknown key '{key}'{suggest(str(key), allowed, n=1)}", key)
    for key in ("id", "platform"):
        if not item.get(key) and not item.get("urn"):
            raise doc.error(f"missing required key '{key}' (DataHub builds the URN from it)")


def _check(dataset: Dataset, doc: YamlDoc) -> None:
    if not dataset.id or not dataset.platform:
        raise doc.error("an inventory dataset needs an 'id' and a 'platform'")
    fields = dataset.schema_metadata.fields if dataset.schema_metadata else None
    if not fields:
        raise doc.error("describe the dataset's fields under 'schema: fields:'", "schema")
    for i, f in enumerate(fields):
        if not f.id or not f.type:
            raise doc.error("every field needs an 'id' and a 'type'", "schema", "fields", i)
        try:
            f.get_datahub_type()
        except Exception as e:
            raise doc.error(f"unknown field type '{f.type}'", "schema", "fields", i, "type") from e
    play2(dataset, doc)


def play2(dataset: Dataset, doc: YamlDoc) -> Play2:
    values = dataset.structured_properties or {}
    play = {k: v for k, v in values.items() if k.startswith("cdw.dataset.")}
    return validate(YamlDoc(doc.path, play, _sub(doc, "structured_properties")), Play2)


def _sub(doc: YamlDoc, key: str) -> dict:
    return {k[1:]: v for k, v in doc.lines.items() if k[:1] == (key,)} | {(): doc.line(key)}


def contact(owner: str | Ownership) -> tuple[str, str]:
    return (
        (owner, OwnershipTypeClass.TECHNICAL_OWNER)
        if isinstance(owner, str)
        else (
            owner.id,
            owner.type,
        )
    )


@platform_name("Inventory (cdw)", id="inventory")
@config_class(CdwInventoryConfig)
@support_status(SupportStatus.BETA)
class CdwInventorySource(Source):
    def __init__(self, config: CdwInventoryConfig, ctx: PipelineContext):
        super().__init__(ctx)
        self.config = config
        self.report = SourceReport()
        # Read every file now: a bad one is a configuration error, before anything is written.
        self.datasets = [d for p in inventory_files(Path(config.path)) for d in load_datasets(p)]

    @classmethod
    def create(cls, config_dict: dict, ctx: PipelineContext) -> CdwInventorySource:
        config = CdwInventoryConfig.model_validate(config_dict)
        try:
            return cls(config, ctx)
        except InputError as e:  # DataHub shows a ValueError as one configuration error line
            raise ValueError(str(e)) from None

    def get_report(self) -> SourceReport:
        return self.report

    def get_workunits_internal(self) -> Iterable[MetadataWorkUnit]:
        for dataset, doc in self.datasets:
            for mcp in self._mcps(dataset, doc):
                yield mcp.as_workunit()

    def _mcps(self, dataset: Dataset, doc: YamlDoc) -> Iterator[MetadataChangeProposalWrapper]:
        urn = str(dataset.urn)
        yield MetadataChangeProposalWrapper(
            entityUrn=urn,
            aspect=DatasetPropertiesClass(
                name=dataset.name,
                description=dataset.description,
                customProperties={k: str(v) for k, v in (dataset.properties or {}).items()},
                externalUrl=dataset.external_url,
            ),
        )
        subtypes = [s for s in [dataset.subtype, *(dataset.subtypes or [])] if s]
        if subtypes:
            yield MetadataChangeProposalWrapper(
                entityUrn=urn, aspect=SubTypesClass(typeNames=subtypes)
            )
        schema = self._schema(dataset)
        steward.attach(schema, self._steward_values(dataset, doc))
        yield MetadataChangeProposalWrapper(entityUrn=urn, aspect=schema)
        if dataset.owners:  # after the schema: every point of contact, not only the steward
            yield MetadataChangeProposalWrapper(
                entityUrn=urn,
                aspect=OwnershipClass(owners=[dataset._mint_owner(o) for o in dataset.owners]),
            )

    def _schema(self, dataset: Dataset) -> SchemaMetadataClass:
        assert dataset.schema_metadata and dataset.schema_metadata.fields
        return SchemaMetadataClass(
            schemaName=dataset.name or str(dataset.id),
            platform=dataset.platform_urn,
            version=0,
            hash="",
            platformSchema=OtherSchemaClass(rawSchema=""),
            fields=[
                SchemaFieldClass(
                    fieldPath=str(f.id),
                    type=f.get_datahub_type(),
                    nativeDataType=f.nativeDataType or str(f.type),
                    nullable=f.nullable,
                    description=f.description,
                    label=f.label,
                    isPartOfKey=f.isPartOfKey or False,
                )
                for f in dataset.schema_metadata.fields
            ],
        )

    def _steward_values(self, dataset: Dataset, doc: YamlDoc) -> steward.StewardValues:
        assert dataset.schema_metadata and dataset.schema_metadata.fields
        fields = {}
        for i, f in enumerate(dataset.schema_metadata.fields):
            facts: dict[str, Any] = {
                attr: str(value)
                for key, attr in FIELD_FACTS.items()
                if (value := (f.structured_properties or {}).get(key)) is not None
            }
            fields[str(f.id)] = FieldEntry(
                column=str(f.id),
                name=f.label,
                definition=f.description,
                required=None if f.nullable else True,
                valid_inputs=facts.get("valid_inputs"),
                source=facts.get("source"),
                notes=facts.get("notes"),
                guide_for_use=facts.get("guide_for_use"),
                terms=tuple(term_urn(t) for t in f.glossaryTerms or ()),
                location=doc.cited("schema", "fields", i),
            )
        attrs = play2(dataset, doc)
        contacts = [contact(o) for o in dataset.owners or ()]
        stewards = [c for c in contacts if c[1] == OwnershipTypeClass.DATA_STEWARD] or contacts
        return steward.StewardValues(
            location=doc.cited(),
            description=dataset.description,
            terms=tuple(term_urn(t) for t in dataset.glossary_terms or ()),
            inventory=Inventory(
                title=attrs.title or dataset.name,
                topic=attrs.topic,
                update_frequency=attrs.update_frequency,
                related_systems=tuple(attrs.related_systems),
                related_programs=tuple(attrs.related_programs),
                lifecycle=attrs.lifecycle,
                internal_report_use=attrs.internal_report_use,
            ),
            steward=Person(stewards[0][0], stewards[0][0]) if stewards else None,
            fields=fields,
        )
