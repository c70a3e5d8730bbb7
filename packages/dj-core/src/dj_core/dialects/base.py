"""The dialect interface: what the layers above may ask of a database flavour.

A dialect is a stateless object (one per `Connection`, reachable as
`connection.dialect`) that knows one server family's SQL. It has two kinds of methods:

- *text builders*: pure functions returning SQL text (and, where values are involved,
  a tuple of driver parameters). They never touch the network, so their output can be
  snapshot-tested.
- *catalog readings*: methods taking a `Connection` that run the server's catalog
  queries and return plain Python values (lists of names, booleans, dicts). Callers
  never see the catalog's own layout, so a PostgreSQL or SQLite dialect can read a
  different catalog and return the same values.

Plus driver plumbing: opening a DB-API connection with the session setup DataJoint
needs, and translating driver exceptions into `dj_core.errors` classes.

Adding methods (for other issues): add an abstract (or default-implemented) method
here with a docstring that states the contract in dialect-neutral terms, then the
MySQL implementation in `mysql.py`, each in the section that matches its kind (text
builders / catalog readings / DDL). Keep SQL text out of every other module. Values
travel as driver parameters (`%s`); remember that `Connection.query` always runs the
text through ``%``-interpolation, so a literal ``%`` in SQL text must be written ``%%``.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dj_core.connection import Connection

__all__ = ["Dialect", "ServerVersion"]


@dataclass(frozen=True)
class ServerVersion:
    """A server's version: its flavour and numeric version, parsed from the banner."""

    flavour: str  # "mysql", "mariadb", ...
    version: tuple[int, ...]  # e.g. (8, 0, 36) or (10, 11, 19)
    text: str  # the banner as reported, e.g. "10.11.19-MariaDB-0+deb12u1"

    def at_least(self, *version: int) -> bool:
        """True when this version is the given one or newer (e.g. ``at_least(5, 7)``)."""
        return self.version >= tuple(version)


class Dialect(ABC):
    """One database server family's SQL, catalog and error codes. See the module docstring."""

    #: short name, e.g. "mysql"
    name: str = ""
    #: the driver's cursor class giving rows as dicts (``raw.cursor(dialect.dict_cursor)``)
    dict_cursor: Any = None
    #: the driver's unbuffered cursor class (rows read while the server sends them), for
    #: `dj_core.streaming`
    stream_cursor: Any = None

    # --- driver plumbing ---------------------------------------------------------------

    @abstractmethod
    def open(
        self,
        *,
        host: str,
        port: int,
        user: str,
        password: str | None,
        tls: bool | dict | None,
        init_command: str | None,
        charset: str,
    ) -> Any:
        """Open a DB-API connection with DataJoint's session setup (autocommit on, strict
        mode). `tls`: None = preferred, True = required, False = off, dict = options.
        Returns the driver connection. A refused connection raises a
        `dj_core.errors.ConnectionFailedError` naming ``user@host:port`` (never the
        password); the MySQL dialect's one also derives from the driver's own
        `OperationalError`, as 0.14 callers expect."""

    @abstractmethod
    def translate_error(self, error: Exception, sql: str) -> Exception | None:
        """The DataJoint error for a driver error raised by `sql`, or None to re-raise as is."""

    @abstractmethod
    def is_lost_connection(self, error: Exception) -> bool:
        """True when the driver error means the connection to the server is gone."""

    @abstractmethod
    def ping(self, raw: Any) -> None:
        """Raise when the driver connection `raw` is not alive (never reconnects)."""

    def forget(self, raw: Any) -> None:
        """Drop a driver connection inherited from a parent process (after fork) without
        a word to the server: closing it would end the parent's session."""
        return None

    def abandon_stream(self, raw: Any, cursor: Any) -> None:
        """Close the driver connection `raw` whose unbuffered `cursor` still has rows
        unread, without reading them (streams left early)."""
        raw.close()

    @abstractmethod
    def warnings(self, raw: Any, cursor: Any) -> list[str]:
        """The server's warnings about the statement `cursor` just ran (empty if none)."""

    # --- text builders -----------------------------------------------------------------

    @abstractmethod
    def quote(self, identifier: str) -> str:
        """A quoted identifier (database, table or column name)."""

    def full_table_name(self, database: str, table: str) -> str:
        """The qualified, quoted name of a table, e.g. `` `db`.`table` ``."""
        return f"{self.quote(database)}.{self.quote(table)}"

    @abstractmethod
    def split_full_table_name(self, full_table_name: str) -> tuple[str, str]:
        """(database, table), unquoted, from a name built by `full_table_name`."""

    @abstractmethod
    def string_literal(self, value: str) -> str:
        """`value` as an SQL string literal (for DDL text such as comments and defaults,
        where parameters are not possible)."""

    @abstractmethod
    def column_type(self, category: str, declared: str) -> str:
        """The column type for a DataJoint type. `category` is the type category of
        core.md §8.1 (``"UUID"``, ``"INTERNAL_ATTACH"``, ``"EXTERNAL_BLOB"``, ...);
        `declared` the type as written in the definition."""

    @abstractmethod
    def lock_clause(self, mode: str = "update") -> str:
        """Suffix of a SELECT that locks the rows it reads: mode "update" or "share"."""

    @abstractmethod
    def begin_transaction_sql(self) -> str:
        """Statement starting a transaction with a consistent snapshot."""

    @abstractmethod
    def kill_sql(self, process_id: int) -> str:
        """Statement ending a server process (connection) by id."""

    @abstractmethod
    def set_password_sql(self, version: ServerVersion) -> str:
        """Statement changing the current user's password; one `%s` parameter: the password."""

    # --- catalog readings --------------------------------------------------------------

    def server_version(self, connection: Connection) -> ServerVersion:
        """The server's flavour and version. Cheap to call again: the connection keeps it
        for its session (`Connection.server_version`) and asks `read_server_version`
        once, and once more after a reconnect (the server may have been upgraded)."""
        return connection.server_version

    @abstractmethod
    def read_server_version(self, connection: Connection) -> ServerVersion:
        """Ask the server for its flavour and version (uncached; see `server_version`)."""

    @abstractmethod
    def current_user(self, connection: Connection) -> str:
        """``user@host`` of the session."""

    @abstractmethod
    def connection_id(self, connection: Connection) -> int:
        """The server-side id of the session (what `kill_sql` takes)."""

    @abstractmethod
    def list_schemas(self, connection: Connection) -> list[str]:
        """Names of all databases visible to the user, system catalogs excluded."""

    @abstractmethod
    def schema_exists(self, connection: Connection, database: str) -> bool:
        """True when the database exists (and is visible to the user)."""

    @abstractmethod
    def list_tables(self, connection: Connection, database: str) -> list[str]:
        """Names of the tables in `database` (hidden ``~`` tables included), unquoted."""

    @abstractmethod
    def table_exists(self, connection: Connection, database: str, table: str) -> bool:
        """True when the table exists."""

    @abstractmethod
    def processes(
        self,
        connection: Connection,
        restriction: str | None = None,
        order_by: str | Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Other sessions on the server (the caller's own excluded), as dicts with keys
        ``ID USER HOST DB COMMAND TIME STATE INFO``; `restriction` is an SQL condition
        over those columns, `order_by` one or more of them (default ``id``)."""

    # --- schema catalog and DDL (declarations, headings, dependencies) ----------------

    def json_value_sql(
        self,
        attribute: str,
        path: str,
        type: str | None = None,
        *,
        server: ServerVersion | None = None,
    ) -> str:
        """SQL extracting the JSON value at `path` (without the leading ``$.``; empty for
        the whole document) of json column `attribute`, converted to SQL `type` if given.
        `server` (from `server_version`) selects a flavour's form; None: the canonical one."""
        raise NotImplementedError(f"{self.name} dialect: JSON paths are not supported")

    def json_equals_sql(
        self,
        attribute: str,
        path: str,
        document: str,
        *,
        server: ServerVersion | None = None,
    ) -> str:
        """SQL condition: the object or array at `path` of json column `attribute` equals
        `document` (JSON text, rendered by the dialect as a string literal), as a
        restriction by a dict compares it (query.md §3.3). False where the path is
        missing."""
        raise NotImplementedError(f"{self.name} dialect: JSON paths are not supported")

    def table_catalog(
        self, connection: Connection, database: str, table: str | None = None
    ) -> dict[str, dict[str, Any]]:
        """Catalog of one table (or of every table of `database`), in few queries:
        ``{table: {"status": {...}, "columns": [...], "indexes": [...]}}``.

        - status: lowercased table-status fields, at least ``name`` and ``comment``;
        - columns, in order: ``name``, ``type`` (column type as the server reports it),
          ``in_key``, ``nullable``, ``default`` (None for no default; otherwise the value
          as MySQL's ``SHOW COLUMNS`` shows it: unquoted text, ``CURRENT_TIMESTAMP``),
          ``extra``, ``comment``, ``json`` (the column holds JSON);
        - indexes: one row per key part: ``index_name``, ``seq``, ``column`` (None for a
          functional part), ``expression``, ``non_unique``."""
        raise NotImplementedError(f"{self.name} dialect: table catalog not implemented")

    def key_catalog(self, connection: Connection, databases: Sequence[str]) -> list[dict[str, Any]]:
        """Primary-key and foreign-key columns touching `databases`, in one query: rows
        ``constraint``, ``database``, ``table``, ``column``, ``ref_database``,
        ``ref_table``, ``ref_column`` (the ref_* are None for primary-key rows, whose
        constraint is ``"PRIMARY"``), ordered by constraint and column position."""
        raise NotImplementedError(f"{self.name} dialect: key catalog not implemented")

    def schema_size(self, connection: Connection, database: str) -> int:
        """Bytes of data and indexes of every table in `database`."""
        raise NotImplementedError(f"{self.name} dialect: schema size not implemented")

    def create_schema_sql(self, database: str) -> str:
        """Statement creating a database."""
        return f"CREATE DATABASE {self.quote(database)}"

    def drop_schema_sql(self, database: str) -> str:
        """Statement dropping a database."""
        return f"DROP DATABASE {self.quote(database)}"

    # --- helpers shared by all dialects ------------------------------------------------

    def quote_list(self, identifiers: Iterable[str]) -> str:
        """Comma-separated quoted identifiers."""
        return ",".join(self.quote(name) for name in identifiers)

    # --- populate on many workers, seeing jobs (added together; keep as one block) -------

    def server_time(self, connection: Connection) -> datetime.datetime:
        """The server's current time as its automatic timestamp columns record it (the
        session's time zone), so ages of rows are measured on one clock."""
        raise NotImplementedError(f"{self.name} dialect: server time not implemented")

    def live_connection_ids(self, connection: Connection) -> set[int]:
        """Ids of the sessions open on the server right now, the caller's own included
        (the ids connections report as theirs). Sessions the user may not see (other
        users', without the privilege to list them) are missing."""
        ids = {int(row["ID"]) for row in self.processes(connection)}
        if connection.connection_id is not None:
            ids.add(int(connection.connection_id))
        return ids

    def key_hash_sql(self, columns: Sequence[str]) -> str:
        """SQL text computing DataJoint's key hash of a row: the MD5 hex digest of the
        text forms of `columns` (pass them in ascending name order) concatenated without
        separator. It equals `dj_core.hash.key_hash` of the fetched key only where the
        server's text form of a value is Python's `str()` of it: integers, strings and
        dates."""
        return "MD5(CONCAT(" + self.quote_list(columns) + "))"
