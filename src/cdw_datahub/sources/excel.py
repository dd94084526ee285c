"""`cdw-excel`: DataHub's `excel` source (one dataset per worksheet) for workbooks kept by hand.

Needs `pip install 'cdw-datahub[excel]'` (DataHub's `excel` extra). Three differences from the
stock source, each in an override of `process_dataset`:
- Dataset names. The stock name is `<folder path>/[<file>.xlsx]<sheet>`: it holds the machine's
  folders, and its last dotted part (`xlsx]<sheet>`) is what the field dictionary would be asked
  about. Ours is `<file name without extension>.<sheet>`, so the dictionary describes a sheet by
  its sheet name, like a table.
- With `sample_values: true`, the value detectors look at the first `sample_size` rows of each
  sheet's text columns, already in memory; only detector ids leave (see `sources/evidence.py`).
- Dataset properties are the workbook's document properties only. The stock source also copies
  every two-cell row above and below a sheet's table into them ("Kept by | Dana", a late
  sign-up's "name | e-mail" under the table): those are cells, and no cell value may leave.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from datahub.emitter.mce_builder import make_dataset_urn_with_platform_instance
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.api.common import PipelineContext
from datahub.ingestion.api.decorators import (
    SupportStatus,
    config_class,
    platform_name,
    support_status,
)
from datahub.ingestion.api.workunit import MetadataWorkUnit
from datahub.ingestion.source.excel.config import ExcelSourceConfig
from datahub.ingestion.source.excel.source import ExcelSource
from datahub.ingestion.source.excel.util import gen_dataset_name
from datahub.metadata.schema_classes import DatasetPropertiesClass, SchemaMetadataClass
from pydantic import Field

from cdw_datahub.sources import evidence

# The core document properties DataHub's excel source reads (`ExcelFile.read_excel_properties`);
# whatever else it puts in a sheet's dataset properties came from cells.
DOCUMENT_PROPERTIES = frozenset(
    {
        "title", "author", "subject", "description", "keywords", "category",
        "last_modified_by", "created", "modified", "status", "revision", "version", "language",
        "identifier",
    }
)  # fmt: skip


class CdwExcelConfig(ExcelSourceConfig):
    sample_values: bool = Field(
        default=False,
        description="Let value detectors look at a bounded sample of each sheet's text columns, "
        "in memory. No value leaves the process.",
    )
    sample_size: int = Field(
        default=100, ge=1, le=10_000, description="Rows sampled per sheet when sample_values."
    )


@platform_name("Excel (cdw)", id="excel")
@config_class(CdwExcelConfig)
@support_status(SupportStatus.BETA)
class CdwExcelSource(ExcelSource):
    config: CdwExcelConfig

    def __init__(self, ctx: PipelineContext, config: CdwExcelConfig):
        super().__init__(ctx, config)
        self.config = config

    @classmethod
    def create(cls, config_dict: dict, ctx: PipelineContext) -> CdwExcelSource:
        return cls(ctx, CdwExcelConfig.model_validate(config_dict))

    def _urn(self, name: str) -> str:
        return make_dataset_urn_with_platform_instance(
            platform=self.platform,
            name=name,
            platform_instance=self.config.platform_instance,
            env=self.config.env,
        )

    def process_dataset(
        self,
        relative_path: str,
        full_path: str,
        filename: str,
        table: Any,
        source_type: Any,
    ) -> Iterable[MetadataWorkUnit]:
        lower = self.config.convert_urns_to_lowercase
        stock = self._urn(gen_dataset_name(relative_path, table.sheet_name, lower))
        name = f"{Path(filename).name.split('.', 1)[0]}.{table.sheet_name.strip()}"
        ours = self._urn(name.lower() if lower else name)
        for wu in super().process_dataset(relative_path, full_path, filename, table, source_type):
            mcp = wu.metadata
            if isinstance(mcp, MetadataChangeProposalWrapper) and mcp.entityUrn == stock:
                mcp.entityUrn = ours
                if isinstance(mcp.aspect, SchemaMetadataClass):
                    self._detect(table, mcp.aspect)
                elif isinstance(mcp.aspect, DatasetPropertiesClass):
                    found = mcp.aspect.customProperties
                    mcp.aspect.customProperties = {
                        k: v for k, v in found.items() if k in DOCUMENT_PROPERTIES
                    }
                wu = MetadataWorkUnit(id=f"{ours}-{mcp.aspectName}", mcp=mcp)
            yield wu

    def _detect(self, table: Any, schema: SchemaMetadataClass) -> None:
        if not self.config.sample_values:
            return
        from cdw_datahub.classify import detect_values

        head = table.df.head(self.config.sample_size)
        columns = [f.fieldPath for f in schema.fields if f.nativeDataType == "object"]
        hits = {c: detect_values(head[c].tolist()) for c in columns if c in head}
        del head  # values stay inside this frame
        evidence.attach(schema, hits)
