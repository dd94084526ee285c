"""Build the CLI's views (model.py) from raw aspect JSON, the same for every backend.

Merging rules (docs/catalog-model.md): the editable aspects a steward writes in the UI win for
descriptions; tags and terms are the union of both, de-duplicated, UI first.

An aspect is its JSON (dicts and lists), or DataHub's Avro object of it straight from a pipeline
(`sinks/memory.py`): both have the same field names, so every read here is `.get(name)`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cdw_datahub.catalog.model import (
    EVIDENCE_KEY,
    INHERITED_KEY,
    PROVENANCE_KEY,
    REVIEWED_BY_KEY,
    REVIEWED_ON_KEY,
    RULE_KEY,
    Association,
    DatasetView,
    FieldView,
    TermView,
)
from cdw_datahub.contract import PLATFORM, SCHEMA_FIELD, STRUCTURED_PROPERTY

# Every aspect a reader of this package looks at (views, Catalog, facts, priority): a store that
# keeps only these (the scan's in-memory sink) gives the same answers as one that keeps all.
READ_ASPECTS: frozenset[str] = frozenset(
    {
        "corpUserEditableInfo",
        "corpUserInfo",
        "datasetProperties",
        "domainProperties",
        "domains",
        "editableDatasetProperties",
        "editableSchemaMetadata",
        "globalTags",
        "glossaryNodeInfo",
        "glossaryRelatedTerms",
        "glossaryTermInfo",
        "glossaryTerms",
        "institutionalMemory",
        "ownership",
        "propertyDefinition",
        "schemaMetadata",
        "structuredProperties",
        "subTypes",
        "tagProperties",
    }
)


def _association(raw: dict[str, Any], key: str, default_provenance: str) -> Association:
    detail = ((raw.get("attribution") or {}).get("sourceDetail")) or {}
    return Association(
        urn=raw.get(key) or "",
        provenance=detail.get(PROVENANCE_KEY, default_provenance),
        rule=detail.get(RULE_KEY),
        inherited_from=tuple(json.loads(detail[INHERITED_KEY])) if INHERITED_KEY in detail else (),
        evidence=detail.get(EVIDENCE_KEY),
        reviewed_by=detail.get(REVIEWED_BY_KEY) or None,
        reviewed_on=detail.get(REVIEWED_ON_KEY) or None,
    )


def _tags(aspect: dict[str, Any] | None, provenance: str) -> list[Association]:
    return [_association(t, "tag", provenance) for t in (aspect or {}).get("tags", [])]


def _terms(aspect: dict[str, Any] | None, provenance: str) -> list[Association]:
    return [_association(t, "urn", provenance) for t in (aspect or {}).get("terms", [])]


def merge_associations(*groups: Iterable[Association]) -> list[Association]:
    """Union by URN; the first group wins (callers pass the UI's edits first)."""
    seen: dict[str, Association] = {}
    for group in groups:
        for assoc in group:
            seen.setdefault(assoc.urn, assoc)
    return list(seen.values())


def _value(raw: Any) -> str:
    if isinstance(raw, dict):  # a union member such as {"string": "x"} or {"double": 1.0}
        raw = next(iter(raw.values()), "")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw)


def structured_properties(aspect: dict[str, Any] | None) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}
    for assignment in (aspect or {}).get("properties", []):
        name = assignment.get("propertyUrn").removeprefix(STRUCTURED_PROPERTY)
        props[name] = [_value(v) for v in assignment.get("values", [])]
    return props


def split_schema_field_urn(urn: str) -> tuple[str, str]:
    """`urn:li:schemaField:(<dataset urn>,<field path>)` -> (dataset urn, field path)."""
    inner = urn[len(SCHEMA_FIELD) + 1 : -1]
    dataset_urn, _, field_path = inner.rpartition(",")
    return dataset_urn, field_path


def dataset_view(
    urn: str, aspects: dict[str, Any], field_properties: dict[str, dict[str, list[str]]]
) -> DatasetView:
    schema = aspects.get("schemaMetadata") or {}
    editable_fields = {
        f.get("fieldPath"): f
        for f in (aspects.get("editableSchemaMetadata") or {}).get("editableSchemaFieldInfo", [])
    }
    fields = []
    for raw in schema.get("fields", []):
        path = raw.get("fieldPath")
        edit = editable_fields.get(path, {})
        ui_description = edit.get("description")
        fields.append(
            FieldView(
                path=path,
                native_type=raw.get("nativeDataType", ""),
                nullable=bool(raw.get("nullable", False)),
                is_key=bool(raw.get("isPartOfKey", False)),
                description=ui_description or raw.get("description") or None,
                description_source="ui"
                if ui_description
                else ("ingested" if raw.get("description") else None),
                label=raw.get("label") or None,
                tags=merge_associations(
                    _tags(edit.get("globalTags"), "ui"), _tags(raw.get("globalTags"), "ingested")
                ),
                terms=merge_associations(
                    _terms(edit.get("glossaryTerms"), "ui"),
                    _terms(raw.get("glossaryTerms"), "ingested"),
                ),
                properties=field_properties.get(path, {}),
            )
        )

    props = aspects.get("datasetProperties") or {}
    editable = aspects.get("editableDatasetProperties") or {}
    platform = (schema.get("platform") or urn.split(PLATFORM, 1)[-1]).split(",")[0]
    # dataset URNs are urn:li:dataset:(<platform urn>,<name>,<env>)
    name = props.get("qualifiedName") or urn.split(",")[1]
    return DatasetView(
        urn=urn,
        name=name,
        platform=platform.removeprefix(PLATFORM),
        description=editable.get("description") or props.get("description") or None,
        domain=next(iter((aspects.get("domains") or {}).get("domains", [])), None),
        owners=[o.get("owner") for o in (aspects.get("ownership") or {}).get("owners", [])],
        tags=merge_associations(
            _tags(aspects.get("editableDatasetProperties", {}).get("globalTags"), "ui"),
            _tags(aspects.get("globalTags"), "ingested"),
        ),
        terms=_terms(aspects.get("glossaryTerms"), "ingested"),
        links=[
            (e.get("url"), e.get("description", ""))
            for e in (aspects.get("institutionalMemory") or {}).get("elements", [])
        ],
        properties=structured_properties(aspects.get("structuredProperties")),
        custom_properties=dict(props.get("customProperties") or {}),
        fields=fields,
        subtype=next(iter((aspects.get("subTypes") or {}).get("typeNames", [])), None),
    )


def term_view(urn: str, aspects: dict[str, Any]) -> TermView:
    info = aspects.get("glossaryTermInfo") or {}
    links = tuple(
        (e.get("url"), e.get("description", ""))
        for e in (aspects.get("institutionalMemory") or {}).get("elements", [])
    )
    related = aspects.get("glossaryRelatedTerms") or {}
    owners = (aspects.get("ownership") or {}).get("owners") or []
    domains = (aspects.get("domains") or {}).get("domains") or []

    def urns(key: str) -> tuple[str, ...]:
        return tuple(related.get(key) or ())

    return TermView(
        urn=urn,
        name=info.get("name") or urn.rsplit(":", 1)[-1],
        definition=info.get("definition", ""),
        parent=info.get("parentNode"),
        custom_properties=dict(info.get("customProperties") or {}),
        links=links,
        owners=tuple((o.get("owner"), o.get("typeUrn") or str(o.get("type"))) for o in owners),
        source=info.get("termSource"),
        source_ref=info.get("sourceRef"),
        source_url=info.get("sourceUrl"),
        inherits=urns("isRelatedTerms"),
        contains=urns("hasRelatedTerms"),
        values=urns("values"),
        related=urns("relatedTerms"),
        domain=domains[0] if domains else None,
    )
