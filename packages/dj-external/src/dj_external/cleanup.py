"""Cleanup of a store: unused tracking rows, their objects, and untracked objects.

Deleting user rows never touches the store. `delete_unused` removes tracking rows no
column refers to and, on request, their objects; `delete_orphans` removes blob and
attachment objects no tracking row knows (left by inserts that were rolled back, or by
0.14's `delete_external_files=False`). Both run in transactions that lock the tracking rows
they act on: a concurrent insert of the same content waits for the cleanup to commit and
then writes its object again (see `dj_external.external`), so cleanup never removes an
object that a committed row refers to.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any
from uuid import UUID

from dj_core.errors import DataJointError, IntegrityError

from dj_external.external import as_uuid
from dj_external.layout import parse_object_key

__all__ = ["delete_orphans", "delete_unused", "find_orphans"]

logger = logging.getLogger("datajoint.external")

_BATCH = 500
_COLUMNS = ("hash", "size", "attachment_name", "filepath", "contents_hash", "timestamp")


def _refuse_transaction(table: Any, what: str) -> None:
    if table.connection.in_transaction:
        raise DataJointError(
            f"Cannot {what} of {table.full_table_name} inside a transaction: cleanup commits "
            "its own transactions; run it after committing or cancelling the open one."
        )


def _lock_existing(table: Any, hashes: Sequence[UUID]) -> set[UUID]:
    """Lock the tracking rows of `hashes` (and the gaps of absent ones) until commit."""
    if not hashes:
        return set()
    marks = ",".join(["%s"] * len(hashes))
    dialect = table.connection.dialect
    column = dialect.quote("hash")
    cursor = table.connection.query(
        f"SELECT {column} FROM {table.full_table_name} WHERE {column} IN ({marks})"
        + dialect.lock_clause("update"),
        tuple(dialect.uuid_value(h) for h in hashes),
    )
    return {as_uuid(row[0]) for row in cursor.fetchall()}


def _delete_rows(table: Any, hashes: Sequence[UUID]) -> set[UUID]:
    """Delete the tracking rows of `hashes` that no column refers to; returns the hashes
    deleted. The foreign keys (ON DELETE RESTRICT) decide: a row that became used since it
    was listed as unused is kept."""
    existing = sorted(_lock_existing(table, hashes), key=lambda h: h.bytes)
    if not existing:
        return set()
    connection = table.connection
    column = connection.dialect.quote("hash")
    marks = ",".join(["%s"] * len(existing))
    # a failed statement inside the transaction must not abort it (servers differ on
    # that): each attempt runs under a savepoint where the dialect needs one
    try:
        with connection.savepoint():
            connection.query(
                f"DELETE FROM {table.full_table_name} WHERE {column} IN ({marks})",
                tuple(map(connection.dialect.uuid_value, existing)),
            )
        return set(existing)
    except IntegrityError:
        pass  # some became used: one by one
    deleted = set()
    for hash_ in existing:
        try:
            with connection.savepoint():
                connection.query(
                    f"DELETE FROM {table.full_table_name} WHERE {column}=%s",
                    (connection.dialect.uuid_value(hash_),),
                )
        except IntegrityError:
            logger.info("Tracking row %s of %s is in use again; kept.", hash_, table.table_name)
            continue
        deleted.add(hash_)
    return deleted


def _in_transaction(table: Any, work: Any, *args: Any) -> Any:
    # no snapshot: the locking read must wait for a concurrent insert of the same hash and
    # then see its committed row (a snapshot would make PostgreSQL fail the read instead)
    with table.connection.locking_transaction:
        return work(*args)


def delete_unused(
    table: Any,
    *,
    delete_external_files: bool | None,
    limit: int | None,
    display_progress: bool,
    errors_as_string: bool,
) -> list[tuple[UUID, PurePosixPath, Any]] | None:
    """`ExternalTable.delete`."""
    if not isinstance(delete_external_files, bool):
        raise DataJointError(
            "delete_external_files must be set to either True or False: True deletes the unused "
            "tracking rows and their objects in the store, False deletes the rows only and "
            f"keeps the objects (got {delete_external_files!r})."
        )
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise DataJointError(f"limit must be a non-negative integer or None, got {limit!r}.")
    _refuse_transaction(table, "clean up the tracking rows")
    unused = table.unused()
    if not delete_external_files:
        hashes = list(unused.fetch("hash"))
        for start in range(0, len(hashes), _BATCH):
            _in_transaction(table, _delete_rows, table, hashes[start : start + _BATCH])
        return None
    fetch_kwargs: dict[str, Any] = {"as_dict": True}
    if limit is not None:
        fetch_kwargs.update(order_by="hash", limit=limit)
    rows = unused.fetch(*_COLUMNS, **fetch_kwargs)
    failures: list[tuple[UUID, PurePosixPath, Any]] = []
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        failures += _in_transaction(table, _delete_batch, table, batch, errors_as_string)
        if display_progress:
            logger.info(
                "Cleaned %d of %d unused objects of %s",
                min(start + _BATCH, len(rows)),
                len(rows),
                table.full_table_name,
            )
    return failures


def _delete_batch(
    table: Any, rows: Sequence[dict[str, Any]], errors_as_string: bool
) -> list[tuple[UUID, PurePosixPath, Any]]:
    objects = table.objects
    deleted = _delete_rows(table, [r["hash"] for r in rows])
    doomed = [r for r in rows if r["hash"] in deleted]
    keys = [table.key_of(r["hash"], r["attachment_name"], r["filepath"]) for r in doomed]
    errors = objects.remove_many(keys)
    failed = [(r, key, e) for r, key, e in zip(doomed, keys, errors) if e is not None]
    if failed:  # the object stays, so its row comes back (inside the same transaction)
        head, _ = table.connection.dialect.insert_sql(table.full_table_name, _COLUMNS)
        statement = f"{head} VALUES ({','.join(['%s'] * len(_COLUMNS))})"
        value = table.connection.dialect.uuid_value
        table.connection.query_many(
            statement,
            [
                tuple(value(v) if isinstance(v, UUID) else v for v in (r[c] for c in _COLUMNS))
                for r, _, _ in failed
            ],
        )
    return [
        (r["hash"], PurePosixPath(objects.full_path(key)), str(e) if errors_as_string else e)
        for r, key, e in failed
    ]


def _candidates(table: Any) -> dict[UUID, list[str]]:
    objects = table.objects
    found: dict[UUID, list[str]] = {}
    for key in objects.list(table.database):
        parsed = parse_object_key(table.database, key, objects.subfolding)
        if parsed is not None:
            found.setdefault(parsed[0], []).append(key)
    return found


def _orphans_among(table: Any, candidates: dict[UUID, list[str]], locked: bool) -> list[str]:
    hashes = list(candidates)
    if locked:
        for start in range(0, len(hashes), _BATCH):
            _lock_existing(table, hashes[start : start + _BATCH])
    rows = table.rows(hashes, ["hash", "attachment_name", "filepath"])
    orphans = []
    for hash_, keys in candidates.items():
        row = rows.get(hash_)
        tracked = (
            None if row is None else table.key_of(hash_, row["attachment_name"], row["filepath"])
        )
        orphans += [key for key in keys if key != tracked]
    return sorted(orphans)


def find_orphans(table: Any) -> list[str]:
    """Keys of blob/attachment objects under the schema's folder with no tracking row.
    Objects of `filepath` values are not under a schema folder and are never listed."""
    return _orphans_among(table, _candidates(table), locked=False)


def delete_orphans(table: Any) -> list[str]:
    """Remove the objects `find_orphans` lists, holding locks on their would-be tracking
    rows so that an insert of the same content in progress is not undermined."""
    _refuse_transaction(table, "delete orphaned objects")
    candidates = _candidates(table)

    def work() -> list[str]:
        orphans = _orphans_among(table, candidates, locked=True)
        errors = table.objects.remove_many(orphans)
        failed = [key for key, error in zip(orphans, errors) if error is not None]
        if failed:
            raise DataJointError(
                f"Could not remove {len(failed)} orphaned objects of store '{table.store}', "
                f"e.g. {failed[0]}: {errors[orphans.index(failed[0])]}"
            )
        return orphans

    return _in_transaction(table, work)
