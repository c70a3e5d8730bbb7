"""Blob files: one blob per file, for exchanging values with DataJoint for MATLAB."""

from __future__ import annotations

import os

from . import codec
from .errors import BlobError

__all__ = ["load", "save"]


def save(
    path: str | os.PathLike, obj, *, protocol: str | None = None, compress: bool = True
) -> int:
    """Write `obj` to `path` as a file holding exactly its blob bytes; return the size.

    The blob uses ``mYm`` (readable by DataJoint for MATLAB) unless the value needs the
    Python-native ``dj0``. ``protocol="mYm"`` demands a MATLAB-readable file: a value that
    cannot be expressed in ``mYm`` raises BlobError naming what needs ``dj0``.
    ``protocol="dj0"`` or None allows both. `compress` applies DataJoint's rule (zlib when
    it makes the blob smaller), which DataJoint for MATLAB reads as well.
    """
    if protocol not in (None, "mYm", "dj0"):
        raise ValueError(f"protocol must be None, 'mYm' or 'dj0', not {protocol!r}")
    try:
        data = codec.pack(obj, compress=compress, enable_python_native_blobs=protocol != "mYm")
    except BlobError as e:
        if protocol == "mYm" and "dj0" in str(e):
            raise BlobError(f"cannot save {os.fspath(path)!r} as mYm: {e}") from None
        raise
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def load(path: str | os.PathLike, *, squeeze: bool = False):
    """Read a blob file written by `save`, by DataJoint for MATLAB, or copied from a database."""
    with open(path, "rb") as f:
        data = f.read()
    return codec.unpack(data, squeeze=squeeze)
