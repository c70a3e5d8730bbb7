"""The `~jobs` table of a schema: job reservations shared by every populating worker
(`datajoint.jobs`).

The table layout, the statuses and `key_hash` are exactly DataJoint 0.14's, because
workers of both implementations coordinate through the same rows: a key is taken by
inserting its `(table_name, key_hash)` primary key, which the server grants to one
worker only. Rows are written with one parameterized statement each (not through the
generic insert), because a reservation is on the hot path of every populated key.

Beyond 0.14's `reserve`, `ignore`, `complete`, `error`, `delete` and `drop`, a `JobTable`
tells users what is going on (`summary()`: counts per table and status) and clears what
is stuck (`stale()`/`clear_stale()`: reservations whose worker is gone;
`clear_errors()`), without changing the table layout.
"""

from __future__ import annotations

import datetime
import logging
import os
import platform
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dj_blob
from dj_core.declare import compile_definition
from dj_core.errors import (
    DataJointError,
    DuplicateError,
    LostConnectionError,
    MissingTableError,
)
from dj_core.hash import key_hash
from dj_query import FreeTable, U
from dj_query.insert import verbatim_rows

__all__ = [
    "ERROR_MESSAGE_LENGTH",
    "JOBS_TABLE",
    "STATUSES",
    "TRUNCATION_APPENDIX",
    "JobTable",
    "jobs_definition",
    "truncate_message",
]

logger = logging.getLogger("datajoint")

JOBS_TABLE = "~jobs"
ERROR_MESSAGE_LENGTH = 2047
TRUNCATION_APPENDIX = "...truncated"
STATUSES = ("reserved", "error", "ignore")
_JOB_KEY = ("table_name", "key_hash")
#: the columns of a reservation row, in the order of `JobTable._fields`
_RESERVE_COLUMNS = (
    "table_name",
    "key_hash",
    "status",
    "key",
    "host",
    "pid",
    "connection_id",
    "user",
)


def jobs_definition(database: str) -> str:
    """The definition of `~jobs` for `database`; it declares 0.14's table byte for byte."""
    return f"""# job reservation table for `{database}`
    table_name  : varchar(255)        # className of the table
    key_hash    : char(32)            # key hash
    ---
    status      : enum('reserved','error','ignore')  # if tuple is missing, the job is available
    key=null    : blob                # structure containing the key
    error_message="" : varchar({ERROR_MESSAGE_LENGTH})  # error message returned if failed
    error_stack=null : mediumblob     # error stack if failed
    user=""     : varchar(255)        # database user
    host=""     : varchar(255)        # system hostname
    pid=0       : int unsigned        # system process id
    connection_id = 0 : bigint unsigned  # connection_id()
    timestamp=CURRENT_TIMESTAMP : timestamp  # automatic timestamp
    """


def truncate_message(message: str) -> str:
    """`message` cut to fit `error_message`, marked with `TRUNCATION_APPENDIX` when cut."""
    if len(message) <= ERROR_MESSAGE_LENGTH:
        return message
    return message[: ERROR_MESSAGE_LENGTH - len(TRUNCATION_APPENDIX)] + TRUNCATION_APPENDIX


def _pack(value: Any) -> bytes:
    # python-native blobs explicitly, whatever the user's setting: the key
    # is a dict and the stack a str, which only the dj0 protocol holds
    return dj_blob.pack(value, enable_python_native_blobs=True)


def _rows_statement(dialect: Any, head: str, tail: str, rows: Sequence[tuple]) -> bytes:
    """`head VALUES (...),(...) tail` with the rows' literals written in, as bytes sent
    as they are: a batch of reservations carries hundreds of values, and drivers parse a
    statement of that many placeholders anew each time (psycopg caches the parse of at
    most 50), which cost more than rendering the values here."""
    columns = [
        _column_literals(dialect, values, name)
        for values, name in zip(zip(*rows), _RESERVE_COLUMNS)
    ]
    pieces = [head.encode(), b" VALUES "]
    for row in verbatim_rows(columns):
        pieces.extend(row)
        pieces.append(b",")
    pieces[-1] = tail.encode()
    return b"".join(pieces)


def _column_literals(dialect: Any, values: Sequence[Any], name: str) -> list:
    """`insert_literals_verbatim` of a column, rendering a value the whole batch shares
    (table name, status, host, pid, connection, user: six columns of eight) once."""
    first = values[0]
    if values.count(first) == len(values):
        return dialect.insert_literals_verbatim([first], name) * len(values)
    return dialect.insert_literals_verbatim(list(values), name)


def declare_jobs_table(connection: Any, database: str) -> str:
    """Create `~jobs` in `database` unless it exists; return its full name."""
    full_name = connection.dialect.full_table_name(database, JOBS_TABLE)
    declaration = compile_definition(
        full_name, jobs_definition(database), {}, dialect=connection.dialect
    )
    for statement in declaration.statements:
        connection.query(statement)
    return full_name


class JobTable(FreeTable):
    """`schema.jobs`: the schema's `~jobs` table, queryable like any table, plus the
    job operations of populate. Created on first use when missing.

    ``JobTable(connection, database)``; `schema.jobs` is ``JobTable(schema.connection,
    schema.database)``, made once per schema.
    """

    def __init__(self, connection: Any, database: str) -> None:
        if not connection.dialect.schema_exists(connection, database):
            raise DataJointError(
                f"Schema {connection.dialect.quote(database)} does not exist: create it "
                "(activate the schema) "
                "before using its jobs table."
            )
        full_name = declare_jobs_table(connection, database)
        super().__init__(connection, full_name)
        self._user: str | None = None

    def __repr__(self) -> str:
        return "JobTable" + super().__repr__()[len("FreeTable") :]

    # --- writing rows ----------------------------------------------------------------

    @property
    def user(self) -> str:
        """`user@host` of the connection as the server sees it (read once)."""
        if self._user is None:
            self._user = self.connection.get_user()
        return self._user

    def _run(self, sql: str | bytes, args: tuple | None, *, prepare: bool = False) -> Any:
        """Run a statement; a table dropped since (`jobs.drop()`) is declared again — but
        not inside a transaction, which the `CREATE TABLE` would commit. `prepare`: sent
        for every batch of a populate, with values of plain types (bound on the server
        where the dialect can, so it plans the statement once)."""
        try:
            return self.connection.query(sql, args, prepare=prepare)
        except MissingTableError:
            if self.connection.in_transaction:
                raise
            declare_jobs_table(self.connection, self.database)
            return self.connection.query(sql, args, prepare=prepare)

    def _fields(self, status: str, table_name: str, key: Mapping, **extra: Any) -> dict:
        return {
            "table_name": table_name,
            "key_hash": key_hash(key),
            "status": status,
            "key": _pack(dict(key)),
            "host": platform.node(),
            "pid": os.getpid(),
            "connection_id": self.connection.connection_id or 0,
            "user": self.user,
            **extra,
        }

    def _add(
        self, duplicates: str, status: str, table_name: str, key: Mapping, **extra: Any
    ) -> Any:
        fields = self._fields(status, table_name, key, **extra)
        head, tail = self.connection.dialect.insert_sql(
            self.full_table_name, list(fields), duplicates=duplicates, primary_key=_JOB_KEY
        )
        marks = ",".join(["%s"] * len(fields))
        return self._run(f"{head} VALUES ({marks}){tail}", tuple(fields.values()))

    def reserve(self, table_name: str, key: Mapping) -> bool:
        """Reserve the job `key` of table `table_name` for this worker. False when any row
        for it exists (reserved by another worker, failed, or ignored)."""
        try:
            # inside a transaction, a refused duplicate must not abort it (PostgreSQL)
            with self.connection.savepoint():
                self._add("error", "reserved", table_name, key)
        except DuplicateError:
            return False
        return True

    def reserve_many(
        self,
        table_name: str,
        keys: Sequence[Mapping],
        *,
        hashes: Sequence[str] | None = None,
    ) -> list[bool]:
        """`reserve` for several keys with one insert (one commit): for each key, whether
        this worker got it — the rows it inserted, told apart by the worker's connection,
        process and host. The rows are written in key-hash order, so two workers
        reserving overlapping batches lock rows in the same order. `hashes`: the keys'
        `key_hash`es when the caller has them already."""
        if len(keys) < 2:
            return [self.reserve(table_name, key) for key in keys]
        if hashes is None:
            hashes = [key_hash(key) for key in keys]
        connection = self.connection
        connection_id, pid, host = connection.connection_id or 0, os.getpid(), platform.node()
        session = (connection_id, pid, host)
        user = self.user
        # the columns of `_fields`, in its order, without hashing each key again
        rows = sorted(
            (
                (table_name, digest, "reserved", _pack(dict(key)), host, pid, connection_id, user)
                for key, digest in zip(keys, hashes)
            ),
            key=lambda row: row[1],
        )
        q = connection.dialect.quote
        mine_sql = (
            f"SELECT {q('key_hash')} FROM {self.full_table_name} WHERE {q('table_name')}=%s "
            f"AND {q('key_hash')} IN ({','.join(['%s'] * len(hashes))}) "
            f"AND {q('status')}='reserved' "
            f"AND {q('connection_id')}=%s AND {q('pid')}=%s AND {q('host')}=%s"
        )
        head, tail = connection.dialect.insert_sql(
            self.full_table_name, list(_RESERVE_COLUMNS), duplicates="skip", primary_key=_JOB_KEY
        )
        # reservations this session already held are not new ones
        before = self._run(mine_sql, (table_name, *hashes, *session), prepare=True).fetchall()
        try:
            with connection.savepoint():  # the fallback below may follow in a transaction
                self._run(_rows_statement(connection.dialect, head, tail, rows), None)
        except LostConnectionError:
            raise
        except Exception as error:  # e.g. a deadlock with another worker: one at a time
            logger.debug("Reserving %d jobs at once failed (%s); one at a time", len(keys), error)
            return [self.reserve(table_name, key) for key in keys]
        after = connection.query(mine_sql, (table_name, *hashes, *session), prepare=True).fetchall()
        mine = {row[0] for row in after} - {row[0] for row in before}
        return [digest in mine for digest in hashes]

    def release(
        self, table_name: str, keys: Iterable[Mapping], *, hashes: Sequence[str] | None = None
    ) -> None:
        """Give this worker's reservations back (computed or not: they become
        available). Only rows this connection reserved are removed, so a reservation
        that was meanwhile cleared as stale and taken by another worker stays theirs.
        `hashes`: the keys' `key_hash`es instead of the keys."""
        if hashes is None:
            hashes = [key_hash(key) for key in keys]
        if hashes:
            q = self.connection.dialect.quote
            self._run(
                f"DELETE FROM {self.full_table_name} WHERE {q('table_name')}=%s "
                f"AND {q('status')}='reserved' "
                f"AND {q('key_hash')} IN ({','.join(['%s'] * len(hashes))}) "
                f"AND {q('connection_id')}=%s",
                (table_name, *hashes, self.connection.connection_id or 0),
                prepare=True,
            )

    def ignore(self, table_name: str, key: Mapping) -> bool:
        """Mark `key` to be skipped by every populate. False when a row already exists
        (then nothing changes)."""
        try:
            # inside a transaction, a refused duplicate must not abort it (PostgreSQL)
            with self.connection.savepoint():
                self._add("error", "ignore", table_name, key)
        except DuplicateError:
            return False
        return True

    def complete(self, table_name: str, key: Mapping) -> None:
        """Remove the job's row: its results are committed."""
        q = self.connection.dialect.quote
        self._run(
            f"DELETE FROM {self.full_table_name} WHERE {q('table_name')}=%s AND {q('key_hash')}=%s",
            (table_name, key_hash(key)),
        )

    def error(
        self,
        table_name: str,
        key: Mapping,
        error_message: str,
        error_stack: str | None = None,
    ) -> None:
        """Record a failed job (replacing its reservation, or any row): the message
        (truncated to fit) and the traceback text. Populate skips it until deleted."""
        self._add(
            "replace",
            "error",
            table_name,
            key,
            error_message=truncate_message(error_message),
            error_stack=None if error_stack is None else _pack(error_stack),
        )

    def blocked_hashes(self, table_name: str) -> set[str]:
        """Key hashes of `table_name`'s jobs that populate must skip: reserved, failed or
        ignored (one query)."""
        try:
            q = self.connection.dialect.quote
            cursor = self.connection.query(
                f"SELECT {q('key_hash')} FROM {self.full_table_name} WHERE {q('table_name')}=%s",
                (table_name,),
            )
        except MissingTableError:
            return set()
        return {row[0] for row in cursor.fetchall()}

    # --- table operations (no prompts, no cascades: nothing depends on ~jobs) ----------

    def delete(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Delete these (restricted) rows, without asking: their keys become available."""
        self.delete_quick()

    def drop(self) -> None:  # type: ignore[override]
        """Drop the jobs table without asking (it is created again when next used)."""
        self.drop_quick()

    # --- seeing and clearing jobs -------------------------------------------------------

    def summary(self) -> Any:
        """Counts per table and status, as a query (`print` it, or `.fetch(as_dict=True)`)."""
        return U("table_name", "status").aggr(self, count="count(*)")

    def counts(self) -> dict[str, dict[str, int]]:
        """`{table_name: {status: count}}` of these (restricted) rows."""
        result: dict[str, dict[str, int]] = {}
        for row in self.summary().fetch(as_dict=True):
            result.setdefault(row["table_name"], {})[row["status"]] = int(row["count"])
        return result

    def stale(self, older_than: float | datetime.timedelta | None = None) -> JobTable:
        """Reservations that no live worker holds, as a query on this table: those whose
        recorded connection is no longer open on the server (the connection ids of
        `~jobs` against the server's live sessions), and with `older_than` (seconds or a
        timedelta) also those made longer ago than that, alive or not.

        Rows written in the current second are never taken for dead: a worker that
        connected after the server's sessions were listed is not mistaken for a gone one.
        The server lists other users' sessions only to users with the PROCESS privilege:
        without it, reservations of workers logged in as another user look stale.
        DataJoint 0.14's pooled workers record their parent's connection id, so they look
        alive while the parent runs — `older_than` catches those."""
        return self & self._stale_rows(older_than)  # an empty list restricts to nothing

    def _stale_rows(self, older_than: float | datetime.timedelta | None) -> list[dict[str, Any]]:
        """`(table_name, key_hash, connection_id)` of the stale reservations, read at once;
        the connection id in the restriction keeps a row that was meanwhile released and
        reserved again by a live worker from being taken for the stale one."""
        dialect = self.connection.dialect
        now = dialect.server_time(self.connection)
        live = dialect.live_connection_ids(self.connection)
        limit = None
        if older_than is not None:
            seconds = (
                older_than.total_seconds()
                if isinstance(older_than, datetime.timedelta)
                else float(older_than)
            )
            limit = now - datetime.timedelta(seconds=seconds)
        rows = (self & {"status": "reserved"}).fetch(
            "table_name", "key_hash", "connection_id", "timestamp", as_dict=True
        )
        stale = []
        for row in rows:
            dead = row["connection_id"] not in live and row["timestamp"] < now.replace(
                microsecond=0
            )
            if dead or (limit is not None and row["timestamp"] < limit):
                stale.append(
                    {
                        "table_name": row["table_name"],
                        "key_hash": row["key_hash"],
                        "connection_id": row["connection_id"],
                        "status": "reserved",
                    }
                )
        return stale

    def clear_stale(
        self,
        older_than: float | datetime.timedelta | None = None,
        table_name: str | None = None,
        key_hashes: Iterable[str] | None = None,
    ) -> int:
        """Delete the `stale()` reservations (of one table, when `table_name` is given;
        of those key hashes, when given): their keys become available again. Returns
        how many."""
        scope = self if table_name is None else self & {"table_name": table_name}
        rows = scope._stale_rows(older_than)
        if key_hashes is not None:
            wanted = set(key_hashes)
            rows = [row for row in rows if row["key_hash"] in wanted]
        for start in range(0, len(rows), 500):
            (self & rows[start : start + 500]).delete_quick()
        if rows:
            logger.info("Cleared %d stale reservation(s) in %s", len(rows), self.full_table_name)
        return len(rows)

    def clear_errors(
        self, tables: str | Iterable[str] | None = None, pattern: str | None = None
    ) -> int:
        """Delete the `error` rows — of the given table names (default all), and whose
        message matches the regular expression `pattern` (`re.search`; default any).
        Returns how many; their keys are computed by the next populate."""
        errors = self & {"status": "error"}
        if tables is not None:
            names = [tables] if isinstance(tables, str) else list(tables)
            errors = errors & [{"table_name": name} for name in names]
        if pattern is None:
            count = len(errors)
            if count:
                errors.delete_quick()
            return count
        search = re.compile(pattern).search
        rows = [
            {"table_name": row["table_name"], "key_hash": row["key_hash"], "status": "error"}
            for row in errors.fetch("table_name", "key_hash", "error_message", as_dict=True)
            if search(row["error_message"])
        ]
        for start in range(0, len(rows), 500):
            (self & rows[start : start + 500]).delete_quick()
        return len(rows)

    def errors(self, table_name: str | None = None) -> list[dict[str, Any]]:
        """The failed jobs (of one table, when given), oldest first: dicts with
        `table_name`, `key`, `error_message`, `error_stack` (the traceback text), `host`,
        `pid` and `timestamp`."""
        errors = self & {"status": "error"}
        if table_name is not None:
            errors = errors & {"table_name": table_name}
        return errors.fetch(
            "table_name",
            "key",
            "error_message",
            "error_stack",
            "host",
            "pid",
            "timestamp",
            as_dict=True,
            order_by=("timestamp", "table_name", "key_hash"),
        )

    def holders(self) -> list[dict[str, Any]]:
        """Who holds the reservations: one dict per table and worker (`table_name`,
        `host`, `pid`, `connection_id`, `reserved` count, `oldest` reservation time)."""
        reserved = self & {"status": "reserved"}
        rows = U("table_name", "host", "pid", "connection_id").aggr(
            reserved, reserved="count(*)", oldest="min(timestamp)"
        )
        return rows.fetch(as_dict=True, order_by=("table_name", "oldest"))

    def report(self, tables: Iterable[Any] | None = None) -> list[Any]:
        """Per auto-populated table (default: every Imported/Computed table of the
        schema): pending, reserved, error and ignored counts, the oldest reservation and
        the workers holding reservations, as `dj_compute.report.TableJobs`. `print(
        dj_compute.report.format_report(jobs.report()))` shows it as a table."""
        from dj_compute.report import jobs_report

        return jobs_report(self, tables)
