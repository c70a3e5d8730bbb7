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

import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from dj_core.attribute_types import SPECIAL_TYPES, match_type
from dj_core.errors import DataJointError

__all__ = [
    "ColumnType",
    "ValueTest",
    "column_for",
    "declared_marker",
    "mysql_spelling",
    "reported_type",
    "split_marker",
    "value_test",
]

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
    """The values of ``enum('a','b')`` as MySQL stores them: quotes removed, a doubled
    quote and MySQL's backslash escapes (``\\'``, ``\\\\``, ``\\n`` ...) read as the
    characters they stand for."""
    body = declared[declared.index("(") + 1 : declared.rindex(")")]
    values = []
    for single, double in _ENUM_VALUE.findall(body):
        text, quote = (single, "'") if single or not double else (double, '"')
        values.append(_ESCAPE.sub(_unescape, text.replace(quote * 2, quote)))
    return values


# MySQL's escapes in string literals; any other escaped character stands for itself
_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}


def _unescape(match: re.Match[str]) -> str:
    return _ESCAPES.get(match[1], match[1])


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
    spelled = mysql_spelling(normalised)
    if reported_type(column.sql) != spelled:
        column = ColumnType(column.sql, column.check, column.identity, spelled)
    return column


def mysql_spelling(declared: str) -> str:
    """A declared type as MySQL's catalog reports a column declared so (0.14 code
    compares these strings): ``enum("a", 'b')`` → ``enum('a','b')``, ``decimal(6, 2)``
    → ``decimal(6,2)``, ``numeric`` → ``decimal(10,0)``, ``integer`` → ``int``, ``bool``
    → ``tinyint``, ``real`` → ``double``, ``float(30)`` → ``double``, ``time(0)`` →
    ``time``. Integer display widths stay (the heading drops them, as it does MySQL
    5.7's)."""
    text = " ".join(declared.strip().split())
    if text[:4].lower() == "enum":
        quoted = (value.replace("\\", "\\\\").replace("'", "''") for value in enum_values(text))
        return "enum(" + ",".join(f"'{value}'" for value in quoted) + ")"
    text = re.sub(r"\s*([(,])\s*", r"\1", text.lower())
    text = re.sub(r"\s*\)", ")", text)
    head = re.match(r"[a-z0-9_]+", text)
    word = head[0] if head else ""
    rest = text[len(word) :]
    word = _INTEGER_ALIASES.get(word, word)
    if word in ("bool", "boolean"):
        word = "tinyint"
    elif word == "real":
        word = "double"
    elif word in ("decimal", "numeric", "dec", "fixed"):
        word = "decimal"
        digits = re.match(r"\((\d+)(?:,(\d+))?\)", rest)
        if digits is None:
            rest = "(10,0)" + rest
        elif digits[2] is None:
            rest = f"({digits[1]},0)" + rest[digits.end() :]
    elif word == "float":
        bits = re.match(r"\((\d+)\)", rest)
        if bits is not None:
            word, rest = ("float" if int(bits[1]) <= 24 else "double"), rest[bits.end() :]
    elif word in ("datetime", "timestamp", "time") and rest == "(0)":
        rest = ""
    return word + rest


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


# --- which value a column refuses ---------------------------------------------------


@dataclass(frozen=True)
class ValueTest:
    """What a column admits, told in Python: PostgreSQL's errors for a refused value name
    neither the row nor, for a type's own limits, the column, so the dialect finds the
    value among the statement's rows. `kind` ("string" or "number") matches the
    SQLSTATE class of the error; `sql` is the column type (as `column_for` makes it)."""

    kind: str
    sql: str
    refuses: Callable[[Any], bool]


# the ranges of PostgreSQL's integer types (a signed width without a CHECK)
_PG_RANGES = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
_REAL_MAX = Decimal("3.4028235e38")
_HALF = Decimal("0.5")
_UNKNOWN = object()  # a value of a kind the test cannot judge: admitted


def value_test(declared: str) -> ValueTest | None:
    """The test of the values a column of the declared type refuses (None: a type whose
    refusals the server names by itself, or that no test here judges)."""
    try:
        normalised, identity = _normalise(declared)
        column = _column_type(normalised, identity)
    except DataJointError:
        return None
    alias = _INTEGER_ALIASES.get(normalised.split(" ")[0])
    if alias is not None:
        normalised = alias + normalised[len(normalised.split(" ")[0]) :]
    match = _INTEGER.match(normalised)
    if match:
        width = (match["width"] or "") + "int"
        signed_type, signed_range, _, upper = _INTEGERS[width]
        low, high = (0, upper) if match["unsigned"] else signed_range or _PG_RANGES[signed_type]
        return ValueTest("number", column.sql, lambda value: _outside(value, low, high))
    if normalised in ("bool", "boolean"):
        return ValueTest("number", column.sql, lambda value: _outside(value, 0, 1))
    if normalised == "year":
        return ValueTest("number", column.sql, lambda value: _outside(value, 1901, 2155))
    match = _NUMBER.match(normalised)
    if match:
        return ValueTest("number", column.sql, _number_test(column.sql, bool(match["unsigned"])))
    if normalised.startswith("enum"):
        values = frozenset(enum_values(normalised))
        return ValueTest("string", column.sql, lambda value: _not_listed(value, values))
    match = _CHAR.match(normalised)
    if match:
        length = int(match["length"])
        return ValueTest("string", column.sql, lambda value: _too_long(value, length))
    return None


def _number(value: Any) -> Any:
    """`value` as a Decimal; None when it reads as no finite number; _UNKNOWN when it is
    missing (the default) or of a kind not judged here."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return _UNKNOWN
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, numbers.Real):
        number = float(value)
        return Decimal(repr(number)) if math.isfinite(number) else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return _UNKNOWN


def _outside(value: Any, low: int, high: int) -> bool:
    """Whether an integer column of range [low, high] refuses `value` (PostgreSQL rounds
    a fraction half away from zero)."""
    number = _number(value)
    if number is _UNKNOWN:
        return False
    return number is None or not (low - _HALF < number < high + _HALF)


def _number_test(sql: str, unsigned: bool) -> Callable[[Any], bool]:
    digits = re.fullmatch(r"numeric\((\d+),(\d+)\)", sql)

    def refuses(value: Any) -> bool:
        number = _number(value)
        if number is _UNKNOWN:
            return False
        if number is None:
            return not isinstance(value, numbers.Real)  # float columns take inf and nan
        if digits is not None:
            precision, scale = int(digits[1]), int(digits[2])
            with localcontext() as exact:
                exact.prec = 2 * _MAX_NUMERIC_PRECISION + 1
                # rounded half away from zero to `scale` digits, it must stay below the limit
                limit = Decimal(10) ** (precision - scale) - Decimal(5).scaleb(-scale - 1)
                if abs(number) >= limit:
                    return True
                number = number.quantize(Decimal(1).scaleb(-scale), ROUND_HALF_UP)
        elif sql == "real" and abs(number) > _REAL_MAX:
            return True
        return unsigned and number < 0

    return refuses


def _text(value: Any) -> Any:
    """The text a value is sent as, for a string column (_UNKNOWN: not judged)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (numbers.Number, Decimal)) and not isinstance(value, complex):
        return str(value)
    return _UNKNOWN


def _not_listed(value: Any, values: frozenset[str]) -> bool:
    text = _text(value)
    return text is not _UNKNOWN and text not in values


def _too_long(value: Any, length: int) -> bool:
    """Whether a varchar(length) refuses `value` (PostgreSQL cuts trailing spaces only)."""
    text = _text(value)
    return text is not _UNKNOWN and len(text) > length and text[length:].strip(" ") != ""
