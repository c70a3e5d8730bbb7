"""Rows of every form DataJoint 0.14 accepts, turned into columns.

`rows_to_columns` gives the fields (heading order, intersected with the first row's)
and one list of values per field, from: a pandas DataFrame (a named index becomes
columns), a numpy structured array, a CSV `pathlib.Path`, or any iterable of rows —
dicts, numpy records, or sequences of every attribute in heading order, mixed if their
fields agree. numpy values become Python values here (datetime64 as datetime, NaT as
None), so the encoders after this see one kind of value per type.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from dj_core.errors import DataJointError

__all__ = ["column_values", "known_fields", "rows_to_columns"]


def rows_to_columns(
    rows: Any, heading: Any, ignore_extra_fields: bool
) -> tuple[list[str], list[list[Any]]]:
    """(fields in heading order, one list of values per field) of any accepted input."""
    names = heading.names
    if _is_dataframe(rows):
        frame = rows.reset_index(drop=len(rows.index.names) == 1 and not rows.index.names[0])
        return _named_columns(list(frame.columns), names, ignore_extra_fields, frame)
    if isinstance(rows, np.ndarray) and rows.dtype.names is not None:
        return _named_columns(list(rows.dtype.names), names, ignore_extra_fields, rows.ravel())
    if isinstance(rows, Path):
        with rows.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    elif isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        raise DataJointError(
            f"Cannot insert rows from a {type(rows).__name__}: give an iterable of rows "
            "(dicts, sequences or numpy records), a DataFrame, a query or a CSV Path."
        )
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return [], []
    if len(rows) == 1 and type(rows[0]) is dict:  # insert1(dict): the usual row of make()
        return _dict_rows(rows, names, ignore_extra_fields)
    kinds = {_row_kind(kind) for kind in set(map(type, rows))}
    if kinds == {"record"}:
        return _record_rows(rows, names, ignore_extra_fields)
    if kinds == {"mapping"}:
        return _dict_rows(rows, names, ignore_extra_fields)
    if kinds == {"sequence"}:
        return _positional_rows(rows, names)
    # rows of different forms: each as a mapping (positional rows give every attribute)
    return _dict_rows([_as_mapping(row, names) for row in rows], names, ignore_extra_fields)


def _row_kind(kind: type) -> str:
    """ "record", "mapping" or "sequence": the form of rows of this type."""
    if issubclass(kind, np.void):
        return "record"
    if issubclass(kind, Mapping):
        return "mapping"
    positional = issubclass(kind, Sequence) or (
        hasattr(kind, "__len__") and hasattr(kind, "__iter__")  # e.g. numpy rows
    )
    if issubclass(kind, (str, bytes)) or not positional:
        raise DataJointError(
            f"Cannot insert a row of type {kind.__name__}: give a dict, a sequence of "
            "all attribute values in heading order, or a numpy record."
        )
    return "sequence"


def _as_mapping(row: Any, names: list[str]) -> Mapping[str, Any]:
    kind = _row_kind(type(row))
    if kind == "record":
        return {name: _python_value(row[name]) for name in row.dtype.names}
    if kind == "sequence":
        _positional_rows([row], names)  # checks the length
        return dict(zip(names, row))
    return row


def _is_dataframe(rows: Any) -> bool:
    return type(rows).__module__.startswith("pandas") and hasattr(rows, "reset_index")


def known_fields(given: list[str], names: list[str], ignore_extra: bool) -> list[str]:
    """The given fields that are attributes, in heading order: KeyError for one that is
    not (unless `ignore_extra`), DataJointError when none is."""
    if not ignore_extra:
        known = set(names)
        for field in given:
            if field not in known:
                raise KeyError(f"`{field}` is not in the table heading")
    present = set(given)
    fields = [name for name in names if name in present]
    if not fields:
        raise DataJointError(
            "The row has no attribute of the table: check the field names "
            f"(the table has {', '.join(names)})."
        )
    return fields


def _named_columns(
    given: list[str], names: list[str], ignore_extra: bool, source: Any
) -> tuple[list[str], list[list[Any]]]:
    fields = known_fields(given, names, ignore_extra)
    if len(source) == 0:
        return [], []
    return fields, [column_values(np.asarray(source[field])) for field in fields]


def column_values(array: np.ndarray) -> list[Any]:
    """A numpy column as Python values: numbers as int/float, datetime64/timedelta64 as
    datetime/timedelta (NaT as None), objects (e.g. blob arrays) as they are."""
    kind = array.dtype.kind
    if kind == "M":
        return array.astype("datetime64[us]").tolist()
    if kind == "m":
        return array.astype("timedelta64[us]").tolist()
    return array.tolist()


def _record_rows(
    rows: list[Any], names: list[str], ignore_extra: bool
) -> tuple[list[str], list[list[Any]]]:
    given = list(rows[0].dtype.names or ())
    fields = known_fields(given, names, ignore_extra)
    for row in rows:
        if list(row.dtype.names or ()) != given:
            raise DataJointError("Attempted to insert rows with different fields.")
    return fields, [[_python_value(row[field]) for row in rows] for field in fields]


def _python_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        if value.dtype.kind in "mM":
            return column_values(np.asarray(value))
        return value.item()
    return value


def _dict_rows(
    rows: list[Any], names: list[str], ignore_extra: bool
) -> tuple[list[str], list[list[Any]]]:
    given = list(rows[0].keys())
    fields = known_fields(given, names, ignore_extra)
    first = set(given)
    if not all(row.keys() == first for row in rows):
        # rows that give different attributes are a DataJointError (as in 0.14), checked
        # before unknown fields of later rows (KeyError, as for the first row)
        wanted, heading = set(fields), set(names)
        for row in rows:
            if set(row.keys()) & heading != wanted:
                raise DataJointError(
                    "Attempted to insert rows with different fields: every row must give "
                    f"the same attributes ({', '.join(fields)})."
                )
        if not ignore_extra:
            for row in rows:
                known_fields(list(row.keys()), names, False)
    return fields, [[row[field] for row in rows] for field in fields]


def _positional_rows(rows: list[Any], names: list[str]) -> tuple[list[str], list[list[Any]]]:
    expected = len(names)
    lengths = set(map(len, rows))
    if lengths != {expected}:
        given = next(n for n in map(len, rows) if n != expected)
        raise DataJointError(
            f"Incorrect number of attributes: {given} given; expected {expected} "
            f"({', '.join(names)})."
        )
    # a column at a time through itemgetter: a third faster than zip(*rows) for many rows
    return list(names), [list(map(itemgetter(index), rows)) for index in range(expected)]
