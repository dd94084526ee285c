"""The stand-in for GMS answers as GMS does where a client can tell (tests/gms_standin.py),
exercised through DataHub's own client."""

from __future__ import annotations

import pytest
import requests
from datahub.emitter.emit_mode import EmitMode
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.mcp_patch_builder import MetadataPatchProposal
from datahub.ingestion.graph.client import DataHubGraph
from datahub.ingestion.graph.config import DatahubClientConfig
from datahub.metadata.schema_classes import (
    GlobalTagsClass,
    StatusClass,
    StructuredPropertiesClass,
    StructuredPropertyValueAssignmentClass,
    TagAssociationClass,
)
from datahub.specific.aspect_helpers.tags import HasTagsPatch

from cdw_datahub.contract import properties as props
from gms_standin import GmsStandIn

DS = "urn:li:dataset:(urn:li:dataPlatform:postgres,db.public.{},PROD)"


def graph(gms: GmsStandIn, token: str | None = "t", openapi: bool = False) -> DataHubGraph:
    config = DatahubClientConfig(server=gms.url, token=token, retry_max_times=0)
    g = DataHubGraph(config)
    g._openapi_ingestion = openapi  # what endpoint=OPENAPI sets
    return g


def status(urn: str, removed: bool) -> MetadataChangeProposalWrapper:
    return MetadataChangeProposalWrapper(entityUrn=urn, aspect=StatusClass(removed=removed))


def test_config_is_unauthenticated_the_rest_is_401() -> None:
    with GmsStandIn(None, token="t") as gms:
        assert requests.get(f"{gms.url}/config", timeout=5).status_code == 200
        answer = requests.post(f"{gms.url}/api/graphql", json={"query": "{}"}, timeout=5)
        assert answer.status_code == 401 and "Unauthorized" in answer.text
        g = graph(gms, token="wrong")
        g.test_connection()  # as with GMS: a wrong token passes /config
        with pytest.raises(requests.HTTPError):
            g.get_aspect(DS.format("a"), StatusClass)


def test_soft_deleted_excluded_by_or_filters_and_scroll_ids_expire() -> None:
    with GmsStandIn(None, token="t", page_size=2) as gms:
        g = graph(gms)
        g.emit_mcps([status(DS.format(n), n == "gone") for n in ("a", "b", "c", "gone")])
        assert sorted(g.get_urns_by_filter(entity_types=["dataset"])) == [
            DS.format(n) for n in ("a", "b", "c")
        ]
        assert DS.format("gone") in g.get_urns_by_filter(entity_types=["dataset"], status=None)
        assert list(g.get_urns_by_filter(entity_types=["dataset"], platform="mysql")) == []
        scroll = iter(g.get_urns_by_filter(entity_types=["dataset"], batch_size=2))
        next(scroll), next(scroll)
        gms.advance(301)  # GMS keeps a scroll 5 minutes
        with pytest.raises(Exception, match="expired"):
            next(scroll)
        assert all(not sid.isdigit() for sid in gms._scrolls)


def test_search_lags_writes_reads_by_urn_do_not() -> None:
    with GmsStandIn(None, index_delay=5) as gms:
        g = graph(gms, token=None)
        g.emit_mcp(status(DS.format("new"), False))
        assert list(g.get_urns_by_filter(entity_types=["dataset"])) == []
        assert g.get_aspect(DS.format("new"), StatusClass) is not None
        gms.advance(6)
        assert list(g.get_urns_by_filter(entity_types=["dataset"])) == [DS.format("new")]


class _Patch(HasTagsPatch, MetadataPatchProposal):
    pass


@pytest.mark.parametrize("openapi", [False, True])
def test_patch_applied_as_gms_does(openapi: bool) -> None:
    urn = DS.format("p")
    with GmsStandIn(None) as gms:
        g = graph(gms, token=None, openapi=openapi)
        tags = GlobalTagsClass(tags=[TagAssociationClass("urn:li:tag:steward")])
        g.emit_mcp(MetadataChangeProposalWrapper(entityUrn=urn, aspect=tags))
        for mcp in _Patch(urn).add_tag(TagAssociationClass("urn:li:tag:ours")).build():
            g.emit_mcp(mcp)
        got = g.get_aspect(urn, GlobalTagsClass)
        assert got is not None and [t.tag for t in got.tags] == [
            "urn:li:tag:steward",
            "urn:li:tag:ours",
        ]


def _assignment(urn: str, name: str) -> MetadataChangeProposalWrapper:
    value = StructuredPropertyValueAssignmentClass(props.property_urn(name), ["x"])
    return MetadataChangeProposalWrapper(
        entityUrn=urn, aspect=StructuredPropertiesClass(properties=[value])
    )


@pytest.mark.parametrize("openapi", [False, True])
def test_assignment_without_a_definition_is_refused(openapi: bool) -> None:
    urn = DS.format("sp")
    with GmsStandIn(None) as gms:
        g = graph(gms, token=None, openapi=openapi)
        with pytest.raises(Exception, match="Unable to find structured property definition"):
            g.emit_mcp(_assignment(urn, "cdw.dataset.topic"))
        # async: a definition queued in the same batch is not stored yet, as with GMS's Kafka
        batch = [props.definition_mcp("cdw.dataset.topic"), _assignment(urn, "cdw.dataset.topic")]
        with pytest.raises(Exception, match="Unable to find"):
            g.emit_mcps(batch, emit_mode=EmitMode.ASYNC)
        props.upsert_definitions(g)  # what cdw_describe does first when it writes to a server
        g.emit_mcps([_assignment(urn, "cdw.dataset.topic")], emit_mode=EmitMode.ASYNC)
        with pytest.raises(Exception, match="cannot be applied to"):
            g.emit_mcp(_assignment(urn, "cdw.field.notes"))  # a schemaField property
        assert len(gms.rejected) == 3
        assert g.get_aspect(urn, StructuredPropertiesClass) is not None
