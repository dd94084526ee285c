"""`cdw_describe`: the DataHub transformer that describes every dataset in one pass.

For each dataset record that carries a schema (inside an MCE snapshot, as the SQL sources emit
it, or as an MCP) the stages run in order, editing the schema in place: definitions, terms,
classification, statutes (reads the classification's categories), roll-up (reads everything).
Their extra MCPs, and one structured-properties aspect per described field, are yielded before
the dataset record.

Configuration comes from the recipe alone: nothing is read from the environment, the working
directory or a cdw.yml, and there is no fallback to the sample department.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from datahub.configuration.common import ConfigModel
from datahub.emitter.mce_builder import make_schema_field_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.api.common import EndOfStream, PipelineContext, RecordEnvelope
from datahub.ingestion.api.transform import Transformer
from datahub.metadata.schema_classes import MetadataChangeProposalClass, UpstreamLineageClass
from pydantic import Field

from cdw_datahub.contract import properties as props
from cdw_datahub.errors import CdwError, server_problem
from cdw_datahub.masking import mask
from cdw_datahub.policy import load_policy
from cdw_datahub.sources import steward
from cdw_datahub.transformers import stamps
from cdw_datahub.transformers.classification import ClassificationStage
from cdw_datahub.transformers.definitions import DefinitionsStage
from cdw_datahub.transformers.lineage import LineageInheritance, lineage_of
from cdw_datahub.transformers.record import DatasetRecord, dataset_record
from cdw_datahub.transformers.rollup import RollupStage
from cdw_datahub.transformers.run import DescribeRun, Finding
from cdw_datahub.transformers.statutes import StatutesStage
from cdw_datahub.transformers.terms import TermsStage
from cdw_datahub.transformers.writes import PatchWriter, stored_aspects

logger = logging.getLogger("cdw_datahub.describe")

_PATH_NOTE = (
    " A relative path is resolved against the folder `datahub ingest` runs in, as DataHub "
    "resolves every path of a recipe (DataHub does not tell a plugin where its recipe file is)."
)


class DescribeConfig(ConfigModel):
    glossary_dir: str = Field(
        description="The department's glossary/ folder: the glossary files (*.yml) and the "
        "field dictionary (dictionary/*.yml)." + _PATH_NOTE,
    )
    policies_dir: str = Field(
        description="The department's policies/ folder: classification.yml, detection.yml, "
        "reviewed.yml, statutes.yml." + _PATH_NOTE,
    )
    program: str | None = Field(
        default=None,
        description="Program the datasets belong to (id or display name). Without one, only the "
        "detection and statute rules apply: no dictionary, reviewed assignments or domain.",
    )


REQUIRED = {
    "glossary_dir": "the department's glossary/ folder",
    "policies_dir": "the department's policies/ folder",
}


def _cannot(graph: Any, error: BaseException, doing: str) -> str:
    """A first call to the server failed: why and the fix, in one line, with no secret."""
    token = "the sink's token (DATAHUB_GMS_TOKEN in the shipped recipes)"
    reason = server_problem(error, token, bool(graph.config.token))
    where = f"the DataHub server at {graph.config.server}"
    return mask(f"cannot {doing} on {where}: {reason}")


class CdwDescribeTransformer(Transformer):
    """Definitions, glossary terms, classification, statutes and the dataset roll-up."""

    def __init__(self, config: DescribeConfig, ctx: PipelineContext):
        self.config = config
        self.ctx = ctx
        try:
            policy = load_policy(Path(config.glossary_dir), Path(config.policies_dir))
            program = policy.program(config.program).id if config.program else None
        except CdwError as e:  # DataHub shows the message as a configuration error
            raise ValueError(str(e)) from e
        self.run = DescribeRun(policy, program)
        self.stages = (
            DefinitionsStage(self.run),
            TermsStage(self.run),
            ClassificationStage(self.run),
            StatutesStage(self.run),
            RollupStage(self.run),
        )
        self.lineage = LineageInheritance(self.run)
        if ctx.graph is not None:  # a server: definitions before any assignment (README)
            try:
                props.upsert_definitions(ctx.graph)
            except Exception as e:  # requests, urllib3 and DataHub raise their own types
                doing = "store the structured property definitions"
                raise ValueError(_cannot(ctx.graph, e, doing)) from e
        self._check_catalog_terms(policy, ctx)
        stored = stored_aspects(ctx)
        self.writer = PatchWriter(stored, ctx.run_id) if stored is not None else None
        if self.writer is not None:  # into a store: an unchanged dataset keeps its time
            folders = (Path(config.glossary_dir), Path(config.policies_dir))
            self._inputs = stamps.run_fingerprint(folders, program)
        self.fresh: set[str] = set()  # datasets described anew in this run (not as before)

    def _check_catalog_terms(self, policy: Any, ctx: PipelineContext) -> None:
        """Terms the dictionary names by full URN that no glossary file defines (made in the
        DataHub UI): checked on the server when the pipeline has one, else a finding."""
        if not policy.catalog_terms:
            return
        if ctx.graph is None:
            for warning in policy.unverified_catalog_terms("no DataHub server in this pipeline"):
                self.run.finding("term-unverified", warning)
            return
        try:  # one batch read, as the reader's (a soft-deleted term counts as missing)
            found = ctx.graph.get_entities("glossaryTerm", list(policy.catalog_terms))
            present = [
                urn
                for urn, aspects in found.items()
                if aspects and not getattr(aspects.get("status", (None,))[0], "removed", False)
            ]
            policy.check_catalog_terms(present, "the DataHub server")
        except CdwError as e:
            raise ValueError(str(e)) from e
        except Exception as e:  # requests, urllib3 and DataHub raise their own types
            raise ValueError(_cannot(ctx.graph, e, "look up glossary terms")) from e

    @classmethod
    def create(cls, config_dict: dict[str, Any], ctx: PipelineContext) -> CdwDescribeTransformer:
        missing = [k for k in REQUIRED if not (config_dict or {}).get(k)]
        if missing:
            raise ValueError(
                "cdw_describe needs "
                + " and ".join(f"'{k}' ({REQUIRED[k]})" for k in missing)
                + " in its recipe config; the sample department's copies are used only by "
                "`cdw-datahub demo`"
            )
        return cls(DescribeConfig.model_validate(config_dict), ctx)

    @property
    def findings(self) -> list[Finding]:
        """What stewards should act on, for the caller's report (`cdw-datahub` prints them)."""
        return self.run.findings

    def transform(self, record_envelopes: Iterable[RecordEnvelope]) -> Iterable[RecordEnvelope]:
        for envelope in record_envelopes:
            if isinstance(envelope.record, EndOfStream) and self.findings:
                counts = Counter(f.slug for f in self.findings)
                logger.warning(
                    "cdw_describe findings: %s",
                    ", ".join(f"{n} {slug}" for slug, n in sorted(counts.items())),
                )
            dataset = dataset_record(envelope.record)
            if dataset is not None:
                self._read_state(dataset, envelope.record)
                yield from self._envelopes(self.describe(dataset), dataset.stamp)
                self.lineage.remember(dataset)
            yield envelope
            lineage = lineage_of(envelope.record)
            if lineage is not None:
                inherited = self.lineage.inherit(*lineage)
                if inherited is not None:
                    self._inheriting(inherited, lineage[1])
                    yield from self._envelopes(self.redescribe(inherited), inherited.stamp)

    def _read_state(self, dataset: DatasetRecord, record: object) -> None:
        """Into a store: read the dataset's stored state, and describe it with the time stored
        with its fingerprint when that is unchanged, or with this run's (stamps.py)."""
        if self.writer is None:
            return
        fingerprint = stamps.dataset_fingerprint(self._inputs, record, dataset.schema)
        fields = [make_schema_field_urn(dataset.urn, f.fieldPath) for f in dataset.schema.fields]
        before = stamps.stored_time(fingerprint, self.writer.read(dataset.urn, fields))
        if before is None:
            self.fresh.add(dataset.urn)
        self.run.at(self.run.started if before is None else before)
        dataset.stamp = {stamps.KEY: stamps.stamp(fingerprint, self.run.time)}

    def _inheriting(self, dataset: DatasetRecord, lineage: UpstreamLineageClass) -> None:
        """What it inherits is as before when it and every upstream were: its time again."""
        if self.writer is None:
            return
        changed = ({dataset.urn} | {u.dataset for u in lineage.upstreams}) & self.fresh
        before = stamps.time_of(dataset.stamp)
        self.run.at(self.run.started if changed or before is None else before)
        dataset.stamp = stamps.inherited(dataset.stamp, self.run.time)

    def _envelopes(
        self, mcps: Iterable[MetadataChangeProposalWrapper], stamp: dict[str, str]
    ) -> Iterator[RecordEnvelope]:
        """Into a store people also edit, the aspects they edit go as PATCH (writes.py)."""
        records: Iterable[MetadataChangeProposalWrapper | MetadataChangeProposalClass] = mcps
        if self.writer is not None:
            records = self.writer.rewrite(mcps, stamp)
        for r in records:
            yield RecordEnvelope(r, metadata={"workunit_id": f"cdw-{r.entityUrn}-{r.aspectName}"})
        if self.writer is not None and self.writer.kept_domains:
            for urn in self.writer.kept_domains:
                self.run.finding(
                    "domain-kept", f"{urn}: its domain was set in DataHub; kept (the UI wins)"
                )
            self.writer.kept_domains.clear()

    def describe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        """Edit `dataset` in place; yield the MCPs for other aspects and entities."""
        run = self.run
        if run.program:
            dataset.entry = run.policy.dataset_entry(run.program, dataset.table)
            # what a steward wrote in the source's own file (OpenAPI x-cdw-*, inventory/)
            steward_program = run.policy.programs[run.program]
            dataset.entry = steward.merged(
                dataset.entry, steward.of(dataset.schema), run.program, steward_program.steward
            )
        for stage in self.stages:
            yield from stage.describe(dataset)
        yield from self._field_properties(dataset)

    def redescribe(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        """A dataset whose fields inherited through lineage: its schema again, its fields'
        properties and its roll-up (the dataset level may have changed)."""
        yield MetadataChangeProposalWrapper(entityUrn=dataset.urn, aspect=dataset.schema)
        yield from self._field_properties(dataset)
        yield from self.stages[-1].describe(dataset)

    def _field_properties(self, dataset: DatasetRecord) -> Iterator[MetadataChangeProposalWrapper]:
        for path, values in dataset.field_values.items():
            yield from self.run.define_properties(values)
            yield props.assignment_mcp(
                make_schema_field_urn(dataset.urn, path),
                dict(values),  # type: ignore[arg-type]
                self.run.attribution("ingested", None),
            )
