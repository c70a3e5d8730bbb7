"""The blob cache: fetched `blob@store` objects kept in a local folder.

`dj.config['cache']` names the folder. Objects are filed by hash alone,
`<cache>/<h[0:2]>/<h[2:4]>/<h>`, whatever their store or schema; the hash is the MD5 of the
bytes, so a cached file is trusted without a check (as in 0.14), never overwritten and never
evicted by DataJoint. Only external blobs are cached, not attachments or filepaths.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from uuid import UUID

from dj_core.utils import atomic_write

from dj_external.layout import cache_path

__all__ = ["BlobCache"]

logger = logging.getLogger("datajoint.external")


class BlobCache:
    """Read-through cache of external blob bytes in `folder` (created on first write)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, hash_: UUID | str) -> Path:
        return cache_path(self.folder, hash_)

    def get(self, hash_: UUID | str) -> bytes | None:
        """The cached bytes, or `None` when the blob is not cached."""
        try:
            return self.path(hash_).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def put(self, hash_: UUID | str, data: bytes) -> None:
        """Cache `data` unless already cached; written atomically, so a concurrent reader
        never trusts a partial file. A cache that cannot be written is only logged: the
        value was fetched anyway."""
        target = self.path(hash_)
        if target.exists():
            return
        try:
            with atomic_write(target, prefix=".djtmp-") as file:
                file.write(data)
        except OSError as error:
            logger.warning("Could not write the blob cache file %s: %s", target, error)
