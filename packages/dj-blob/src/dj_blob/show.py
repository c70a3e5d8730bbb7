"""A readable outline of a blob: types, shapes, dtypes, nesting and sizes, not the data.

Used by ``python -m dj_blob show FILE``.
"""

from __future__ import annotations

import numpy as np

from . import codec
from ._decode import ZL_HEADER, inflate
from ._types import MatCell, MatStruct

__all__ = ["outline"]


def _shape(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "x".join(map(str, shape)) if shape else "0-d"


def _summary(v) -> str:
    if isinstance(v, MatStruct):
        return f"MatStruct {_shape(v.shape)}, fields: {', '.join(v.dtype.names)}"
    if isinstance(v, MatCell):
        return f"MatCell {_shape(v.shape)}, dtype {v.dtype}"
    if isinstance(v, np.recarray) or (isinstance(v, np.ndarray) and v.dtype.names):
        fields = ", ".join(f"{n} {v.dtype[n]}" for n in v.dtype.names)
        return f"{type(v).__name__} {_shape(v.shape)}, fields: {fields}"
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "O":
            return f"ndarray object {_shape(v.shape)}"
        return f"ndarray {v.dtype} {_shape(v.shape)}, {v.nbytes} bytes"
    if isinstance(v, np.generic):
        return f"numpy {type(v).__name__} scalar"
    if isinstance(v, str):
        return f"str, {len(v)} characters"
    if isinstance(v, bytes):
        return f"bytes, {len(v)} bytes"
    if isinstance(v, (dict, list, tuple, set)):
        return f"{type(v).__name__}, {len(v)} items"
    if v is None:
        return "None"
    return type(v).__name__


def _children(v) -> list[tuple[str, object]]:
    if isinstance(v, MatStruct):
        base = v.view(np.ndarray)
        return [
            (f"{idx}.{name}" if base.ndim else name, base[idx][name])
            for idx in np.ndindex(base.shape)
            for name in v.dtype.names
        ]
    if isinstance(v, np.ndarray) and v.dtype.kind == "O" and not v.dtype.names:
        base = v.view(np.ndarray)
        return [(str(idx), base[idx]) for idx in np.ndindex(base.shape)]
    if isinstance(v, dict):
        return [(repr(k), x) for k, x in v.items()]
    if isinstance(v, (list, tuple)):
        return [(f"[{i}]", x) for i, x in enumerate(v)]
    if isinstance(v, set):
        return [("{}", x) for x in sorted(v, key=repr)]
    return []


def _walk(v, label: str, indent: str, limit: int, lines: list[str]) -> None:
    lines.append(f"{indent}{label}{': ' if label else ''}{_summary(v)}")
    children = _children(v)
    for child_label, child in children[:limit]:
        _walk(child, child_label, indent + "  ", limit, lines)
    if len(children) > limit:
        lines.append(f"{indent}  ... and {len(children) - limit} more")


def outline(data: bytes, *, limit: int = 10, squeeze: bool = False) -> str:
    """The outline of blob `data`: a header line, then one line per value, nested by indent."""
    raw = data
    header = f"{len(data)} bytes"
    if data[:6] == ZL_HEADER:
        raw = inflate(data, codec.use_32bit_dims, codec.max_unpacked_size)
        header += f", zlib-compressed from {len(raw)} bytes"
    protocol = raw[:4].rstrip(b"\0").decode("ascii", "replace")
    value = codec.unpack(data, squeeze=squeeze)
    lines = [f"{header}, protocol {protocol}"]
    _walk(value, "", "", limit, lines)
    return "\n".join(lines)
