"""`blob@store` values: many objects written and read at once.

A value is packed by the blob codec; the MD5 of the packed bytes is its hash, the column
value and (with the schema and subfolding) its object path. Packing, hashing, transfer,
verification and unpacking all run on the store's bounded thread pool (zlib and hashlib
release the GIL), and the tracking table is read and written with one statement per
thousand hashes, so a fetch of many blobs costs one round of concurrent store reads.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from uuid import UUID

import dj_blob
from dj_core.hash import uuid_from_buffer

from dj_external.cache import BlobCache
from dj_external.errors import DataJointError, ExternalChecksumError, MissingExternalFile
from dj_external.storage.base import _raise_labelled

__all__ = ["decode_blobs", "encode_blobs", "get_packed", "put_packed", "write_tracked"]

logger = logging.getLogger("datajoint.external")


def write_tracked(table: Any, rows: Sequence[Any], transfer: Any, insert_rows: Any = None) -> None:
    """Write tracking `rows` and the objects (`transfer()`) in the order that keeps them
    consistent: inside a transaction rows first (their locks make cleanup wait until
    commit), else objects first (a committed row never precedes its object)."""
    insert = table.upsert if insert_rows is None else insert_rows
    if table.connection.in_transaction:
        if rows:
            insert(rows)
        transfer()
    else:
        transfer()
        if rows:
            insert(rows)


def _pack_and_hash(value: Any) -> tuple[bytes, UUID]:
    packed = dj_blob.pack(value)
    return packed, uuid_from_buffer(packed)


def put_packed(
    table: Any, packed: Sequence[bytes], labels: Sequence[str] | None = None
) -> list[UUID]:
    """Store already serialized blobs; returns their hashes."""
    objects = table.objects
    hashes = objects.map(uuid_from_buffer, packed)
    _store(table, list(zip(packed, hashes)), labels)
    return hashes


def encode_blobs(table: Any, values: Sequence[Any], labels: Sequence[str] | None = None) -> list:
    """Column values (hashes, as the dialect writes uuids) of `values`, their objects and tracking rows written.

    Inside a transaction (every insert with external columns runs in one) this is a
    pipeline: values are packed and hashed on a CPU-sized pool; each chunk of hashes, as soon
    as it is known, gets its tracking rows upserted (locking them) and its objects handed to
    the store's I/O pool, so serialization and transfer overlap.
    """
    if not table.connection.in_transaction or len(values) <= _CHUNK:
        pairs = table.objects.map(_pack_and_hash, values, labels=labels)
        _store(table, pairs, labels)
        value = table.connection.dialect.uuid_value
        return [value(h) for _, h in pairs]
    return _pipelined(table, values, labels)


# values per pipeline step: one upsert statement and one group of uploads each
_CHUNK = 64
_CPU_WORKERS = max(2, os.cpu_count() or 1)


def _pipelined(table: Any, values: Sequence[Any], labels: Sequence[str] | None) -> list[Any]:
    objects = table.objects
    database = table.database
    skip = objects.protocol == "file"
    seen: set[UUID] = set()
    uploads: list[tuple[int, Future]] = []
    packer = ThreadPoolExecutor(_CPU_WORKERS, thread_name_prefix="dj-pack")
    sender = ThreadPoolExecutor(objects.max_workers, thread_name_prefix=f"dj-store-{objects.name}")
    hashes: list[Any] = []
    value = table.connection.dialect.uuid_value
    try:
        packed = [packer.submit(_pack_and_hash, value) for value in values]
        for start in range(0, len(packed), _CHUNK):
            rows, chunk = [], []
            for index in range(start, min(start + _CHUNK, len(packed))):
                data, hash_ = _result(packed[index], labels, index)
                hashes.append(value(hash_))
                if hash_ not in seen:
                    seen.add(hash_)
                    rows.append((hash_, len(data), None))
                    chunk.append((index, objects.blob_key(database, hash_), data))
            if rows:
                table.upsert(rows)
            for index, key, data in chunk:
                uploads.append((index, sender.submit(objects.put, key, data, skip_existing=skip)))
            for index in range(start, min(start + _CHUNK, len(packed))):
                packed[index] = None  # type: ignore[call-overload]  (the upload holds the bytes)
        for index, future in uploads:
            _result(future, labels, index)
    except BaseException:
        packer.shutdown(wait=True, cancel_futures=True)
        sender.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        packer.shutdown(wait=True)
        sender.shutdown(wait=True)
    return hashes


def _result(future: Future, labels: Sequence[str] | None, index: int) -> Any:
    error = future.exception()
    if error is None:
        return future.result()
    if isinstance(error, DataJointError):
        _raise_labelled(error, labels, index)
    raise error


def _store(table: Any, pairs: Sequence[tuple[bytes, UUID]], labels: Sequence[str] | None) -> None:
    objects = table.objects
    database = table.database
    unique: dict[UUID, tuple[bytes, str | None]] = {}
    for index, (data, hash_) in enumerate(pairs):
        unique.setdefault(hash_, (data, None if labels is None else labels[index]))
    items = [(objects.blob_key(database, h), data) for h, (data, _) in unique.items()]
    item_labels = None if labels is None else [label for _, label in unique.values()]
    rows = [(h, len(data), None) for h, (data, _) in unique.items()]

    def transfer() -> None:
        # file stores skip an object already present (content-addressed); S3 uploads
        # without a prior existence check, one round trip per object instead of two
        objects.put_many(items, skip_existing=objects.protocol == "file", labels=item_labels)

    write_tracked(table, rows, transfer)


def get_packed(
    table: Any,
    hashes: Sequence[UUID],
    labels: Sequence[str] | None = None,
    then: Any = None,
) -> dict[UUID, Any]:
    """The verified serialized bytes of each distinct hash: from the cache, the store, or
    (for blobs migrated from DataJoint 0.11) the legacy path in the tracking row. With
    `then`, the result for each hash is `then(bytes)`, computed in the worker that read it
    (so unpacking overlaps the other transfers)."""
    objects = table.objects
    database = table.database
    folder = table.connection.config.get("cache")
    cache = BlobCache(folder) if folder else None
    unique = list(dict.fromkeys(hashes))
    first_label = {}
    if labels is not None:
        for hash_, label in zip(hashes, labels):
            first_label.setdefault(hash_, label)

    def read(hash_: UUID) -> bytes | None:
        if cache is not None:
            cached = cache.get(hash_)
            if cached is not None:
                return cached if then is None else then(cached)
        key = objects.blob_key(database, hash_)
        try:
            data = objects.get(key)
        except MissingExternalFile:
            return None
        if uuid_from_buffer(data) != hash_:
            raise ExternalChecksumError(
                f"External blob {objects.full_path(key)} in store '{objects.name}' did not "
                f"pass checksum: its MD5 is not its hash {hash_.hex}. The object was changed "
                "or corrupted in the store; restore it from a backup."
            )
        if cache is not None:
            cache.put(hash_, data)
        return data if then is None else then(data)

    found = objects.map(
        read, unique, labels=None if labels is None else [first_label[h] for h in unique]
    )
    result = dict(zip(unique, found))
    missing = [h for h, data in result.items() if data is None]
    if missing:
        migrated = _read_migrated(table, missing, first_label, cache)
        result.update(migrated if then is None else {h: then(data) for h, data in migrated.items()})
    return result


def _read_migrated(
    table: Any, missing: list[UUID], labels: dict[UUID, str], cache: BlobCache | None
) -> dict[UUID, bytes]:
    """Blobs whose object is not at its path: read from the tracking row's `filepath`
    (where DataJoint 0.11 kept them), or `MissingExternalFile` naming the object."""
    objects = table.objects
    rows = table.rows(missing, ["hash", "filepath"])
    legacy = []
    for hash_ in missing:
        filepath = (rows.get(hash_) or {}).get("filepath")
        if filepath is None:
            where = f" (for {labels[hash_]})" if hash_ in labels else ""
            raise MissingExternalFile(
                f"Missing external file {objects.full_path(objects.blob_key(table.database, hash_))}"
                f" in store '{objects.name}', tracked in {table.full_table_name}{where}. The "
                "object was deleted or never written; restore it from a backup, or delete the "
                "rows that refer to it."
            )
        legacy.append((hash_, objects.filepath_key(filepath)))
    data = objects.get_many([key for _, key in legacy])
    result = {}
    for (hash_, _), value in zip(legacy, data):
        if cache is not None:
            cache.put(hash_, value)
        result[hash_] = value
    return result


def decode_blobs(
    table: Any, hashes: Sequence[UUID], squeeze: bool, labels: Sequence[str] | None = None
) -> list[Any]:
    """The unpacked values of the blobs with these hashes (one per row, in order)."""

    def unpack(data: bytes) -> tuple[bytes, Any]:
        return data, dj_blob.unpack(data, squeeze=squeeze)

    fetched = get_packed(table, hashes, labels, then=unpack)
    result = []
    used: set[UUID] = set()
    for hash_ in hashes:
        if hash_ in used:  # a repeated value: its own copy, never a shared object
            result.append(dj_blob.unpack(fetched[hash_][0], squeeze=squeeze))
        else:
            used.add(hash_)
            result.append(fetched[hash_][1])
    return result
