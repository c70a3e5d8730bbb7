"""Arrow tables and polars DataFrames, built column by column from the driver's rows.

Each column is read out of the rows once (`transpose.column`) and becomes one Arrow array
(polars: one Series) typed from the heading: integers int64, floats float64, NULL as
null; other plain columns as Arrow infers them from the driver's values (decimal,
string, date, timestamp, duration, binary). No list of dicts is built in between.

Special columns, as pandas frames show them where the library can hold the value:

| column | Arrow | polars |
| --- | --- | --- |
| blob (internal, ``blob@store``), adapted types over blobs | binary: the serialized blob (`dj.blob.unpack` reads it; internal blobs are passed as stored, unread) | Object: the decoded values |
| uuid | the canonical `uuid` extension type (16 bytes) | Object: `uuid.UUID` |
| json, attach, filepath, other adapted types | decoded values where Arrow types them (paths as string, JSON objects as struct); else binary of the serialized value | decoded (paths as String, the rest Object) |

pyarrow and polars are optional (``datajoint-query[arrow]``, ``[polars]``) and imported
only when one of these formats is asked for. polars frames take their numbers, strings
and dates through Arrow arrays when pyarrow is installed (the same Series, built at a
third of the cost), and from the values otherwise.
"""

from __future__ import annotations

from typing import Any

from dj_core.attribute_types import classify

from dj_query.errors import DataJointError
from dj_query.transpose import column

__all__ = ["build"]


def _import(name: str, extra: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        raise DataJointError(
            f'fetch(format="{extra}") needs {name}: pip install "datajoint[{extra}]" '
            f"(or pip install {name})."
        ) from None


def build(format: str, expr: Any, rows: list[tuple], decoders: list) -> Any:
    """The rows of `expr` as an Arrow table (`format="arrow"`) or a polars DataFrame."""
    if format == "arrow":
        pa = _import("pyarrow", "arrow")
        names, arrays = _arrow_columns(pa, expr, rows, decoders)
        return pa.table(arrays, names=names) if names else pa.table({})
    pl = _import("polars", "polars")
    return _polars_frame(pl, expr, rows, decoders)


def _plain_type(pa: Any, attr: Any) -> Any:
    category = classify(attr.type) if attr.type != "expression" else None
    if category == "INTEGER":
        return pa.int64()
    if category == "FLOAT":
        return pa.float64()
    return None  # inferred from the values


def _arrow_columns(pa: Any, expr: Any, rows: list[tuple], decoders: list) -> tuple[list, list]:
    heading = expr.heading
    names = list(heading.names)
    special = {decoder.index: decoder for decoder in decoders}
    arrays = []
    for index, name in enumerate(names):
        attr = heading[name]
        values = list(column(rows, index))
        decoder = special.get(index)
        if decoder is None:
            arrays.append(_plain_array(pa, attr, values))
        elif attr.uuid:
            arrays.append(_uuid_array(pa, decoder(values)))
        elif attr.is_blob and not attr.is_external and attr.adapter is None:
            arrays.append(pa.array(values, type=pa.large_binary()))  # as stored
        elif attr.is_blob:
            arrays.append(_packed(pa, decoder(values)))
        else:
            arrays.append(_decoded_array(pa, decoder(values)))
    return names, arrays


def _plain_array(pa: Any, attr: Any, values: Any) -> Any:
    kind = _plain_type(pa, attr)
    try:
        return pa.array(values, type=kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array(values)  # e.g. unsigned bigint beyond int64


def _uuid_array(pa: Any, values: list) -> Any:
    storage = pa.array([None if v is None else v.bytes for v in values], type=pa.binary(16))
    uuid_type = getattr(pa, "uuid", None)
    return storage if uuid_type is None else pa.ExtensionArray.from_storage(uuid_type(), storage)


def _packed(pa: Any, values: list) -> Any:
    from dj_blob import pack

    return pa.array([None if v is None else pack(v) for v in values], type=pa.large_binary())


def _decoded_array(pa: Any, values: list) -> Any:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return _packed(pa, values)


def _polars_type(pl: Any, attr: Any) -> Any:
    category = classify(attr.type) if attr.type != "expression" else None
    if category == "INTEGER":
        return pl.Int64
    if category == "FLOAT":
        return pl.Float64
    return None  # inferred from the values


#: plain columns that polars takes from an Arrow array as it would from the values (the
#: same dtype and values), at a third of the cost: Arrow converts in one C++ loop where
#: polars extracts each value on its own. Decimals are not among them (polars infers
#: precision 38, Arrow the values' own).
_VIA_ARROW = frozenset({"INTEGER", "FLOAT", "STRING", "ENUM", "TEMPORAL", "BOOL"})


def _polars_frame(pl: Any, expr: Any, rows: list[tuple], decoders: list) -> Any:
    heading = expr.heading
    names = list(heading.names)
    special = {decoder.index: decoder for decoder in decoders}
    pa = _optional("pyarrow")
    series = []
    for index, name in enumerate(names):
        attr = heading[name]
        decoder = special.get(index)
        values = list(column(rows, index))
        if decoder is None:
            series.append(_polars_plain(pl, pa, name, attr, values))
            continue
        values = decoder(values)
        if all(v is None or isinstance(v, str) for v in values):
            series.append(pl.Series(name, values, dtype=pl.String))
        else:
            series.append(pl.Series(name, values, dtype=pl.Object))
    return pl.DataFrame(series)


def _optional(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        return None


def _polars_plain(pl: Any, pa: Any, name: str, attr: Any, values: list) -> Any:
    """A Series of a plain column: through Arrow where that gives the same Series."""
    category = classify(attr.type) if attr.type != "expression" else None
    if pa is not None and category in _VIA_ARROW:
        try:
            return pl.Series(name, pa.array(values, type=_plain_type(pa, attr)))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            pass  # e.g. unsigned bigint beyond int64: as polars reads the values
    try:
        return pl.Series(name, values, dtype=_polars_type(pl, attr))
    except (OverflowError, TypeError, pl.exceptions.PolarsError):
        return pl.Series(name, values)  # e.g. unsigned bigint beyond int64
