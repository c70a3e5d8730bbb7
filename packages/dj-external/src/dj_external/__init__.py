"""DataJoint external stores (file, S3) and the blob@store, attach and filepath types.

Built so far: the store layer. `open_store(name, spec)` gives a `Store` (a directory or an S3
bucket) with single and concurrent batch object I/O; `dj_external.layout` computes the object
paths DataJoint 0.14 uses; `dj_external.encoding` the attachment bytes and the hashes;
`attachments`, `filepaths` and `cache` the transfers that need no table. The
`~external_<store>` tables and the attribute types come next.

Importing this package has no side effects.
"""

__version__ = "0.1.0"

from dj_external.cache import BlobCache
from dj_external.errors import (
    BucketInaccessible,
    MissingExternalFile,
    StoreError,
    StoreLocationError,
)
from dj_external.storage import (
    FileStore,
    ObjectInfo,
    S3Store,
    Store,
    open_store,
    store_from_config,
)

__all__ = [
    "BlobCache",
    "BucketInaccessible",
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
