"""Byte formats and hashes of external values that need no table.

- attachments: `name + b"\\0" + file bytes` is the in-row `attach` value, and its MD5 is the
  hash of both `attach` and `attach@store` values;
- external blobs: the store object of a `blob@store` value is the blob codec's packed bytes,
  and its MD5 is the tracking-table hash;
- filepaths: the hash is the MD5 of the path relative to the stage, not of the contents.

All hashes are `uuid.UUID`s made from MD5 digests (dj-core's `dj_core.hash`).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import Any
from uuid import UUID

from dj_blob.errors import DataJointError
from dj_core.hash import uuid_from_buffer, uuid_from_file

__all__ = [
    "attachment_hash",
    "attachment_name",
    "blob_hash",
    "contents_hash",
    "decode_attachment",
    "encode_attachment",
    "filepath_hash",
    "pack_external_blob",
    "unpack_external_blob",
]


def attachment_name(path: str | os.PathLike[str]) -> str:
    """The name an attachment is stored under: the base name of the attached path."""
    name = PurePath(path).name
    if not name:
        raise DataJointError(f"Cannot attach {path!r}: it names no file.")
    return name


def encode_attachment(path: str | os.PathLike[str]) -> bytes:
    """The in-row `attach` value of a local file: UTF-8 base name, a zero byte, the bytes."""
    return attachment_name(path).encode() + b"\0" + Path(path).read_bytes()


def decode_attachment(value: bytes) -> tuple[str, bytes]:
    """`(name, contents)` of an in-row `attach` value (the name ends at the first zero byte)."""
    name, separator, contents = bytes(value).partition(b"\0")
    if not separator:
        raise DataJointError(
            "Invalid attachment value: no zero byte separates the file name from the contents."
        )
    return name.decode(), contents


def attachment_hash(path: str | os.PathLike[str]) -> UUID:
    """Hash of an attachment (in-row or in a store): MD5 of name, zero byte, contents."""
    return uuid_from_file(path, init_string=attachment_name(path) + "\0")


def blob_hash(packed: bytes) -> UUID:
    """Hash of a `blob@store` value: MD5 of the exact bytes written to the store."""
    return uuid_from_buffer(packed)


def filepath_hash(relative_path: str) -> UUID:
    """Hash of a `filepath@store` value: MD5 of its POSIX path relative to the stage."""
    return uuid_from_buffer(init_string=relative_path)


def contents_hash(path: str | os.PathLike[str]) -> UUID:
    """MD5 of a file's bytes: the `contents_hash` of a `filepath@store` tracking row."""
    return uuid_from_file(path)


def pack_external_blob(value: Any, **options: Any) -> bytes:
    """The store object of a `blob@store` value: the codec's packed bytes (`dj_blob.pack`).

    The bytes must be identical to DataJoint 0.14's for the same value, or the same value
    stored by both gets two objects (still readable by both).
    """
    import dj_blob

    return dj_blob.pack(value, **options)


def unpack_external_blob(data: bytes, **options: Any) -> Any:
    """The value of a `blob@store` object (`dj_blob.unpack`; `squeeze=` honoured)."""
    import dj_blob

    return dj_blob.unpack(data, **options)
