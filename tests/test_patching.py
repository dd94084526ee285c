"""PATCH proposals built by DataHub's own patch builders, applied as GMS applies them."""

from __future__ import annotations

from datahub.metadata.schema_classes import (
    MetadataAttributionClass,
    OwnerClass,
    TagAssociationClass,
)
from datahub.specific.dataset import DatasetPatchBuilder

from cdw_datahub.patching import apply_patch

URN = "urn:li:dataset:(urn:li:dataPlatform:sqlite,main.t,PROD)"
OURS = "urn:li:corpuser:cdw-datahub"


def _apply(name: str, current: dict | None, builder: DatasetPatchBuilder) -> dict:  # type: ignore[type-arg]
    for mcp in builder.build():
        if mcp.aspectName == name:
            assert mcp.aspect is not None
            current = apply_patch(name, current, mcp.aspect.value)
    assert current is not None
    return current


def _ours(tag: str) -> TagAssociationClass:
    return TagAssociationClass(
        tag=tag, attribution=MetadataAttributionClass(time=1, actor=OURS, source=OURS)
    )


def test_tags_are_keyed_by_attribution_source() -> None:
    stored = {
        "tags": [
            {"tag": "urn:li:tag:person"},  # a person's tag, no attribution
            {"tag": "urn:li:tag:old", "attribution": {"time": 1, "actor": OURS, "source": OURS}},
        ]
    }
    patch = (
        DatasetPatchBuilder(URN).add_tag(_ours("urn:li:tag:new")).remove_tag("urn:li:tag:old", OURS)
    )
    result = _apply("globalTags", stored, patch)
    assert [t["tag"] for t in result["tags"]] == ["urn:li:tag:person", "urn:li:tag:new"]
    assert stored["tags"][1]["tag"] == "urn:li:tag:old"  # the input is not modified


def test_the_same_tag_from_a_person_and_from_us_are_two_entries() -> None:
    stored = {"tags": [{"tag": "urn:li:tag:x"}]}
    result = _apply("globalTags", stored, DatasetPatchBuilder(URN).add_tag(_ours("urn:li:tag:x")))
    assert len(result["tags"]) == 2
    # removing ours leaves the person's
    result = _apply("globalTags", result, DatasetPatchBuilder(URN).remove_tag("urn:li:tag:x", OURS))
    assert result["tags"] == [{"tag": "urn:li:tag:x"}]


def test_remove_without_source_removes_every_entry_of_that_tag() -> None:
    stored = {
        "tags": [
            {"tag": "urn:li:tag:x"},
            {"tag": "urn:li:tag:y"},
            {"tag": "urn:li:tag:x", "attribution": {"source": OURS}},
        ]
    }
    result = _apply("globalTags", stored, DatasetPatchBuilder(URN).remove_tag("urn:li:tag:x"))
    assert result["tags"] == [{"tag": "urn:li:tag:y"}]


def test_an_absent_aspect_starts_from_the_default_and_owners_nest_four_keys() -> None:
    owner = OwnerClass(
        owner="urn:li:corpuser:a",
        type="DATA_STEWARD",
        attribution=MetadataAttributionClass(time=1, actor=OURS, source=OURS),
    )
    result = _apply("ownership", None, DatasetPatchBuilder(URN).add_owner(owner))
    assert [o["owner"] for o in result["owners"]] == ["urn:li:corpuser:a"]
    result = _apply(
        "ownership",
        result,
        DatasetPatchBuilder(URN).remove_owner("urn:li:corpuser:a", "DATA_STEWARD", None, OURS),
    )
    assert result["owners"] == []
