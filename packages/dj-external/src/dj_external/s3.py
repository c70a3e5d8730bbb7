"""`Folder`: DataJoint 0.14's S3 helper (`datajoint.s3.Folder`), kept for code that uses it.

Names are full object keys in the bucket (no store location, no prefixing). It is a thin
face over `S3Store`, so it shares its client set-up and its errors: a missing bucket is
`BucketInaccessible`, a missing object `MissingExternalFile`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from minio import Minio

from dj_external.storage.base import ObjectInfo
from dj_external.storage.s3 import S3Store

__all__ = ["Folder"]


class Folder:
    """A bucket on an S3 endpoint, addressed by full object keys."""

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        *,
        secure: bool = False,
        proxy_server: str | None = None,
        **_: Any,
    ) -> None:
        self.store = S3Store(
            f"s3://{bucket}",
            endpoint=endpoint,
            bucket=bucket,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            proxy_server=proxy_server,
        )
        self.bucket = bucket

    @property
    def client(self) -> Minio:
        return self.store.client

    @client.setter
    def client(self, client: Minio) -> None:
        self.store.client = client

    def put(self, name: str, buffer: bytes) -> None:
        self.store.put(name, buffer)

    def fput(
        self,
        local_file: str | os.PathLike[str],
        name: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.store.put_file(name, local_file, metadata=metadata)

    def get(self, name: str) -> bytes:
        return self.store.get(name)

    def fget(self, name: str, local_filepath: str | os.PathLike[str]) -> Path:
        return self.store.get_file(name, local_filepath)

    def exists(self, name: str) -> bool:
        return self.store.exists(name)

    def get_size(self, name: str) -> int:
        return self.store.size(name)

    def stat(self, name: str) -> ObjectInfo | None:
        """Size and user metadata of the object, or `None` if it does not exist."""
        return self.store.stat(name)

    def remove_object(self, name: str) -> None:
        self.store.remove(name)
