"""Large inserts on PostgreSQL by ``COPY ... FROM STDIN``.

A multi-row INSERT of 100,000 rows spends most of its time in the server parsing the
statement's literals; ``COPY`` takes the rows as a stream of text that psycopg formats in
C, several times faster. It is used only where it has exactly the INSERT's effect:

- every value is of a type whose COPY text is the INSERT literal's text. Strings, dates
  and datetimes are written as untyped literals in an INSERT, so the server reads both
  through the same type input function; integers and finite floats only go into
  numeric columns, where the two texts mean the same number;
- None only where the INSERT's DEFAULT is NULL (a nullable attribute): COPY has no
  DEFAULT on PostgreSQL 15;
- no NUL character in a string (the INSERT path refuses it, naming the column), no NaN
  (which the INSERT writes as DEFAULT).

Anything else goes the INSERT way. Errors are the INSERT's: the same SQLSTATEs, and a
refused value's row and column come from the error's ``COPY t, line N, column c`` context.
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["bindable", "load_rows", "loadable"]

_NONE = type(None)
_TEXT = frozenset({str})
_NUMBERS = frozenset({int, str})
_FRACTIONS = frozenset({int, float, decimal.Decimal, str})
_TEMPORAL = frozenset({str, datetime.date, datetime.datetime})

#: per attribute category, the value types whose COPY text equals the INSERT literal
_KINDS: dict[str, frozenset[type]] = {
    "INTEGER": _NUMBERS,
    "BOOL": _NUMBERS,
    "DECIMAL": _FRACTIONS,
    "FLOAT": _FRACTIONS,
    "STRING": _NUMBERS,
    "ENUM": _TEXT,
    "TEMPORAL": _TEMPORAL,
}


def loadable(values: Sequence[Any], *, category: str, nullable: bool) -> bool:
    """Whether COPY writes `values` into an attribute of `category` as INSERT would."""
    allowed = _KINDS.get(category)
    if allowed is None:
        return False
    if len(values) == 1:  # one row's insert, bound (see `bindable`)
        kind = type(values[0])
        if kind is _NONE:
            return nullable
        return kind in allowed and (kind not in _CHECKED or _admits(kind, values))
    kinds = set(map(type, values))
    present = values
    if _NONE in kinds:
        if not nullable:
            return False
        kinds.discard(_NONE)
        present = [value for value in values if value is not None]
    if not kinds <= allowed:
        return False
    if len(kinds) > 1:  # checked per kind below: one list of each
        return all(_admits(kind, [v for v in present if type(v) is kind]) for kind in kinds)
    return not kinds or _admits(next(iter(kinds)), present)


# the kinds whose values `_admits` looks into (any other kind is admitted as it is)
_CHECKED = frozenset({str, float, decimal.Decimal})


def _admits(kind: type, values: Sequence[Any]) -> bool:
    """No value that the INSERT path writes otherwise (NUL refused, NaN as DEFAULT)."""
    if kind is str:
        return "\0" not in "".join(values)
    if kind is float:
        return all(map(math.isfinite, values))
    if kind is decimal.Decimal:
        return all(map(decimal.Decimal.is_finite, values))
    return True


def bindable(values: Sequence[Any], *, category: str, nullable: bool) -> bool:
    """Whether `values` sent as bound parameters (psycopg binds on the server) have their
    literals' effect: what COPY may carry, except floats for a decimal (a float8 parameter
    is cast to numeric with fewer digits than its literal), plus the bytes of a blob."""
    if category in ("INTERNAL_BLOB", "INTERNAL_ATTACH"):
        return set(map(type, values)) == {bytes}
    if category == "DECIMAL" and float in map(type, values):
        return False
    return loadable(values, category=category, nullable=nullable)


def load_rows(cursor: Any, table: str, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY `rows` into `table` (quoted); `fields` are quoted column names."""
    with cursor.copy(f"COPY {table} ({', '.join(fields)}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            write(row)
    return cursor.rowcount
