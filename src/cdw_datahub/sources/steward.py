"""What a steward wrote about a dataset in the file a source reads, carried to `cdw_describe`.

Some sources read a file that a steward owns, not a database: the OpenAPI description of a
service (its `x-cdw-*` extensions) and the program's `inventory/` YAML. What the steward wrote
there has the same standing as the field dictionary (`glossary/dictionary/`): `cdw_describe`
merges it with the dictionary's entry for the dataset, the dictionary winning where both give a
value, and treats an `x-cdw-classification` or `x-cdw-statutes` as reviewed, below
`policies/reviewed.yml` and `policies/statutes.yml`, which security and legal own.

The values ride on the dataset's `schemaMetadata` object as a plain Python attribute, like the
value detectors' ids (`evidence.py`): in process, never serialized.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from dataclasses import fields as fields_of

from datahub.metadata.schema_classes import SchemaMetadataClass

from cdw_datahub.policy import DatasetEntry, FieldEntry, Inventory, NameMap, Person, Reviewed

_ATTRIBUTE = "_cdw_steward_values"


@dataclass(frozen=True)
class StewardValues:
    """A dataset's description by its steward; `location` is "file:line"."""

    location: str
    description: str | None = None
    terms: tuple[str, ...] = ()
    inventory: Inventory | None = None
    steward: Person | None = None
    fields: dict[str, FieldEntry] = field(default_factory=dict)  # column -> entry
    reviewed: dict[str, Reviewed] = field(default_factory=dict)  # column -> classification
    statutes: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)  # urns, where


def attach(schema: SchemaMetadataClass, values: StewardValues) -> None:
    setattr(schema, _ATTRIBUTE, values)


def of(schema: SchemaMetadataClass) -> StewardValues | None:
    values: StewardValues | None = getattr(schema, _ATTRIBUTE, None)
    return values


def _completed(fact: FieldEntry, given: FieldEntry) -> FieldEntry:
    """The dictionary's field entry, with what it leaves empty taken from the steward's file."""
    gaps = {
        f.name: getattr(given, f.name)
        for f in fields_of(FieldEntry)
        if f.name not in ("column", "location") and getattr(fact, f.name) in (None, ())
    }
    return replace(fact, **gaps)


def merged(
    entry: DatasetEntry | None, values: StewardValues | None, program: str, steward: Person
) -> DatasetEntry | None:
    """The dictionary's entry completed with the steward's file: the dictionary wins per value."""
    if values is None:
        return entry
    if entry is None:
        return DatasetEntry(
            program=program,
            table="",
            description=values.description,
            steward=values.steward or steward,
            terms=values.terms,
            inventory=values.inventory or Inventory(),
            fields=NameMap(values.fields),
            location=values.location,
        )
    fields: NameMap[FieldEntry] = NameMap(values.fields)
    for column, fact in entry.fields.items():
        given = fields.find(column)
        fields[column] = _completed(fact, given) if given else fact
    return replace(
        entry,
        description=entry.description or values.description,
        terms=entry.terms or values.terms,
        inventory=entry.inventory
        if entry.inventory != Inventory()
        else values.inventory or Inventory(),
        fields=fields,
    )
