"""SQL text for values and JSON paths, beside what the dialect itself renders.

Every value a query carries (dict restrictions, records) becomes SQL text here or in the
dialect (identifiers and strings: `compiler._Statement` asks `connection.dialect`),
escaped for MySQL/MariaDB literal rules. Statements later pass through the driver's
`%`-interpolation (dj-core's `Connection.query` contract), so every `%` that must reach
the server is written `%%`.

JSON paths are the dialect's text (`json_value_sql`, `json_equals_sql`: MySQL's
`RETURNING`, MariaDB's casts); the helpers here only pass the server version and double
`%`.
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from typing import Any

import numpy as np

from dj_query.errors import DataJointError

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


def escape_percent(text: str) -> str:
    """Double `%` so that text written by the user reaches the server unchanged."""
    return text.replace("%", "%%")


def string_literal(text: str) -> str:
    """A single-quoted MySQL string literal; quotes, backslashes, NUL and `%` escaped."""
    return "'" + text.translate(STRING_ESCAPES) + "'"


def _timedelta_literal(value: datetime.timedelta) -> str:
    sign = "-" if value < datetime.timedelta(0) else ""
    micro = abs(value) // datetime.timedelta(microseconds=1)
    seconds, micro = divmod(micro, 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"'{sign}{hours:02d}:{minutes:02d}:{seconds:02d}.{micro:06d}'"


def literal(value: Any) -> str:
    """Render a Python value as an SQL literal (the right-hand side of an equality).

    Unlike DataJoint 0.14, which pasted `str(value)` between double quotes, every string
    is escaped, so hostile text matches only itself; `numpy.datetime64`, `timedelta` and
    `bytes` render as valid literals too.
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
        return "X'" + bytes(value).hex() + "'" if len(value) else "''"
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return "NULL"
        return string_literal(str(value.astype("datetime64[us]").item()))
    if isinstance(value, datetime.datetime):
        return string_literal(value.isoformat(sep=" "))
    if isinstance(value, (datetime.date, datetime.time)):
        return string_literal(value.isoformat())
    if isinstance(value, datetime.timedelta):
        return _timedelta_literal(value)
    if isinstance(value, np.timedelta64):
        return _timedelta_literal(
            datetime.timedelta(microseconds=int(value / np.timedelta64(1, "us")))
        )
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return string_literal(str(value))
    if isinstance(value, np.str_):
        return string_literal(str(value))
    return string_literal(str(value))


def json_value(connection: Any, attribute: str, path: str, type_: str | None) -> str:
    """SQL for the value at `$.path` inside json `attribute`, optionally as `type_` (the
    dialect's text for this server, `%` doubled)."""
    dialect = connection.dialect
    return escape_percent(
        dialect.json_value_sql(attribute, path, type_, server=dialect.server_version(connection))
    )


def json_document_equals(connection: Any, attribute: str, path: str, document: str) -> str:
    """Whether the object or array at `$.path` equals the JSON text `document` (the
    dialect's text for this server, `%` doubled)."""
    dialect = connection.dialect
    return escape_percent(
        dialect.json_equals_sql(
            attribute, path, document, server=dialect.server_version(connection)
        )
    )
