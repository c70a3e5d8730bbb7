"""Streaming a result in chunks through the driver's unbuffered (server-side) cursor.

`stream_rows(connection, sql, chunk_size)` yields lists of at most `chunk_size` rows
(tuples, as `Connection.query` gives them) while the server is still sending the rest:
the client holds one chunk at a time, not the result.

An unbuffered result occupies its connection until it is read to the end, so it cannot
share the connection that the caller keeps using — `for key in Session: (Trial &
key).fetch()` runs queries while the outer result streams. Each stream therefore runs
on a **second connection** of the same account and session setup, taken from a small
pool kept by the `Connection` (opened on first use, reused afterwards, closed with the
connection). Two cases read on the connection itself instead, buffered, and then hand
out the rows chunk by chunk (memory then grows with the result):

- inside a transaction: a second connection would not see the transaction's own
  writes (and could wait on its locks);
- while the query cache is on: the rows come from (or go to) the cache.

Leaving early (`break`, an exception, or closing the generator) closes the stream's
connection instead of reading the rest of the result: the server stops sending, and
the caller's connection is untouched. A connection lost mid-stream raises
`LostConnectionError` — the rows handed out so far were not the whole result, and the
stream is not resumed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from dj_core.errors import DataJointError, LostConnectionError

__all__ = ["StreamPool", "stream_rows"]

logger = logging.getLogger("datajoint")

#: idle stream connections kept per `Connection` (more are opened while nested streams run)
_KEEP_IDLE = 2


class StreamPool:
    """Idle second connections of one `Connection`, for streams (see the module docstring)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._idle: list[Any] = []
        self._pid = os.getpid()
        self.opened = 0  # connections opened so far (tests and logs read it)

    def acquire(self) -> Any:
        """An open driver connection: an idle one that still answers, or a new one."""
        dialect = self._connection.dialect
        if self._pid != os.getpid():  # inherited over fork: the parent's sockets
            for raw in self._idle:
                dialect.forget(raw)
            self._idle, self._pid = [], os.getpid()
        while self._idle:
            raw = self._idle.pop()
            try:
                dialect.ping(raw)
            except Exception:  # timed out or killed meanwhile: open another
                _close(raw)
                continue
            return raw
        info = self._connection.conn_info
        raw = dialect.open(
            host=info["host"],
            port=info["port"],
            user=info["user"],
            password=info["passwd"],
            tls=info["ssl_input"],
            init_command=self._connection.init_fun,
            charset=self._connection.config.get("connection.charset") or "",
        )
        self.opened += 1
        logger.debug("Opened stream connection %d to %s", self.opened, self._connection._address)
        return raw

    def release(self, raw: Any) -> None:
        """Return a connection whose result was read to the end."""
        if len(self._idle) < _KEEP_IDLE and self._pid == os.getpid():
            self._idle.append(raw)
        else:
            _close(raw)

    def close(self) -> None:
        """Close every idle connection (those of a parent process are only forgotten)."""
        idle, self._idle = self._idle, []
        for raw in idle:
            if self._pid == os.getpid():
                _close(raw)
            else:
                self._connection.dialect.forget(raw)


def _close(raw: Any) -> None:
    try:
        raw.close()
    except Exception:  # already dead
        pass


def stream_pool(connection: Any) -> StreamPool:
    """The `StreamPool` of `connection` (created on first use)."""
    pool = connection.__dict__.get("_stream_pool")
    if pool is None:
        pool = connection._stream_pool = StreamPool(connection)
    return pool


def stream_rows(connection: Any, sql: str, chunk_size: int) -> Iterator[list[tuple]]:
    """Rows of `sql` in lists of at most `chunk_size` (see the module docstring). The
    statement is %-interpolated like `Connection.query` (``%%`` for ``%``)."""
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
        raise DataJointError(f"chunk_size must be a positive integer, not {chunk_size!r}.")
    if connection.transaction_open or connection._query_cache is not None:
        return _buffered(connection, sql, chunk_size)
    return _unbuffered(connection, sql, chunk_size)


def _buffered(connection: Any, sql: str, chunk_size: int) -> Iterator[list[tuple]]:
    rows = connection.query(sql).fetchall()
    for start in range(0, len(rows), chunk_size):
        yield list(rows[start : start + chunk_size])


def _unbuffered(connection: Any, sql: str, chunk_size: int) -> Iterator[list[tuple]]:
    dialect = connection.dialect
    pool = stream_pool(connection)
    raw = pool.acquire()
    finished = False
    cursor = raw.cursor(dialect.stream_cursor)
    try:
        _translated(dialect, sql, cursor.execute, sql, ())
        while True:
            rows = _translated(dialect, sql, cursor.fetchmany, chunk_size)
            if not rows:
                break
            yield list(rows)
        cursor.close()
        finished = True
    finally:
        if finished:
            pool.release(raw)
        else:  # left early or failed: drop the connection rather than read the rest
            dialect.abandon_stream(raw, cursor)


def _translated(dialect: Any, sql: str, call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except Exception as error:
        translated = dialect.translate_error(error, sql)
        if isinstance(translated, LostConnectionError):
            raise LostConnectionError(
                "The server connection was lost while streaming the result: the rows "
                "received so far are incomplete. Run the query again.",
                *error.args,
            ) from error
        if translated is None:
            raise
        raise translated from error
