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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dj_core import errors
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
    #: the driver's cursor binding values on the server, which plans a statement sent again
    #: and again once (`Connection.query(..., prepare=True)`); None: the default cursor
    prepared_cursor: Any = None
    #: the DB-API driver (its module, or an adapter with the same names) whose exception
    #: classes (`Error`, `DataError`, `IntegrityError` ...) the dialect's errors also
    #: derive from, so code catching the driver's classes catches DataJoint's errors
    driver: Any = None

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

    def refused_cell(
        self,
        error: errors.ValueRejectedError,
        fields: Sequence[str],
        types: Sequence[str | None],
        columns: Sequence[Sequence[Any]],
        first_row: int = 0,
    ) -> tuple[int, int] | None:
        """Where the value the server refused (`error`, as `translate_error` made it) is
        among the values a failed INSERT or UPDATE sent: (index into `fields`, index into
        the columns), or None when that cannot be told. `columns` hold the values as
        given, one list per field; `types` the fields' declared types (None for a field
        whose values are sent encoded); the statement sent the rows from `first_row` on.

        This one reads the attribute and the row (counted from 1 in the statement) the
        server's message named (`error.attribute`, `error.row`); a dialect whose server
        names no row finds the value that the attribute's declared type refuses."""
        if error.attribute not in fields or error.row is None:
            return None
        field = list(fields).index(error.attribute)
        row = first_row + error.row - 1
        return (field, row) if 0 <= row < len(columns[field]) else None

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

    def split_full_table_name(self, full_table_name: str) -> tuple[str, str]:
        """(database, table), unquoted, from a name built by `full_table_name`; raises
        `DataJointError` naming the expected form for anything else."""
        parsed = self.parse_full_table_name(full_table_name)
        if parsed is None:
            from dj_core.errors import DataJointError

            example = self.full_table_name("database", "table")
            raise DataJointError(
                f"Invalid full table name {full_table_name!r}: it is not a full table name; "
                f"expected the form {example}."
            )
        return parsed

    @abstractmethod
    def parse_full_table_name(self, full_table_name: str) -> tuple[str, str] | None:
        """(database, table), unquoted, or None when the text is not a full table name
        in this dialect's quoting (so that `dj_core.table_names` can try each dialect)."""

    @abstractmethod
    def quoted_identifier_pattern(self) -> str:
        """A regular expression matching one quoted identifier in SQL text, its unquoted
        name in group ``name`` (for reading names out of user-written SQL)."""

    def full_table_name_pattern(self) -> str:
        """A regular expression matching a full table name in SQL text (no groups)."""
        one = self.quoted_identifier_pattern().replace("?P<name>", "?:")
        return one + r"\." + one

    def unquote(self, identifier: str) -> str:
        """The name inside a quoted identifier; unquoted text is returned as it is."""
        import re

        match = re.fullmatch(self.quoted_identifier_pattern(), identifier.strip())
        return self._unescape_identifier(match["name"]) if match else identifier

    def _unescape_identifier(self, text: str) -> str:
        return text

    @abstractmethod
    def string_literal(self, value: str) -> str:
        """`value` as an SQL string literal (for DDL text such as comments and defaults,
        where parameters are not possible)."""

    # --- literals: values written into statement text ----------------------------------
    #
    # Every literal here is ready for `Connection.query`'s %-interpolation: a `%` inside
    # a value is written `%%`. A restriction compares with `value_literal` (None is NULL);
    # an insert renders whole columns with `insert_literals` (None is DEFAULT, the
    # column's default value).

    #: the keyword inserting a column's default value
    default_literal: str = "DEFAULT"

    @abstractmethod
    def value_literal(self, value: Any) -> str:
        """`value` as a literal for a comparison (None → NULL); %-doubled. Raises
        `DataJointError` for values the server cannot compare (NaN, infinity)."""

    @abstractmethod
    def insert_literals(self, values: Sequence[Any], name: str) -> list[str]:
        """Literals of one column of encoded values for an INSERT; None, NaN and NaT
        become `default_literal`; %-doubled. `name` names the column in errors."""

    @abstractmethod
    def insert_literals_verbatim(
        self, values: Sequence[Any], name: str
    ) -> list[bytes | tuple[bytes, ...]]:
        """Like `insert_literals`, as bytes for a statement sent verbatim (no
        %-interpolation, so `%` stays single); a value may come as pieces to be joined."""

    #: the fewest rows an insert sends through the server's bulk-load path (`load_rows`)
    #: rather than INSERT statements; None: the dialect has no such path
    bulk_load_rows: int | None = None

    def loadable(self, values: Sequence[Any], *, category: str, nullable: bool) -> bool:
        """Whether a column of encoded values can be bulk-loaded with the very effect its
        INSERT literals have (attribute type `category`, e.g. "INTEGER"). None in an
        INSERT means DEFAULT, so a bulk load may carry it only where the default is NULL."""
        return False

    def bindable(self, values: Sequence[Any], *, category: str, nullable: bool) -> bool:
        """Whether a column of encoded values, sent as parameters bound on the server
        (`prepared_cursor`), has exactly the effect of its INSERT literals."""
        return False

    def load_rows(
        self, cursor: Any, table: str, fields: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        """Append `rows` (values of `fields`) to `table` through the server's bulk-load
        path, on the driver's `cursor`; the number of rows loaded."""
        raise NotImplementedError(f"The {self.name} dialect has no bulk-load path.")

    def uuid_value(self, value: Any) -> Any:
        """A UUID (a `uuid.UUID` or its 16 bytes) as a value of a uuid column, for a
        literal or a driver parameter: 0.14 stores the 16 bytes (`binary(16)`); a server
        with a uuid type takes the `uuid.UUID`."""
        return value.bytes if hasattr(value, "bytes") else bytes(value)

    # --- types and DDL -----------------------------------------------------------------

    @abstractmethod
    def column_type(self, category: str, declared: str) -> str:
        """The column type for a DataJoint type. `category` is the attribute type's
        category (``"UUID"``, ``"INTERNAL_ATTACH"``, ``"EXTERNAL_BLOB"``, ...);
        `declared` the type as written in the definition."""

    #: longest table or column name the server accepts
    max_identifier_length: int = 64
    #: whether HAVING may name the select list's aliases (PostgreSQL: no; the query
    #: compiler then restricts an aggregation from outside, as a subquery)
    having_sees_aliases: bool = True

    @abstractmethod
    def column_sql(
        self,
        name: str,
        sql_type: str,
        *,
        nullable: bool = False,
        default: str | None = None,
        comment: str | None = None,
    ) -> str:
        """One column of a CREATE TABLE. `default` is SQL text (from `default_sql`, or a
        keyword such as CURRENT_TIMESTAMP): with `nullable`, ``"NULL"`` makes NULL the
        explicit default and None leaves the server's; without, None means no default.
        `comment` (None: no comment clause) is stored with the column and read back by
        `table_catalog` unchanged — DataJoint keeps its `:type:` markers there."""

    @abstractmethod
    def default_sql(self, written: str) -> str:
        """A default value as written in a definition (``5``, ``"text"``, ``'text'``,
        ``CURRENT_TIMESTAMP``) as SQL text for `column_sql`'s `default`."""

    @abstractmethod
    def foreign_key_sql(
        self,
        columns: Sequence[str],
        parent: str,
        parent_columns: Sequence[str],
        *,
        cascade_updates: bool = True,
    ) -> str:
        """A foreign-key clause of a CREATE TABLE: `columns` reference `parent_columns` of
        the table `parent` (a full table name); deletes are always restricted, updates
        cascade unless `cascade_updates` is False."""

    @abstractmethod
    def index_sql(
        self, parts: Sequence[str], *, unique: bool, from_foreign_key: bool = False
    ) -> str:
        """An index clause over `parts` (quoted columns or SQL expressions). DataJoint 0.14
        spells an index from a definition's index line and one from a ``-> [unique]``
        foreign key differently; `from_foreign_key` keeps the statement text the same."""

    @abstractmethod
    def primary_key_sql(self, columns: Sequence[str]) -> str:
        """The primary-key clause of a CREATE TABLE."""

    @abstractmethod
    def create_table_sql(
        self, full_table_name: str, clauses: Sequence[str], comment: str
    ) -> list[str]:
        """Statements creating a table (if it does not exist) from its clauses (columns,
        then primary key, foreign keys and indexes, as built by the methods above) with a
        table comment. A server without inline comments or indexes returns more than one
        statement; they run in order."""

    def drop_table_sql(self, full_table_name: str) -> str:
        """Statement dropping a table."""
        return f"DROP TABLE {full_table_name}"

    @abstractmethod
    def column_name_of(self, column_sql: str) -> str:
        """The column name of a clause built by `column_sql`."""

    @abstractmethod
    def renamed_from(self, column_sql: str) -> str | None:
        """The old name a column clause's comment asks to rename from (a comment starting
        with ``{old_name}``), or None."""

    @abstractmethod
    def alter_clause(
        self, action: str, column_sql: str = "", *, name: str = "", after: str | None = None
    ) -> str:
        """One clause of an ALTER plan. `action`: "drop" (the column `name`), "add"
        (`column_sql`), "change" (rename `name` to the column of `column_sql`),
        "modify" (redefine as `column_sql`); `after` places the column after another."""

    @abstractmethod
    def alter_comment_clause(self, comment: str) -> str:
        """The ALTER clause setting the table comment."""

    @abstractmethod
    def alter_table_sql(self, full_table_name: str, clauses: Sequence[str]) -> str:
        """The statement applying ALTER clauses to a table."""

    # --- DML variants ------------------------------------------------------------------

    @abstractmethod
    def insert_sql(
        self,
        full_table_name: str,
        fields: Sequence[str],
        *,
        duplicates: str = "error",
        primary_key: Sequence[str] = (),
        update: Sequence[str] | Mapping[str, str] = (),
        from_query: bool = False,
    ) -> tuple[str, str]:
        """(head, tail) of an INSERT into `fields`: the rows or the SELECT go between.
        `duplicates` says what a row whose primary key exists does: "error", "skip"
        (keep the stored row), "replace" (the new row replaces it) or "update" (set the
        `update` fields from the new row, or, for a mapping, each field to its SQL). `primary_key` is the table's key (needed by
        servers that name the conflict); `from_query`: the rows come from a SELECT."""

    @abstractmethod
    def delete_in_sql(self, full_table_name: str, key: Sequence[str], subquery: str) -> str:
        """DELETE of the rows of a table whose `key` columns are among the rows of
        `subquery` (a SELECT that may read the same table)."""

    # --- transactions ------------------------------------------------------------------

    #: True when a failed statement aborts the whole open transaction (so code that
    #: continues after an error inside a transaction must use a savepoint); False when
    #: the server only rolls back the failed statement
    error_aborts_transaction: bool = False

    def savepoint_sql(self, name: str) -> str:
        """Statement setting a savepoint."""
        return f"SAVEPOINT {self.quote(name)}"

    def rollback_to_savepoint_sql(self, name: str) -> str:
        """Statement undoing the work since a savepoint (the transaction stays open)."""
        return f"ROLLBACK TO SAVEPOINT {self.quote(name)}"

    def release_savepoint_sql(self, name: str) -> str:
        """Statement forgetting a savepoint (its work is kept)."""
        return f"RELEASE SAVEPOINT {self.quote(name)}"

    # --- time --------------------------------------------------------------------------

    def now_sql(self) -> str:
        """The server's current time."""
        return "CURRENT_TIMESTAMP"

    @abstractmethod
    def seconds_ago_sql(self, seconds: float) -> str:
        """The server's current time minus `seconds` (to the microsecond)."""

    # --- limits ------------------------------------------------------------------------

    @abstractmethod
    def max_statement_size(self, connection: Connection) -> int:
        """The largest statement the server accepts, in bytes."""

    @abstractmethod
    def offset_sql(self, limit: int | None, offset: int | None) -> str:
        """The LIMIT/OFFSET suffix of a SELECT (empty for neither); an offset without a
        limit skips rows and returns all the rest."""

    @abstractmethod
    def connection_ids_sql(self) -> str:
        """A SELECT listing the ids of the live sessions (for `connection_id IN (...)`)."""

    @abstractmethod
    def lock_clause(self, mode: str = "update") -> str:
        """Suffix of a SELECT that locks the rows it reads: mode "update" or "share"."""

    @abstractmethod
    def begin_transaction_sql(self) -> str:
        """Statement starting a transaction with a consistent snapshot."""

    def begin_locking_transaction_sql(self) -> str:
        """Statement starting a transaction for work that locks the rows it changes and
        needs no snapshot (cleanup): its locking reads wait for other writers and then see
        their committed rows. MySQL's locking reads do so in any transaction; a server
        whose snapshot makes such a read fail instead overrides this."""
        return self.begin_transaction_sql()

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
    def current_user_sql(self) -> str:
        """SQL for ``user@host`` of the session (usable inside an INSERT)."""

    def current_user(self, connection: Connection) -> str:
        """``user@host`` of the session."""
        return connection.query(f"SELECT {self.current_user_sql()}").fetchone()[0]

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
        restriction by a dict compares it. False where the path is
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

    def table_size(self, connection: Connection, database: str, table: str) -> int:
        """Bytes of data and indexes of one table (0 when it does not exist)."""
        raise NotImplementedError(f"{self.name} dialect: table size not implemented")

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
