"""A seeded corpus of values for comparing dj_blob with upstream DataJoint 0.14 (numpy + stdlib).

Imported both by test_upstream.py and, inside upstream's virtual environment, by the snippet
it runs there, so both sides build the very same values.
"""

from __future__ import annotations

import datetime
import decimal
import random
import uuid

import numpy as np

DTYPES = ["bool", "i1", "u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f4", "<f8", "<c8", "<c16"]
UNITS = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"]


def make_values(MatCell, MatStruct, n: int = 600, seed: int = 7) -> list:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)

    def shape(min_dims=1):
        return tuple(rng.randint(0, 4) for _ in range(rng.randint(min_dims, 3)))

    def array():
        kind = rng.random()
        if kind < 0.6:
            dt = np.dtype(rng.choice(DTYPES))
            raw = nrng.integers(
                0, 256, size=int(np.prod(shape_ := shape())) * dt.itemsize, dtype=np.uint8
            )
            arr = raw.view(dt).reshape(shape_) if raw.size else np.zeros(shape_, dt)
            if dt.kind == "b":
                arr = raw.astype(bool).reshape(shape_)
            return np.asfortranarray(arr) if rng.random() < 0.3 else arr
        if kind < 0.7:
            return nrng.integers(-(2**40), 2**40, size=shape()).view(f"<M8[{rng.choice(UNITS)}]")
        if kind < 0.8:
            return np.array([[rng.choice("abcxyz") * rng.randint(0, 3) for _ in range(2)]])
        if kind < 0.9:
            return np.frombuffer(
                bytes(rng.randint(32, 126) for _ in range(rng.randint(1, 12))), "S1"
            ).reshape(1, -1)
        return nrng.standard_normal(rng.randint(126, 400))  # compressible-size blobs

    def scalar():
        return rng.choice(
            [
                None,
                rng.random() < 0.5,
                rng.randint(-(2**70), 2**70),
                rng.randint(-300, 300),
                rng.choice([0.0, -0.0, float("inf"), float("nan"), rng.uniform(-1e9, 1e9)]),
                complex(rng.random(), -rng.random()),
                "".join(rng.choice("aé✓日😀 \0") for _ in range(rng.randint(0, 6))),
                bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 6))),
                decimal.Decimal(rng.choice(["1.500", "-0", "1E+5", "NaN", "3.14159"])),
                datetime.datetime(
                    2000 + rng.randint(0, 30),
                    rng.randint(1, 12),
                    rng.randint(1, 28),
                    rng.randint(0, 23),
                    rng.randint(0, 59),
                    rng.randint(0, 59),
                    rng.randint(0, 999999),
                ),
                datetime.date(1900 + rng.randint(0, 200), rng.randint(1, 12), rng.randint(1, 28)),
                datetime.time(rng.randint(0, 23), rng.randint(0, 59)),
                uuid.UUID(int=rng.getrandbits(128)),
                np.float32(rng.random()),
                np.int16(rng.randint(-300, 300)),
                np.bool_(rng.random() < 0.5),
                np.complex128(complex(1, rng.random())),
                np.datetime64(rng.randint(0, 2**40), rng.choice(UNITS)),
            ]
        )

    def value(depth=0):
        r = rng.random()
        if depth > 2 or r < 0.35:
            return scalar()
        if r < 0.6:
            return array()
        if r < 0.68:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        if r < 0.74:
            return tuple(value(depth + 1) for _ in range(rng.randint(0, 3)))
        if r < 0.8:
            return {
                rng.choice([rng.randint(0, 9), f"k{rng.randint(0, 9)}", (1, 2)]): value(depth + 1)
                for _ in range(rng.randint(0, 4))
            }
        if r < 0.83:
            return {
                rng.choice([rng.randint(-5, 50), rng.random(), (rng.randint(0, 3), 2.5)])
                for _ in range(rng.randint(0, 5))
            }
        if r < 0.88:
            cell = np.empty(rng.randint(1, 3), dtype=object)
            for i in range(cell.size):
                cell[i] = array() if rng.random() < 0.7 else value(depth + 1)
            return cell.reshape(1, -1).view(MatCell)
        if r < 0.93:
            n = rng.randint(1, 3)
            rec = np.empty((1, n), dtype=[("a", object), ("b", object)])
            for i in range(n):
                rec[0, i] = (array(), value(depth + 1))
            return rec.view(MatStruct)
        if r < 0.96:
            m = rng.randint(0, 3)
            return np.rec.fromarrays(
                [
                    nrng.standard_normal(m),
                    nrng.integers(0, 9, m).astype("<i2"),
                    np.array(["ab", "c", "de"][:m] + ["x"] * max(0, m - 3)),
                ],
                names="x,n,s",
            )
        objects = np.empty(rng.randint(0, 3), dtype=object)
        for i in range(objects.size):
            objects[i] = value(depth + 1)
        return objects

    return [value() for _ in range(n)]


def canon(v):
    """A JSON-able description of a decoded value: types, dtypes, shapes and values."""
    if isinstance(v, np.ndarray):
        base = v.view(np.ndarray)
        head = [type(v).__name__, str(v.dtype), list(v.shape)]
        if v.dtype.names:
            return [*head, {n: canon(np.asarray(base[n])) for n in v.dtype.names}]
        if v.dtype.kind == "O":
            items = base.ravel().tolist()
            if any(isinstance(x, (list, tuple, np.ndarray, np.void)) for x in items):
                # 0.14 builds these with np.array(items), which unwraps or reshapes sequences
                return [type(v).__name__, "object array holding sequences"]
            return [*head, [canon(x) for x in items]]
        if v.dtype.kind == "M":
            return [*head, base.view("<i8").ravel().tolist()]
        if v.dtype.kind in "fc":
            return [*head, [_number(x) for x in base.ravel().tolist()]]
        if v.dtype.kind == "S":
            return [*head, [repr(x) for x in base.ravel().tolist()]]
        return [*head, base.ravel().tolist()]
    if isinstance(v, np.generic):
        return ["np." + type(v).__name__, _number(v.item())]
    if isinstance(v, (list, tuple)):
        return [type(v).__name__, [canon(x) for x in v]]
    if isinstance(v, set):
        return ["set", sorted(repr(canon(x)) for x in v)]
    if isinstance(v, dict):
        return ["dict", [[canon(k), canon(x)] for k, x in v.items()]]
    if isinstance(v, (float, complex)):
        return [type(v).__name__, _number(v)]
    return [type(v).__name__, repr(v)]


def _number(x):
    """repr of a number, ignoring the sign of zero; complex numbers with a non-finite imaginary
    part are not compared (0.14 decodes them as re + 1j*im, which makes the real part NaN)."""
    if isinstance(x, complex) and (x.imag != x.imag or abs(x.imag) == float("inf")):
        return "complex with non-finite imaginary part"
    return repr(x).replace("-0.0", "0.0").replace("-0j", "0j")
