"""PostgreSQL literals: every value written into statement text, in one place.

The same two callers and rules as `mysql_literals` (restrictions compare with
`value_literal`, None is NULL; inserts render whole columns with `insert_literals`,
None/NaN/NaT become DEFAULT; every `%` is doubled for the %-interpolation of
`Connection.query`), in PostgreSQL's spelling: strings are standard SQL strings (quotes
doubled, backslashes literal: DataJoint connections keep `standard_conforming_strings`
on), bytes are ``'\\x…'::bytea``, UUIDs ``'…'::uuid``, booleans 1/0 (0.14's `bool`
columns hold integers), intervals for `timedelta`. Text cannot hold the NUL character
on PostgreSQL; such a string is refused with a `DataJointError` naming the column.
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

from dj_core.dialects import mysql_literals
from dj_core.dialects.mysql_literals import _dates, _datetimes, _floats, _insert_float, _ints
from dj_core.errors import DataJointError

__all__ = ["insert_literals", "insert_literals_verbatim", "string_literal", "value_literal"]

DEFAULT = "DEFAULT"


def _check_text(text: str, name: str) -> None:
    if "\0" in text:
        raise DataJointError(
            f"The text for `{name}` contains a NUL character, which PostgreSQL cannot "
            "store in text: remove it or store the value in a blob."
        )


def string_literal(text: str, *, percent: bool = True, name: str = "?") -> str:
    """A single-quoted string literal; `percent`: double `%` for %-interpolation."""
    _check_text(text, name)
    body = text.replace("'", "''")
    return "'" + (body.replace("%", "%%") if percent else body) + "'"


def _bytes(value: bytes) -> str:
    return "'\\x" + value.hex() + "'::bytea"


def _interval(value: datetime.timedelta) -> str:
    return mysql_literals.interval_text(value) + "::interval"


def _temporal(value: datetime.date | datetime.time) -> str:
    if isinstance(value, datetime.datetime):
        return "'" + value.isoformat(sep=" ") + "'"
    return "'" + value.isoformat() + "'"


def value_literal(value: Any) -> str:
    """`value` as the right-hand side of a comparison (None → NULL)."""
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
        return _bytes(bytes(value))
    if isinstance(value, uuid.UUID):
        return f"'{value}'::uuid"
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return "NULL"
        return _temporal(value.astype("datetime64[us]").item())
    if isinstance(value, (datetime.date, datetime.time)):
        return _temporal(value)
    if isinstance(value, datetime.timedelta):
        return _interval(value)
    if isinstance(value, np.timedelta64):
        return _interval(datetime.timedelta(microseconds=int(value / np.timedelta64(1, "us"))))
    return string_literal(str(value))  # Decimal, numpy strings, anything else


def insert_literal(value: Any, name: str = "?") -> str:
    """The literal inserting one already encoded value into column `name`."""
    if value is None:
        return DEFAULT
    if isinstance(value, str):
        return string_literal(value, name=name)
    if isinstance(value, (float, np.floating)):
        if isinstance(value, np.floating) and math.isfinite(value):
            # str() keeps float32 values short (as 0.14); unquoted, a numeric constant
            # also fits an integer column (quoted '1.0' is not an integer's text)
            return str(value)
        return _insert_float(float(value), name)
    if isinstance(value, decimal.Decimal):
        return DEFAULT if value.is_nan() else "'" + str(value) + "'"
    if isinstance(value, (np.datetime64, np.timedelta64)):
        if np.isnat(value):
            return DEFAULT
        unit = "datetime64[us]" if isinstance(value, np.datetime64) else "timedelta64[us]"
        return insert_literal(value.astype(unit).item(), name)
    if isinstance(value, (list, tuple, dict, set, np.ndarray)):
        raise DataJointError(
            f"Cannot insert a {type(value).__name__} into attribute `{name}`: only blob and "
            "json attributes hold collections."
        )
    return value_literal(value)


def insert_literals(values: Sequence[Any], name: str) -> list[str]:
    """Literals of a column of encoded values: one comprehension when every value has
    one of the common types (besides None, which becomes DEFAULT), else value by value."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if len(kinds) == 1:
        fast = _FAST.get(next(iter(kinds)))
        if fast is not None:
            present = [v for v in values if v is not None]
            rendered = iter(fast(present, name))
            return [DEFAULT if v is None else next(rendered) for v in values]
    return [insert_literal(v, name) for v in values]


def _strings(values: Sequence[str], name: str) -> list[str]:
    if any("\0" in v for v in values):
        return [string_literal(v, name=name) for v in values]
    return ["'" + v.replace("'", "''").replace("%", "%%") + "'" for v in values]


def _bytes_column(values: Sequence[bytes], name: str) -> list[str]:
    return ["'\\x" + v.hex() + "'::bytea" for v in values]


_FAST = {
    int: _ints,
    str: _strings,
    bytes: _bytes_column,
    float: _floats,
    datetime.date: _dates,
    datetime.datetime: _datetimes,
}


def insert_literals_verbatim(values: Sequence[Any], name: str) -> list[bytes | tuple[bytes, ...]]:
    """Literals of a column for a statement sent as it is (never %-interpolated): a
    column of bytes gives each value in pieces (``'\\x``, its hex digits, ``'::bytea``),
    joined once into the statement."""
    if values and set(map(type, values)) == {bytes}:
        return [(b"'\\x", hexlify(v), b"'::bytea") for v in values]
    return [literal.replace("%%", "%").encode() for literal in insert_literals(values, name)]
