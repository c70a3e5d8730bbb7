"""Server connections (`datajoint.connection`): `Connection` and the process-wide `conn()`.

A `Connection` owns one DB-API connection opened through its dialect
(`connection.dialect`, MySQL/MariaDB today) with DataJoint's session setup, and adds:
statement execution with error translation and reconnection (`query`), explicit
transactions, the schema registry (`schemas`) and an optional query cache.

Interface relied on by other layers:
- ``query(sql, args=(), *, as_dict=False, suppress_warnings=True, reconnect=None)``
  returns the driver's (buffered) cursor: rows are plain tuples (dicts with
  ``as_dict``). Text (`str`) always goes through ``%``-interpolation: write ``%%`` for
  ``%``. A finished statement given as `bytes` is sent as it is, never interpolated
  (no args): large inserts build their statements as bytes and skip the copies.
- ``query_many(sql, rows)``: one statement over many parameter rows (PyMySQL sends an
  ``INSERT ... VALUES`` as multi-row statements) — the fast path for large inserts.
- ``dialect``, ``config`` (the `Config` it reads; default the process-wide one),
  ``schemas`` (database name -> Schema; `register` adds one), ``in_transaction``,
  ``transaction`` (context manager), ``connection_id``.
- Dependencies (core-B): ``connection.dependencies`` is created lazily by
  `dj_core.dependencies`; `register` clears a cached one stored as ``_dependencies``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from contextlib import contextmanager
from getpass import getpass
from typing import TYPE_CHECKING, Any

from dj_core import plugin, query_cache, settings, utils
from dj_core.dialects import Dialect, MySQLDialect, PostgreSQLDialect, ServerVersion
from dj_core.errors import DataJointError, LostConnectionError
from dj_core.version import client_version

if TYPE_CHECKING:  # networkx loads with the graph, not with the connection
    from dj_core.dependencies import Dependencies

__all__ = ["Connection", "conn"]

logger = logging.getLogger("datajoint")

_LOG_SQL_LIMIT = 2000

# this process's id, asked of the kernel once and again in a forked child: every
# statement checks that its connection was opened in this process (a populate sends
# four per key, and os.getpid() is a system call)
_process = [os.getpid()]
os.register_at_fork(after_in_child=lambda: _process.__setitem__(0, os.getpid()))


class _ConnInfo(dict):
    """`conn_info` dict whose repr never shows the password."""

    def __repr__(self) -> str:
        shown = dict(self)
        if shown.get("passwd"):
            shown["passwd"] = "********"
        return repr(shown)

    __str__ = __repr__


def _split_host(host: str, port: int | None, default_port: int) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]``, ``[v6]:port`` -> (host, port)."""
    text = host
    embedded: str | None = None
    if text.startswith("["):
        address, _, rest = text[1:].partition("]")
        text, embedded = address, rest[1:] if rest.startswith(":") else None
    elif text.count(":") == 1:
        text, embedded = text.split(":")
    if embedded is not None:
        try:
            return text, int(embedded)
        except ValueError:
            raise DataJointError(
                f"Invalid port {embedded!r} in host {host!r}; write host:port with a numeric port."
            ) from None
    return text, default_port if port is None else int(port)


def _is_embedded(host: str) -> bool:
    return host.strip().lower() == "embedded"


def _configured_dialect(config: settings.Config, embedded: bool) -> Dialect:
    """The dialect the configuration asks for: ``database.backend`` (DJ_BACKEND),
    "mysql" by default as in 0.14; the embedded server implies PostgreSQL."""
    backend = "postgresql" if embedded else settings.backend(config)
    if backend == "postgresql":
        return PostgreSQLDialect(config.get("database.name"))
    return MySQLDialect(config.get("database.driver"))


def _default_port(config: settings.Config, dialect: Dialect) -> int:
    """``database.port``; on PostgreSQL its port 5432 where the setting is 0.14's 3306."""
    port = config["database.port"]
    if dialect.name == "postgresql" and port == settings.DEFAULTS["database.port"]:
        return 5432
    return port


def _embedded_server() -> Any:
    from dj_core.embedded import EmbeddedServer

    return EmbeddedServer()


class Connection:
    """One connection to a database server, with DataJoint's session and transactions.

    ``Connection(host, user, password, port=None, init_fun=None, use_tls=None)`` connects
    immediately. `host` may be ``host:port`` (the embedded port wins) or
    ``plugin://...`` (translated by a connection plug-in). `use_tls`: None = TLS when the
    server offers it, True = required (certificate not verified), False = off, dict =
    driver TLS options. `config`: the configuration to read (default: the process-wide
    one); `dialect`: the SQL dialect (default MySQL/MariaDB over the driver named by
    ``database.driver``)."""

    def __init__(
        self,
        host: str,
        user: str,
        password: str | None,
        port: int | None = None,
        init_fun: str | None = None,
        use_tls: bool | dict | None = None,
        *,
        config: settings.Config | None = None,
        dialect: Dialect | None = None,
    ):
        self.config = settings.config if config is None else config
        host_input = host
        self._embedded = _is_embedded(host)
        if dialect is None:
            dialect = _configured_dialect(self.config, self._embedded)
        self.dialect = dialect
        if self._embedded:  # placeholders: `connect` asks the server where it runs
            host, port, user, password = "127.0.0.1", 0, "postgres", None
        elif "://" in host:
            scheme = host.split("://", 1)[0]
            host = plugin.connection_plugin(scheme).get_host(host)
        host, port = _split_host(host, port, _default_port(self.config, dialect))
        self.conn_info = _ConnInfo(
            host=host,
            port=port,
            user=user,
            passwd=password,
            ssl=use_tls if isinstance(use_tls, dict) else (None if use_tls is False else {}),
            ssl_input=use_tls,
            host_input=host_input,
        )
        self.init_fun = init_fun
        self.schemas: dict[str, Any] = {}
        self._in_transaction = False
        self._query_cache: str | None = None
        self._conn: Any = None
        self._pid: int | None = None
        self.connection_id: int | None = None
        self._server_version: ServerVersion | None = None
        self.connect()
        if not self.is_connected:
            raise LostConnectionError(f"Connection failed {self._address}.")
        logger.info("DataJoint %s connected to %s", client_version(), self._address)

    # --- identity ---------------------------------------------------------------------

    @property
    def _address(self) -> str:
        return "{user}@{host}:{port}".format(**self.conn_info)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Connection):
            return NotImplemented
        return dict(self.conn_info) == dict(other.conn_info)

    __hash__ = object.__hash__

    #: the cursor of `_send_prepared` (None until the first prepared statement)
    _reused: Any = None

    def __repr__(self) -> str:
        state = "connected" if self.is_connected else "disconnected"
        return f"DataJoint connection ({state}) {self._address}"

    # --- opening and closing ----------------------------------------------------------

    def connect(self) -> None:
        """(Re)open the server connection with the same parameters and session setup."""
        old = self._conn
        self._conn = None
        if old is not None and self._pid == os.getpid():
            try:
                old.close()
            except Exception:  # already dead: nothing to close
                pass
        elif old is not None:
            self.dialect.forget(old)
        # (an inherited connection of a parent process is dropped without a word to the
        # server: closing it would end the parent's session)
        self._pid = os.getpid()
        self._server_version = None  # the server may have changed (upgraded) meanwhile
        info = self.conn_info
        if self._embedded:  # (re)started if it is not running; its port may have changed
            address = _embedded_server().start()
            info.update(
                host=address.host, port=address.port, user=address.user, passwd=address.password
            )
        self._conn = self.dialect.open(
            host=info["host"],
            port=info["port"],
            user=info["user"],
            password=info["passwd"],
            tls=info["ssl_input"],
            init_command=self.init_fun,
            charset=self.config.get("connection.charset") or "",
        )
        self.connection_id = self.dialect.connection_id(self)

    def close(self) -> None:
        """Close the server connection (a later `query` reconnects if allowed)."""
        pool = self.__dict__.get("_stream_pool")
        if pool is not None:  # the second connections of streams (dj_core.streaming)
            pool.close()
        if self._conn is not None and self._pid == os.getpid():
            try:
                self._conn.close()
            except Exception:  # closing a dead connection
                pass

    def ping(self) -> None:
        """Raise when the server connection is not alive (or belongs to another process)."""
        if self._pid != os.getpid():
            raise LostConnectionError(f"Not connected to {self._address} in this process.")
        self.dialect.ping(self._conn)

    def __getstate__(self) -> dict[str, Any]:
        # Picklable for worker processes: the socket stays behind; the copy reconnects
        # on its first statement (dependencies are reloaded there too).
        state = dict(self.__dict__)
        state["_conn"] = None
        state["_pid"] = None
        state["_in_transaction"] = False
        state["_server_version"] = None
        state.pop("_dependencies", None)
        state["_reused"] = None  # a cursor of the socket left behind
        state.pop("_stream_pool", None)
        return state

    @property
    def is_connected(self) -> bool:
        """True when the server answers a ping."""
        try:
            self.ping()
        except Exception:
            return False
        return True

    @property
    def server_version(self) -> ServerVersion:
        """The server's flavour and version, asked once per session: dialects and query
        builders consult it for every statement and heading they build."""
        version = self._server_version
        if version is None:
            version = self._server_version = self.dialect.read_server_version(self)
        return version

    def get_user(self) -> str:
        """``user@host`` as the server sees this session."""
        return self.dialect.current_user(self)

    def register(self, schema: Any) -> None:
        """Add an activated schema to `schemas` and forget the cached dependency graph."""
        self.schemas[schema.database] = schema
        dependencies = self.__dict__.get("_dependencies")
        if dependencies is not None:
            dependencies.clear()

    @property
    def dependencies(self) -> Dependencies:
        """The dependency graph of the registered schemas (loaded on first query)."""
        graph = self.__dict__.get("_dependencies")
        if graph is None:
            from dj_core.dependencies import Dependencies

            graph = self._dependencies = Dependencies(self)
        return graph

    # --- statements -------------------------------------------------------------------

    def query(
        self,
        query: str | bytes,
        args: Any = (),
        *,
        as_dict: bool = False,
        suppress_warnings: bool = True,
        reconnect: bool | None = None,
        prepare: bool = False,
    ) -> Any:
        """Execute one statement; return the cursor (tuples, or dicts with `as_dict`).

        The text is always ``%``-interpolated with `args` (write ``%%`` for a literal
        ``%``). Server errors become `dj_core.errors` classes. A lost connection is
        re-opened (when `reconnect`, default ``database.reconnect``) and the statement
        re-run — except inside a transaction, which is rolled back and reported as
        `LostConnectionError`. A `bytes` statement is final: sent as it is, without args.
        `prepare`: a statement sent many times with other `args` (one key's check, one
        row's insert); where the server binds values itself (PostgreSQL), they are sent
        apart from the text, so the server plans the statement once
        (`Dialect.prepared_cursor`). Its values must then be ones the server reads as it
        reads their literals. The cursor may be the connection's own, reused by the next
        prepared statement: read its rows before sending another."""
        if isinstance(query, bytes) and args:
            raise DataJointError(
                "A statement given as bytes is sent as it is: pass its values inside it, "
                "or pass the statement as str with %s placeholders."
            )
        if self._query_cache is not None:
            if isinstance(query, bytes):  # refused (no SELECT is built as bytes)
                query_cache.check_cacheable(query[:64].decode("latin-1"))
            return self._cached_query(query, args, as_dict, suppress_warnings, reconnect)
        if prepare and not as_dict and suppress_warnings:
            # the statements of every populated key: the short way to the driver
            try:
                return self._send_prepared(query, args)
            except LostConnectionError as lost:
                return self._after_lost(lost, query, args, False, True, reconnect, prepare=True)
        return self._run(
            query, args, as_dict, suppress_warnings, reconnect, many=False, prepare=prepare
        )

    def fetch_rows(self, query: str, args: Any = ()) -> list[tuple]:
        """All rows of a SELECT as a list of tuples, read at once (like
        ``query(...).fetchall()``). Where the driver parses an unbuffered result faster
        than its buffered one (mysqlclient: a third less time), the rows are read through
        the unbuffered cursor, to the end, before anything else runs."""
        if self._query_cache is not None:
            return list(self.query(query, args).fetchall())
        return self._run(query, args, False, True, None, many=False, rows=True)

    def query_many(self, query: str, rows: Sequence[Any], *, reconnect: bool | None = None) -> Any:
        """Execute one statement for every parameter row (``executemany``).

        An ``INSERT ... VALUES (%s, ...)`` is sent as multi-row statements, the fast path
        for large inserts. Returns the cursor (``rowcount`` = rows affected)."""
        if self._query_cache is not None:
            query_cache.check_cacheable("")  # refused: a bulk statement while caching
        return self._run(query, rows, False, True, reconnect, many=True)

    def load_rows(self, table: str, fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
        """Append `rows` (values of `fields`) to `table` (its full, quoted name) through
        the server's bulk-load path (`Dialect.load_rows`: PostgreSQL's COPY), with the
        errors and reconnection of `query`. Only for dialects that have one
        (`dialect.bulk_load_rows` is not None). Returns the number of rows loaded."""
        if self._query_cache is not None:
            query_cache.check_cacheable("")  # refused: a bulk statement while caching
        return self._run(table, (fields, rows), False, True, None, many=False, load=True)

    def _run(
        self,
        query: str | bytes,
        args: Any,
        as_dict: bool,
        suppress_warnings: bool,
        reconnect: bool | None,
        *,
        many: bool,
        rows: bool = False,
        load: bool = False,
        prepare: bool = False,
    ) -> Any:
        try:
            return self._execute(query, args, as_dict, suppress_warnings, many, rows, load, prepare)
        except LostConnectionError as lost:
            return self._after_lost(
                lost, query, args, as_dict, suppress_warnings, reconnect, many, rows, load, prepare
            )

    def _after_lost(
        self,
        lost: LostConnectionError,
        query: str | bytes,
        args: Any,
        as_dict: bool,
        suppress_warnings: bool,
        reconnect: bool | None,
        many: bool = False,
        rows: bool = False,
        load: bool = False,
        prepare: bool = False,
    ) -> Any:
        """The statement again on a new connection, after the old one was found lost
        (re-raised when reconnecting is off; refused inside a transaction, which the
        server rolled back)."""
        if reconnect is None:
            reconnect = self.config.get("database.reconnect", True)
        if not reconnect:
            raise lost
        logger.warning("Lost the server connection %s; reconnecting.", self._address)
        self.connect()
        if self._in_transaction:
            self.cancel_transaction()
            raise LostConnectionError(
                "Connection was lost during a transaction. It was rolled back: "
                "run the transaction again."
            ) from None
        return self._execute(query, args, as_dict, suppress_warnings, many, rows, load, prepare)

    def _execute(
        self,
        query: str | bytes,
        args: Any,
        as_dict: bool,
        suppress_warnings: bool,
        many: bool,
        rows: bool = False,
        load: bool = False,
        prepare: bool = False,
    ) -> Any:
        if prepare and not as_dict:  # (a statement sent again and again)
            cursor = self._send_prepared(query, args)
            return cursor if suppress_warnings else self._warned(cursor)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("Executing SQL: %s", query[:_LOG_SQL_LIMIT])
        if self._conn is None or self._pid != _process[0]:
            # never opened here: a fresh process (after fork or unpickling) reconnects
            raise LostConnectionError(f"Not connected to {self._address} in this process.")
        if as_dict:
            cursor = self._conn.cursor(self.dialect.dict_cursor)
        else:  # rows read at once may take the driver's faster cursor for that
            cursor = self._conn.cursor(
                getattr(self.dialect, "read_all_cursor", None) if rows else None
            )
        try:
            if load:  # `query` names the table, `args` are (fields, rows)
                count = self.dialect.load_rows(cursor, query, *args)
                cursor.close()
                return count
            if many:
                cursor.executemany(query, args)
            elif isinstance(query, bytes):
                cursor.execute(query, None)  # verbatim: the driver sends bytes unchanged
            else:
                # no values and no `%` to halve: nothing to interpolate, and the driver
                # skips its formatting pass (BEGIN, COMMIT and the like, every key)
                cursor.execute(query, args if args or "%" in query else None)
            if rows:
                result = cursor.fetchall()
                cursor.close()
                return result if isinstance(result, list) else list(result)
        except Exception as error:
            translated = self._translated(error, query)
            if translated is None:
                raise
            raise translated from error
        return cursor if suppress_warnings else self._warned(cursor)

    def _warned(self, cursor: Any) -> Any:
        """`cursor`, after logging the server's warnings about its statement."""
        for warning in self.dialect.warnings(self._conn, cursor):
            logger.warning("Server warning: %s", warning)
        return cursor

    def _send_prepared(self, query: str | bytes, args: Any) -> Any:
        """Execute a statement sent again and again (`query(..., prepare=True)`; a
        populate sends four per key) on the connection's reused cursor: one per driver
        connection, of the dialect's `prepared_cursor` kind (binding values on the server
        where it can), kept while that connection lives and replaced when a caller closed
        it (a new one per statement cost a populate a few µs per key). Its rows are read
        before the next such statement, as `query` requires."""
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("Executing SQL: %s", query[:_LOG_SQL_LIMIT])
        raw = self._conn
        if raw is None or self._pid != _process[0]:
            raise LostConnectionError(f"Not connected to {self._address} in this process.")
        cursor = self._reused
        if cursor is None or cursor.connection is not raw or getattr(cursor, "closed", False):
            cursor = self._reused = raw.cursor(self.dialect.prepared_cursor)
        try:
            if isinstance(query, bytes):
                cursor.execute(query, None)
            else:  # (see `_execute`: no values and no `%`, no formatting pass)
                cursor.execute(query, args if args or "%" in query else None)
        except Exception as error:
            translated = self._translated(error, query)
            if translated is None:
                raise
            raise translated from error
        return cursor

    def _translated(self, error: Exception, query: str | bytes) -> Exception | None:
        """The `dj_core.errors` class of a driver's error (None: not the server's)."""
        shown = query if isinstance(query, str) else query[:_LOG_SQL_LIMIT].decode("latin-1")
        return self.dialect.translate_error(error, shown)

    # --- transactions -----------------------------------------------------------------

    def start_transaction(self, *, snapshot: bool = True) -> None:
        """Begin a transaction (consistent snapshot). Nested transactions are refused.

        `snapshot=False`: for work that locks the rows it changes and reads nothing else
        (cleanup); its locking reads wait for concurrent writers and see their committed
        rows on every server."""
        if self._in_transaction and self.in_transaction:  # (asks the server: only then)
            raise DataJointError(
                "Nested transactions are not supported: commit or cancel the open one first."
            )
        dialect = self.dialect
        self.query(
            dialect.begin_transaction_sql()
            if snapshot
            else dialect.begin_locking_transaction_sql(),
            prepare=True,  # sent for every key of a populate
        )
        self._in_transaction = True
        logger.debug("Transaction started")

    def cancel_transaction(self) -> None:
        """Roll back the open transaction."""
        self._in_transaction = False
        self.query("ROLLBACK", prepare=True)
        logger.debug("Transaction cancelled")

    def commit_transaction(self) -> None:
        """Commit the open transaction."""
        self.query("COMMIT", prepare=True)
        self._in_transaction = False
        logger.debug("Transaction committed")

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open on a live connection (pings the server when
        one was started, as 0.14 does)."""
        self._in_transaction = self._in_transaction and self.is_connected
        return self._in_transaction

    @property
    def transaction_open(self) -> bool:
        """True after `start_transaction` until commit, rollback or a detected loss of the
        connection, without asking the server. For hot paths (insert inside `make`) that
        run statements next anyway: a connection lost meanwhile fails those statements
        with `LostConnectionError`, and nothing is committed."""
        return self._in_transaction

    @contextmanager
    def savepoint(self, name: str = "dj_retry"):
        """Context manager for a statement that may fail inside an open transaction while
        the transaction goes on (a retry, a fallback). Servers differ: MySQL rolls back
        only the failed statement, others abort the whole transaction. Where the dialect
        says a failure aborts it, the block runs under a savepoint and a failure rolls
        back to it; elsewhere (and outside transactions) nothing is sent."""
        if not (self._in_transaction and self.dialect.error_aborts_transaction):
            yield self
            return
        self.query(self.dialect.savepoint_sql(name))
        try:
            yield self
        except BaseException:
            self.query(self.dialect.rollback_to_savepoint_sql(name))
            raise
        self.query(self.dialect.release_savepoint_sql(name))

    @property
    def transaction(self):
        """Context manager: a transaction committed on normal exit, rolled back on error.

        ::

            with connection.transaction:
                Session.insert1(key)
                Session.Trial.insert(trials)   # both or neither
        """
        return self._transaction()

    @property
    def locking_transaction(self):
        """Like `transaction`, without a snapshot: see `start_transaction(snapshot=False)`."""
        return self._transaction(snapshot=False)

    @contextmanager
    def _transaction(self, snapshot: bool = True):
        self.start_transaction(snapshot=snapshot)
        try:
            yield self
            self.commit_transaction()
        except BaseException:
            if self._in_transaction:  # the body or COMMIT failed: leave nothing behind
                try:
                    self.cancel_transaction()
                except Exception as error:  # report the original failure, not this one
                    logger.warning("Rollback after a failed transaction failed: %s", error)
            raise

    # --- query cache ------------------------------------------------------------------

    def set_query_cache(self, query_cache: str | None = None) -> None:
        """Turn the query cache on (a non-empty state name) or off (None / "").

        While on, only SELECT and SHOW statements run, and their rows are kept in files
        under ``config["query_cache"]``, keyed by the state name and the statement."""
        self._query_cache = query_cache or None

    def purge_query_cache(self) -> None:
        """Delete every file in the query-cache folder (sub-folders are left alone)."""
        query_cache.purge(self.config.get("query_cache"))

    def _cached_query(
        self, query: str, args: Any, as_dict: bool, suppress_warnings: bool, reconnect: Any
    ) -> query_cache.CachedCursor:
        query_cache.check_cacheable(query)
        path = query_cache.cache_path(
            self.config.get("query_cache"), self._query_cache, query, args
        )
        cached = query_cache.read(path)
        if cached is not None:
            return cached
        cursor = self._run(query, args, as_dict, suppress_warnings, reconnect, many=False)
        return query_cache.write(path, list(cursor.fetchall()))


def conn(
    host: str | None = None,
    user: str | None = None,
    password: str | None = None,
    *,
    init_fun: str | None = None,
    reset: bool = False,
    use_tls: bool | dict | None = None,
) -> Connection:
    """The process-wide persistent connection (kept as ``conn.connection``).

    The first call (or one with ``reset=True``) connects, taking missing arguments from
    the process-wide configuration and prompting for a user name (``input``) and a
    password (hidden) that are still missing. Later calls return the same connection
    and ignore their arguments."""
    if getattr(conn, "connection", None) is None or reset:
        config = settings.config
        host = host if host is not None else config["database.host"]
        user = user if user is not None else config["database.user"]
        password = password if password is not None else config["database.password"]
        if _is_embedded(host):  # the embedded server knows its own login
            user, password = user or "postgres", password or ""
        if user is None:
            user = utils.input("Please enter DataJoint username: ")
        if password is None:
            password = getpass(prompt="Please enter DataJoint password: ")
        init_fun = init_fun if init_fun is not None else config["connection.init_function"]
        use_tls = use_tls if use_tls is not None else config["database.use_tls"]
        conn.connection = Connection(host, user, password, None, init_fun, use_tls)
    return conn.connection


conn.connection = None
