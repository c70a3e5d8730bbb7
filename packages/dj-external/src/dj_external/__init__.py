"""DataJoint external stores (file, S3) and the blob@store, attach and filepath types.

Importing this package registers the attribute types `blob@store`, `attach`,
`attach@store` and `filepath@store` in dj-core's type registry (`dj_external.types`) and
`schema.external` in dj-core's schema extension registry (`dj_external.external`).
Underneath, `open_store(name, spec)` gives a `Store` (a directory or an S3 bucket) with
single and concurrent batch object I/O; `dj_external.layout` computes the object paths
DataJoint 0.14 uses; `dj_external.encoding` the attachment bytes and the hashes.
"""

__version__ = "0.1.0"

from dj_core.schemas import Schema as _Schema

from dj_external import types as _types
from dj_external.cache import BlobCache
from dj_external.errors import (
    BucketInaccessible,
    ExternalChecksumError,
    MissingExternalFile,
    StoreError,
    StoreLocationError,
)
from dj_external.external import ExternalMapping, ExternalTable
from dj_external.storage import (
    FileStore,
    ObjectInfo,
    Store,
    open_store,
    store_from_config,
)


def __getattr__(name: str):
    """`S3Store` loads the minio client, so it is imported on first use."""
    if name == "S3Store":
        from dj_external.storage.s3 import S3Store

        return S3Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BlobCache",
    "BucketInaccessible",
    "ExternalChecksumError",
    "ExternalMapping",
    "ExternalTable",
    "FileStore",
    "MissingExternalFile",
    "ObjectInfo",
    "S3Store",
    "Store",
    "StoreError",
    "StoreLocationError",
    "__version__",
    "open_store",
    "store_from_config",
]

_types.register()
_Schema.register_extension("external", ExternalMapping)
