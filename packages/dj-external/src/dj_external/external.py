"""`~external_<store>` tracking tables and `schema.external`.

`ExternalTable(connection, store, database)` is the tracking table of one store in one
schema: a queryable table (a dj-query `FreeTable`) plus the store's object I/O. Every
object a row of that schema refers to has a tracking row whose hash is the object's
identity; the user tables reference `hash` with `ON DELETE RESTRICT`, so a used tracking
row cannot be deleted. Batch methods (`put_blobs`, `get_blobs`, ...) serve the attribute
types in `dj_external.types`; cleanup lives in `dj_external.cleanup`.

Ordering that keeps rows and objects consistent (README, "Consistency"): inside a
transaction a write first upserts the tracking rows (locking them), then writes the objects,
then the caller inserts the user rows, then commits; cleanup deletes tracking rows and their
objects inside one transaction. Either side waits for the other's row locks, so no
committed row ever refers to a missing object.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any
from uuid import UUID

from dj_core.declare import compile_definition
from dj_core.dialects import DIALECTS
from dj_core.errors import DataJointError
from dj_query import FreeTable, Not

from dj_external.errors import StoreError
from dj_external.storage import Store, shared_store

__all__ = [
    "DEFAULT_MAX_WORKERS",
    "FILE_MAX_WORKERS",
    "TRACKING_DEFINITION",
    "ExternalMapping",
    "ExternalTable",
    "external_table",
    "tracking_table_sql",
    "tracking_table_statements",
]

logger = logging.getLogger("datajoint.external")

_STORE_NAME = re.compile(r"[a-z][-\w]*", re.I)
# Threads per store for batch I/O. S3: round trips, not CPU, bound the transfers, so many
# requests are kept in flight. File stores: reads and writes are cheap and the work is
# hashing and (de)compression, so more threads than cores only add contention for the GIL.
DEFAULT_MAX_WORKERS = 16
FILE_MAX_WORKERS = max(4, 2 * (os.cpu_count() or 1))
# Hashes per tracking-table statement (keeps statements far below max_allowed_packet).
_QUERY_CHUNK = 1000

#: the tracking table's definition; declared like any table, it is the table DataJoint
#: 0.14 declares (the same columns, `:uuid:` comment markers and table comment)
TRACKING_DEFINITION = """# external storage tracking
hash : uuid  # hash of contents (blob), of filename + contents (attach), or relative filepath (filepath)
---
size : bigint unsigned  # size of object in bytes
attachment_name = null : varchar(255)  # the filename of an attachment
filepath = null : varchar(1000)  # relative filepath or attachment filename
contents_hash = null : uuid  # used for the filepath datatype
timestamp = CURRENT_TIMESTAMP : timestamp  # automatic timestamp
"""


def tracking_table_sql(database: str, store: str, dialect: Any = None) -> str:
    """The `CREATE TABLE` of `~external_<store>` (the first statement where a dialect
    needs several; `tracking_table_statements` gives them all)."""
    return tracking_table_statements(database, store, dialect)[0]


def tracking_table_statements(database: str, store: str, dialect: Any = None) -> list[str]:
    """The statements creating `~external_<store>` in `dialect`'s SQL (the default
    dialect's when None)."""
    dialect = dialect if dialect is not None else DIALECTS[0]
    full_name = dialect.full_table_name(database, f"~external_{store}")
    return compile_definition(full_name, TRACKING_DEFINITION, {}, dialect=dialect).statements


def as_uuid(value: Any) -> UUID:
    """A hash read from a uuid column: 16 bytes on MySQL, a `uuid.UUID` on PostgreSQL."""
    if isinstance(value, UUID):
        return value
    return UUID(bytes=bytes(value))


def _chunks(items: Sequence[Any], size: int = _QUERY_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ExternalTable(FreeTable):
    """The `~external_<store>` table of `database`, and the store behind it."""

    def __init__(self, connection: Any, store: str, database: str) -> None:
        if not isinstance(store, str) or not _STORE_NAME.fullmatch(store):
            raise DataJointError(
                f"Invalid store name {store!r}: a store name starts with a letter, followed by "
                "letters, digits, '_' or '-' (use lowercase)."
            )
        self.store = store
        connection.config.get_store_spec(store)  # validated now: a clear error early
        self._declare(connection, database)
        super().__init__(
            connection, connection.dialect.full_table_name(database, f"~external_{store}")
        )
        self.objects  # noqa: B018  (a file store checks its location when opened)

    # --- declaration ----------------------------------------------------------------------

    def _declare(self, connection: Any, database: str) -> None:
        """Create the table if missing. Never inside a transaction: MySQL would commit it."""
        dialect = connection.dialect
        table = f"~external_{self.store}"
        if dialect.table_exists(connection, database, table):
            return
        if connection.in_transaction:
            raise DataJointError(
                f"The tracking table {dialect.full_table_name(database, table)} does not exist and "
                "cannot be created inside a transaction (e.g. inside make()): declare the "
                f"tables that use store '{self.store}' first, or access "
                f"schema.external['{self.store}'] once before the transaction."
            )
        for statement in tracking_table_statements(database, self.store, dialect):
            connection.query(statement)

    # --- the store ------------------------------------------------------------------------

    @property
    def spec(self) -> dict[str, Any]:
        """The store's validated entry of `dj.config['stores']` (read at every use)."""
        return self.connection.config.get_store_spec(self.store)

    @property
    def objects(self) -> Store:
        """The store's backend (`dj_external.storage.Store`), shared per process and spec."""
        spec = self.spec
        file = str(spec["protocol"]).lower() == "file"
        workers = min(FILE_MAX_WORKERS, DEFAULT_MAX_WORKERS) if file else DEFAULT_MAX_WORKERS
        return shared_store(self.store, spec, max_workers=workers)

    @property
    def s3(self) -> Store:
        """The S3 backend (its `client` may be replaced, as 0.14's tests do)."""
        objects = self.objects
        if objects.protocol != "s3":
            raise DataJointError(f"Store '{self.store}' is not an s3 store.")
        return objects

    def key_of(self, hash_: UUID, attachment_name: str | None, filepath: str | None) -> str:
        """The object key (relative to the store's root) of one tracking row."""
        objects = self.objects
        if attachment_name is not None:
            return objects.attachment_key(self.database, hash_, attachment_name)
        if filepath is not None:
            return objects.filepath_key(filepath)
        return objects.blob_key(self.database, hash_)

    def exists(self, path: str) -> bool:
        """Whether the object at a full path (file store) or full key (S3) is present."""
        objects = self.objects
        root = objects.location if objects.protocol == "file" else objects.prefix
        text = PurePosixPath(path).as_posix()
        if root and root != ".":
            prefix = PurePosixPath(root).as_posix().rstrip("/") + "/"
            if not text.startswith(prefix):
                return False
            text = text[len(prefix) :]
        return objects.exists(text)

    # --- tracking rows --------------------------------------------------------------------

    def rows(
        self, hashes: Iterable[UUID], columns: Sequence[str] = ()
    ) -> dict[UUID, dict[str, Any]]:
        """Tracking rows of `hashes` (the named `columns`, all when empty), by hash, in one
        statement per thousand hashes."""
        unique = sorted(set(hashes), key=lambda h: h.bytes)
        found: dict[UUID, dict[str, Any]] = {}
        quote = self.connection.dialect.quote
        value = self.connection.dialect.uuid_value
        selected = ",".join(map(quote, columns)) if columns else "*"
        for chunk in _chunks(unique):
            marks = ",".join(["%s"] * len(chunk))
            cursor = self.connection.query(
                f"SELECT {selected} FROM {self.full_table_name} WHERE {quote('hash')} IN ({marks})",
                tuple(value(h) for h in chunk),
                as_dict=True,
            )
            for row in cursor.fetchall():
                found[as_uuid(row["hash"])] = row
        return found

    def upsert(self, rows: Sequence[tuple[UUID, int, str | None]]) -> None:
        """Insert `(hash, size, attachment_name)` rows; for existing hashes only the
        timestamp changes (to now). Sorted by hash, so concurrent writers take row locks in
        the same order and do not deadlock."""
        unique = sorted({r[0].bytes: r for r in rows}.values(), key=lambda r: r[0].bytes)
        dialect = self.connection.dialect
        head, tail = dialect.insert_sql(
            self.full_table_name,
            ["hash", "size", "attachment_name"],
            duplicates="update",
            primary_key=["hash"],
            update={"timestamp": dialect.now_sql()},
        )
        statement = f"{head} VALUES (%s,%s,%s){tail}"
        value = dialect.uuid_value
        for chunk in _chunks(unique):
            self.connection.query_many(statement, [(value(h), s, n) for h, s, n in chunk])

    def insert_filepath_rows(self, rows: Sequence[tuple[UUID, int, str, UUID | None]]) -> None:
        """Insert `(hash, size, filepath, contents_hash)` rows (a plain insert: an
        existing row is an error)."""
        head, _ = self.connection.dialect.insert_sql(
            self.full_table_name, ["hash", "size", "filepath", "contents_hash"]
        )
        statement = f"{head} VALUES (%s,%s,%s,%s)"
        ordered = sorted(rows, key=lambda r: r[0].bytes)
        value = self.connection.dialect.uuid_value
        for chunk in _chunks(ordered):
            self.connection.query_many(
                statement,
                [(value(h), s, p, None if c is None else value(c)) for h, s, p, c in chunk],
            )

    # --- references -----------------------------------------------------------------------

    @property
    def references(self) -> list[dict[str, str]]:
        """`{"referencing_table": <full table name>, "column_name": col}` per column
        that refers to this table."""
        connection = self.connection
        dialect = connection.dialect
        return [
            {
                "referencing_table": dialect.full_table_name(row["database"], row["table"]),
                "column_name": row["column"],
            }
            for row in dialect.key_catalog(connection, [self.database])
            if row["ref_table"] == self.table_name and row["ref_database"] == self.database
        ]

    def _referenced(self) -> list[Any]:
        """One query per referencing column, the column renamed to `hash`. NULLs are left
        out: `NOT IN` over a set holding NULL is never true, which made 0.14's `unused()`
        miss rows whenever some nullable external column held NULL."""
        return [
            FreeTable(self.connection, r["referencing_table"]).proj(hash=r["column_name"])
            & f"{self.connection.dialect.quote('hash')} IS NOT NULL"
            for r in self.references
        ]

    def used(self) -> Any:
        """Tracking rows some column refers to (a union of semijoins)."""
        return self.restrict(self._referenced(), semantic_check=False)

    def unused(self) -> Any:
        """Tracking rows no column refers to: what cleanup may delete."""
        return self.restrict(Not(self._referenced()), semantic_check=False)

    def fetch_external_paths(self, **fetch_kwargs: Any) -> list[tuple[UUID, PurePosixPath]]:
        """`(hash, full path or key)` of every row of this (possibly restricted) table."""
        fetch_kwargs = {"as_dict": True, **fetch_kwargs}
        rows = self.fetch("hash", "attachment_name", "filepath", **fetch_kwargs)
        objects = self.objects
        return [
            (
                r["hash"],
                PurePosixPath(
                    objects.full_path(self.key_of(r["hash"], r["attachment_name"], r["filepath"]))
                ),
            )
            for r in rows
        ]

    # --- single objects (0.14's API) ------------------------------------------------------

    def put(self, blob: bytes) -> UUID:
        """Store serialized blob bytes; returns their hash (the column value)."""
        from dj_external import blobs

        return blobs.put_packed(self, [bytes(blob)])[0]

    def get(self, hash_: UUID | None) -> bytes | None:
        """The serialized bytes of a blob (from the cache when configured)."""
        if hash_ is None:
            return None
        from dj_external import blobs

        return blobs.get_packed(self, [hash_])[hash_]

    def upload_attachment(self, local_path: Any) -> UUID:
        from dj_external import files

        return files.upload_attachments(self, [local_path])[0]

    def get_attachment_name(self, hash_: UUID) -> str:
        row = self.rows([hash_], ["hash", "attachment_name"]).get(hash_)
        if row is None or row["attachment_name"] is None:
            raise DataJointError(f"No attachment with hash {hash_} in {self.full_table_name}.")
        return row["attachment_name"]

    def download_attachment(self, hash_: UUID, attachment_name: str, download_path: Any) -> None:
        """Copy the attachment object to the file `download_path` (verified)."""
        from dj_external import files

        files.fetch_attachment_to(self, hash_, attachment_name, download_path)

    def upload_filepath(self, local_filepath: Any) -> UUID:
        from dj_external import files

        return files.upload_filepaths(self, [local_filepath])[0]

    def download_filepath(self, filepath_hash: UUID | None) -> tuple[str, UUID | None] | None:
        """`(local path, contents hash)` of a filepath value, transferred when needed."""
        if filepath_hash is None:
            return None
        from dj_external import files

        return files.download_filepaths(self, [filepath_hash])[0]

    # --- cleanup --------------------------------------------------------------------------

    def delete(
        self,
        *,
        delete_external_files: bool | None = None,
        limit: int | None = None,
        display_progress: bool = True,
        errors_as_string: bool = True,
    ) -> list[tuple[UUID, PurePosixPath, Any]] | None:
        """Delete unused tracking rows, and with `delete_external_files=True` their objects.

        Returns `None` (rows only) or the list of `(hash, path, error)` of objects that could
        not be removed (their rows are kept). See `dj_external.cleanup`.
        """
        from dj_external import cleanup

        return cleanup.delete_unused(
            self,
            delete_external_files=delete_external_files,
            limit=limit,
            display_progress=display_progress,
            errors_as_string=errors_as_string,
        )

    def orphans(self) -> list[str]:
        """Keys of blob and attachment objects under this schema's folder that no tracking
        row knows (e.g. written by an insert that was rolled back)."""
        from dj_external import cleanup

        return cleanup.find_orphans(self)

    def delete_orphans(self) -> list[str]:
        """Remove the objects `orphans()` finds; returns their keys."""
        from dj_external import cleanup

        return cleanup.delete_orphans(self)

    def drop(self) -> None:
        raise DataJointError(
            f"{self.full_table_name} is not dropped on its own: drop the tables that use "
            f"store '{self.store}' (or the schema)."
        )

    drop_quick = drop

    def __repr__(self) -> str:
        return f"ExternalTable({self.full_table_name})\n" + super().__repr__()


# --- schema.external -----------------------------------------------------------------


class ExternalMapping(Mapping):
    """`schema.external`: store name → `ExternalTable`, created on first access."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self._tables: dict[str, ExternalTable] = {}
        self._lock = threading.Lock()

    def __getitem__(self, store: str) -> ExternalTable:
        table = self._tables.get(store)
        if table is None:
            with self._lock:
                table = self._tables.get(store)
                if table is None:
                    table = ExternalTable(self.schema.connection, store, self.schema.database)
                    self._tables[store] = table
        return table

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._tables))

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        lines = [f"External stores of schema `{self.schema.database}`:"]
        for name, table in self._tables.items():
            spec = table.spec
            lines.append(f'"{name}" {spec["protocol"]}:{spec["location"]}')
        return "\n".join(lines)


_unregistered: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], ExternalTable]] = (
    weakref.WeakKeyDictionary()
)
_unregistered_lock = threading.Lock()


def external_table(connection: Any, database: str, store: str) -> ExternalTable:
    """The tracking table of `store` in `database`: the schema's own one when a `Schema`
    for the database is active on the connection, else one kept per connection (so a
    `FreeTable` or a virtual module's table can be fetched without a `Schema`)."""
    if not database:
        raise DataJointError(
            f"Cannot use store '{store}': the attribute's schema (database) is unknown."
        )
    schema = connection.schemas.get(database)
    if schema is not None:
        return schema.external[store]
    with _unregistered_lock:
        tables = _unregistered.setdefault(connection, {})
        table = tables.get((database, store))
    if table is None:
        table = ExternalTable(connection, store, database)
        with _unregistered_lock:
            table = tables.setdefault((database, store), table)
    return table


def store_error(table: ExternalTable, message: str) -> StoreError:
    return StoreError(f"{message} (store '{table.store}', {table.full_table_name})")
