"""The blob benchmark's workloads, built identically for every implementation.

Only numpy and the standard library are used here, so the same file runs under our
environment and under upstream DataJoint's virtual environment.
"""

from __future__ import annotations

import numpy as np


def _struct_array(MatStruct, n: int = 1000):
    """A 1 x n MATLAB struct array as DataJoint for MATLAB returns it: 1x1 doubles, char rows,
    1x10 vectors."""
    rng = np.random.default_rng(1)
    records = np.empty((1, n), dtype=[("id", object), ("label", object), ("trace", object)])
    for i in range(n):
        label = np.frombuffer(f"trial {i:04d}".encode(), dtype="S1").reshape(1, -1)
        records[0, i] = (np.array([[float(i)]]), label, rng.standard_normal((1, 10)))
    return records.view(MatStruct)


def make(MatStruct):
    """name -> (value, compress, repeat) ; `repeat` is how many pack/unpack calls one timing makes."""
    rng = np.random.default_rng(0)
    floats = rng.standard_normal(1_000_000)
    return {
        "float64 1e6, uncompressed": (floats, False, 1),
        "float64 1e6, compressed": (floats, True, 1),
        "int16 1000x1000": (rng.integers(-1000, 1000, (1000, 1000)).astype(np.int16), True, 1),
        "10,000 small dicts": (
            [
                {"id": i, "name": f"item {i}", "value": i * 0.25, "ok": i % 3 == 0, "note": None}
                for i in range(10_000)
            ],
            True,
            1,
        ),
        "struct array 1x1000": (_struct_array(MatStruct), True, 1),
        "scalar float x100,000": (3.14159, True, 100_000),
        "10 MB bytes": (rng.bytes(10 * 2**20), True, 1),
    }


def floors():
    """name -> (pack floor, unpack floor) built from numpy and zlib alone, where one exists."""
    import zlib

    def pack_raw(a):
        return a.tobytes()

    def unpack_raw(b, like):
        return np.frombuffer(b, like.dtype).reshape(like.shape)

    def pack_z(a):
        return zlib.compress(a.tobytes(order="F"))

    def unpack_z(b, like):
        return np.frombuffer(zlib.decompress(b), like.dtype).reshape(like.shape, order="F")

    return {
        "float64 1e6, uncompressed": (pack_raw, unpack_raw),
        "float64 1e6, compressed": (pack_z, unpack_z),
        "int16 1000x1000": (pack_z, unpack_z),
        "10 MB bytes": (lambda b: b"".join((b"dj0\0", b)), lambda b, like: b[4:]),
    }
