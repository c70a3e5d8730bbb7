"""MySQL/MariaDB literals: every value written into statement text, in one place.

Two callers, one set of rules. A restriction compares with `value_literal` (None is
NULL; NaN and infinity cannot be compared). An insert renders a whole column at once
with `insert_literals` (None, NaN and NaT insert the column default, `DEFAULT`): a
column whose values share one type is rendered with one comprehension (numbers with
`str`/`repr`, text through one translation table, bytes as hex literals `X'...'`), which
is what makes bulk inserts cheap. Both write strings with MySQL's backslash escapes and
double every `%`, because `Connection.query` always %-interpolates a text statement.

The two differ where the stored values must stay as DataJoint 0.14 wrote them: numpy
floats are inserted as quoted `str()` text (keeping float32 values short, as 0.14 did)
but compared as `repr(float(...))`; empty bytes compare as `''`.
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from binascii import hexlify
from collections.abc import Sequence
from typing import Any

import numpy as np

from dj_core.errors import DataJointError

__all__ = [
    "DEFAULT",
    "STRING_ESCAPES",
    "insert_literals",
    "insert_literals_verbatim",
    "string_literal",
    "value_literal",
]

DEFAULT = "DEFAULT"

#: MySQL's backslash escapes, plus `%` doubled for %-interpolation
STRING_ESCAPES = str.maketrans(
    {
        "\0": "\\0",
        "\n": "\\n",
        "\r": "\\r",
        "\x1a": "\\Z",
        "\\": "\\\\",
        "'": "\\'",
        '"': '\\"',
        "%": "%%",
    }
)

#: the same without `%` doubling: DDL text (comments, defaults) and parameters
_DDL_ESCAPES = {key: value for key, value in STRING_ESCAPES.items() if key != ord("%")}


def string_literal(text: str, *, percent: bool = True) -> str:
    """A single-quoted string literal; `percent`: double `%` for %-interpolation."""
    return "'" + text.translate(STRING_ESCAPES if percent else _DDL_ESCAPES) + "'"


def _hex(value: bytes) -> str:
    return "X'" + value.hex() + "'"


def interval_text(value: datetime.timedelta) -> str:
    """A time span as the quoted text ``'[-]hh:mm:ss.ffffff'`` both servers read."""
    sign = "-" if value < datetime.timedelta(0) else ""
    micro = abs(value) // datetime.timedelta(microseconds=1)
    seconds, micro = divmod(micro, 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"'{sign}{hours:02d}:{minutes:02d}:{seconds:02d}.{micro:06d}'"


def _temporal(value: datetime.date | datetime.time) -> str:
    if isinstance(value, datetime.datetime):
        return string_literal(value.isoformat(sep=" "))
    return string_literal(value.isoformat())


# --- comparisons --------------------------------------------------------------------


def value_literal(value: Any) -> str:
    """`value` as the right-hand side of a comparison.

    Every string is escaped, so hostile text matches only itself (0.14 pasted
    `str(value)` between double quotes); `numpy.datetime64`, `timedelta` and `bytes`
    render as valid literals too.
    """
    if value is None:
        return "NULL"
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise DataJointError(
                f"Cannot compare with the non-finite number {value!r}: the database stores "
                "no NaN or infinity. Restrict by None to select NULL values."
            )
        return repr(float(value))
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _hex(bytes(value)) if len(value) else "''"
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return "NULL"
        return string_literal(str(value.astype("datetime64[us]").item()))
    if isinstance(value, (datetime.date, datetime.time)):
        return _temporal(value)
    if isinstance(value, datetime.timedelta):
        return interval_text(value)
    if isinstance(value, np.timedelta64):
        return interval_text(datetime.timedelta(microseconds=int(value / np.timedelta64(1, "us"))))
    return string_literal(str(value))  # Decimal, UUID, numpy strings, anything else


# --- inserts ------------------------------------------------------------------------


def _insert_float(value: float, name: str) -> str:
    if value != value:  # NaN
        return DEFAULT
    if math.isinf(value):
        raise DataJointError(
            f"Cannot insert {value} into `{name}`: the database stores no infinite numbers."
        )
    return repr(float(value))


def insert_literal(value: Any, name: str = "?") -> str:
    """The literal inserting one already encoded value into column `name`."""
    kind = type(value)
    if value is None:
        return DEFAULT
    if kind is str:
        return string_literal(value)
    if kind is bool or kind is np.bool_:
        return "1" if value else "0"
    if kind is int:
        return str(value)
    if kind is float:
        return _insert_float(value, name)
    if kind is bytes or kind is bytearray or kind is memoryview:
        return _hex(bytes(value))
    if isinstance(value, np.integer):
        return str(int(value))
    if isinstance(value, np.floating):
        if value != value:
            return DEFAULT
        if np.isinf(value):
            return _insert_float(float(value), name)
        return "'" + str(value) + "'"  # as 0.14: str() keeps float32 values short
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return DEFAULT
        return "'" + str(value) + "'"
    if isinstance(value, (datetime.date, datetime.time)):
        return _temporal(value)
    if isinstance(value, (np.datetime64, np.timedelta64)):
        if np.isnat(value):
            return DEFAULT
        unit = "datetime64[us]" if isinstance(value, np.datetime64) else "timedelta64[us]"
        return insert_literal(value.astype(unit).item(), name)
    if isinstance(value, str):
        return string_literal(str(value))
    if isinstance(value, (bytes, bytearray)):
        return _hex(bytes(value))
    if isinstance(value, datetime.timedelta):
        return interval_text(value)
    if isinstance(value, (list, tuple, dict, set, np.ndarray)):
        raise DataJointError(
            f"Cannot insert a {kind.__name__} into attribute `{name}`: only blob and json "
            "attributes hold collections."
        )
    if isinstance(value, uuid.UUID):
        return string_literal(str(value))
    return string_literal(str(value))


def insert_literals(values: Sequence[Any], name: str) -> list[str]:
    """Literals of a column of encoded values: one comprehension when the column holds
    one common type (besides None, which becomes DEFAULT), else value by value."""
    if len(values) == 1:  # one row's insert: the type's literal at once
        fast = _FAST.get(type(values[0]))
        return fast(values, name) if fast is not None else [insert_literal(values[0], name)]
    kinds = set(map(type, values))
    if len(kinds) == 2 and type(None) in kinds:
        kinds.discard(type(None))
        kind = next(iter(kinds))
        if kind in _FAST:
            present = [v for v in values if v is not None]
            rendered = iter(_FAST[kind](present, name))
            return [DEFAULT if v is None else next(rendered) for v in values]
    elif len(kinds) == 1:
        kind = next(iter(kinds))
        if kind in _FAST:
            return _FAST[kind](values, name)
    return [insert_literal(v, name) for v in values]


def _ints(values: Sequence[int], name: str) -> list[str]:
    return list(map(str, values))


def _strings(values: Sequence[str], name: str) -> list[str]:
    translate = str.translate
    table = STRING_ESCAPES
    return ["'" + translate(v, table) + "'" for v in values]


def _bytes_column(values: Sequence[bytes], name: str) -> list[str]:
    return ["X'" + v.hex() + "'" for v in values]


def _floats(values: Sequence[float], name: str) -> list[str]:
    if math.isfinite(sum(values)):  # no NaN, no infinity: checked in one pass in C
        return list(map(repr, values))
    return [_insert_float(v, name) for v in values]


def _dates(values: Sequence[datetime.date], name: str) -> list[str]:
    return ["'" + v.isoformat() + "'" for v in values]


def _datetimes(values: Sequence[datetime.datetime], name: str) -> list[str]:
    return ["'" + v.isoformat(" ") + "'" for v in values]


_FAST = {
    int: _ints,
    str: _strings,
    bytes: _bytes_column,
    float: _floats,
    datetime.date: _dates,
    datetime.datetime: _datetimes,
}


def insert_literals_verbatim(values: Sequence[Any], name: str) -> list[bytes | tuple[bytes, ...]]:
    """Literals of a column for a statement built as bytes and sent as it is (never
    %-interpolated, so `%` stays single). A column of bytes (blobs) gives each value as
    three pieces, `X'`, its hex digits and `'`, joined once into the statement: the
    digits of megabytes of blobs are then copied once instead of five times (str, row,
    statement, encoding, interpolation)."""
    if values and set(map(type, values)) == {bytes}:
        return [(b"X'", hexlify(v), b"'") for v in values]
    # every `%` insert_literals writes is doubled; halving the pairs restores the text
    return [literal.replace("%%", "%").encode() for literal in insert_literals(values, name)]
