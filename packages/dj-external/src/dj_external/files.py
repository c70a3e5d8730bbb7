"""`attach`, `attach@store` and `filepath@store` values, many at once.

Hashing local files, uploads and downloads run on the store's bounded thread pool; the
tracking rows of a whole column are read or written with one statement per thousand
hashes. Every downloaded attachment is checked against its hash before its path is
returned, and filepaths against their recorded contents hash.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from dj_core.errors import DataJointError
from dj_core.hash import uuid_from_buffer, uuid_from_file

from dj_external.attachments import plan_attachment_targets, write_attachment_bytes
from dj_external.blobs import write_tracked
from dj_external.encoding import attachment_name, decode_attachment
from dj_external.errors import ExternalChecksumError
from dj_external.external import as_uuid
from dj_external.filepaths import download_filepath, prepare_filepath, upload_filepath

__all__ = [
    "decode_inrow_attachments",
    "download_attachments",
    "download_filepaths",
    "encode_inrow_attachments",
    "fetch_attachment_to",
    "upload_attachments",
    "upload_filepaths",
]


def _local_file(value: Any, what: str) -> Path:
    try:
        path = Path(value)
    except TypeError:
        raise DataJointError(
            f"Cannot insert {value!r} as {what}: give the path of a local file (str or Path)."
        ) from None
    if not path.is_file():
        raise DataJointError(f"Cannot insert {what} {path}: no such file.")
    return path


# --- attach@store ----------------------------------------------------------------------


def upload_attachments(
    table: Any, paths: Sequence[Any], labels: Sequence[str] | None = None
) -> list[UUID]:
    """Copy local files into the store as attachments; returns their hashes."""
    objects = table.objects
    database = table.database

    def describe(value: Any) -> tuple[Path, str, UUID, int]:
        path = _local_file(value, "attachment")
        name = attachment_name(path)
        return path, name, uuid_from_file(path, init_string=name + "\0"), path.stat().st_size

    described = objects.map(describe, paths, labels=labels)
    unique: dict[UUID, tuple[Path, str, int, str | None]] = {}
    for index, (path, name, hash_, size) in enumerate(described):
        unique.setdefault(hash_, (path, name, size, None if labels is None else labels[index]))
    rows = [(h, size, name) for h, (_, name, size, _) in unique.items()]
    items = [
        (objects.attachment_key(database, h, name), path)
        for h, (path, name, _, _) in unique.items()
    ]
    item_labels = None if labels is None else [v[3] for v in unique.values()]
    write_tracked(table, rows, lambda: objects.put_files(items, labels=item_labels))
    return [hash_ for _, _, hash_, _ in described]


def download_attachments(
    table: Any,
    hashes: Sequence[UUID],
    download_path: str | os.PathLike[str],
    labels: Sequence[str] | None = None,
) -> list[str]:
    """Local paths of fetched `attach@store` values (named as in 0.14, verified)."""
    objects = table.objects
    database = table.database
    names = table.rows(hashes, ["hash", "attachment_name"])
    items = []
    for hash_ in hashes:
        row = names.get(hash_)
        if row is None or row["attachment_name"] is None:
            raise DataJointError(
                f"No attachment with hash {hash_} in {table.full_table_name}: the column refers "
                "to a tracking row that is not an attachment."
            )
        items.append((row["attachment_name"], hash_))
    targets = plan_attachment_targets(download_path, items)
    chosen = [i for i, target in enumerate(targets) if target.write]

    def transfer(index: int) -> None:
        name, hash_ = items[index]
        key = objects.attachment_key(database, hash_, name)
        _download_verified(objects, key, targets[index].path, name, hash_)

    objects.map(transfer, chosen, labels=None if labels is None else [labels[i] for i in chosen])
    return [str(target.path) for target in targets]


def _download_verified(objects: Any, key: str, path: Path, name: str, hash_: UUID) -> None:
    objects.get_file(key, path)
    if uuid_from_file(path, init_string=name + "\0") != hash_:
        path.unlink(missing_ok=True)
        raise ExternalChecksumError(
            f"Attachment {objects.full_path(key)} in store '{objects.name}' did not pass "
            f"checksum: its contents do not match hash {hash_.hex}. The object was changed or "
            "corrupted in the store; restore it from a backup."
        )


def fetch_attachment_to(table: Any, hash_: UUID, name: str, local_path: Any) -> None:
    objects = table.objects
    key = objects.attachment_key(table.database, hash_, name)
    _download_verified(objects, key, Path(local_path), name, hash_)


# --- attach (in-row) -------------------------------------------------------------------


def encode_inrow_attachments(values: Sequence[Any]) -> list[bytes]:
    """`name + b"\\0" + bytes` of each local file."""
    result = []
    for value in values:
        path = _local_file(value, "attachment")
        result.append(attachment_name(path).encode() + b"\0" + path.read_bytes())
    return result


def decode_inrow_attachments(
    raws: Sequence[Any], download_path: str | os.PathLike[str]
) -> list[str | None]:
    """Write in-row attachments into `download_path`; their local paths (None stays None)."""
    present = [i for i, raw in enumerate(raws) if raw is not None]
    decoded = [decode_attachment(bytes(raws[i])) for i in present]
    items = [(name, uuid_from_buffer(bytes(raws[i]))) for i, (name, _) in zip(present, decoded)]
    targets = plan_attachment_targets(download_path, items)
    result: list[str | None] = [None] * len(raws)
    for i, (_, contents), target in zip(present, decoded, targets):
        result[i] = write_attachment_bytes(target, contents)
    return result


# --- filepath@store --------------------------------------------------------------------


def upload_filepaths(
    table: Any, paths: Sequence[Any], labels: Sequence[str] | None = None
) -> list[UUID]:
    """Mirror files of the stage into the store (new ones only); returns their hashes."""
    objects = table.objects
    spec = table.spec
    config = table.connection.config
    limit = config.get("filepath_checksum_size_limit_insert")

    def prepare(value: Any) -> Any:
        return prepare_filepath(
            _local_file(value, "filepath"),
            spec.get("stage"),
            store_name=table.store,
            checksum_size_limit=limit,
        )

    values = objects.map(prepare, paths, labels=labels)
    unique = {v.hash: v for v in values}
    existing = table.rows(list(unique), ["hash", "contents_hash"])
    new = []
    for hash_, value in unique.items():
        row = existing.get(hash_)
        if row is None:
            new.append(value)
            continue
        stored = None if row["contents_hash"] is None else as_uuid(row["contents_hash"])
        if value.contents_hash is not None and value.contents_hash != stored:
            raise DataJointError(
                f"A different version of '{value.relative_path}' has already been placed in "
                f"store '{table.store}' ({table.full_table_name}): give the new version a new "
                "file name, or delete the rows that refer to the old one and clean up the store."
            )
    rows = [(v.hash, v.size, v.relative_path, v.contents_hash) for v in new]
    write_tracked(
        table,
        rows,
        lambda: objects.map(lambda v: upload_filepath(objects, v), new),
        insert_rows=table.insert_filepath_rows,
    )
    return [v.hash for v in values]


def download_filepaths(
    table: Any, hashes: Sequence[UUID], labels: Sequence[str] | None = None
) -> list[tuple[str, UUID | None]]:
    """`(absolute local path, contents hash)` of each filepath value, transferred from the
    store when the local copy is missing or differs."""
    objects = table.objects
    spec = table.spec
    stage = spec.get("stage")
    if stage is None:
        raise DataJointError(
            f"Store '{table.store}' has no 'stage': fetching filepath@{table.store} needs the "
            f"local folder that mirrors the store; set dj.config['stores']['{table.store}']"
            "['stage']."
        )
    limit = table.connection.config.get("filepath_checksum_size_limit")
    rows = table.rows(hashes, ["hash", "filepath", "contents_hash", "size"])
    unique = list(dict.fromkeys(hashes))

    def fetch(hash_: UUID) -> tuple[str, UUID | None]:
        row = rows.get(hash_)
        if row is None or row["filepath"] is None:
            raise DataJointError(
                f"No filepath with hash {hash_} in {table.full_table_name}: the column refers "
                "to a tracking row that is not a filepath."
            )
        contents = None if row["contents_hash"] is None else as_uuid(row["contents_hash"])
        local = download_filepath(
            objects,
            row["filepath"],
            stage,
            size=row["size"],
            contents_hash=contents,
            checksum_size_limit=limit,
        )
        return local, contents

    first_label: dict[UUID, str] = {}
    if labels is not None:
        for hash_, label in zip(hashes, labels):
            first_label.setdefault(hash_, label)
    fetched = objects.map(
        fetch, unique, labels=None if labels is None else [first_label[h] for h in unique]
    )
    by_hash = dict(zip(unique, fetched))
    return [by_hash[h] for h in hashes]
