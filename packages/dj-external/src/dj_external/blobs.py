"""`blob@store` values: many objects written and read at once (external.md §6.1, §7.1).

A value is packed by the blob codec; the MD5 of the packed bytes is its hash, the column
value and (with the schema and subfolding) its object path. Packing, hashing, transfer,
verification and unpacking all run on the store's bounded thread pool (zlib and hashlib
release the GIL), and the tracking table is read and written with one statement per
thousand hashes, so a fetch of many blobs costs one round of concurrent store reads.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import dj_blob
from dj_core.hash import uuid_from_buffer

from dj_external.cache import BlobCache
from dj_external.errors import ExternalChecksumError, MissingExternalFile

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
    """Column values (16-byte hashes) of `values`, their objects and tracking rows written."""
    pairs = table.objects.map(_pack_and_hash, values, labels=labels)
    _store(table, pairs, labels)
    return [h.bytes for _, h in pairs]


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
    table: Any, hashes: Sequence[UUID], labels: Sequence[str] | None = None
) -> dict[UUID, bytes]:
    """The verified serialized bytes of each distinct hash: from the cache, the store, or
    (for blobs migrated from DataJoint 0.11) the legacy path in the tracking row."""
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
                return cached
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
        return data

    found = objects.map(
        read, unique, labels=None if labels is None else [first_label[h] for h in unique]
    )
    result = dict(zip(unique, found))
    missing = [h for h, data in result.items() if data is None]
    if missing:
        result.update(_read_migrated(table, missing, first_label, cache))
    return result


def _read_migrated(
    table: Any, missing: list[UUID], labels: dict[UUID, str], cache: BlobCache | None
) -> dict[UUID, bytes]:
    """Blobs whose object is not at its path: read from the tracking row's `filepath`
    (where DataJoint 0.11 kept them), or `MissingExternalFile` naming the object."""
    objects = table.objects
    rows = table.rows(missing, "`hash`,`filepath`")
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
    table: Any, raws: Sequence[Any], squeeze: bool, labels: Sequence[str] | None = None
) -> list[Any]:
    """Fetched column values (16-byte hashes or None) → unpacked values."""
    hashes = [None if raw is None else UUID(bytes=bytes(raw)) for raw in raws]
    present = [h for h in hashes if h is not None]
    present_labels = (
        None if labels is None else [lab for h, lab in zip(hashes, labels) if h is not None]
    )
    data = get_packed(table, present, present_labels)

    def unpack(hash_: UUID | None) -> Any:
        return None if hash_ is None else dj_blob.unpack(data[hash_], squeeze=squeeze)

    # one unpack per row, so rows sharing a value never share a mutable object
    return table.objects.map(unpack, hashes)
