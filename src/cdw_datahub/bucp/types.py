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

# (regex, BUCP type) matched against the whole lower-cased native type, arguments included, before
# the table below: a few types mean something else with one particular argument.
EXACT_TYPES: tuple[tuple[str, str], ...] = (
    (r"tinyint\(1\)", "boolean"),  # MySQL/MariaDB's BOOLEAN is stored and reported as TINYINT(1)
    (r"bit(\(1\))?", "boolean"),  # SQL Server BIT, MySQL BIT(1)
    (r"bit( varying)?\(\d+\)|varbit(\(\d+\))?", "other"),  # a bit string, not a flag
)

# Noise the dialects append to a type that does not change what it holds: MySQL's character set
# and collation, PostgreSQL's domain name (cdw sources report a domain as "BASE DOMAIN name").
TYPE_SUFFIXES: tuple[str, ...] = (
    r"\s+(character set|charset)\s+\S+",
    r"\s+collate\s+\S+",
    r"\s+domain\s+.*$",
    r"\s+(unsigned|signed|zerofill)\b",
    r"\s+(not null|null)\b",
)

# (native type regex, BUCP type), matched against the lower-cased native type without arguments
# and suffixes. Sources: PostgreSQL, MySQL/MariaDB, SQL Server, Oracle and SQLite type names as
# their SQLAlchemy dialects (and DataHub's sources) report them; DataHub's excel source reports
# a sheet column's pandas dtype (`object` for text cells, `datetime64[ns]`, `int64`, `bool`).
NATIVE_TYPES: tuple[tuple[str, str], ...] = (
    (r"money|smallmoney|currency", "currency"),
    (r"bool|boolean", "boolean"),
    (
        r"(tiny|small|medium|big)?int(eger)?\d*|serial\d?|bigserial|smallserial|int\d|oid"
        r"|pls_integer|binary_integer",
        "numeric",
    ),
    (
        r"numeric|decimal|dec|number|real|float\d*|double( precision)?|fixed|binary_float"
        r"|binary_double|int4range|int8range|numrange",
        "numeric",
    ),
    (
        r"(var)?char(acter)?( varying)?|n?varchar\d*|n?char|n?text|tinytext|mediumtext|longtext"
        r"|string|n?clob|long|uuid|uniqueidentifier|citext|enum( .*)?|set|json|jsonb|xml|xmltype"
        r"|tsvector|tsquery|inet|cidr|macaddr8?|ltree|hstore|name|object",
        "text",
    ),
    (
        r"date|datetime\d*|smalldatetime|datetimeoffset"
        r"|time(stamp)?( with(out)?( local)? time zone)?|timestamptz|timetz"
        r"|interval( (day|year|hour|minute)( to (month|second|minute|hour))?)?"
        r"|year|daterange|tsrange|tstzrange|datetime64\[[^\]]*\]|timedelta64(\[[^\]]*\])?",
        "date and time",
    ),
    (
        r"geometry|geography|point|line|lseg|box|path|polygon|circle|linestring|multipoint"
        r"|multilinestring|multipolygon|geometrycollection|geomcollection|sdo_geometry"
        r"|sdo_point_type",
        "coordinates",
    ),
    # known, and deliberately "other": binary and opaque types
    (
        r"blob|bytea|binary|varbinary|image|longblob|mediumblob|tinyblob|raw|long raw|bfile"
        r"|rowversion|sql_variant|hierarchyid|rowid|urowid|vector|halfvec|sparsevec|raster",
        "other",
    ),
)

_EXACT = tuple((re.compile(p), t) for p, t in EXACT_TYPES)
_SUFFIXES = tuple(re.compile(p) for p in TYPE_SUFFIXES)
_NATIVE = tuple((re.compile(p), t) for p, t in NATIVE_TYPES)
_NAMES = tuple((re.compile(p), scope, t) for p, scope, t in NAME_RULES)


@dataclass(frozen=True)
class TypeMapping:
    bucp_type: str
    fallback: bool  # True when no table knew the native type (exported as "other")
    rule: str  # which table entry decided, for reports


def _clean(native_type: str) -> str:
    """Lower-cased, the TYPE_SUFFIXES removed, arguments kept."""
    text = " ".join(native_type.strip().lower().split())
    for suffix in _SUFFIXES:
        text = suffix.sub("", text)
    return text.strip()


def _base(native_type: str) -> str:
    """`VARCHAR(40)` -> `varchar`; `NUMERIC(10, 2) UNSIGNED` -> `numeric`."""
    text = re.sub(r"\(.*?\)", "", _clean(native_type))
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1024)
def native_bucp_type(native_type: str) -> str | None:
    """The BUCP type a native type means, or None when no table knows it.

    An array (PostgreSQL `TEXT[]`) holds values of its element type, and is typed by it."""
    cleaned = _clean(native_type)
    if cleaned.endswith("[]"):
        return native_bucp_type(cleaned.rstrip("[]").strip())
    for pattern, bucp in _EXACT:
        if pattern.fullmatch(cleaned):
            return bucp
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
