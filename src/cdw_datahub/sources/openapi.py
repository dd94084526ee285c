"""`cdw-openapi`: DataHub's `openapi` source, reading the OpenAPI description from a local file.

The stock source takes endpoints as datasets and schema properties as fields; it only fetches the
description over HTTP (`url` + `swagger_file`). A department keeps its API descriptions in its
own folders, so this thin subclass reads `spec_file` (YAML or JSON) with the project's
line-tracking loader: a file that does not parse is a configuration error naming file and line.
It never calls the API (`enable_api_calls_for_schema_extraction` defaults to false).

Steward extensions on a schema property, read with the standing of the field dictionary (see
`sources/steward.py`; the dictionary wins where both describe a field):
- `x-cdw-definition`: the field's business definition (the property's `description` stays the
  harvested text, like a database comment);
- `x-cdw-name`: its friendly name;
- `x-cdw-glossary-terms`: glossary term ids;
- `x-cdw-classification`: a level id, or `{level, categories}`; reviewed (policies/reviewed.yml
  wins);
- `x-cdw-statutes`: statute term ids; reviewed (policies/statutes.yml field entries win).
A property is matched to the field by its name, wherever it is nested.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from datahub.api.entities.dataset.dataset import Dataset
from datahub.ingestion.api.common import PipelineContext
from datahub.ingestion.api.decorators import (
    SupportStatus,
    config_class,
    platform_name,
    support_status,
)
from datahub.ingestion.source.openapi import OpenApiConfig, OpenApiSource
from datahub.metadata.schema_classes import SchemaMetadataClass
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cdw_datahub.errors import InputError
from cdw_datahub.policy import FieldEntry, Reviewed, YamlDoc, load_yaml, term_urn
from cdw_datahub.sources import steward

PREFIX = "x-cdw-"
_ENUM_TEXT = "One of: "  # how the stock JSON-schema mapping describes an enum property


class CdwOpenApiConfig(OpenApiConfig):
    spec_file: str = Field(
        description="Path of the OpenAPI 3 (or Swagger 2) description, YAML or JSON. A relative "
        "path is resolved against the folder `datahub ingest` runs in."
    )
    url: str = Field(
        default="", description="Base URL of the service (only shown; the API is not called)."
    )
    swagger_file: str = Field(default="", description="Unused: the description is `spec_file`.")
    enable_api_calls_for_schema_extraction: bool = Field(
        default=False, description="Never call the API to guess a schema (kept off)."
    )

    @field_validator("spec_file")
    @classmethod
    def _must_exist(cls, value: str) -> str:
        if not Path(value).is_file():
            raise ValueError(f"no OpenAPI description at {value}")
        return value

    def get_swagger(self) -> dict:
        return read_spec(Path(self.spec_file)).data


def read_spec(path: Path) -> YamlDoc:
    """The parsed description; InputError naming file and line when it is not one."""
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict) or not ("openapi" in data or "swagger" in data):
        raise doc.error("not an OpenAPI description (no 'openapi' or 'swagger' key)")
    if not isinstance(data.get("paths"), dict):
        raise doc.error("an OpenAPI description needs a 'paths' mapping", "paths")
    return doc


class _Classification(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: str
    categories: list[str] = []


class _Extensions(BaseModel):
    """The `x-cdw-*` keys of one property (without the prefix, dashes as underscores)."""

    model_config = ConfigDict(extra="forbid")
    definition: str | None = None
    name: str | None = None
    glossary_terms: list[str] = []
    classification: str | _Classification | None = None
    statutes: list[str] | None = None


def extensions(doc: YamlDoc) -> dict[str, tuple[_Extensions, str]]:
    """Every property with `x-cdw-*` keys, by property name: (values, "file:line")."""
    found: dict[str, tuple[_Extensions, str]] = {}
    for name, keys, at in _properties(doc.data, ()):
        raw = {k[len(PREFIX) :].replace("-", "_"): v for k, v in keys.items()}
        try:
            values = _Extensions.model_validate(raw)
        except ValueError as e:
            first = str(e).splitlines()
            raise doc.error(f"bad x-cdw extension: {' '.join(first[1:3]).strip()}", *at) from e
        found.setdefault(name, (values, doc.cited(*at)))
    return found


def _properties(node: Any, at: tuple[str | int, ...]) -> Iterator[tuple[str, dict, tuple]]:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, spec in props.items():
                if isinstance(spec, dict):
                    keys = {k: v for k, v in spec.items() if str(k).startswith(PREFIX)}
                    if keys:
                        yield str(name), keys, (*at, "properties", name)
        for key, value in node.items():
            yield from _properties(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, (*at, i))


def field_entry(column: str, values: _Extensions, where: str) -> FieldEntry:
    return FieldEntry(
        column=column,
        name=values.name,
        definition=values.definition,
        required=None,
        valid_inputs=None,
        source=None,
        notes=None,
        guide_for_use=None,
        terms=tuple(term_urn(t) for t in values.glossary_terms),
        location=where,
    )


def steward_values(
    schema: SchemaMetadataClass, found: dict[str, tuple[_Extensions, str]], where: str
) -> steward.StewardValues:
    from cdw_datahub.transformers.record import column_name

    fields, reviewed, statutes = {}, {}, {}
    for schema_field in schema.fields:
        column = column_name(schema_field)
        if column not in found:
            continue
        values, at = found[column]
        fields[column] = field_entry(column, values, at)
        enum = schema_field.description or ""
        if enum.startswith(_ENUM_TEXT):  # DataHub's rendering of `enum`: valid inputs, not a
            schema_field.description = None  # definition that could conflict with the steward's
            fields[column] = replace(fields[column], valid_inputs=enum)
        c = values.classification
        if c is not None:
            level, categories = (c, ()) if isinstance(c, str) else (c.level, tuple(c.categories))
            reviewed[column] = Reviewed(level, categories, at)
        if values.statutes is not None:
            statutes[column] = (tuple(term_urn(s) for s in values.statutes), at)
    return steward.StewardValues(where, fields=fields, reviewed=reviewed, statutes=statutes)


def simplify_paths(schema: SchemaMetadataClass) -> None:
    """`[version=2.0].[type=object].[type=string].visitor_email` -> `visitor_email` (nested:
    `location.latitude`), as DataHub's own dataset YAML simplifies them: the field dictionary,
    BUCP sheets and the published dictionary name fields as people do. Left as they are when
    two fields would get the same path (a property with a union type)."""
    simple = [Dataset._simplify_field_path(f.fieldPath) for f in schema.fields]
    if len(set(simple)) == len(simple):
        for schema_field, path in zip(schema.fields, simple, strict=True):
            schema_field.fieldPath = path


@platform_name("OpenAPI (cdw, local file)", id="openapi")
@config_class(CdwOpenApiConfig)
@support_status(SupportStatus.BETA)
class CdwOpenApiSource(OpenApiSource):
    config: CdwOpenApiConfig

    def __init__(self, config: CdwOpenApiConfig, ctx: PipelineContext):
        super().__init__(config, ctx)
        # Read (and check) the file now: a bad one is a configuration error, before any output.
        self._doc = read_spec(Path(config.spec_file))
        self._found = extensions(self._doc)

    @classmethod
    def create(cls, config_dict: dict, ctx: PipelineContext) -> CdwOpenApiSource:
        config = CdwOpenApiConfig.model_validate(config_dict)
        try:
            return cls(config, ctx)
        except InputError as e:  # DataHub shows a ValueError as one configuration error line
            raise ValueError(str(e)) from None

    def _extract_schema_from_openapi_spec(
        self, endpoint_k: str, dataset_name: str, sw_dict: dict
    ) -> SchemaMetadataClass | None:
        schema = super()._extract_schema_from_openapi_spec(endpoint_k, dataset_name, sw_dict)
        if schema is not None:
            simplify_paths(schema)
        if schema is not None and self._found:
            where = self._doc.cited("paths", endpoint_k)
            steward.attach(schema, steward_values(schema, self._found, where))
        return schema
