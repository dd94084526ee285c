"""The BUCP type table on native type strings exactly as the dialects report them (captured from
the real MariaDB and PostgreSQL servers with the stock and cdw sources), and the unknown-type
report: once per type, with every field it affects."""

from __future__ import annotations

import pytest

from cdw_datahub.bucp.export import ExportReport
from cdw_datahub.bucp.types import bucp_type, native_bucp_type

REPORTED = [
    # MariaDB 10.11 through DataHub's mysql source
    ("CHAR(20) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci", "text"),
    ("VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "text"),
    ("LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "text"),  # JSON on MariaDB
    ("TINYINT(1)", "boolean"),
    ("TINYINT(3) UNSIGNED", "numeric"),
    ("BIGINT(20) UNSIGNED", "numeric"),
    ("MEDIUMINT(9)", "numeric"),
    ("YEAR(4)", "date and time"),
    ("DATETIME(6)", "date and time"),
    ("ENUM('G','PG','PG-13','R','NC-17')", "text"),
    ("SET('Trailers','Commentaries','Deleted Scenes','Behind the Scenes')", "text"),
    ("BIT(1)", "boolean"),
    ("BIT(8)", "other"),
    ("GEOMETRY", "coordinates"),
    ("DECIMAL(27, 2)", "numeric"),
    # PostgreSQL 15 through DataHub's postgres source and cdw-postgres
    ('VARCHAR DOMAIN pagila."Name"', "text"),
    ('BOOLEAN DOMAIN pagila."Flag"', "boolean"),
    ("INTEGER DOMAIN pagila.year", "numeric"),
    ("ENUM pagila.mpaa_rating", "text"),
    ("TEXT[]", "text"),
    ("VARCHAR(40)[]", "text"),
    ("TSVECTOR", "text"),
    ("JSONB", "text"),
    ("UUID", "text"),
    ("MONEY", "currency"),
    ("INTERVAL", "date and time"),
    ("POINT", "coordinates"),
    ("geometry(POINT,4326)", "coordinates"),
    ("INET", "text"),
    ("TIME WITH TIME ZONE", "date and time"),
    ("BIT VARYING(8)", "other"),
    ("BYTEA", "other"),
    # Excel sheets through DataHub's excel source (pandas dtypes) and cdw-excel
    ("object", "text"),
    ("datetime64[ns]", "date and time"),
    ("datetime64[ns, UTC]", "date and time"),
    ("int64", "numeric"),
    ("float64", "numeric"),
    ("bool", "boolean"),
]


@pytest.mark.parametrize(("native", "bucp"), REPORTED)
def test_reported_native_types_map(native: str, bucp: str) -> None:
    assert native_bucp_type(native) == bucp


@pytest.mark.parametrize("native", ['pagila."Name"', "pagila.mpaa_rating", "PG_LSN", "null"])
def test_unresolved_user_types_are_unknown_not_guessed(native: str) -> None:
    mapping = bucp_type(native, "some_column")
    assert (mapping.bucp_type, mapping.fallback) == ("other", True)


def test_unknown_types_are_reported_once_per_type_with_their_fields() -> None:
    report = ExportReport()
    for field, native in [("a.x", "PG_LSN"), ("b.y", "PG_LSN"), ("c.z", "WEIRD")]:
        report.type_fallbacks.setdefault(native, []).append(field)
    messages = report.messages()
    assert len(messages) == 2
    assert "'PG_LSN'" in messages[0] and "2 field(s)" in messages[0]
    assert "a.x, b.y" in messages[0]
    assert "'WEIRD'" in messages[1] and "c.z" in messages[1]
