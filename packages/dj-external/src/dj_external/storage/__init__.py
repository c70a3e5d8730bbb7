"""Store backends behind one interface: `open_store(name, spec)` gives a `Store`.

The spec is a `dj.config['stores'][name]` entry already validated by dj-core's
`Config.get_store_spec`; this layer trusts its keys and only dispatches on `protocol`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from dj_blob.errors import DataJointError

from dj_external.storage.base import DEFAULT_MAX_WORKERS, FileItem, ObjectInfo, Store
from dj_external.storage.file import FileStore
from dj_external.storage.registry import clear_shared_stores, shared_store

__all__ = [
    "DEFAULT_MAX_WORKERS",
    "FileItem",
    "FileStore",
    "ObjectInfo",
    "S3Store",
    "Store",
    "clear_shared_stores",
    "open_store",
    "shared_store",
    "store_from_config",
]

# protocol -> module and class of its backend; a backend is imported when first used, so
# `import dj_external` does not load the minio client for a lab that only has file stores
BACKENDS: dict[str, tuple[str, str]] = {
    "file": ("dj_external.storage.file", "FileStore"),
    "s3": ("dj_external.storage.s3", "S3Store"),
}


def __getattr__(name: str) -> Any:
    if name == "S3Store":
        from dj_external.storage.s3 import S3Store

        return S3Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(name: str, spec: Mapping[str, Any], **options: Any) -> Store:
    """The backend for a validated store spec; `options` (e.g. `max_workers`) go to it."""
    protocol = str(spec.get("protocol", "")).lower()
    try:
        module_name, class_name = BACKENDS[protocol]
    except KeyError:
        raise DataJointError(
            f'Unknown protocol {spec.get("protocol")!r} in dj.config["stores"]["{name}"]: '
            f"use one of {sorted(BACKENDS)}."
        ) from None
    backend = getattr(importlib.import_module(module_name), class_name)
    return backend.from_spec(name, spec, **options)


def store_from_config(config: Any, name: str, **options: Any) -> Store:
    """The store `name` of a dj-core `Config`, validated by its `get_store_spec`."""
    return open_store(name, config.get_store_spec(name), **options)
