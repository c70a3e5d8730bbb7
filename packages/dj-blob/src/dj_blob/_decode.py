"""The decoder: blob bytes to Python values, treating the bytes as untrusted.

Every read is checked against the bytes that remain before anything is read or allocated,
element counts are checked against the smallest possible encoding of that many elements,
nesting is bounded, and every failure raises `BlobError` naming the byte offset.
"""

from __future__ import annotations

import datetime
import math
import struct
import threading
import uuid
import zlib
from decimal import Decimal, InvalidOperation

import numpy as np

from ._encode import MAX_DEPTH
from ._types import CHAR, CLASS_NAMES, NUMERIC_CLASSES, OBJECT, MatCell, MatStruct
from .errors import BlobError

ZL_HEADER = b"ZL123\0"
TAGS = (b"mYm\0", b"dj0\0")

_U16 = struct.Struct("<H").unpack_from
_U32 = struct.Struct("<I").unpack_from
_U64 = struct.Struct("<Q").unpack_from
_II = struct.Struct("<II").unpack_from
_F64 = struct.Struct("<d").unpack_from
_C128 = struct.Struct("<dd").unpack_from
_DATETIME = struct.Struct("<iq").unpack_from
_OBJ = np.dtype("O")
_U1 = np.dtype("<U1")
_F8 = np.dtype("<f8")
_C8 = np.dtype("<c8")
_C16 = np.dtype("<c16")
_UNIT16 = np.dtype("<u2")

_dims_structs: dict[tuple[int, int], struct.Struct] = {}


def inflate(data: bytes, use_32bit: bool, max_size: int) -> bytes:
    """The uncompressed blob inside a `ZL123\\0` envelope, bounded by its declared size."""
    sw = 4 if use_32bit else 8
    if len(data) < 6 + sw:
        raise BlobError(
            f"malformed blob at byte 6: the compressed blob ends before its {sw}-byte size field"
        )
    (size,) = (_U32 if use_32bit else _U64)(data, 6)
    if size > max_size:
        raise BlobError(
            f"malformed blob at byte 6: declared uncompressed size {size} exceeds the limit of "
            f"{max_size} bytes (raise dj_blob.codec.max_unpacked_size to accept it)"
        )
    if size < 5:
        raise BlobError(
            f"malformed blob at byte 6: declared uncompressed size {size} is too small for a blob"
        )
    start = 6 + sw
    inflater = zlib.decompressobj()
    try:
        # never more output than declared (max_length); then the stream must end without
        # producing more: its last (empty) block and checksum may still be unread
        raw = inflater.decompress(memoryview(data)[start:], size)
        tail = inflater.unconsumed_tail
        while tail and not inflater.eof:
            if inflater.decompress(tail, 1):
                raise BlobError(
                    f"malformed blob at byte {start}: the zlib stream inflates to more than "
                    f"the declared {size} bytes"
                )
            if len(inflater.unconsumed_tail) >= len(tail):
                break  # no progress: reported as truncated below
            tail = inflater.unconsumed_tail
    except zlib.error as e:
        raise BlobError(f"malformed blob at byte {start}: invalid zlib stream ({e})") from None
    if not inflater.eof:
        raise BlobError(
            f"malformed blob at byte {len(data)}: the zlib stream is truncated "
            f"({len(raw)} of the declared {size} bytes inflated)"
        )
    if inflater.unused_data:
        raise BlobError(
            f"malformed blob at byte {len(data) - len(inflater.unused_data)}: "
            f"{len(inflater.unused_data)} bytes follow the end of the zlib stream"
        )
    if len(raw) != size:
        raise BlobError(
            f"malformed blob at byte 6: declared uncompressed size {size}, but the zlib stream "
            f"inflates to {len(raw)} bytes"
        )
    return raw


def _is_str_like(v) -> bool:
    return type(v) is str or (
        type(v) is np.ndarray and v.dtype.kind == "U" and v.size == 1 and v.ndim <= 1
    )


def _is_one_number(v) -> bool:
    t = type(v)
    if t is np.ndarray:
        return v.size == 1 and v.dtype.kind in "biufc"
    if t in (float, bool, complex):
        return True
    if t is int:
        return -(2**63) <= v < 2**64
    return isinstance(v, (np.number, np.bool_)) and not isinstance(v, np.timedelta64)


class Decoder:
    """Decodes the items of one uncompressed blob held in `buf` (a `bytes`)."""

    __slots__ = ("buf", "end", "min_item", "size_at", "squeeze", "sw", "where")

    def __init__(self, buf: bytes, squeeze: bool, use_32bit: bool, where: str = "blob"):
        self.buf = buf
        self.end = len(buf)
        self.squeeze = squeeze
        self.where = where
        if use_32bit:
            self.sw, self.size_at = 4, _U32
        else:
            self.sw, self.size_at = 8, _U64
        self.min_item = self.sw + 1  # smallest framed item: length field + code byte

    # -- primitives ------------------------------------------------------------------------

    def fail(self, pos: int, problem: str):
        raise BlobError(f"malformed {self.where} at byte {pos}: {problem}")

    def need(self, pos: int, n: int, what: str) -> None:
        if n > self.end - pos:
            self.fail(pos, f"{what} needs {n} bytes but only {self.end - pos} remain")

    def size(self, pos: int, what: str) -> int:
        if pos + self.sw > self.end:
            self.fail(pos, f"{what}: the data ends inside a {self.sw}-byte size field")
        return self.size_at(self.buf, pos)[0]

    def count(self, pos: int, what: str, per_item: int = 1) -> int:
        """A size field holding a number of framed items, checked against what remains."""
        n = self.size(pos, what)
        if n * self.min_item * per_item > self.end - pos - self.sw:
            self.fail(
                pos,
                f"{what} {n} cannot fit: {n * per_item} framed items need at least "
                f"{n * per_item * self.min_item} bytes but only {self.end - pos - self.sw} remain",
            )
        return n

    def dims(self, pos: int, what: str) -> tuple[tuple[int, ...], int]:
        sw = self.sw
        if pos + sw > self.end:
            self.fail(pos, f"{what}: the data ends inside its number of dimensions")
        ndim = self.size_at(self.buf, pos)[0]
        pos += sw
        if ndim * sw > self.end - pos:
            self.fail(
                pos, f"{what} declares {ndim} dimensions but only {self.end - pos} bytes remain"
            )
        s = _dims_structs.get((sw, ndim))
        if s is None:
            s = struct.Struct(f"<{ndim}{'I' if sw == 4 else 'Q'}")
            if ndim <= 64:
                _dims_structs[(sw, ndim)] = s
        return s.unpack_from(self.buf, pos), pos + ndim * sw

    def names(self, pos: int, k: int, what: str) -> tuple[list[str], int]:
        if k > self.end - pos:
            self.fail(
                pos, f"{what} declares {k} field names but only {self.end - pos} bytes remain"
            )
        buf = self.buf
        names = []
        for _ in range(k):
            stop = buf.find(b"\0", pos, self.end)
            if stop < 0:
                self.fail(pos, f"{what} field name has no terminating NUL byte")
            try:
                name = buf[pos:stop].decode()
            except UnicodeDecodeError:
                self.fail(pos, f"{what} field name is not valid UTF-8")
            if not name:
                self.fail(pos, f"{what} has an empty field name")
            names.append(name)
            pos = stop + 1
        if len(set(names)) != k:
            self.fail(pos, f"{what} has duplicate field names {names}")
        return names, pos

    def shaped(self, pos: int, make, what: str):
        """Run `make()` (reshape / allocation) turning numpy's complaints into BlobError."""
        try:
            return make()
        except (ValueError, TypeError, OverflowError, MemoryError) as e:
            self.fail(pos, f"{what}: {e}")

    # -- items -----------------------------------------------------------------------------

    def item(self, pos: int, depth: int):
        """Decode the item at `pos`; return (value, position after it)."""
        if pos >= self.end:
            self.fail(pos, "expected an item code but the data ends")
        code = self.buf[pos]
        f = _DECODERS.get(code)
        if f is None:
            if code == 0x50:
                self.fail(pos, "MATLAB sparse arrays (code 'P') are not supported")
            self.fail(pos, f"unknown item code 0x{code:02x}")
        if depth > MAX_DEPTH:
            self.fail(pos, f"values nested more than {MAX_DEPTH} levels deep")
        return f(self, pos + 1, depth)

    def framed(self, pos: int, depth: int):
        """Decode the framed item at `pos` (length field, then the item) at nesting `depth`+1."""
        n = self.size(pos, "framed item length")
        start = pos + self.sw
        stop = start + n
        if stop > self.end:
            self.fail(
                pos, f"framed item of {n} bytes overruns the data ({self.end - start} remain)"
            )
        if n == 0:
            self.fail(start, "framed item of 0 bytes has no item code")
        # the item's dispatch is inlined (not self.item) to keep deep nesting off the stack
        code = self.buf[start]
        f = _DECODERS.get(code)
        if f is None or depth >= MAX_DEPTH:
            return self.item(start, depth + 1)  # raises the error
        value, p = f(self, start + 1, depth + 1)
        if p != stop:
            self.fail(start, f"item declared {n} bytes but its contents take {p - start}")
        return value, stop

    def framed_list(self, pos: int, n: int, depth: int) -> tuple[list, int]:
        """Decode `n` framed items starting at `pos`."""
        values = []
        append = values.append
        buf, end, sw, size_at, decoders = self.buf, self.end, self.sw, self.size_at, _DECODERS
        depth += 1
        for _ in range(n):
            if pos + sw > end:
                self.size(pos, "framed item length")  # raises
            length = size_at(buf, pos)[0]
            start = pos + sw
            pos = start + length
            if pos > end:
                self.fail(
                    start - sw,
                    f"framed item of {length} bytes overruns the data ({end - start} remain)",
                )
            if not length:
                self.fail(start, "framed item of 0 bytes has no item code")
            code = buf[start]
            # the commonest Python scalars, decoded in place (their frame gives their size)
            if code == 0x05 and length > sw and size_at(buf, start + 1)[0] == length - 1 - sw:
                try:
                    append(buf[start + 1 + sw : pos].decode())
                    continue
                except UnicodeDecodeError:
                    pass  # the general path below raises the error
            elif code == 0x0D and length == 9:
                append(_F64(buf, start + 1)[0])
                continue
            elif code == 0x0A and length >= 3 and _U16(buf, start + 1)[0] == length - 3:
                append(int.from_bytes(buf[start + 3 : pos], "little", signed=True))
                continue
            elif code == 0xFF and length == 1:
                append(None)
                continue
            elif code == 0x0B and length == 2:
                append(buf[start + 1] != 0)
                continue
            f = decoders.get(code)
            if f is None or depth > MAX_DEPTH:
                self.item(start, depth)  # raises the error
            value, p = f(self, start + 1, depth)
            if p != pos:
                self.fail(start, f"item declared {length} bytes but its contents take {p - start}")
            append(value)
        return values, pos

    # -- code A ----------------------------------------------------------------------------

    def array(self, pos: int, depth: int, top: bool = True):
        dims, pos = self.dims(pos, "array")
        buf = self.buf
        if pos + 8 > self.end:
            self.fail(pos, "the data ends inside the array class id and complex flag")
        cid, is_complex = _II(buf, pos)
        pos += 8
        ndim = len(dims)
        n = math.prod(dims)
        squeeze = self.squeeze and top
        dt = NUMERIC_CLASSES.get(cid)
        try:
            if dt is not None:
                nbytes = n * dt.itemsize
                if is_complex:
                    nbytes *= 2
                if nbytes > self.end - pos:
                    self.fail(
                        pos,
                        f"{CLASS_NAMES[cid]} array of {n} elements needs {nbytes} bytes "
                        f"but only {self.end - pos} remain",
                    )
                if is_complex:
                    if dt.kind == "M":
                        self.fail(pos - 4, "a datetime64 array cannot be complex")
                    arr = np.empty(n, _C8 if cid == 7 else _C16)
                    arr.real = np.frombuffer(buf, dt, n, pos)
                    arr.imag = np.frombuffer(buf, dt, n, pos + n * dt.itemsize)
                elif cid == 3:
                    u8 = np.frombuffer(buf, np.uint8, n, pos)
                    arr = (u8 != 0) if n and u8.max() > 1 else u8.view(np.bool_)
                else:
                    arr = np.frombuffer(buf, dt, n, pos)
                pos += nbytes
                if ndim == 0:
                    value = arr[0]
                    return (value.item() if squeeze else value), pos
                if ndim > 1:
                    arr = arr.reshape(dims, order="F")
            elif cid == CHAR:
                if 2 * n > self.end - pos:
                    self.fail(
                        pos,
                        f"char array of {n} code units needs {2 * n} bytes "
                        f"but only {self.end - pos} remain",
                    )
                raw = buf[pos : pos + 2 * n]
                pos += 2 * n
                if ndim == 1 or (ndim == 2 and dims[0] == 1):
                    # a MATLAB string: UTF-16 code units, surrogate pairs joined
                    text = raw.decode("utf-16-le", "surrogatepass")
                    if squeeze:
                        return text, pos
                    arr = np.array([text])
                else:
                    units = np.frombuffer(raw, _UNIT16).astype("<u4").view(_U1)
                    arr = units.reshape(dims, order="F")
            elif cid == OBJECT:
                if n * self.min_item > self.end - pos:
                    self.fail(
                        pos, f"object array of {n} elements cannot fit in {self.end - pos} bytes"
                    )
                values, pos = self.framed_list(pos, n, depth)
                flat = np.fromiter(values, _OBJ, n) if n else np.empty(0, _OBJ)
                arr = flat.reshape(dims, order="F")
            else:
                name = CLASS_NAMES.get(cid)
                what = f"reserved MATLAB class {name!r}" if name else "unknown"
                self.fail(pos - 8, f"array class id {cid} ({what}) is not supported")
        except (ValueError, TypeError, OverflowError, MemoryError) as e:
            if isinstance(e, BlobError):
                raise
            self.fail(pos, f"array of shape {dims} cannot be built: {e}")
        if squeeze:
            arr = arr.squeeze()
            if arr.ndim == 0:
                return arr.item(), pos
        return arr, pos

    # -- MATLAB struct and cell ------------------------------------------------------------

    def struct(self, pos: int, depth: int):
        start = pos
        dims, pos = self.dims(pos, "struct")
        self.need(pos, 4, "struct field count")
        (k,) = _U32(self.buf, pos)
        pos += 4
        if k == 0:
            return np.array(None), pos
        names, pos = self.names(pos, k, "struct")
        n = math.prod(dims)
        if n * k * self.min_item > self.end - pos:
            self.fail(
                pos, f"struct of {n} elements x {k} fields cannot fit in {self.end - pos} bytes"
            )
        columns = [[None] * n for _ in range(k)]
        framed = self.framed
        for i in range(n):
            for col in columns:
                col[i], pos = framed(pos, depth)
        dtype = self.shaped(start, lambda: np.dtype([(name, _OBJ) for name in names]), "struct")
        rec = self.shaped(start, lambda: np.empty(n, dtype), "struct")
        for name, col in zip(names, columns):
            rec[name] = np.fromiter(col, _OBJ, n)
        rec = self.shaped(start, lambda: rec.reshape(dims, order="F"), "struct shape")
        if self.squeeze:
            rec = rec.squeeze()
        return rec.view(MatStruct), pos

    def cell(self, pos: int, depth: int):
        start = pos
        dims, pos = self.dims(pos, "cell")
        n = math.prod(dims)
        if n * self.min_item > self.end - pos:
            self.fail(pos, f"cell of {n} elements cannot fit in {self.end - pos} bytes")
        values, pos = self.framed_list(pos, n, depth)
        arr = self.shaped(start, lambda: _stack_cell(values, dims), "cell shape")
        if self.squeeze:
            arr = arr.squeeze()
        return arr.view(MatCell), pos

    # -- code F: structured arrays ---------------------------------------------------------

    def recarray(self, pos: int, depth: int, top: bool = True):
        start = pos
        self.need(pos, 4, "structured array field count")
        (k,) = _U32(self.buf, pos)
        pos += 4
        if k == 0:
            return np.array(None), pos
        names, pos = self.names(pos, k, "structured array")
        fields = []
        for name in names:
            if pos >= self.end:
                self.fail(pos, f"structured array field {name!r} is missing")
            code = self.buf[pos]
            if depth + 1 > MAX_DEPTH:
                self.fail(pos, f"values nested more than {MAX_DEPTH} levels deep")
            if code == 0x41:
                v, pos = self.array(pos + 1, depth + 1, top=False)
            elif code == 0x46:
                v, pos = self.recarray(pos + 1, depth + 1, top=False)
            else:
                self.fail(
                    pos,
                    f"structured array field {name!r} must be an array item, not code 0x{code:02x}",
                )
            if not isinstance(v, np.ndarray):
                v = np.asarray(v)
            fields.append(v)
        # the record shape is the shortest field shape; longer fields are sub-array fields
        shape = min((f.shape for f in fields), key=len)
        nd = len(shape)
        for name, f in zip(names, fields):
            if f.shape[:nd] != shape:
                self.fail(
                    start, f"structured array field {name!r} has shape {f.shape}, not {shape}"
                )
        dtype = self.shaped(
            start,
            lambda: np.dtype(
                [
                    (nm, f.dtype, f.shape[nd:]) if f.ndim > nd else (nm, f.dtype)
                    for nm, f in zip(names, fields)
                ]
            ),
            "structured array",
        )
        rec = self.shaped(start, lambda: np.empty(shape, dtype), "structured array")
        for name, f in zip(names, fields):
            rec[name] = f
        if self.squeeze and top:
            rec = rec.squeeze()
        return rec.view(np.recarray), pos

    # -- Python scalars and containers -----------------------------------------------------

    def none(self, pos: int, depth: int):
        return None, pos

    def bool_(self, pos: int, depth: int):
        self.need(pos, 1, "bool")
        return self.buf[pos] != 0, pos + 1

    def int_(self, pos: int, depth: int):
        self.need(pos, 2, "int byte count")
        (n,) = _U16(self.buf, pos)
        pos += 2
        self.need(pos, n, "int")
        return int.from_bytes(self.buf[pos : pos + n], "little", signed=True), pos + n

    def float_(self, pos: int, depth: int):
        self.need(pos, 8, "float")
        return _F64(self.buf, pos)[0], pos + 8

    def complex_(self, pos: int, depth: int):
        self.need(pos, 16, "complex")
        re, im = _C128(self.buf, pos)
        return complex(re, im), pos + 16

    def _bytes(self, pos: int, what: str) -> tuple[bytes, int]:
        if pos + self.sw > self.end:
            self.fail(pos, f"{what}: the data ends inside its length field")
        n = self.size_at(self.buf, pos)[0]
        pos += self.sw
        if n > self.end - pos:
            self.fail(pos, f"{what} of {n} bytes needs more than the {self.end - pos} that remain")
        return self.buf[pos : pos + n], pos + n

    def str_(self, pos: int, depth: int):
        b, end = self._bytes(pos, "str")
        try:
            return b.decode(), end
        except UnicodeDecodeError as e:
            self.fail(pos + self.sw + e.start, "str is not valid UTF-8")

    def bytes_(self, pos: int, depth: int):
        return self._bytes(pos, "bytes")

    def decimal_(self, pos: int, depth: int):
        b, end = self._bytes(pos, "Decimal")
        try:
            return Decimal(b.decode("ascii")), end
        except (UnicodeDecodeError, InvalidOperation, ValueError):
            self.fail(pos + self.sw, f"invalid Decimal text {b[:40]!r}")

    def datetime_(self, pos: int, depth: int):
        self.need(pos, 12, "date/time")
        d, t = _DATETIME(self.buf, pos)
        try:
            date = (
                datetime.date(year=d // 10000, month=(d // 100) % 100, day=d % 100)
                if d >= 0
                else None
            )
            time = (
                datetime.time(
                    hour=(t // 10_000_000_000) % 100,
                    minute=(t // 100_000_000) % 100,
                    second=(t // 1_000_000) % 100,
                    microsecond=t % 1_000_000,
                )
                if t >= 0
                else None
            )
        except ValueError as e:
            self.fail(pos, f"date/time out of range (date field {d}, time field {t}): {e}")
        if date is not None and time is not None:
            return datetime.datetime.combine(date, time), pos + 12
        return (date if date is not None else time), pos + 12

    def uuid_(self, pos: int, depth: int):
        self.need(pos, 16, "UUID")
        return uuid.UUID(bytes=self.buf[pos : pos + 16]), pos + 16

    def tuple_(self, pos: int, depth: int):
        n = self.count(pos, "tuple length")
        values, pos = self.framed_list(pos + self.sw, n, depth)
        return tuple(values), pos

    def list_(self, pos: int, depth: int):
        n = self.count(pos, "list length")
        return self.framed_list(pos + self.sw, n, depth)

    def set_(self, pos: int, depth: int):
        start = pos
        n = self.count(pos, "set size")
        values, pos = self.framed_list(pos + self.sw, n, depth)
        try:
            return set(values), pos
        except TypeError as e:
            self.fail(start, f"set element is not hashable ({e})")

    def dict_(self, pos: int, depth: int):
        start = pos
        n = self.count(pos, "dict size", per_item=2)
        values, pos = self.framed_list(pos + self.sw, 2 * n, depth)
        it = iter(values)
        try:
            return dict(zip(it, it)), pos
        except TypeError as e:
            self.fail(start, f"dict key is not hashable ({e})")


def _stack_cell(values: list, dims: tuple[int, ...]) -> np.ndarray:
    """The array of a MATLAB cell.

    Like DataJoint 0.14 when every element is a string, or every element is a single
    number: those are stacked into one str or numeric array. Anything else (arrays of
    other sizes, empties, mixed kinds) becomes an object array holding each element as is,
    where 0.14 fails or silently coerces.
    """
    n = len(values)
    if n == 0:
        return np.empty(dims, _F8)
    if all(_is_str_like(v) for v in values):
        texts = [v if type(v) is str else str(v.reshape(-1)[0]) for v in values]
        return np.array(texts).reshape(dims, order="F")
    if all(_is_one_number(v) for v in values):
        stacked = np.concatenate([np.asarray(v).reshape(1) for v in values])
        if stacked.dtype.kind in "biufc":
            return stacked.reshape(dims, order="F")
    flat = np.empty(n, _OBJ)
    for i, v in enumerate(values):
        flat[i] = v
    return flat.reshape(dims, order="F")


_DECODERS = {
    0x41: Decoder.array,
    0x53: Decoder.struct,
    0x43: Decoder.cell,
    0x46: Decoder.recarray,
    0xFF: Decoder.none,
    0x01: Decoder.tuple_,
    0x02: Decoder.list_,
    0x03: Decoder.set_,
    0x04: Decoder.dict_,
    0x05: Decoder.str_,
    0x06: Decoder.bytes_,
    0x0A: Decoder.int_,
    0x0B: Decoder.bool_,
    0x0C: Decoder.complex_,
    0x0D: Decoder.float_,
    0x64: Decoder.decimal_,
    0x74: Decoder.datetime_,
    0x75: Decoder.uuid_,
}


# Recently inflated (or just compressed) blobs, by their compressed bytes: decoding the same
# compressed blob again (rows sharing one external-store blob, repeated fetches, a value read
# back after it was inserted) skips the inflate pass. Holds the inflated bytes, never decoded
# values (those may be mutable), and only small blobs; evicts the oldest first.
CACHE_MAX_COMPRESSED = 1 << 16
CACHE_MAX_INFLATED = 1 << 20
_inflated: dict[tuple[bytes, bool], bytes] = {}
_inflated_total = 0
_inflated_lock = threading.Lock()


def _inflate_cached(data: bytes, use_32bit: bool, max_size: int, cache_size: int) -> bytes:
    if cache_size <= 0 or len(data) > CACHE_MAX_COMPRESSED:
        return inflate(data, use_32bit, max_size)
    key = (data, use_32bit)
    raw = _inflated.get(key)
    if raw is not None and len(raw) <= max_size:
        return raw
    raw = inflate(data, use_32bit, max_size)
    remember_inflated(data, use_32bit, raw, cache_size)
    return raw


def remember_inflated(data: bytes, use_32bit: bool, raw: bytes, cache_size: int) -> None:
    """Cache `raw` as the inflated form of the compressed blob `data` (if both are small)."""
    global _inflated_total
    if cache_size <= 0 or len(data) > CACHE_MAX_COMPRESSED or len(raw) > CACHE_MAX_INFLATED:
        return
    key = (data, use_32bit)
    with _inflated_lock:
        if key not in _inflated:
            _inflated[key] = raw
            _inflated_total += len(raw)
            while _inflated_total > cache_size and _inflated:
                _inflated_total -= len(_inflated.pop(next(iter(_inflated))))


def clear_inflate_cache() -> None:
    """Forget every cached inflated blob."""
    global _inflated_total
    with _inflated_lock:
        _inflated.clear()
        _inflated_total = 0


def decode(data: bytes, squeeze: bool, use_32bit: bool, max_size: int, cache_size: int = 0):
    """Decode a whole blob (compressed or not)."""
    where = "blob"
    if data[:6] == ZL_HEADER:
        data = _inflate_cached(data, use_32bit, max_size, cache_size)
        where = "decompressed blob"
    if data[:4] not in TAGS:
        if not data:
            raise BlobError(f"malformed {where} at byte 0: it is empty")
        raise BlobError(
            f"malformed {where} at byte 0: unknown protocol tag {bytes(data[:4])!r} "
            "(expected b'mYm\\x00', b'dj0\\x00' or a b'ZL123\\x00' envelope)"
        )
    decoder = Decoder(data, squeeze, use_32bit, where)
    try:
        value, pos = decoder.item(4, 0)
    except RecursionError:
        raise BlobError(
            f"malformed {where}: values nested too deeply for the Python stack"
        ) from None
    if pos != len(data):
        decoder.fail(pos, f"{len(data) - pos} bytes follow the end of the value")
    return value
