"""Hashes DataJoint stores in the database and uses for file names (`datajoint.hash`).

All are MD5: `key_hash` as 32 hex characters (the `~jobs` table's key), the others as
a `uuid.UUID` whose 16 bytes are the digest itself. Bit-exact with 0.14.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Mapping
from typing import BinaryIO

__all__ = ["key_hash", "uuid_from_buffer", "uuid_from_file", "uuid_from_stream"]

_CHUNK = 1 << 16


def key_hash(mapping: Mapping) -> str:
    """MD5 hex of the concatenated ``str()`` of the values, in sorted order of the keys.

    Key names are not hashed, so ``{"a": 1, "b": 2}`` and ``{"x": "1", "y": 2}`` collide,
    as in 0.14 (the hash must match 0.14 workers sharing a ``~jobs`` table)."""
    digest = hashlib.md5()
    for name in sorted(mapping):
        digest.update(str(mapping[name]).encode("utf-8"))
    return digest.hexdigest()


def uuid_from_stream(stream: BinaryIO, *, init_string: str = "") -> uuid.UUID:
    """UUID of the MD5 of `init_string` (UTF-8) followed by every byte read from `stream`."""
    digest = hashlib.md5(init_string.encode("utf-8"))
    for chunk in iter(lambda: stream.read(_CHUNK), b""):
        digest.update(chunk)
    return uuid.UUID(bytes=digest.digest())


def uuid_from_buffer(buffer: bytes = b"", *, init_string: str = "") -> uuid.UUID:
    """UUID of the MD5 of `init_string` (UTF-8) followed by `buffer`."""
    return uuid_from_stream(io.BytesIO(buffer), init_string=init_string)


def uuid_from_file(filepath: str | os.PathLike, *, init_string: str = "") -> uuid.UUID:
    """UUID of the MD5 of `init_string` (UTF-8) followed by the file's bytes."""
    with open(filepath, "rb") as stream:
        return uuid_from_stream(stream, init_string=init_string)
