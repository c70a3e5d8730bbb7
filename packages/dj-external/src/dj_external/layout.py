"""Where objects live inside a store: pure functions, no I/O.

These paths are a storage contract shared with DataJoint 0.14: a lab's existing objects are
found only if every character matches. Keys are POSIX strings relative to the store's root
(`location` for file stores, the normalised key prefix for S3); `join_root` makes them full.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from uuid import UUID

from dj_blob.errors import DataJointError

__all__ = [
    "CACHE_FOLDING",
    "DEFAULT_SUBFOLDING",
    "attachment_key",
    "blob_key",
    "cache_path",
    "check_key",
    "filepath_key",
    "join_root",
    "parse_object_key",
    "relative_to_stage",
    "s3_prefix",
    "subfold",
    "subfolding",
]

DEFAULT_SUBFOLDING: tuple[int, ...] = (2, 2)
# The blob cache folds every hash by (2, 2), whatever the stores say.
CACHE_FOLDING: tuple[int, ...] = (2, 2)


def subfold(name: str, folds: Sequence[int] | None) -> tuple[str, ...]:
    """Folder names cut from the front of `name`: `subfold("0123abcd", (2, 2)) == ("01", "23")`.

    Nesting keeps directories small on file systems that slow down past a few thousand entries.
    `None` or `()` means no nesting.
    """
    pieces = []
    start = 0
    for length in folds or ():
        length = int(length)
        if length < 1:
            raise DataJointError(
                f"Invalid subfolding {tuple(folds)!r}: every fold must be a positive integer."
            )
        pieces.append(name[start : start + length].lower())
        start += length
    return tuple(pieces)


def subfolding(value: Sequence[int] | None) -> tuple[int, ...]:
    """A store's `subfolding` setting as a tuple of positive ints (`None` → no nesting).

    A JSON round trip of the configuration turns `(2, 2)` into `[2, 2]`; both are accepted.
    """
    if value is None:
        return ()
    try:
        folds = tuple(value)
    except TypeError:
        folds = None
    if folds is None or not all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in folds
    ):
        raise DataJointError(
            f"Invalid subfolding {value!r}: use a tuple or list of positive integers, such as "
            "(2, 2), or None for no nested folders."
        )
    return folds


def _hex(hash_: UUID | str) -> str:
    if isinstance(hash_, UUID):
        return hash_.hex
    return UUID(hex=str(hash_)).hex


def _folded(schema: str, hex_: str, folds: Sequence[int] | None) -> str:
    if not schema:
        raise DataJointError("An external object needs the schema (database) name for its path.")
    return "/".join((schema, *subfold(hex_, folds), hex_))


def blob_key(
    schema: str, hash_: UUID | str, folds: Sequence[int] | None = DEFAULT_SUBFOLDING
) -> str:
    """Key of a `blob@store` object: `<schema>/<folds...>/<hex>` (no extension)."""
    return _folded(schema, _hex(hash_), folds)


def attachment_key(
    schema: str,
    hash_: UUID | str,
    attachment_name: str,
    folds: Sequence[int] | None = DEFAULT_SUBFOLDING,
) -> str:
    """Key of an `attach@store` object: the blob key plus `.` and the full original file name."""
    if not attachment_name or "/" in attachment_name or attachment_name in (".", ".."):
        raise DataJointError(
            f"Invalid attachment name {attachment_name!r}: expected a bare file name "
            "(the last component of the attached path)."
        )
    return f"{_folded(schema, _hex(hash_), folds)}.{attachment_name}"


def parse_object_key(
    schema: str, key: str, folds: Sequence[int] | None = DEFAULT_SUBFOLDING
) -> tuple[UUID, str | None] | None:
    """`(hash, attachment_name or None)` of a blob or attachment key of `schema`, or `None`
    for any other key. The inverse of `blob_key`/`attachment_key`, for scans of a store that
    look for objects no tracking row refers to."""
    parts = key.split("/")
    folders = tuple(folds or ())
    if len(parts) != len(folders) + 2 or parts[0] != schema:
        return None
    name = parts[-1]
    hex_, dot, attachment_name = name[:32], name[32:33], name[33:]
    try:
        hash_ = UUID(hex=hex_)
    except ValueError:
        return None
    if hex_ != hash_.hex or (dot and (dot != "." or not attachment_name)):
        return None
    if tuple(parts[1:-1]) != subfold(hex_, folders):
        return None
    return hash_, attachment_name or None


def filepath_key(relative_path: str | PurePath) -> str:
    """Key of a `filepath@store` object: the path relative to the stage, unchanged.

    No schema folder, no subfolding, no hash: the store mirrors the stage's own tree.
    """
    key = PurePosixPath(relative_path).as_posix()
    return check_key(key)


def relative_to_stage(local_path: str | PurePath, stage: str | PurePath) -> str:
    """The POSIX path of `local_path` relative to `stage`, lexically (no symlinks resolved).

    This string is what a `filepath@store` hash is computed from, so it must not depend on
    the machine: POSIX separators, no leading `./`.
    """
    path, root = PurePath(local_path), PurePath(stage)
    try:
        relative = path.relative_to(root)
    except ValueError:
        raise DataJointError(
            f"The path {path.parent} is not in stage {root}: place the file under the "
            "store's stage folder, or correct the store's 'stage' setting."
        ) from None
    text = relative.as_posix()
    if ".." in relative.parts:
        raise DataJointError(
            f"The path {path} climbs out of a folder with '..': pass it in normal form "
            "(os.path.normpath), since the stored relative path is part of the value's hash."
        )
    if text in ("", "."):
        raise DataJointError(f"The path {path} is the stage itself, not a file inside it.")
    return text


def s3_prefix(location: str | PurePath) -> str:
    """The key prefix of an S3 store's `location`.

    Backslashes count as separators; a first component that is a root, a Windows drive or a
    UNC share (it holds a backslash or a colon) is dropped, so `/a/b`, `a\\b` and `f:\\a\\b` all
    give `a/b`. The bucket is never part of the prefix, and the prefix never starts with `/`.
    """
    text = str(location)
    parts = PureWindowsPath(text).parts
    if parts and ("\\" in parts[0] or ":" in parts[0]):
        parts = parts[1:]
    return "/".join(parts)


def join_root(root: str, key: str) -> str:
    """`root/key` with POSIX separators; an empty root (or `.`) means the key itself."""
    if root in ("", "."):
        return key
    return posixpath.join(PurePosixPath(root).as_posix(), key)


def check_key(key: str) -> str:
    """Refuse keys that would escape the store's root or are not relative POSIX paths."""
    parts = key.split("/")
    if not key or key.startswith("/") or ".." in parts or "" in parts:
        raise DataJointError(
            f"Invalid object key {key!r}: keys are relative POSIX paths inside the store, "
            "without empty, '..' or leading '/' components."
        )
    return key


def cache_path(cache: str | PurePath, hash_: UUID | str) -> Path:
    """Where the blob cache keeps an external blob: `<cache>/<h[0:2]>/<h[2:4]>/<h>`.

    One key space for every store and schema: the hash alone identifies the bytes.
    """
    hex_ = _hex(hash_)
    return Path(cache, *subfold(hex_, CACHE_FOLDING), hex_)
