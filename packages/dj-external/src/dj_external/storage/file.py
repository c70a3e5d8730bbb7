"""The `file` protocol: a store that is a directory on a local or network file system.

Writes are atomic: bytes go to a hidden temporary file in the target's own directory, are
flushed to disk, and the file is renamed over the target with `os.replace`. A reader (or
another process inserting the same content) therefore sees the whole object or none, and a
crash mid-write leaves at most a `.djtmp-*` file, which `list` ignores.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from dj_core.utils import atomic_write

from dj_external.errors import MissingExternalFile, StoreError, StoreLocationError
from dj_external.layout import DEFAULT_SUBFOLDING, check_key
from dj_external.storage.base import DEFAULT_MAX_WORKERS, ObjectInfo, Store

__all__ = ["FileStore"]

logger = logging.getLogger("datajoint.external")

TEMP_PREFIX = ".djtmp-"
_CHUNK = 1 << 20


class FileStore(Store):
    """Objects are files under `location`; a key `a/b/c` is the file `<location>/a/b/c`.

    `location` is used as given (a relative one is relative to the current directory at each
    call, as in DataJoint 0.14) and must be an existing directory when the store is opened.
    """

    protocol = "file"

    def __init__(
        self,
        name: str,
        location: str | os.PathLike[str],
        *,
        subfolding: Sequence[int] | None = DEFAULT_SUBFOLDING,
        max_workers: int = DEFAULT_MAX_WORKERS,
        fsync: bool = True,
    ) -> None:
        super().__init__(name, subfolding=subfolding, max_workers=max_workers)
        self.location = os.fspath(location)
        self.fsync = fsync
        if not os.path.isdir(self.location):
            raise StoreLocationError(
                f"Inaccessible local directory {self.location} of store '{name}': create it, "
                f"or set dj.config['stores']['{name}']['location'] to an existing directory."
            )

    @classmethod
    def from_spec(cls, name: str, spec: Mapping[str, Any], **options: Any) -> FileStore:
        """Open a store from a validated `dj.config['stores'][name]` entry."""
        options.setdefault("subfolding", spec.get("subfolding", DEFAULT_SUBFOLDING))
        return cls(name, spec["location"], **options)

    def _path(self, key: str) -> Path:
        return Path(self.location, check_key(key))

    def full_path(self, key: str) -> str:
        return Path(self.location, key).as_posix()

    # ---- writing ------------------------------------------------------------------------

    def _write_atomically(self, target: Path, fill) -> None:
        """Create `target` through a temporary sibling filled by `fill(file)`."""
        # 0o666 & ~umask, like any ordinary file the user creates: a shared store must stay
        # readable by the lab, which mkstemp's 0o600 would prevent.
        with atomic_write(target, prefix=TEMP_PREFIX, fsync=self.fsync) as file:
            fill(file)

    def put(
        self,
        key: str,
        data: bytes,
        *,
        metadata: Mapping[str, str] | None = None,
        skip_existing: bool = False,
    ) -> bool:
        target = self._path(key)
        if skip_existing and target.is_file():
            return False
        try:
            self._write_atomically(target, lambda file: file.write(data))
        except OSError as error:
            raise StoreError(f"Could not write {target} in store '{self.name}': {error}") from error
        logger.debug("stored %d bytes at %s", len(data), target)
        return True

    def put_file(
        self,
        key: str,
        local_path: str | os.PathLike[str],
        *,
        metadata: Mapping[str, str] | None = None,
        skip_existing: bool = False,
    ) -> bool:
        target = self._path(key)
        source = self._local_file(local_path)
        if target.exists():
            # A store whose stage is its own location holds the file already.
            if skip_existing or os.path.samefile(source, target):
                return False
        try:
            with open(source, "rb") as reader:
                self._write_atomically(
                    target, lambda file: shutil.copyfileobj(reader, file, _CHUNK)
                )
        except OSError as error:
            raise StoreError(
                f"Could not copy {source} to {target} in store '{self.name}': {error}"
            ) from error
        logger.debug("copied %s to %s", source, target)
        return True

    def remove(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            raise StoreError(
                f"Failed to delete {path} from store '{self.name}': {error}"
            ) from error

    # ---- reading ------------------------------------------------------------------------

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            raise MissingExternalFile(self._missing_message(key)) from None

    def get_file(self, key: str, local_path: str | os.PathLike[str]) -> Path:
        source, target = self._path(key), Path(local_path)
        try:
            reader = open(source, "rb")
        except (FileNotFoundError, NotADirectoryError):
            raise MissingExternalFile(self._missing_message(key)) from None
        with reader:
            if target.exists() and os.path.samefile(source, target):
                return target  # the stage is the store's own location
            self._write_atomically(target, lambda file: shutil.copyfileobj(reader, file, _CHUNK))
        return target

    def stat(self, key: str) -> ObjectInfo | None:
        try:
            result = os.stat(self._path(key))
        except (FileNotFoundError, NotADirectoryError):
            return None
        return ObjectInfo(key=key, size=result.st_size)

    def list(self, folder: str = "") -> Iterator[str]:
        base = self._path(folder) if folder else Path(self.location)
        for directory, subdirectories, files in os.walk(base):
            subdirectories.sort()
            relative = Path(directory).relative_to(self.location).as_posix()
            for name in sorted(files):
                if not name.startswith(TEMP_PREFIX):
                    yield name if relative == "." else f"{relative}/{name}"
