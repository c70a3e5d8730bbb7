"""pack and unpack: the blob codec of DataJoint 0.14 and DataJoint for MATLAB.

This module is the one that the meta-package exposes as ``datajoint.blob``. Its settable
module attributes are read at every call, so assigning them changes the codec's behaviour
from then on (DataJoint 0.14's tests and user code do ``dj.blob.use_32bit_dims = True``):

``use_32bit_dims``
    read size fields as 32-bit (blobs written by the 32-bit build of MATLAB's mYm).
``bypass_serialization``
    ``pack`` and ``unpack`` return their (already packed) bytes argument unchanged.
``max_unpacked_size``
    the largest uncompressed size a compressed blob may declare (default 4 GiB).
``inflate_cache_size``
    bytes of recently inflated small blobs kept, so that decoding the same compressed blob
    again skips the inflate pass (default 32 MiB; 0 turns the cache off).

The python-native switch (``enable_python_native_blobs``) is an argument of ``pack``;
its default comes from the option source installed with ``set_option_source``.
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from ._decode import TAGS, ZL_HEADER, clear_inflate_cache, decode, remember_inflated
from ._encode import Encoder
from ._types import MatCell, MatStruct
from .errors import BlobError, DataJointError

__all__ = [
    "BlobError",
    "DataJointError",
    "MatCell",
    "MatStruct",
    "bypass_serialization",
    "clear_inflate_cache",
    "compress_blob",
    "inflate_cache_size",
    "max_unpacked_size",
    "pack",
    "pack_many",
    "set_option_source",
    "unpack",
    "unpack_many",
    "use_32bit_dims",
]

use_32bit_dims = False
bypass_serialization = False
max_unpacked_size = 4 * 2**30
inflate_cache_size = 32 * 2**20  # bytes of recently inflated small blobs kept; 0: no cache

COMPRESS_THRESHOLD = 1000  # compress only blobs strictly longer than this (tag included)
PROBE_MIN = 1 << 20  # blobs this large are probed before the full deflate pass
PROBE_WINDOW = 1 << 15  # 32 KiB: deflate's window, so repeats within it are seen
PROBE_WINDOWS = 8

_this = sys.modules[__name__]
_option_source: Callable[[str], Any] | None = None
_U64 = struct.Struct("<Q").pack


_S_FLOAT = struct.Struct("<4sBd").pack
_S_INT = struct.Struct("<4sBH").pack


def _small_int(v: int) -> bytes:
    n = v.bit_length() // 8 + 1
    if n > 0xFFFF:
        return Encoder(True).blob(v)  # raises the error for ints too large to store
    return _S_INT(b"dj0\0", 0x0A, n) + v.to_bytes(n, "little", signed=True)


# whole uncompressed blobs of Python scalars (exact types), bypassing the general encoder
_SMALL_DJ0 = {
    float: lambda v: _S_FLOAT(b"dj0\0", 0x0D, v),
    int: _small_int,
    bool: lambda v: b"dj0\0\x0b\x01" if v else b"dj0\0\x0b\x00",
    type(None): lambda v: b"dj0\0\xff",
}


def set_option_source(source: Callable[[str], Any] | None) -> None:
    """Install the getter that supplies option defaults at call time, or None to reset.

    `source(name)` is called with ``"enable_python_native_blobs"`` whenever ``pack`` is
    called without that argument; a result of None means "not set" (default: enabled).
    The datajoint meta-package installs a getter that reads the live ``dj.config``.
    """
    global _option_source
    _option_source = source


def _native_default() -> bool:
    source = _option_source
    if source is None:
        return True
    value = source("enable_python_native_blobs")
    return True if value is None else bool(value)


def _check_packed(data, what: str) -> None:
    if not isinstance(data, bytes) or not data.startswith((ZL_HEADER, *TAGS)):
        raise BlobError(
            f"{what} with bypass_serialization set needs bytes that are already a blob "
            f"(starting with b'ZL123\\0', b'mYm\\0' or b'dj0\\0'), got {type(data).__name__}"
        )


def _incompressible(raw: bytes) -> bool:
    """True when deflate cannot shrink any of PROBE_WINDOWS evenly spaced 32 KiB windows."""
    view = memoryview(raw)
    if len(zlib.compress(view[:4096])) < 4096:
        return False  # the first 4 KiB already shrink: cheap evidence, deflate it all
    step = (len(raw) - PROBE_WINDOW) // (PROBE_WINDOWS - 1)
    for k in range(PROBE_WINDOWS):
        start = k * step
        if len(zlib.compress(view[start : start + PROBE_WINDOW])) < PROBE_WINDOW:
            return False
    return True


def compress_blob(raw: bytes) -> bytes:
    """Apply DataJoint's compression rule to an uncompressed blob.

    Blobs longer than 1000 bytes are deflated (zlib level 6) and the ``ZL123\\0`` envelope
    is kept only when it is shorter. Blobs of 1 MiB and more are first probed: unless their
    first 4 KiB shrink, eight evenly spaced 32 KiB windows are deflated, and when none of
    them shrinks the data is taken as incompressible and stored raw without the full pass
    (see README, "Differences from DataJoint 0.14").
    """
    n = len(raw)
    if n <= COMPRESS_THRESHOLD:
        return raw
    if n >= PROBE_MIN and _incompressible(raw):
        return raw
    z = zlib.compress(raw)
    if len(z) + 14 < n:
        blob = b"".join((ZL_HEADER, _U64(n), z))
        remember_inflated(blob, False, raw, inflate_cache_size)
        return blob
    return raw


def pack(obj, compress: bool = True, *, enable_python_native_blobs: bool | None = None) -> bytes:
    """Serialize `obj` into blob bytes, identical to DataJoint 0.14's for the same value.

    `enable_python_native_blobs`: allow the Python-native ``dj0`` protocol (Python scalars
    and containers, numpy scalars, object/U/datetime64/record arrays). None reads the
    default from the option source (``set_option_source``); without one it is enabled.
    When disabled, a value that needs ``dj0`` raises BlobError, so only blobs that
    DataJoint for MATLAB can read are written.
    """
    if bypass_serialization:
        _check_packed(obj, "pack")
        return obj
    if enable_python_native_blobs is None:
        native = True if _option_source is None else _native_default()
    else:
        native = bool(enable_python_native_blobs)
    small = _SMALL_DJ0.get(type(obj))
    if small is not None and native:
        raw = small(obj)  # a Python scalar: one short item, no dispatch needed
    else:
        raw = Encoder(native).blob(obj)
    return compress_blob(raw) if compress and len(raw) > COMPRESS_THRESHOLD else raw


def unpack(
    blob,
    squeeze: bool = False,
    *,
    use_32bit_dims: bool | None = None,
    max_size: int | None = None,
):
    """Deserialize blob bytes (compressed or not); ``unpack(None)`` is None.

    `squeeze`: drop length-1 dimensions of arrays, turning 0-d results into Python
    scalars (DataJoint's ``fetch(squeeze=True)``). `use_32bit_dims` (default: the module
    attribute) reads 32-bit size fields. `max_size` (default: ``max_unpacked_size``)
    bounds the declared size of a compressed blob. Malformed data raises BlobError.
    """
    if blob is None:
        return None
    if bypass_serialization:
        _check_packed(blob, "unpack")
        return blob
    if not isinstance(blob, bytes):
        if not isinstance(blob, (bytearray, memoryview)):
            raise BlobError(f"cannot unpack a {type(blob).__name__}: blobs are bytes")
        blob = bytes(blob)
    return decode(
        blob,
        squeeze,
        _this.use_32bit_dims if use_32bit_dims is None else use_32bit_dims,
        max_unpacked_size if max_size is None else max_size,
        inflate_cache_size,
    )


def pack_many(
    values: Iterable, compress: bool = True, *, enable_python_native_blobs: bool | None = None
) -> list:
    """`pack` every value of a column; None stays None (SQL NULL). Settings are read once."""
    if _this.bypass_serialization:
        return [None if v is None else pack(v) for v in values]
    native = bool(
        _native_default() if enable_python_native_blobs is None else enable_python_native_blobs
    )
    result = []
    for v in values:
        if v is None:
            result.append(None)
            continue
        raw = Encoder(native).blob(v)
        result.append(compress_blob(raw) if compress else raw)
    return result


def unpack_many(
    blobs: Iterable, squeeze: bool = False, *, use_32bit_dims: bool | None = None
) -> list:
    """`unpack` every blob of a column (None stays None). Settings are read once."""
    if _this.bypass_serialization:
        return [None if b is None else unpack(b) for b in blobs]
    wide = _this.use_32bit_dims if use_32bit_dims is None else use_32bit_dims
    limit = _this.max_unpacked_size
    cache = _this.inflate_cache_size
    result = []
    for b in blobs:
        if b is None:
            result.append(None)
        else:
            if not isinstance(b, bytes):
                b = bytes(b)
            result.append(decode(b, squeeze, wide, limit, cache))
    return result
