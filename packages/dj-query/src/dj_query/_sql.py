"""SQL text for values and JSON paths, beside what the dialect itself renders.

Every value a query carries (dict restrictions, records) becomes SQL text here or in the
dialect (identifiers and strings: `compiler._Statement` asks `connection.dialect`),
escaped for MySQL/MariaDB literal rules. Statements later pass through the driver's
`%`-interpolation (dj-core's `Connection.query` contract), so every `%` that must reach
the server is written `%%`.

JSON paths are rendered here rather than by the dialect's `json_value_sql` because
MariaDB's CAST accepts fewer type names than columns do (`int unsigned`, `bigint`); once
the dialect maps them, these functions can delegate.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import uuid
import weakref
from typing import Any

import numpy as np

from dj_query.errors import DataJointError

_STRING_ESCAPES = str.maketrans(
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
    return "'" + text.translate(_STRING_ESCAPES) + "'"


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
    """SQL for the value at `$.path` inside json `attribute`, optionally as `type_`.

    MySQL 8 has `json_value(doc, path RETURNING type)`; MariaDB's json_value has no
    RETURNING clause, so the value is cast instead (same result).
    """
    column = _quote(connection, attribute)
    if _is_mariadb(connection):
        sql = f"json_value({column}, '$.{path}')"
        return f"cast({sql} as {_mariadb_cast(type_)})" if type_ else sql
    returning = f" returning {type_}" if type_ else ""
    return f"json_value({column}, _utf8mb4'$.{path}'{returning})"


def json_document_equals(connection: Any, attribute: str, path: str, document: str) -> str:
    """Whether the object or array at `$.path` equals the JSON text `document`.

    MySQL's json_value returns an object as its JSON text, compared as text (as
    DataJoint 0.14 does); MariaDB's returns NULL for objects, so the document is
    extracted with json_query and compared structurally.
    """
    column = _quote(connection, attribute)
    if _is_mariadb(connection):
        # json_equals(NULL, x) is true on MariaDB 10.11: test for presence first
        found = f"json_query({column}, '$.{path}')"
        return f"{found} IS NOT NULL AND json_equals({found}, {string_literal(document)})"
    return f"json_value({column}, _utf8mb4'$.{path}')={string_literal(document)}"


def _quote(connection: Any, name: str) -> str:
    return escape_percent(connection.dialect.quote(name))


def _mariadb_cast(type_: str) -> str:
    # CAST accepts fewer type names than column declarations
    lowered = type_.strip().lower()
    if re.match(r"(tiny|small|medium|big)?int(eger)?\b", lowered):
        return "unsigned" if "unsigned" in lowered else "signed"
    if lowered.startswith(("varchar", "char", "text")):
        return "char"
    if lowered.startswith(("float", "real")):
        return "double"
    return type_


_FLAVOURS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _is_mariadb(connection: Any) -> bool:
    """Whether the server is MariaDB (asked once per connection)."""
    try:
        return _FLAVOURS[connection]
    except KeyError:
        pass
    version = connection.dialect.server_version(connection)
    flavour = version.flavour == "mariadb"
    try:
        _FLAVOURS[connection] = flavour
    except TypeError:
        pass
    return flavour
