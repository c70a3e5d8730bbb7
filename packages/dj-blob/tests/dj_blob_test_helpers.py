"""Helpers for dj-blob's tests: the golden vectors and a strict, numpy-aware equality."""

from __future__ import annotations

import datetime
import decimal
import json
import math
import os
import uuid
from pathlib import Path

import dj_blob
import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[3]
VECTORS_PATH = Path(
    os.environ.get("DJ_BLOB_VECTORS", REPO_ROOT.parent / "shared" / "blob-vectors" / "vectors.json")
)

_BUILTINS = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in (
        "abs bool bytearray bytes chr complex dict enumerate float frozenset int len list map "
        "max min object ord pow range reversed set sorted str sum tuple zip"
    ).split()
}


def vector_namespace() -> dict:
    return {
        "__builtins__": _BUILTINS,
        "np": np,
        "datetime": datetime,
        "uuid": uuid,
        "decimal": decimal,
        "MatCell": lambda x: np.asarray(x).view(dj_blob.MatCell),
        "MatStruct": lambda x: np.asarray(x).view(dj_blob.MatStruct),
    }


def load_vectors() -> list[dict]:
    if not VECTORS_PATH.exists():
        raise FileNotFoundError(
            f"golden vectors not found at {VECTORS_PATH}: shared/ must lie beside the clone "
            "(or set DJ_BLOB_VECTORS)"
        )
    return json.loads(VECTORS_PATH.read_text())


def deep_equal(want, got, path: str = "value") -> None:
    """Assert `got` equals `want` as blob-vectors/README.md defines it (types included)."""
    assert type(got) is type(want), f"{path}: type {type(got)!r} != {type(want)!r}"
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype, f"{path}: dtype {got.dtype} != {want.dtype}"
        assert got.shape == want.shape, f"{path}: shape {got.shape} != {want.shape}"
        if want.dtype.names:
            for name in want.dtype.names:
                deep_equal(
                    np.asarray(want[name]).view(np.ndarray),
                    np.asarray(got[name]).view(np.ndarray),
                    f"{path}.{name}",
                )
        elif want.dtype.kind == "O":
            for i, (w, g) in enumerate(zip(want.ravel(), got.ravel())):
                deep_equal(w, g, f"{path}[{i}]")
        elif want.dtype.kind == "M":
            assert np.array_equal(want.view("i8"), got.view("i8")), f"{path}: {got} != {want}"
        elif want.dtype.kind in "fc":
            assert np.array_equal(want, got, equal_nan=True), f"{path}: {got} != {want}"
        else:
            assert np.array_equal(want, got), f"{path}: {got!r} != {want!r}"
    elif isinstance(want, np.generic):
        if isinstance(want, np.datetime64):
            assert want.view("i8") == got.view("i8"), f"{path}: {got} != {want}"
        elif isinstance(want, np.inexact):
            assert want == got or (np.isnan(want) and np.isnan(got)), f"{path}: {got} != {want}"
        else:
            assert want == got, f"{path}: {got!r} != {want!r}"
    elif isinstance(want, (float, complex)):
        if isinstance(want, float):
            assert want == got or (math.isnan(want) and math.isnan(got)), f"{path}: {got} != {want}"
        else:
            for a, b in ((want.real, got.real), (want.imag, got.imag)):
                assert a == b or (math.isnan(a) and math.isnan(b)), f"{path}: {got} != {want}"
    elif isinstance(want, decimal.Decimal):
        assert str(want) == str(got), f"{path}: {got} != {want}"
    elif isinstance(want, (list, tuple)):
        assert len(want) == len(got), f"{path}: length {len(got)} != {len(want)}"
        for i, (w, g) in enumerate(zip(want, got)):
            deep_equal(w, g, f"{path}[{i}]")
    elif isinstance(want, dict):
        assert list(want) == list(got), f"{path}: keys {list(got)} != {list(want)}"
        for (kw, w), (kg, g) in zip(want.items(), got.items()):
            deep_equal(kw, kg, f"{path} key")
            deep_equal(w, g, f"{path}[{kw!r}]")
    else:
        assert want == got, f"{path}: {got!r} != {want!r}"


# -- building blobs by hand from the spec's byte layout --------------------

import struct  # noqa: E402

MYM = b"mYm\0"
DJ0 = b"dj0\0"


def u64(n: int) -> bytes:
    return struct.pack("<Q", n)


def u32(n: int) -> bytes:
    return struct.pack("<I", n)


def framed(item: bytes) -> bytes:
    return u64(len(item)) + item


def dims(shape) -> bytes:
    return u64(len(shape)) + b"".join(u64(d) for d in shape)


def array_item(shape, class_id: int, payload: bytes, is_complex: int = 0) -> bytes:
    return b"A" + dims(shape) + u32(class_id) + u32(is_complex) + payload


def double_item(values, shape) -> bytes:
    """A MATLAB double array; `values` in column-major order."""
    return array_item(shape, 6, np.asarray(values, dtype="<f8").tobytes())


def char_item(rows: list[str]) -> bytes:
    """A MATLAB char array of equal-length rows, as UTF-16 code units, column-major."""
    units = [np.frombuffer(r.encode("utf-16-le"), "<u2") for r in rows]
    grid = np.array(units, dtype="<u2").reshape(len(rows), -1)
    return array_item(grid.shape, 4, grid.tobytes(order="F"))


def cell_item(shape, items: list[bytes]) -> bytes:
    return b"C" + dims(shape) + b"".join(framed(i) for i in items)


def struct_item(shape, names: list[str], records: list[list[bytes]]) -> bytes:
    head = b"S" + dims(shape) + u32(len(names)) + b"".join(n.encode() + b"\0" for n in names)
    return head + b"".join(framed(v) for rec in records for v in rec)
