"""`fetch` and `fetch1`: run a query once and shape its rows.

Shapes: a numpy structured array (default), a list of dicts
(`as_dict=True`), a pandas DataFrame indexed by the primary key (`format="frame"`;
pandas is imported only then), an Arrow table or a polars DataFrame (`format="arrow"`,
`"polars"`: `columnar.py`, each library imported only then), or one array/list per
requested attribute. Special columns are decoded once per column (`decode.py`);
everything else passes straight from the cursor into the result.

With `chunk_size=N`, `fetch` returns an iterator of results of the same shape, each of
at most N rows, read through the driver's unbuffered cursor (`dj_core.streaming`), so
memory holds one chunk, not the result. `for row in query` streams the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from dj_core.streaming import stream_rows

from dj_query import columnar
from dj_query.compiler import compile_first
from dj_query.condition import is_key
from dj_query.decode import column_decoders
from dj_query.errors import DataJointError
from dj_query.settings import setting
from dj_query.top import Top
from dj_query.transpose import column, dicts_of

__all__ = ["FORMATS", "Fetch", "Fetch1", "iterate"]

_INTEGERS = (np.dtype("int64"), np.dtype("uint64"))
#: values of `format` (and of ``config["fetch_format"]``)
FORMATS = ("array", "frame", "arrow", "polars")
#: rows per chunk when iterating over a query (`for row in query`)
ITERATION_CHUNK = 1024


def _rows(expr: Any, first: int | None = None) -> list[tuple]:
    """Run the query once (at most `first` rows); the rows as the driver parsed them."""
    sql = expr.make_sql() if first is None else compile_first(expr, first)
    connection = expr.connection
    fetch_rows = getattr(connection, "fetch_rows", None)  # dj-core's Connection has it
    if fetch_rows is not None:
        return fetch_rows(sql)
    rows = connection.query(sql).fetchall()
    return rows if isinstance(rows, list) else list(rows)


def _decoders(expr: Any, squeeze: bool, download_path: str) -> list:
    names = list(expr.heading.names)
    return column_decoders(expr.heading, names, expr.connection, squeeze, download_path)


def fetch_dicts(
    expr: Any, squeeze: bool = False, download_path: str = ".", first: int | None = None
) -> list[dict]:
    """All rows (or the first few) as dicts of decoded values (plain Python values)."""
    return dicts_from_rows(expr, _rows(expr, first), _decoders(expr, squeeze, download_path))


def dicts_from_rows(expr: Any, rows: list[tuple], decoders: list) -> list[dict]:
    """Driver rows of `expr` as dicts, special columns decoded."""
    names = tuple(expr.heading.names)
    dicts = dicts_of(names)(rows)
    for decoder in decoders:
        name = names[decoder.index]
        for row, value in zip(dicts, decoder(list(column(rows, decoder.index)))):
            row[name] = value
    return dicts


def fetch_array(expr: Any, squeeze: bool = False, download_path: str = ".") -> np.ndarray:
    """All rows as a structured array with DataJoint's dtypes."""
    return array_from_rows(expr, _rows(expr), _decoders(expr, squeeze, download_path))


def array_from_rows(expr: Any, rows: list[tuple], decoders: list) -> np.ndarray:
    """Driver rows of `expr` as a structured array: the row tuples go into the array in
    one numpy call; then each special column is decoded as a whole and put back."""
    heading = expr.heading
    names = list(heading.names)
    if not names:  # an empty heading (dj.U() & q): rows without attributes
        return np.empty(len(rows), dtype=np.dtype([]))
    array = _structured(rows, names, _dtypes(heading, names, decoders))
    for decoder in decoders:
        name = names[decoder.index]
        values = decoder(array[name].tolist())
        array[name] = np.fromiter(values, dtype=object, count=len(values))
    return array


def _dtypes(heading: Any, names: list[str], decoders: list) -> list[np.dtype]:
    """Each column's dtype: the heading's, object for special columns."""
    special = {decoder.index for decoder in decoders}
    return [
        np.dtype(object) if i in special else np.dtype(heading[name].dtype)
        for i, name in enumerate(names)
    ]


def _stream(expr: Any, chunk_size: int) -> Iterator[list[tuple]]:
    return stream_rows(expr.connection, expr.make_sql(), chunk_size)


def _structured(rows: list[tuple], names: list[str], dtypes: list[np.dtype]) -> np.ndarray:
    # np.fromiter, not np.array: no shape discovery over the rows, and the new array's
    # object fields start empty instead of being set to None one by one
    try:
        return np.fromiter(rows, dtype=np.dtype(list(zip(names, dtypes))), count=len(rows))
    except TypeError:
        nullable = _null_integers(rows, dtypes)
        if not nullable:
            raise
        dtypes = [np.dtype(object) if i in nullable else d for i, d in enumerate(dtypes)]
        return np.fromiter(rows, dtype=np.dtype(list(zip(names, dtypes))), count=len(rows))


def _null_integers(rows: list[tuple], dtypes: list[np.dtype]) -> set[int]:
    """Integer columns holding NULL: NULL in a NOT NULL integer attribute (only after a
    left join) makes such attributes object fields holding None."""
    return {i for i, dtype in enumerate(dtypes) if dtype in _INTEGERS and _has_null(rows, i)}


def _has_null(rows: list[tuple], index: int) -> bool:
    return any(value is None for value in column(rows, index))


def _numpy_column(rows: list[tuple], index: int, dtype: np.dtype) -> np.ndarray:
    """One column of the rows as a numpy array of `dtype` (object for integers holding
    NULL, as `_structured` does)."""
    try:
        return np.fromiter(column(rows, index), dtype=dtype, count=len(rows))
    except TypeError:
        if dtype not in _INTEGERS or not _has_null(rows, index):
            raise
        return np.fromiter(column(rows, index), dtype=object, count=len(rows))


def frame_from_rows(expr: Any, rows: list[tuple], decoders: list) -> Any:
    """Driver rows of `expr` as a DataFrame indexed by the primary key, made from one
    numpy array per column (no structured array in between)."""
    import pandas  # optional: only the frame format needs it

    heading = expr.heading
    names = list(heading.names)
    if not names:  # an empty heading: rows without attributes
        return pandas.DataFrame(np.empty(len(rows), dtype=np.dtype([])))
    dtypes = _dtypes(heading, names, decoders)
    columns = {
        name: _numpy_column(rows, index, dtype)
        for index, (name, dtype) in enumerate(zip(names, dtypes))
    }
    for decoder in decoders:
        name = names[decoder.index]
        values = decoder(columns[name].tolist())
        columns[name] = np.fromiter(values, dtype=object, count=len(values))
    frame = pandas.DataFrame(columns)
    primary_key = expr.primary_key
    return frame.set_index(primary_key) if primary_key else frame


def _key_fields(array: np.ndarray, primary_key: list[str]) -> np.ndarray:
    """The primary-key fields of every row (rows of no fields when the key is empty)."""
    if not primary_key:
        return np.empty(len(array), dtype=np.dtype([]))
    return array[primary_key]


def _to_dicts(records: np.ndarray) -> list[dict]:
    names = records.dtype.names
    return [dict(zip(names, record.tolist())) for record in records]


class Fetch:
    """`q.fetch(...)`: see `__call__`."""

    def __init__(self, expression: Any) -> None:
        self._expression = expression

    def __call__(
        self,
        *attrs: Any,
        offset: int | None = None,
        limit: int | None = None,
        order_by: Any = None,
        format: str | None = None,
        as_dict: bool | None = None,
        squeeze: bool = False,
        download_path: str = ".",
        chunk_size: int | None = None,
    ) -> Any:
        """Rows of the query: a structured array, dicts (`as_dict=True`), a DataFrame
        (`format="frame"`), an Arrow table (`"arrow"`), a polars DataFrame (`"polars"`),
        or, given attribute names and/or "KEY", one array (or list of key dicts) per
        name. `order_by`, `limit` and `offset` apply a `dj.Top`. `chunk_size=N`: an
        iterator of such results of at most N rows each, streamed from the server."""
        expr = self._expression
        if offset or order_by or limit:
            expr = expr & Top(limit, order_by, offset)
        if any(a is None for a in attrs):
            raise DataJointError("fetch() got None as an attribute name; give names or 'KEY'.")
        attrs_as_dict = bool(as_dict and attrs)
        if as_dict is None:
            as_dict = bool(attrs)
        if format is not None and (as_dict or attrs):
            raise DataJointError(
                "Cannot specify output format when as_dict=True or when attributes are "
                "selected to be fetched separately."
            )
        if format is not None and format not in FORMATS:
            raise DataJointError(
                f"Unknown fetch format {format!r}: use one of {', '.join(map(repr, FORMATS))}."
            )
        if format is None and not (attrs or as_dict):
            format = setting(expr, "fetch_format", "array")
            if format not in FORMATS:
                raise DataJointError(
                    f'Invalid entry "{format}" in config["fetch_format"]: use one of '
                    f"{', '.join(map(repr, FORMATS))}."
                )
        if chunk_size is not None:
            if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
                raise DataJointError(
                    f"chunk_size must be a positive integer (rows per chunk), not {chunk_size!r}."
                )
            return self._chunks(
                expr, attrs, format, as_dict, attrs_as_dict, squeeze, download_path, chunk_size
            )
        if attrs:
            array = fetch_array(_projected(expr, attrs, attrs_as_dict), squeeze, download_path)
            return _attribute_values(expr, array, attrs, as_dict, attrs_as_dict)
        if as_dict:
            return fetch_dicts(expr, squeeze, download_path)
        if format in ("arrow", "polars"):
            rows = _rows(expr)
            return columnar.build(format, expr, rows, _decoders(expr, squeeze, download_path))
        if format == "frame":
            return frame_from_rows(expr, _rows(expr), _decoders(expr, squeeze, download_path))
        return fetch_array(expr, squeeze, download_path)

    @staticmethod
    def _chunks(
        expr: Any,
        attrs: tuple,
        format: str | None,
        as_dict: bool,
        attrs_as_dict: bool,
        squeeze: bool,
        download_path: str,
        chunk_size: int,
    ) -> Iterator[Any]:
        source = _projected(expr, attrs, attrs_as_dict) if attrs else expr
        decoders = _decoders(source, squeeze, download_path)
        for rows in _stream(source, chunk_size):
            if attrs:
                array = array_from_rows(source, rows, decoders)
                yield _attribute_values(expr, array, attrs, as_dict, attrs_as_dict)
            elif as_dict:
                yield dicts_from_rows(source, rows, decoders)
            elif format in ("arrow", "polars"):
                yield columnar.build(format, source, rows, decoders)
            elif format == "frame":
                yield frame_from_rows(source, rows, decoders)
            else:
                yield array_from_rows(source, rows, decoders)


def _attribute_names(expr: Any, attrs: tuple, attrs_as_dict: bool) -> tuple:
    if attrs_as_dict and any(is_key(a) for a in attrs):
        primary_key = expr.primary_key
        attrs = (*primary_key, *(a for a in attrs if not is_key(a) and a not in primary_key))
    return attrs


def _projected(expr: Any, attrs: tuple, attrs_as_dict: bool) -> Any:
    """`expr` projected onto the named attributes (its primary key included)."""
    attrs = _attribute_names(expr, attrs, attrs_as_dict)
    return expr.proj(*(a for a in attrs if not is_key(a)))


def _attribute_values(
    expr: Any, array: np.ndarray, attrs: tuple, as_dict: bool, attrs_as_dict: bool
) -> Any:
    """From the projected array: one value per requested name, or dicts of them."""
    primary_key = expr.primary_key
    attrs = _attribute_names(expr, attrs, attrs_as_dict)
    if attrs_as_dict:
        wanted = set(attrs)
        return [
            {k: v for k, v in zip(array.dtype.names, record) if k in wanted} for record in array
        ]
    values = [
        (_to_dicts(_key_fields(array, primary_key)) if as_dict else _key_fields(array, primary_key))
        if is_key(a)
        else array[a]
        for a in attrs
    ]
    return values[0] if len(attrs) == 1 else values


class Fetch1:
    """`q.fetch1(...)`: the one row of the query (an error for zero or several)."""

    def __init__(self, expression: Any) -> None:
        self._expression = expression

    def __call__(self, *attrs: Any, squeeze: bool = False, download_path: str = ".") -> Any:
        """The row as a dict, or, given names and/or "KEY", one value per name."""
        expr = self._expression
        if not attrs:
            rows = fetch_dicts(expr, squeeze, download_path, first=2)
            if len(rows) != 1:
                raise DataJointError(
                    f"fetch1 requires exactly one row, but the query returned "
                    f"{'none' if not rows else 'more than one'}; restrict it to a single row."
                )
            return rows[0]
        if any(a is None for a in attrs):
            raise DataJointError("fetch1() got None as an attribute name; give names or 'KEY'.")
        names = [a for a in attrs if not is_key(a)]
        array = fetch_array(expr.proj(*names), squeeze, download_path)
        if len(array) != 1:
            raise DataJointError(
                f"fetch1 should return exactly one row, but {len(array)} rows were found; "
                "restrict the query to a single row."
            )
        values = tuple(
            _to_dicts(_key_fields(array, expr.primary_key))[0] if is_key(a) else array[a][0]
            for a in attrs
        )
        return values[0] if len(attrs) == 1 else values


def iterate(expr: Any) -> Iterator[dict]:
    """Rows as dicts from one query, streamed in chunks (`dj_core.streaming`): key
    dicts when every attribute is in the primary key, else full rows decoded as
    `fetch1` gives them."""
    decoders = _decoders(expr, False, ".")
    for rows in _stream(expr, ITERATION_CHUNK):
        yield from dicts_from_rows(expr, rows, decoders)
