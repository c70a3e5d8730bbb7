"""The encoder: Python values to the items of the blob format (arrays, MATLAB containers,
Python scalars and containers).

An `Encoder` appends bytes-like parts to `out` and every item method returns the number of
bytes it appended, so framing lengths are known without re-measuring and the final blob is
made by one `b"".join` (large array payloads are appended as memoryviews: copied once).
"""

from __future__ import annotations

import collections.abc
import datetime
import struct
import sys
import uuid
from decimal import Decimal

import numpy as np

from ._types import (
    CHAR_DTYPE,
    CLASS_OF_DTYPE,
    COMPLEX_CLASSES,
    FIRST_DATETIME_CLASS,
    OBJECT_DTYPE,
    MatCell,
    MatStruct,
)
from .errors import BlobError

MAX_DEPTH = 256  # nesting levels, for encoding and decoding alike

_U64 = struct.Struct("<Q").pack
_U32 = struct.Struct("<I").pack
_II = struct.Struct("<II").pack
_FLOAT = struct.Struct("<Bd").pack
_COMPLEX = struct.Struct("<Bdd").pack
_DATETIME = struct.Struct("<Biq").pack
_CODE_LEN = struct.Struct("<BQ").pack
_INT_HEAD = struct.Struct("<BH").pack
# framed scalar items (frame length + code + payload) in one pack, for dj0 containers
_F_FLOAT = struct.Struct("<QBd").pack
_F_CODE_LEN = struct.Struct("<QBQ").pack
_F_INT_HEAD = struct.Struct("<QBH").pack
_F_NONE = _U64(1) + b"\xff"
_F_TRUE = _U64(2) + b"\x0b\x01"
_F_FALSE = _U64(2) + b"\x0b\x00"

SMALL_ARRAY = 1 << 16  # arrays up to this many bytes are copied with tobytes()

_array_headers: dict[int, struct.Struct] = {}


def _array_header(ndim: int) -> struct.Struct:
    s = _array_headers.get(ndim)
    if s is None:
        s = _array_headers[ndim] = struct.Struct(f"<B{ndim + 1}QII")
    return s


# whole headers of real numeric and char arrays by (class id, shape): small arrays repeat them
_HEADS: dict[tuple[int, tuple[int, ...]], bytes] = {}


def _dims(code: int, shape: tuple[int, ...]) -> bytes:
    return struct.pack(f"<B{len(shape) + 1}Q", code, len(shape), *shape)


def _name_list(names: tuple[str, ...]) -> bytes:
    return _U32(len(names)) + "\0".join(names).encode() + b"\0"


def _int_payload(v: int) -> tuple[int, bytes]:
    n = v.bit_length() // 8 + 1
    if n > 0xFFFF:
        raise BlobError(
            f"cannot pack an int of {v.bit_length()} bits: the blob format stores at most "
            "65535 bytes per int; store it as a str or bytes instead"
        )
    return n, v.to_bytes(n, "little", signed=True)


def _framed_int(v: int) -> bytes:
    n, payload = _int_payload(v)
    return _F_INT_HEAD(n + 3, 0x0A, n) + payload


def _framed_str(v: str) -> bytes:
    b = _encode_str(v)
    return _F_CODE_LEN(len(b) + 9, 0x05, len(b)) + b


def _framed_bytes(v: bytes) -> bytes:
    return _F_CODE_LEN(len(v) + 9, 0x06, len(v)) + v


def _encode_str(v: str) -> bytes:
    try:
        return v.encode()
    except UnicodeEncodeError as e:
        raise BlobError(f"cannot pack a str that is not valid Unicode text ({e})") from None


# framed encoders for values inside dj0 containers (list, tuple, set, dict, object arrays),
# keyed by exact type: the container has already switched the blob to dj0.
_FRAMED_SCALAR = {
    float: lambda v: _F_FLOAT(9, 0x0D, v),
    int: _framed_int,
    str: _framed_str,
    bytes: _framed_bytes,
    bool: lambda v: _F_TRUE if v else _F_FALSE,
    type(None): lambda v: _F_NONE,
}

# set elements whose hash (and so the set's iteration order) is the same in every process
_STABLE_HASH_TYPES = {bool, int, float, complex, Decimal, uuid.UUID}
if sys.version_info >= (3, 12):
    _STABLE_HASH_TYPES.add(type(None))


def _stable_order(values) -> bool:
    for v in values:
        t = type(v)
        if t in _STABLE_HASH_TYPES or isinstance(v, (np.number, np.bool_)):
            continue
        if t is tuple or t is frozenset:
            if not _stable_order(v):
                return False
            continue
        return False
    return True


class Encoder:
    """Encodes one value; `out[0]` is the protocol tag, chosen when encoding ends."""

    __slots__ = ("depth", "dj0", "native", "out")

    def __init__(self, native: bool):
        self.out: list = [b"mYm\0"]
        self.dj0 = False
        self.native = native
        self.depth = 0

    def blob(self, obj) -> bytes:
        """The uncompressed blob of `obj`: protocol tag and one item."""
        try:
            self.item(obj)
        except RecursionError:
            raise BlobError(
                "cannot pack this value: it is nested too deeply for the Python stack"
            ) from None
        if self.dj0:
            self.out[0] = b"dj0\0"
        return b"".join(self.out)

    # -- helpers ----------------------------------------------------------------------------

    def need_dj0(self, what) -> None:
        if not self.native:
            if not isinstance(what, str):
                what = f"a value of type {type(what).__module__}.{type(what).__qualname__}"
            raise BlobError(
                f"{what} needs the Python-native blob protocol dj0, which is disabled "
                "(enable_python_native_blobs is False). Only MATLAB-compatible values can be "
                "packed: numeric, logical and char (S1) arrays with at least one dimension, "
                "MatCell and MatStruct holding such values."
            )
        self.dj0 = True

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise BlobError(
                f"cannot pack a value nested more than {MAX_DEPTH} levels deep "
                "(or a container that contains itself)"
            )

    # -- dispatch ---------------------------------------------------------------------------

    def item(self, obj) -> int:
        f = _EXACT.get(type(obj))
        if f is not None:
            return f(self, obj)
        return self.general(obj)

    def framed(self, obj) -> int:
        out = self.out
        i = len(out)
        out.append(b"")
        n = self.item(obj)
        out[i] = _U64(n)
        return n + 8

    def framed_elements(self, values) -> int:
        """Frame each value; the caller has switched the blob to dj0."""
        out = self.out
        total = 0
        fast = _FRAMED_SCALAR
        for v in values:
            f = fast.get(type(v))
            if f is not None:
                b = f(v)
                out.append(b)
                total += len(b)
            else:
                i = len(out)
                out.append(b"")
                g = _EXACT.get(type(v))  # self.item inlined: keeps deep nesting off the stack
                n = g(self, v) if g is not None else self.general(v)
                out[i] = _U64(n)
                total += n + 8
        return total

    def general(self, obj) -> int:
        if isinstance(obj, MatCell):
            return self.cell(obj)
        if isinstance(obj, MatStruct):
            return self.struct(obj)
        if isinstance(obj, np.ndarray) and obj.dtype.fields is None:
            return self.array(obj)
        self.need_dj0(obj)
        if not isinstance(obj, (np.ndarray, np.number)):
            if isinstance(obj, bool):
                return self.bool_(obj)
            if isinstance(obj, int):
                return self.int_(obj)
            if isinstance(obj, complex):
                return self.complex_(obj)
            if isinstance(obj, float):
                return self.float_(obj)
        if isinstance(obj, np.ndarray) and obj.dtype.fields:
            return self.recarray(obj)
        if isinstance(obj, (np.number, np.datetime64, np.bool_)):
            return self.array(np.asarray(obj))
        if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
            return self.datetime_(obj)
        if isinstance(obj, Decimal):
            return self.decimal_(obj)
        if isinstance(obj, uuid.UUID):
            return self.uuid_(obj)
        if isinstance(obj, collections.abc.Mapping):
            return self.dict_(obj)
        if isinstance(obj, str):
            return self.str_(obj)
        if isinstance(obj, (bytes, bytearray)):
            return self.bytes_(obj)
        if isinstance(obj, collections.abc.MutableSequence):
            return self.list_(obj)
        if isinstance(obj, collections.abc.Sequence):
            return self.tuple_(obj)
        if isinstance(obj, collections.abc.Set):
            return self.set_(obj)
        if obj is None:
            return self.none(obj)
        raise BlobError(
            f"cannot pack a value of type {type(obj).__module__}.{type(obj).__qualname__}: "
            "the blob format has no code for it (see the supported types in dj_blob's README)"
        )

    # -- Python scalars ---------------------------------------------------------------------

    def none(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("None")
        self.out.append(b"\xff")
        return 1

    def bool_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a bool")
        self.out.append(b"\x0b\x01" if obj else b"\x0b\x00")
        return 2

    def int_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("an int")
        n, payload = _int_payload(obj)
        self.out.append(_INT_HEAD(0x0A, n) + payload)
        return n + 3

    def float_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a float")
        self.out.append(_FLOAT(0x0D, obj))
        return 9

    def complex_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a complex")
        self.out.append(_COMPLEX(0x0C, obj.real, obj.imag))
        return 17

    def str_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a str")
        b = _encode_str(obj)
        self.out.append(_CODE_LEN(0x05, len(b)) + b)
        return len(b) + 9

    def bytes_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a bytes value")
        self.out.append(_CODE_LEN(0x06, len(obj)) + bytes(obj))
        return len(obj) + 9

    def decimal_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a Decimal")
        b = str(obj).encode()
        self.out.append(_CODE_LEN(0x64, len(b)) + b)
        return len(b) + 9

    def datetime_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a date/time value")
        if isinstance(obj, datetime.datetime):
            date, time = obj.date(), obj.time()
        elif isinstance(obj, datetime.date):
            date, time = obj, None
        else:
            date, time = None, obj
        d = -1 if date is None else (date.year * 100 + date.month) * 100 + date.day
        t = (
            -1
            if time is None
            else ((time.hour * 100 + time.minute) * 100 + time.second) * 1_000_000
            + time.microsecond
        )
        self.out.append(_DATETIME(0x74, d, t))
        return 13

    def uuid_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a UUID")
        self.out.append(b"u" + obj.bytes)
        return 17

    # -- Python containers ------------------------------------------------------------------

    def list_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a list")
        self.enter()
        self.out.append(_CODE_LEN(0x02, len(obj)))
        n = self.framed_elements(obj)
        self.depth -= 1
        return n + 9

    def tuple_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a tuple")
        self.enter()
        self.out.append(_CODE_LEN(0x01, len(obj)))
        n = self.framed_elements(obj)
        self.depth -= 1
        return n + 9

    def set_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a set")
        self.enter()
        out = self.out
        out.append(_CODE_LEN(0x03, len(obj)))
        if _stable_order(obj):
            n = self.framed_elements(obj)
        else:
            # elements whose hashes depend on the process (str, bytes, dates...): write them
            # sorted by their encoded bytes, so that equal sets give equal blobs everywhere
            encoded = []
            for v in obj:
                sub = Encoder(self.native)
                sub.out = []
                sub.dj0 = True
                sub.depth = self.depth
                sub.framed(v)
                encoded.append(b"".join(sub.out))
            encoded.sort()
            out.extend(encoded)
            n = sum(map(len, encoded))
        self.depth -= 1
        return n + 9

    def dict_(self, obj) -> int:
        if not self.dj0:
            self.need_dj0("a dict")
        self.enter()
        out = self.out
        out.append(_CODE_LEN(0x04, len(obj)))
        n = 9
        fast = _FRAMED_SCALAR
        for pair in obj.items():
            for v in pair:
                f = fast.get(type(v))
                if f is not None:
                    b = f(v)
                    out.append(b)
                    n += len(b)
                else:
                    i = len(out)
                    out.append(b"")
                    m = self.item(v)
                    out[i] = _U64(m)
                    n += m + 8
        self.depth -= 1
        return n

    # -- numpy arrays -----------------------------------------------------------------------

    def array(self, arr: np.ndarray) -> int:
        if type(arr) is not np.ndarray:
            ma = sys.modules.get("numpy.ma")
            if ma is not None and isinstance(arr, ma.MaskedArray):
                arr = arr.filled()
            arr = arr.view(np.ndarray)
        dt = arr.dtype
        if dt.names is not None:
            return self.general(arr)  # a structured array: code F
        shape = arr.shape
        ndim = len(shape)
        out = self.out
        cid = CLASS_OF_DTYPE.get(dt)
        if cid is not None:
            if (ndim == 0 or cid >= FIRST_DATETIME_CLASS) and not self.dj0:
                self.need_dj0("a numpy scalar or 0-d array" if ndim == 0 else "a datetime64 array")
            head = _HEADS.get((cid, shape))
            if head is None:
                head = _array_header(ndim).pack(0x41, ndim, *shape, cid, 0)
                if len(_HEADS) < 4096:
                    _HEADS[cid, shape] = head
            out.append(head)
            nbytes = arr.nbytes
            if nbytes <= SMALL_ARRAY:
                out.append(arr.tobytes(order="F"))
                return 17 + 8 * ndim + nbytes
            return 17 + 8 * ndim + self._payload(arr)
        pair = COMPLEX_CLASSES.get(dt)
        if pair is not None:
            if ndim == 0 and not self.dj0:
                self.need_dj0("a numpy complex scalar or 0-d array")
            out.append(_array_header(ndim).pack(0x41, ndim, *shape, pair[0], 1))
            return 17 + 8 * ndim + self._payload(arr.real) + self._payload(arr.imag)
        if dt == CHAR_DTYPE:
            # widen each byte to a u16 code unit, column-major (upstream: row-major)
            units = arr.tobytes(order="F").decode("latin-1").encode("utf-16-le")
            head = _HEADS.get((4, shape))
            if head is None:
                head = _array_header(ndim).pack(0x41, ndim, *shape, 4, 0)
                if len(_HEADS) < 4096:
                    _HEADS[4, shape] = head
            out.append(head)
            out.append(units)
            return 17 + 8 * ndim + len(units)
        if dt.kind == "U" or dt == OBJECT_DTYPE:
            if not self.dj0:
                self.need_dj0("a numpy object or unicode (U) array")
            self.enter()
            out.append(_array_header(ndim).pack(0x41, ndim, *shape, 5, 0))
            flat = arr.ravel(order="F")
            n = self.framed_elements(flat.tolist() if dt.kind == "U" else flat)
            self.depth -= 1
            return 17 + 8 * ndim + n
        raise BlobError(
            f"cannot pack a numpy array of dtype {dt.str!r} ({dt}): the blob format stores "
            "bool, int8-64, uint8-64, float32/64, complex64/128, datetime64 with a unit, "
            "S1 (char), U and object arrays in native byte order; convert it with astype()"
        )

    def _payload(self, arr: np.ndarray) -> int:
        nbytes = arr.nbytes
        if nbytes <= SMALL_ARRAY:
            self.out.append(arr.tobytes(order="F"))
        else:
            flat = arr.ravel(order="F")
            if flat.dtype.kind == "M":
                flat = flat.view("<i8")
            self.out.append(memoryview(flat).cast("B"))
        return nbytes

    def recarray(self, arr: np.ndarray) -> int:
        if not self.dj0:
            self.need_dj0("a structured (record) array")
        arr = arr.view(np.ndarray)
        names = arr.dtype.names
        self.enter()
        head = b"F" + _name_list(names)
        self.out.append(head)
        n = len(head)
        for name in names:
            field = arr[name]
            if field.dtype.fields:
                n += self.recarray(field)
            else:
                n += self.array(field)
        self.depth -= 1
        return n

    # -- MATLAB containers ------------------------------------------------------------------

    def cell(self, arr: MatCell) -> int:
        self.enter()
        base = arr.view(np.ndarray)
        head = _dims(0x43, base.shape)
        out = self.out
        out.append(head)
        n = len(head)
        exact = _EXACT
        for v in base.ravel(order="F"):
            i = len(out)
            out.append(b"")
            f = exact.get(type(v))
            m = f(self, v) if f is not None else self.general(v)
            out[i] = _U64(m)
            n += m + 8
        self.depth -= 1
        return n

    def struct(self, arr: MatStruct) -> int:
        names = arr.dtype.names
        if not names:
            raise BlobError("cannot pack a MatStruct without fields")
        self.enter()
        base = arr.view(np.ndarray)
        head = _dims(0x53, base.shape) + _name_list(names)
        out = self.out
        out.append(head)
        n = len(head)
        flat = base.ravel(order="F")
        # object fields hold the values themselves; other fields give numpy scalars
        columns = [
            flat[name].tolist() if flat.dtype[name] == OBJECT_DTYPE else list(flat[name])
            for name in names
        ]
        exact = _EXACT
        for record in zip(*columns):
            for v in record:
                j = len(out)
                out.append(b"")
                f = exact.get(type(v))
                m = f(self, v) if f is not None else self.general(v)
                out[j] = _U64(m)
                n += m + 8
        self.depth -= 1
        return n


_EXACT = {
    float: Encoder.float_,
    int: Encoder.int_,
    str: Encoder.str_,
    bool: Encoder.bool_,
    bytes: Encoder.bytes_,
    type(None): Encoder.none,
    list: Encoder.list_,
    tuple: Encoder.tuple_,
    dict: Encoder.dict_,
    set: Encoder.set_,
    frozenset: Encoder.set_,
    complex: Encoder.complex_,
    Decimal: Encoder.decimal_,
    uuid.UUID: Encoder.uuid_,
    datetime.datetime: Encoder.datetime_,
    datetime.date: Encoder.datetime_,
    datetime.time: Encoder.datetime_,
    np.ndarray: Encoder.array,
    MatCell: Encoder.cell,
    MatStruct: Encoder.struct,
}
for _t in (
    np.float64, np.float32, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
    np.uint32, np.uint64, np.bool_, np.complex64, np.complex128, np.datetime64,
):  # fmt: skip
    _EXACT[_t] = lambda e, v: e.array(np.asarray(v))
