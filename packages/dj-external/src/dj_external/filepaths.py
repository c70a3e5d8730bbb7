"""`filepath@store` transfers between a local stage and the store.

A filepath value is a file under the store's `stage` folder; the store keeps a mirror of it
at the same relative path. Its hash is that of the relative path, and the tracking row
records the contents' MD5 so that a fetched copy can be verified. These functions do the
file side; checking the tracking row (is this path already placed, with which contents) is
the external table's job.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from dj_blob.errors import DataJointError
from dj_core.hash import uuid_from_file

from dj_external.encoding import filepath_hash
from dj_external.layout import relative_to_stage
from dj_external.storage.base import Store

__all__ = ["FilepathValue", "download_filepath", "prepare_filepath", "upload_filepath"]

logger = logging.getLogger("datajoint.external")


@dataclass(frozen=True)
class FilepathValue:
    """What an insert of one local file into a `filepath@store` column computes."""

    local_path: Path
    relative_path: str  # POSIX, relative to the stage: the object key and the hashed string
    hash: UUID
    contents_hash: UUID | None  # None when skipped for size
    size: int


def prepare_filepath(
    local_path: str | os.PathLike[str],
    stage: str | os.PathLike[str] | None,
    *,
    store_name: str = "",
    checksum_size_limit: int | None = None,
) -> FilepathValue:
    """Relative path, hashes and size of a file about to be inserted.

    `checksum_size_limit` is `filepath_checksum_size_limit_insert`: larger files get no
    contents hash (a warning says so), trading verification for insert speed.
    """
    if stage is None:
        raise DataJointError(
            f"Store '{store_name}' has no 'stage': filepath@{store_name} needs the local folder "
            f"that mirrors the store; set dj.config['stores']['{store_name}']['stage']."
        )
    path = Path(local_path)
    relative = relative_to_stage(path, stage)
    if not path.is_file():
        raise DataJointError(f"Cannot insert filepath {path}: no such file.")
    size = path.stat().st_size
    if checksum_size_limit is not None and size > checksum_size_limit:
        logger.warning(
            "Skipping checksum for '%s' (%d bytes > %d byte limit)",
            relative,
            size,
            checksum_size_limit,
        )
        contents = None
    else:
        contents = uuid_from_file(path)
    return FilepathValue(path, relative, filepath_hash(relative), contents, size)


def upload_filepath(store: Store, value: FilepathValue) -> bool:
    """Mirror the file into the store; returns whether anything was transferred.

    S3 objects carry the contents hash as `contents_hash` metadata, and an object already
    present with the same size and contents hash (or any, when the checksum was skipped) is
    not uploaded again. A file store copies, unless the stage is the store's own folder.
    """
    key = store.filepath_key(value.relative_path)
    contents = "" if value.contents_hash is None else str(value.contents_hash)
    if store.protocol == "s3":
        info = store.stat(key)
        if (
            info is not None
            and info.size == value.size
            and (value.contents_hash is None or info.metadata.get("contents_hash") == contents)
        ):
            logger.info("'%s' is already in store '%s'; not uploaded again.", key, store.name)
            return False
    return store.put_file(key, value.local_path, metadata={"contents_hash": contents})


def download_filepath(
    store: Store,
    relative_path: str,
    stage: str | os.PathLike[str],
    *,
    size: int,
    contents_hash: UUID | None,
    checksum_size_limit: int | None = None,
) -> str:
    """The absolute local path of a fetched filepath value, transferring it if needed.

    A local copy of the recorded size whose contents hash matches (or that is too large to
    checksum under `filepath_checksum_size_limit`) is used as is; otherwise the object is
    fetched from the store over it and verified.
    """
    local = Path(stage).absolute() / relative_path

    def checksummed(path: Path) -> bool:
        return checksum_size_limit is None or path.stat().st_size < checksum_size_limit

    if local.is_file() and local.stat().st_size == size:
        if not checksummed(local):
            _skipped(relative_path, store)
            return str(local)
        if contents_hash is not None and uuid_from_file(local) == contents_hash:
            return str(local)
    elif local.is_file():
        logger.warning("Replacing '%s': its size differs from the stored file's.", local)
    store.get_file(store.filepath_key(relative_path), local)
    if local.stat().st_size != size:
        raise DataJointError(
            f"'{local}' downloaded but size did not match: store '{store.name}' holds "
            f"{local.stat().st_size} bytes at {store.full_path(relative_path)}, the tracking "
            f"row records {size}."
        )
    if not checksummed(local):
        _skipped(relative_path, store)
    elif contents_hash is None:
        logger.warning(
            "'%s' from store '%s' was inserted without a checksum and cannot be verified.",
            relative_path,
            store.name,
        )
    elif uuid_from_file(local) != contents_hash:
        raise DataJointError(
            f"'{local}' downloaded but did not pass checksum: the object "
            f"{store.full_path(relative_path)} in store '{store.name}' differs from the file "
            "that was inserted."
        )
    return str(local)


def _skipped(relative_path: str, store: Store) -> None:
    logger.warning(
        "Skipped checksum for file with hash: %s ('%s' in store '%s')",
        filepath_hash(relative_path),
        relative_path,
        store.name,
    )
