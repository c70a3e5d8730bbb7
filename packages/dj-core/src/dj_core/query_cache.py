"""The file-backed query cache behind `Connection.set_query_cache`.

While a cache "state" (any non-empty string naming, say, a frozen snapshot of the
data) is set on a connection, SELECT and SHOW statements are answered from files in
``config["query_cache"]`` when possible; other statements are refused, since they
would make cached answers wrong. A file's name is a UUID of the MD5 of the state, the
statement without its subquery aliases (`` `$1a` ``) and the blob-serialized
arguments; its content is the blob-serialized list of rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_blob

from dj_core.dialects import DIALECTS
from dj_core.errors import DataJointError
from dj_core.hash import uuid_from_buffer
from dj_core.utils import safe_write

__all__ = ["CachedCursor", "cache_path", "check_cacheable", "purge", "read", "write"]

# statement-local subquery aliases (``$1``...) differ between runs of the same query,
# so they are left out of the cache key; matched in every dialect's quoting
_SUBQUERY_ALIAS = re.compile(
    "|".join(re.escape(d.quote("$ALIAS")).replace("ALIAS", r"\w+") for d in DIALECTS)
)
_CACHEABLE = re.compile(r"\s*(SELECT|SHOW)")


class CachedCursor:
    """Rows served from the query cache, with the cursor methods callers use."""

    def __init__(self, rows: list):
        self._rows = rows
        self._position = 0
        self.rowcount = len(rows)

    def __iter__(self) -> Iterator:
        while self._position < len(self._rows):
            yield self.fetchone()

    def fetchone(self) -> Any:
        if self._position >= len(self._rows):
            return None
        row = self._rows[self._position]
        self._position += 1
        return row

    def fetchall(self) -> list:
        rows = self._rows[self._position :]
        self._position = len(self._rows)
        return rows

    def close(self) -> None:
        pass


def check_cacheable(query: str) -> None:
    """Refuse statements other than SELECT and SHOW while caching."""
    if not _CACHEABLE.match(query):
        raise DataJointError(
            "Only SELECT queries are allowed while the query cache is on; "
            "call set_query_cache(None) first."
        )


def cache_path(folder: Any, state: str, query: str, args: Any) -> Path:
    """The file that holds (or will hold) the rows of `query` with `args` under `state`."""
    if not folder:
        raise DataJointError('Provide a folder for the query cache in dj.config["query_cache"].')
    key = uuid_from_buffer(
        dj_blob.pack(args, enable_python_native_blobs=True),
        init_string=state + _SUBQUERY_ALIAS.sub("", query),
    )
    return Path(folder) / str(key)


def read(path: Path) -> CachedCursor | None:
    """The cached rows at `path`, or None on a miss."""
    if not path.is_file():
        return None
    return CachedCursor(dj_blob.unpack(path.read_bytes()))


def write(path: Path, rows: list) -> CachedCursor:
    """Store `rows` at `path` (atomically) and serve them."""
    safe_write(path, dj_blob.pack(rows, enable_python_native_blobs=True))
    return CachedCursor(rows)


def purge(folder: Any) -> None:
    """Delete every file in the cache folder (sub-folders are left alone), if it exists."""
    if isinstance(folder, (str, Path)) and Path(folder).is_dir():
        for path in Path(folder).iterdir():
            if path.is_file():
                path.unlink()
