"""The `s3` protocol: objects in a bucket of an S3-compatible service, through `minio`.

The client is created on first use, and that first use checks the bucket, so a store that
is configured but never touched costs nothing, and a wrong bucket is reported once, clearly
(`BucketInaccessible`), instead of as a puzzling error on some later object. One client
with a connection pool as large as the batch thread pool serves every thread.

Keys given to this class are relative to the store's root; the root is the key prefix made
from `location` (`dj_external.layout.s3_prefix`), so the same object has the same key as
under DataJoint 0.14.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import certifi
import urllib3
from dj_blob.errors import DataJointError
from dj_core.utils import atomic_write
from minio import Minio
from minio.error import MinioException, S3Error
from urllib3.util import Retry, Timeout

from dj_external.errors import BucketInaccessible, MissingExternalFile, StoreError
from dj_external.layout import DEFAULT_SUBFOLDING, check_key, join_root, s3_prefix
from dj_external.storage.base import DEFAULT_MAX_WORKERS, ObjectInfo, Store

__all__ = ["S3Store"]

logger = logging.getLogger("datajoint.external")

_CHUNK = 64 * 1024
_META_PREFIX = "x-amz-meta-"
# Server answers meaning "this bucket is not yours to use" rather than "no such object".
_BUCKET_CODES = {
    "NoSuchBucket",
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AllAccessDisabled",
    "InvalidBucketName",
}
_MISSING_CODES = {"NoSuchKey", "ResourceNotFound", "NoSuchObject"}


class S3Store(Store):
    """A bucket (and key prefix) on an S3 endpoint given as `host:port`, no scheme."""

    protocol = "s3"

    def __init__(
        self,
        name: str,
        *,
        endpoint: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        location: str = "",
        secure: bool = False,
        proxy_server: str | None = None,
        subfolding: Sequence[int] | None = DEFAULT_SUBFOLDING,
        max_workers: int = DEFAULT_MAX_WORKERS,
        retries: int = 5,
        timeout: float = timedelta(minutes=5).total_seconds(),
    ) -> None:
        super().__init__(name, subfolding=subfolding, max_workers=max_workers)
        self.endpoint = endpoint
        self.bucket = bucket
        self.location = str(location)
        self.prefix = s3_prefix(location)
        if not isinstance(secure, bool):
            raise DataJointError(
                f"Invalid 'secure' setting {secure!r} of store '{name}': use True (HTTPS) or "
                "False (plain HTTP)."
            )
        self.secure = secure
        self.proxy_server = proxy_server
        self._access_key = access_key
        self._secret_key = secret_key
        self._retries = retries
        self._timeout = timeout
        self._client: Minio | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_spec(cls, name: str, spec: Mapping[str, Any], **options: Any) -> S3Store:
        """Open a store from a validated `dj.config['stores'][name]` entry."""
        return cls(
            name,
            endpoint=spec["endpoint"],
            bucket=spec["bucket"],
            access_key=spec["access_key"],
            secret_key=spec["secret_key"],
            location=spec.get("location", ""),
            secure=spec.get("secure", False),
            proxy_server=spec.get("proxy_server"),
            subfolding=options.pop("subfolding", spec.get("subfolding", DEFAULT_SUBFOLDING)),
            **options,
        )

    # ---- the client -------------------------------------------------------------------

    @property
    def client(self) -> Minio:
        """The minio client, created (and the bucket checked) on first use."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    client = self._make_client()
                    self._check_bucket(client)
                    self._client = client
        return self._client

    @client.setter
    def client(self, client: Minio) -> None:
        """Use another minio client (DataJoint 0.14's tests swap clients this way)."""
        self._client = client

    def _make_client(self) -> Minio:
        retries = Retry(
            total=self._retries, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]
        )
        options: dict[str, Any] = {
            "timeout": Timeout(connect=self._timeout, read=self._timeout),
            # One pooled connection per batch thread: a smaller pool would discard and
            # reopen connections under load.
            "maxsize": max(10, self.max_workers),
            "cert_reqs": "CERT_REQUIRED",
            "ca_certs": os.environ.get("SSL_CERT_FILE") or certifi.where(),
            "retries": retries,
        }
        if self.proxy_server:
            http: urllib3.PoolManager = urllib3.ProxyManager(self.proxy_server, **options)
        else:
            http = urllib3.PoolManager(**options)
        return Minio(
            self.endpoint,
            access_key=self._access_key,
            secret_key=self._secret_key,
            secure=self.secure,
            http_client=http,
        )

    def _where(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"bucket '{self.bucket}' at {scheme}://{self.endpoint} (store '{self.name}')"

    def _check_bucket(self, client: Minio) -> None:
        try:
            present = client.bucket_exists(self.bucket)
        except ValueError as error:  # minio checks the name before asking
            raise BucketInaccessible(
                f"Inaccessible s3 bucket {self.bucket}: {error} ({self._where()}). Correct "
                "the store's 'bucket' setting."
            ) from error
        except S3Error as error:
            raise BucketInaccessible(
                f"Inaccessible s3 bucket {self.bucket}: the server refused access to the "
                f"{self._where()} ({error.code}: {error.message}). Check the store's "
                "access_key and secret_key and the bucket's permissions."
            ) from error
        except (urllib3.exceptions.HTTPError, MinioException, OSError) as error:
            raise self._unreachable(error) from error
        if not present:
            raise BucketInaccessible(
                f"Inaccessible s3 bucket {self.bucket}: no such {self._where()}. Create the "
                "bucket, or correct the store's 'bucket' and 'endpoint' settings."
            )

    def _unreachable(self, error: BaseException) -> BucketInaccessible:
        return BucketInaccessible(
            f"Inaccessible s3 bucket {self.bucket}: cannot reach the {self._where()}: "
            f"{error}. Check the endpoint (host:port, no scheme), the 'secure' setting and "
            "the network."
        )

    def _fail(self, error: BaseException, key: str, action: str) -> NoReturn:
        """Raise the DataJoint error for a failed call on `key`."""
        if isinstance(error, S3Error):
            if error.code in _MISSING_CODES:
                raise MissingExternalFile(self._missing_message(key)) from None
            if error.code in _BUCKET_CODES:
                raise BucketInaccessible(
                    f"Inaccessible s3 bucket {self.bucket} while trying to {action} "
                    f"{self.full_path(key)}: {error.code}: {error.message} ({self._where()})."
                ) from error
            raise StoreError(
                f"Could not {action} {self.full_path(key)} in the {self._where()}: "
                f"{error.code}: {error.message}"
            ) from error
        if isinstance(error, (urllib3.exceptions.HTTPError, MinioException, OSError)):
            raise self._unreachable(error) from error
        raise error

    # ---- keys --------------------------------------------------------------------------

    def _key(self, key: str) -> str:
        return join_root(self.prefix, check_key(key))

    def full_path(self, key: str) -> str:
        return join_root(self.prefix, key)

    def _missing_message(self, key: str) -> str:
        return (
            f"Missing s3 key {self.full_path(key)} in {self._where()}. The object was "
            "deleted or never written; restore it, or delete the rows that refer to it."
        )

    # ---- writing -----------------------------------------------------------------------

    def put(
        self,
        key: str,
        data: bytes,
        *,
        metadata: Mapping[str, str] | None = None,
        skip_existing: bool = False,
    ) -> bool:
        if skip_existing and self.exists(key):
            return False
        full = self._key(key)
        try:
            self.client.put_object(
                self.bucket,
                full,
                io.BytesIO(data),
                len(data),
                metadata=dict(metadata) if metadata else None,
            )
        except (S3Error, MinioException, urllib3.exceptions.HTTPError, OSError) as error:
            self._fail(error, key, "write")
        logger.debug("stored %d bytes at s3 key %s", len(data), full)
        return True

    def put_file(
        self,
        key: str,
        local_path: str | os.PathLike[str],
        *,
        metadata: Mapping[str, str] | None = None,
        skip_existing: bool = False,
    ) -> bool:
        source = self._local_file(local_path)
        if skip_existing and self.exists(key):
            return False
        full = self._key(key)
        try:
            self.client.fput_object(
                self.bucket, full, str(source), metadata=dict(metadata) if metadata else None
            )
        except (S3Error, MinioException, urllib3.exceptions.HTTPError) as error:
            self._fail(error, key, "upload")
        logger.debug("uploaded %s to s3 key %s", source, full)
        return True

    def remove(self, key: str) -> None:
        full = self._key(key)
        try:
            self.client.remove_object(self.bucket, full)
        except (S3Error, MinioException, urllib3.exceptions.HTTPError, OSError) as error:
            raise StoreError(
                f"Failed to delete {full} from s3 storage: the {self._where()} answered {error}"
            ) from error

    # ---- reading -----------------------------------------------------------------------

    def get(self, key: str) -> bytes:
        response = None
        try:
            response = self.client.get_object(self.bucket, self._key(key))
            return response.read()
        except (S3Error, MinioException, urllib3.exceptions.HTTPError, OSError) as error:
            self._fail(error, key, "read")
        finally:
            if response is not None:
                response.close()
                response.release_conn()

    def get_file(self, key: str, local_path: str | os.PathLike[str]) -> Path:
        target = Path(local_path)
        response = None
        try:
            response = self.client.get_object(self.bucket, self._key(key))
            with atomic_write(target, prefix=".djtmp-") as file:
                for chunk in response.stream(_CHUNK):
                    file.write(chunk)
        except (S3Error, MinioException, urllib3.exceptions.HTTPError) as error:
            self._fail(error, key, "download")
        finally:
            if response is not None:
                response.close()
                response.release_conn()
        return target

    def stat(self, key: str) -> ObjectInfo | None:
        try:
            result = self.client.stat_object(self.bucket, self._key(key))
        except S3Error as error:
            if error.code in _MISSING_CODES:
                return None
            self._fail(error, key, "inspect")
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as error:
            self._fail(error, key, "inspect")
        headers = result.metadata or {}
        metadata = {
            name.lower()[len(_META_PREFIX) :]: value
            for name, value in headers.items()
            if name.lower().startswith(_META_PREFIX)
        }
        return ObjectInfo(key=key, size=int(result.size or 0), metadata=metadata)

    def list(self, folder: str = "") -> Iterator[str]:
        base = self._key(folder) + "/" if folder else (self.prefix + "/" if self.prefix else "")
        try:
            for item in self.client.list_objects(self.bucket, prefix=base, recursive=True):
                if not item.is_dir:
                    name = item.object_name
                    yield name[len(self.prefix) + 1 :] if self.prefix else name
        except (S3Error, MinioException, urllib3.exceptions.HTTPError, OSError) as error:
            self._fail(error, folder, "list")
