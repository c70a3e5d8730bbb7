"""The errors the store layer raises.

`MissingExternalFile` and `BucketInaccessible` are DataJoint's own classes (dj-core's
`dj_core.errors`), so `except` clauses written for DataJoint 0.14 keep working. The two
classes defined here are ours: `StoreError` for store failures that 0.14 let escape as raw
client exceptions, and `StoreLocationError`, which is also a `FileNotFoundError` because that
is what 0.14 raised for a missing file-store directory.
"""

from __future__ import annotations

from dj_blob.errors import DataJointError
from dj_core.errors import BucketInaccessible, MissingExternalFile

__all__ = [
    "BucketInaccessible",
    "DataJointError",
    "ExternalChecksumError",
    "MissingExternalFile",
    "StoreError",
    "StoreLocationError",
]


class StoreError(DataJointError):
    """A store operation failed for a reason other than a missing object or bucket."""


class StoreLocationError(StoreError, FileNotFoundError):
    """A file store's `location` is not an existing directory."""


class ExternalChecksumError(StoreError):
    """A fetched object's bytes do not match the hash its row records (corrupted or replaced
    in the store)."""
