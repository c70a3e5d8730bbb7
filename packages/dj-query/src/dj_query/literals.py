"""SQL literals for inserted values, rendered a whole column at a time.

Insert writes its values into the statement text instead of leaving them to the
driver's per-value escaping: a column whose values share one type is rendered with one
comprehension (numbers with `str`, text through one translation table, bytes as hex
literals `X'...'`, which contain only hex digits), which is what makes bulk inserts
cheap. Values of any other type go through the driver's own converter, so they are
rendered exactly as a bound parameter would be. Every `%` is doubled, because dj-core's
`Connection.query` always %-interpolates the statement.

`DEFAULT` is the keyword itself (core.md §12.1: None and NaN insert the column default).
"""

from __future__ import annotations

import datetime
import decimal
import math
from binascii import hexlify
from collections.abc import Sequence
from typing import Any

import numpy as np
from dj_core.dialects.mysql import value_literal

from dj_query._sql import STRING_ESCAPES, string_literal
from dj_query.errors import DataJointError

__all__ = ["DEFAULT", "render_column", "render_column_verbatim"]

DEFAULT = "DEFAULT"


def _bytes(value: bytes) -> str:
    return "X'" + value.hex() + "'"


def _float(value: float, name: str) -> str:
    if value != value:  # NaN
        return DEFAULT
    if math.isinf(value):
        raise DataJointError(
            f"Cannot insert {value} into `{name}`: the database stores no infinite numbers."
        )
    return repr(float(value))


def _temporal(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return "'" + value.isoformat(sep=" ") + "'"
    if isinstance(value, datetime.date):
        return "'" + value.isoformat() + "'"
    if isinstance(value, datetime.time):
        return "'" + value.isoformat() + "'"
    return _driver(value)


def _driver(value: Any) -> str:
    """The literal the driver would send for `value` as a parameter."""
    return value_literal(value).replace("%", "%%")


def render_value(value: Any, name: str = "?") -> str:
    """SQL literal of one already encoded value."""
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
        return _float(value, name)
    if kind is bytes or kind is bytearray or kind is memoryview:
        return _bytes(bytes(value))
    if isinstance(value, np.integer):
        return str(int(value))
    if isinstance(value, np.floating):
        if value != value:
            return DEFAULT
        if np.isinf(value):
            return _float(float(value), name)
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
        return render_value(value.astype(unit).item(), name)
    if isinstance(value, str):
        return string_literal(str(value))
    if isinstance(value, (bytes, bytearray)):
        return _bytes(bytes(value))
    if isinstance(value, datetime.timedelta):
        return _driver(value)
    if isinstance(value, (list, tuple, dict, set, np.ndarray)):
        raise DataJointError(
            f"Cannot insert a {kind.__name__} into attribute `{name}`: only blob and json "
            "attributes hold collections."
        )
    return _driver(value)


def render_column(values: Sequence[Any], name: str) -> list[str]:
    """Literals of a column of encoded values: one comprehension when the column holds
    one common type (besides None, which becomes DEFAULT), else value by value."""
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
    return [render_value(v, name) for v in values]


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
    return [_float(v, name) for v in values]


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


def render_column_verbatim(values: Sequence[Any], name: str) -> list[bytes | tuple[bytes, ...]]:
    """Literals of a column for a statement built as bytes and sent as it is (never
    %-interpolated, so `%` stays single). A column of bytes (blobs) gives each value as
    three pieces, `X'`, its hex digits and `'`, joined once into the statement: the
    digits of megabytes of blobs are then copied once instead of five times (str, row,
    statement, encoding, interpolation)."""
    if values and set(map(type, values)) == {bytes}:
        return [(b"X'", hexlify(v), b"'") for v in values]
    # every `%` render_column writes is doubled; halving the pairs restores the text
    return [literal.replace("%%", "%").encode() for literal in render_column(values, name)]
