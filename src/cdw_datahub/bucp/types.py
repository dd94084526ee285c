"""Native column type -> BUCP type (the state template's seven types), as tables of data.

Two tables: column-name patterns that decide the type whatever the storage type says (a latitude
stored as REAL is still coordinates; an `*_amt` column holding money is currency), then the native
type table. Anything neither table knows is `other`, and the caller reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

BUCP_TYPES = ("numeric", "text", "date and time", "currency", "boolean", "coordinates", "other")

# (column-name regex, native types it applies to (None = any), BUCP type). First match wins.
NAME_RULES: tuple[tuple[str, tuple[str | None, ...] | None, str], ...] = (
    # latitude / longitude / geocode columns, whatever number or text type holds them
    (
        r"(^|_)(lat|latitude|lon|lng|long|longitude|geocode|geo_code|coords?|coordinates|latlong"
        r"|lat_long|lat_lng)$",
        ("numeric", "text", "coordinates", None),
        "coordinates",
    ),
    # money held in a plain number column
    (
        r"(^|_)(amt|amount|cost|price|fee|fees|balance|dollars|usd)$",
        ("numeric", "currency"),
        "currency",
    ),
    # 0/1 flags
    (r"^(is|has|can|was)_", ("numeric",), "boolean"),
)

# (native type regex, BUCP type), matched against the lower-cased native type without arguments.
NATIVE_TYPES: tuple[tuple[str, str], ...] = (
    (r"money|smallmoney|currency", "currency"),
    (r"bool|boolean|bit", "boolean"),
    (r"(tiny|small|medium|big)?int(eger)?\d*|serial|bigserial|smallserial|int\d", "numeric"),
    (r"numeric|decimal|dec|number|real|float\d*|double( precision)?|fixed", "numeric"),
    (
        r"(var)?char(acter)?( varying)?|n?varchar\d*|n?char|n?text|tinytext|mediumtext|longtext"
        r"|string|clob|nclob|uuid|uniqueidentifier|citext|enum|set|json|jsonb|xml",
        "text",
    ),
    (
        r"date|datetime\d*|smalldatetime|datetimeoffset|time(stamp)?( with(out)? time zone)?"
        r"|timestamptz|timetz|interval|year",
        "date and time",
    ),
    (r"geometry|geography|point|polygon|linestring|multipoint|multipolygon", "coordinates"),
    # known, and deliberately "other": binary and opaque types
    (r"blob|bytea|binary|varbinary|image|longblob|mediumblob|tinyblob|raw|long raw", "other"),
)

_NATIVE = tuple((re.compile(p), t) for p, t in NATIVE_TYPES)
_NAMES = tuple((re.compile(p), scope, t) for p, scope, t in NAME_RULES)


@dataclass(frozen=True)
class TypeMapping:
    bucp_type: str
    fallback: bool  # True when no table knew the native type (exported as "other")
    rule: str  # which table entry decided, for reports


def _base(native_type: str) -> str:
    """`VARCHAR(40)` -> `varchar`; `NUMERIC(10, 2) UNSIGNED` -> `numeric`."""
    text = native_type.strip().lower()
    text = re.sub(r"\(.*?\)", "", text)
    text = re.sub(r"\b(unsigned|signed|zerofill|not null|null)\b", "", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1024)
def native_bucp_type(native_type: str) -> str | None:
    base = _base(native_type)
    for pattern, bucp in _NATIVE:
        if pattern.fullmatch(base):
            return bucp
    return None


@lru_cache(maxsize=8192)  # column names and types repeat across tables; the answer is pure
def bucp_type(native_type: str, column: str) -> TypeMapping:
    """The BUCP type of one column, from its name first, then its native type."""
    native = native_bucp_type(native_type)
    name = column.rsplit(".", 1)[-1].lower()
    for pattern, scope, bucp in _NAMES:
        if pattern.search(name) and (scope is None or native in scope):
            return TypeMapping(bucp, fallback=False, rule=f"column name ({name})")
    if native is not None:
        return TypeMapping(native, fallback=False, rule=f"native:{_base(native_type)}")
    return TypeMapping("other", fallback=True, rule=f"unknown:{native_type}")
