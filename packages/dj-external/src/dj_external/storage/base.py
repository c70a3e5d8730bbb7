"""The interface every store backend offers, and the bounded pool its batch calls run on.

The external tables and attribute types above this layer speak only to `Store`: keys are
POSIX paths relative to the store's root (see `dj_external.layout`), values are bytes or
local files. A backend implements the single-object methods; the batch methods here run
them for many objects at once on a thread pool of at most `max_workers` threads, because
store latency (S3 round trips, network file systems), not CPU, bounds insert and fetch of
many external values.
"""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NoReturn, TypeVar
from uuid import UUID

from dj_external import layout
from dj_external.errors import DataJointError, MissingExternalFile
from dj_external.layout import DEFAULT_SUBFOLDING

__all__ = ["DEFAULT_MAX_WORKERS", "FileItem", "ObjectInfo", "Store"]

logger = logging.getLogger("datajoint.external")

DEFAULT_MAX_WORKERS = 16

T = TypeVar("T")
R = TypeVar("R")

# (key, local path) or (key, local path, user metadata) for `put_files`.
FileItem = (
    tuple[str, "str | os.PathLike[str]"]
    | tuple[str, "str | os.PathLike[str]", "Mapping[str, str] | None"]
)


@dataclass(frozen=True)
class ObjectInfo:
    """What a store knows about one object without reading it."""

    key: str
    size: int
    # User metadata (S3 `x-amz-meta-*` headers without the prefix); file stores have none.
    metadata: Mapping[str, str] = field(default_factory=dict)


class Store(ABC):
    """One configured store: object I/O by key, single or batched.

    Subclasses set `protocol` and implement `put`, `get`, `put_file`, `get_file`, `stat`,
    `remove`, `list` and `full_path`. Every method is safe to call from several threads.
    """

    protocol: ClassVar[str]
    location: str

    def __init__(
        self,
        name: str,
        *,
        subfolding: Sequence[int] | None = DEFAULT_SUBFOLDING,
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        self.name = name
        # A JSON round trip turns the configured tuple into a list; None means no nesting.
        self.subfolding: tuple[int, ...] = layout.subfolding(subfolding)
        self.max_workers = max_workers

    # ---- where objects go ------------------------------------------------------------

    def blob_key(self, schema: str, hash_: UUID | str) -> str:
        """Key of a `blob@store` object of `schema` with content hash `hash_`."""
        return layout.blob_key(schema, hash_, self.subfolding)

    def attachment_key(self, schema: str, hash_: UUID | str, attachment_name: str) -> str:
        """Key of an `attach@store` object."""
        return layout.attachment_key(schema, hash_, attachment_name, self.subfolding)

    def filepath_key(self, relative_path: str) -> str:
        """Key of a `filepath@store` object: its path relative to the stage."""
        return layout.filepath_key(relative_path)

    # ---- single objects --------------------------------------------------------------

    @abstractmethod
    def full_path(self, key: str) -> str:
        """The object's full path (file store) or full key in the bucket (S3): for messages
        and for `fetch_external_paths`."""

    @abstractmethod
    def put(
        self,
        key: str,
        data: bytes,
        *,
        metadata: Mapping[str, str] | None = None,
        skip_existing: bool = False,
    ) -> bool:
        """Write `data` as the object `key`, replacing any object there, atomically.

        With `skip_existing`, an existing object is kept (content-addressed keys hold the
        same bytes). Returns whether the object was written.
        """

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The object's bytes; `MissingExternalFile` if it is absent."""

    @abstractmethod
    def put_file(
        self,
        key: str,
        local_path: str | os.PathLike[str],
        *,
        metadata: Mapping[str, str] | None = None,
        skip_existing: bool = False,
    ) -> bool:
        """Copy a local file into the store as `key` (atomically); returns whether it was
        written."""

    @abstractmethod
    def get_file(self, key: str, local_path: str | os.PathLike[str]) -> Path:
        """Copy the object to `local_path` (parent folders created; the file appears whole or
        not at all); `MissingExternalFile` if it is absent."""

    @abstractmethod
    def stat(self, key: str) -> ObjectInfo | None:
        """Size and metadata of the object, or `None` if it is absent."""

    @abstractmethod
    def remove(self, key: str) -> None:
        """Delete the object; an absent object is not an error."""

    @abstractmethod
    def list(self, folder: str = "") -> Iterator[str]:
        """Keys of all objects under `folder` (a key prefix ending at a `/`), recursively."""

    def exists(self, key: str) -> bool:
        """Whether the object is present."""
        return self.stat(key) is not None

    def size(self, key: str) -> int:
        """The object's size in bytes; `MissingExternalFile` if it is absent."""
        info = self.stat(key)
        if info is None:
            raise MissingExternalFile(self._missing_message(key))
        return info.size

    def _local_file(self, local_path: str | os.PathLike[str]) -> Path:
        """`local_path` as a `Path`, which `put_file` requires to be an existing file."""
        source = Path(local_path)
        if not source.is_file():
            raise DataJointError(f"Cannot store {source} in store '{self.name}': no such file.")
        return source

    def _missing_message(self, key: str) -> str:
        return (
            f"Missing external file {self.full_path(key)} in store '{self.name}'. "
            "The object was deleted or never written; restore it from a backup, or delete "
            "the rows that refer to it."
        )

    # ---- batches ---------------------------------------------------------------------

    def map(
        self,
        function: Callable[[T], R],
        items: Iterable[T],
        *,
        labels: Sequence[str] | None = None,
    ) -> list[R]:
        """`[function(item) for item in items]`, run on at most `max_workers` threads.

        Results keep the order of `items`. If any call fails, calls not yet started are
        cancelled, running ones are awaited, and the error of the earliest failing item is
        raised: a batch either completes or raises. `labels` (one per item, e.g. the primary
        key of the row a value belongs to) are appended to the message of a DataJoint error,
        so that it names the row as well as the store and the path.
        """
        items = list(items)
        if labels is not None and len(labels) != len(items):
            raise ValueError(f"{len(labels)} labels for {len(items)} items")
        if len(items) <= 1 or self.max_workers == 1:
            results = []
            for index, item in enumerate(items):
                try:
                    results.append(function(item))
                except DataJointError as error:
                    _raise_labelled(error, labels, index)
            return results
        workers = min(self.max_workers, len(items))
        executor = ThreadPoolExecutor(workers, thread_name_prefix=f"dj-store-{self.name}")
        try:
            futures: list[Future[R]] = [executor.submit(function, item) for item in items]
            results = []
            for index, future in enumerate(futures):
                error = future.exception()
                if error is not None:
                    executor.shutdown(wait=True, cancel_futures=True)
                    if isinstance(error, DataJointError):
                        _raise_labelled(error, labels, index)
                    raise error
                results.append(future.result())
            return results
        finally:
            executor.shutdown(wait=True)

    def put_many(
        self,
        items: Iterable[tuple[str, bytes]],
        *,
        skip_existing: bool = False,
        labels: Sequence[str] | None = None,
    ) -> list[bool]:
        """`put` for many `(key, data)` pairs concurrently; returns which were written."""
        return self.map(
            lambda item: self.put(item[0], item[1], skip_existing=skip_existing),
            items,
            labels=labels,
        )

    def get_many(self, keys: Iterable[str], *, labels: Sequence[str] | None = None) -> list[bytes]:
        """`get` for many keys concurrently, in order."""
        return self.map(self.get, keys, labels=labels)

    def put_files(
        self,
        items: Iterable[FileItem],
        *,
        skip_existing: bool = False,
        labels: Sequence[str] | None = None,
    ) -> list[bool]:
        """`put_file` for many `(key, local_path[, metadata])` items concurrently."""

        def one(item: Sequence[Any]) -> bool:
            metadata = item[2] if len(item) > 2 else None
            return self.put_file(item[0], item[1], metadata=metadata, skip_existing=skip_existing)

        return self.map(one, items, labels=labels)

    def get_files(
        self,
        items: Iterable[tuple[str, str | os.PathLike[str]]],
        *,
        labels: Sequence[str] | None = None,
    ) -> list[Path]:
        """`get_file` for many `(key, local_path)` pairs concurrently."""
        return self.map(lambda item: self.get_file(item[0], item[1]), items, labels=labels)

    def stat_many(self, keys: Iterable[str]) -> list[ObjectInfo | None]:
        """`stat` for many keys concurrently."""
        return self.map(self.stat, keys)

    def exists_many(self, keys: Iterable[str]) -> list[bool]:
        """`exists` for many keys concurrently."""
        return [info is not None for info in self.stat_many(keys)]

    def remove_many(self, keys: Iterable[str]) -> list[Exception | None]:
        """`remove` for many keys concurrently. Unlike the other batches this never raises:
        cleanup needs to know, per object, which removals failed (`None` = removed)."""

        def one(key: str) -> Exception | None:
            try:
                self.remove(key)
            except Exception as error:
                logger.warning("Could not remove %s from store '%s': %s", key, self.name, error)
                return error
            return None

        return self.map(one, keys)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} '{self.name}' {self.protocol}:{self.location}>"


def _raise_labelled(error: DataJointError, labels: Sequence[str] | None, index: int) -> NoReturn:
    """Raise `error`, or with a label: the same kind of error, its message followed by the
    label of the failing item, chained to the original."""
    if labels is None:
        raise error
    message = str(error.args[0]) if error.args else type(error).__name__
    labelled = type(error)(f"{message} (for {labels[index]})")
    labelled.__dict__.update(error.__dict__)
    raise labelled from error
