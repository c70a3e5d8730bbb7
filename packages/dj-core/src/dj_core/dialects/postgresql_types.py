"""The definition language's types on PostgreSQL, both ways.

DataJoint 0.14's types are MySQL's. PostgreSQL lacks some of them (unsigned integers,
`tinyint`, `enum` without a shared type, `datetime`, sized blobs), so each declared type
becomes a PostgreSQL column type plus, where needed, a range `CHECK` that refuses what
MySQL's strict mode refuses (`column_for`).

Reading a table back must give the type the user declared, so a definition round-trips
and one heading reader serves both servers. Where the column type alone does not say it
(``int unsigned`` is a `bigint`), the declared type is kept at the front of the column
comment as ``:int unsigned:``; `reported_type` reads it back and strips it, leaving the
comment exactly as MySQL stores it in 0.14 (``:uuid:``, ``:blob@store:`` ... included).
A user comment can never start with a colon (declarations refuse it), so the marker is
unambiguous; a special type's marker (``:uuid:``) is told apart from a declared-type
marker by its category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dj_core.attribute_types import SPECIAL_TYPES, match_type
from dj_core.errors import DataJointError

__all__ = ["ColumnType", "column_for", "declared_marker", "reported_type", "split_marker"]

#: (signed type, signed range, unsigned type, unsigned upper bound) per integer width
_INTEGERS = {
    "tinyint": ("smallint", (-128, 127), "smallint", 255),
    "smallint": ("smallint", None, "integer", 65535),
    "mediumint": ("integer", (-8388608, 8388607), "integer", 16777215),
    "int": ("integer", None, "bigint", 4294967295),
    "bigint": ("bigint", None, "numeric(20,0)", 18446744073709551615),
}
_INTEGER_ALIASES = {
    "int1": "tinyint",
    "int2": "smallint",
    "int3": "mediumint",
    "middleint": "mediumint",
    "int4": "int",
    "integer": "int",
    "int8": "bigint",
}
#: PostgreSQL's limits on declared sizes (numeric digits, varchar characters)
_MAX_NUMERIC_PRECISION = 1000
_MAX_VARCHAR = 10485760
#: the largest value of each sized blob (longblob: PostgreSQL's own limit, 1 GB)
_BLOB_LIMITS = {"tinyblob": 255, "blob": 65535, "mediumblob": 16777215}

_INTEGER = re.compile(
    r"(?P<width>tiny|small|medium|big|)int(?:eger)?(?:\s*\(\s*\d+\s*\))?"
    r"(?P<unsigned>\s+unsigned)?(?:\s+zerofill)?$"
)
_NUMBER = re.compile(
    r"(?P<kind>decimal|numeric|float|double|real)(?P<args>\s*\([^)]*\))?(?P<unsigned>\s+unsigned)?$"
)
_TEMPORAL = re.compile(r"(?P<kind>datetime|timestamp|time)(?:\s*\(\s*(?P<fsp>\d)\s*\))?$")
_CHAR = re.compile(r"(?P<kind>var)?char\s*\(\s*(?P<length>\d+)\s*\)$")
_ENUM_VALUE = re.compile(r"'((?:[^'\\]|''|\\.)*)'|\"((?:[^\"\\]|\"\"|\\.)*)\"")


@dataclass(frozen=True)
class ColumnType:
    """A declared type on PostgreSQL: the column type, an optional CHECK condition over
    the column (``{column}`` stands for its quoted name), whether it is an identity
    (auto_increment) column, and the declared type to keep in the comment (None when
    the column type reports it by itself)."""

    sql: str
    check: str | None = None
    identity: bool = False
    marker: str | None = None


def _normalise(declared: str) -> tuple[str, bool]:
    """(declared type lowercased with single spaces and no auto_increment, identity?)."""
    text = " ".join(declared.strip().split())
    identity = bool(re.search(r"\bauto_increment\b", text, re.I))
    text = re.sub(r"\s*\bauto_increment\b", "", text, flags=re.I).strip()
    lowered = text.lower()
    if lowered == "serial":
        return "bigint unsigned", True
    if lowered.startswith("enum"):
        return "enum" + text[4:].lstrip(), identity  # enum values keep their case
    return lowered, identity


def _range_check(low: int, high: int) -> str:
    return f"{{column}} BETWEEN {low} AND {high}"


def _integer(match: re.Match[str], identity: bool) -> ColumnType:
    width = (match["width"] or "") + "int"
    signed_type, signed_range, unsigned_type, upper = _INTEGERS[width]
    if match["unsigned"]:
        sql = unsigned_type
        if identity and sql.startswith("numeric"):
            sql = "bigint"  # identities are integers; the CHECK keeps them non-negative
        return ColumnType(sql, _range_check(0, upper), identity)
    check = _range_check(*signed_range) if signed_range else None
    return ColumnType(signed_type, check, identity)


def enum_values(declared: str) -> list[str]:
    """The values of ``enum('a','b')`` as written (quotes removed, doubled quotes kept single)."""
    body = declared[declared.index("(") + 1 : declared.rindex(")")]
    values = []
    for single, double in _ENUM_VALUE.findall(body):
        text = single if single or not double else double
        values.append(text.replace("''", "'").replace('""', '"'))
    return values


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _column_type(declared: str, identity: bool) -> ColumnType:
    text = _INTEGER_ALIASES.get(declared.split(" ")[0], None)
    if text is not None:
        declared = text + declared[len(declared.split(" ")[0]) :]
    match = _INTEGER.match(declared)
    if match:
        return _integer(match, identity)
    if identity:
        raise DataJointError(
            f"auto_increment applies to integer types only, not {declared!r}: declare the "
            "attribute as an integer or drop auto_increment."
        )
    match = _NUMBER.match(declared)
    if match:
        kind, args = match["kind"], (match["args"] or "").replace(" ", "")
        check = "{column} >= 0" if match["unsigned"] else None
        numbers = [int(n) for n in re.findall(r"\d+", args)]
        if kind in ("decimal", "numeric"):
            if numbers and numbers[0] > _MAX_NUMERIC_PRECISION:
                raise DataJointError(
                    f"{declared!r} has more digits than PostgreSQL's numeric holds "
                    f"({_MAX_NUMERIC_PRECISION}): declare fewer, or use double."
                )
            return ColumnType(f"numeric{args or '(10,0)'}", check)
        if kind == "float":
            if len(numbers) == 1 and numbers[0] > 53:  # MySQL refuses float(54) and up
                raise DataJointError(
                    f"{declared!r}: a float holds at most 53 bits of precision; declare double."
                )
            if len(numbers) == 1 and numbers[0] > 24:  # MySQL: float(25..53) is a double
                return ColumnType("double precision", check)
            return ColumnType("real", check)
        return ColumnType("double precision", check)  # double, real (MySQL: double)
    match = _TEMPORAL.match(declared)
    if match:
        if match["fsp"] is not None and int(match["fsp"]) > 6:
            # PostgreSQL would cut it to 6 with only a warning; MySQL refuses it
            raise DataJointError(
                f"{declared!r}: fractional seconds go to 6 digits at most; declare "
                f"{match['kind']}(6)."
            )
        fsp = f"({match['fsp']})" if match["fsp"] is not None else "(0)"
        if match["kind"] == "time":
            return ColumnType(f"interval{fsp}")  # 0.14 fetches time as timedelta
        return ColumnType(f"timestamp{fsp}")
    match = _CHAR.match(declared)
    if match:
        if int(match["length"]) > _MAX_VARCHAR:
            raise DataJointError(
                f"{declared!r} is longer than PostgreSQL's varchar holds ({_MAX_VARCHAR} "
                "characters): declare a shorter length, or store the text in a blob."
            )
        # char(n) is varchar(n): PostgreSQL pads char values with spaces when read,
        # MySQL strips them
        return ColumnType(f"varchar({match['length']})")
    if declared.startswith("enum"):
        values = enum_values(declared)
        if not values:
            raise DataJointError(f"The enum type {declared!r} lists no values.")
        listed = ",".join(_sql_string(value) for value in values)
        width = max(len(value) for value in values)
        return ColumnType(f"varchar({max(width, 1)})", f"{{column}} IN ({listed})")
    if declared in ("bool", "boolean"):
        return ColumnType("smallint", "{column} IN (0,1)")  # 0.14 fetches integers
    if declared == "year":
        return ColumnType("smallint", _range_check(1901, 2155))
    if declared == "date":
        return ColumnType("date")
    if declared == "json":
        return ColumnType("jsonb")
    if declared in ("uuid", "binary(16)"):  # uuid and external references
        return ColumnType("uuid")
    if declared == "longblob":
        return ColumnType("bytea")
    if declared in _BLOB_LIMITS:
        return ColumnType("bytea", f"octet_length({{column}}) <= {_BLOB_LIMITS[declared]}")
    raise DataJointError(
        f"The type {declared!r} has no PostgreSQL column: use one of the DataJoint types "
        "(integers, decimal, float, double, char/varchar, enum, bool, date, time, "
        "datetime, timestamp, json, uuid, blobs)."
    )


def column_for(declared: str) -> ColumnType:
    """The PostgreSQL column of a declared type (as the definition writes it, possibly
    with ``auto_increment``); `DataJointError` naming the type when there is none."""
    normalised, identity = _normalise(declared)
    column = _column_type(normalised, identity)
    reported = reported_type(column.sql)
    if reported != normalised:
        column = ColumnType(column.sql, column.check, column.identity, normalised)
    return column


_REPORTED = (
    (re.compile(r"integer$"), "int"),
    (re.compile(r"real$"), "float"),
    (re.compile(r"double precision$"), "double"),
    (re.compile(r"numeric(\(.*\))$"), r"decimal\1"),
    (re.compile(r"character varying(\(\d+\))$"), r"varchar\1"),
    (re.compile(r"character(\(\d+\))$"), r"char\1"),
    (re.compile(r"timestamp\((\d)\) without time zone$"), r"timestamp(\1)"),
    (re.compile(r"timestamp without time zone$"), "timestamp"),
    (re.compile(r"timestamp\(0\)$"), "timestamp"),
    (re.compile(r"interval(\(\d\))?$"), r"time\1"),
    (re.compile(r"time\(0\)$"), "time"),
    (re.compile(r"jsonb$"), "json"),
    (re.compile(r"bytea$"), "longblob"),
    (re.compile(r"uuid$"), "binary(16)"),
)


def reported_type(pg_type: str) -> str:
    """The declared type a PostgreSQL column type stands for when its comment keeps none
    (``integer`` → ``int``, ``bytea`` → ``longblob``, ``uuid`` → ``binary(16)`` as 0.14's
    uuid and external columns are)."""
    text = pg_type.strip().lower()
    for pattern, replacement in _REPORTED:
        text = pattern.sub(replacement, text)
    return text


_MARKER = re.compile(r":(?P<type>(?:[^:'\"]|'(?:[^']|'')*'|\"[^\"]*\")+):")


def split_marker(comment: str) -> tuple[str | None, str]:
    """(declared type, rest of the comment) of a stored column comment; (None, comment)
    when it starts with no declared-type marker (a special type's ``:uuid:`` stays)."""
    match = _MARKER.match(comment or "")
    if match is None:
        return None, comment or ""
    declared = match["type"]
    try:
        category = match_type(declared)[0]
    except DataJointError:
        return None, comment
    if category in SPECIAL_TYPES:
        return None, comment
    return declared, comment[match.end() :]


def declared_marker(column: ColumnType) -> str:
    """The text put before the 0.14 comment of a column (empty when none is needed)."""
    return f":{column.marker}:" if column.marker else ""
