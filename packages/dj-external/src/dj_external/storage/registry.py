"""One open store per process and configuration, shared by every schema that uses it.

Opening a store is cheap, but an S3 store owns a client with a connection pool, and the
point of the pool is reuse: every `~external_<store>` table of every schema that names the
same store should go through one `Store`. Stores are keyed by the spec's contents, so a
changed `dj.config['stores']` entry gets a fresh store, and by process id, because a
connection pool must not be shared with a forked worker (`populate(processes=n)`).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from dj_external.storage.base import Store

__all__ = ["clear_shared_stores", "shared_store"]

_LIMIT = 128
_lock = threading.Lock()
_stores: OrderedDict[tuple, Store] = OrderedDict()


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def shared_store(name: str, spec: Mapping[str, Any], **options: Any) -> Store:
    """The process's store for this validated spec, opened on first request."""
    from dj_external.storage import open_store

    key = (os.getpid(), name, _freeze(spec), _freeze(options))
    with _lock:
        store = _stores.get(key)
        if store is not None:
            _stores.move_to_end(key)
            return store
    store = open_store(name, spec, **options)  # may raise; outside the lock
    with _lock:
        store = _stores.setdefault(key, store)
        while len(_stores) > _LIMIT:
            _stores.popitem(last=False)
    return store


def clear_shared_stores() -> None:
    """Forget every shared store (their clients close when no longer referenced)."""
    with _lock:
        _stores.clear()
