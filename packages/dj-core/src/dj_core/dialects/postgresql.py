"""PostgreSQL (13 and newer) — the second dialect, and the embedded server's.

One DataJoint schema is one PostgreSQL schema inside one database (the
``database.name`` setting). Table names keep DataJoint's prefixes, always double-quoted.
The definition language is 0.14's whole: `postgresql_types` maps each declared type to a
column (with range CHECKs for unsigned integers, enums and sized blobs) and keeps the
declared type in the column comment, so headings read back what the user wrote.

What differs from MySQL by nature, and how this dialect meets it:
- DDL has no inline comments or index clauses: a table is one CREATE TABLE followed by
  CREATE INDEX and COMMENT ON statements, sent together (PostgreSQL DDL is
  transactional, so a declaration is created whole or not at all). Every foreign key's
  columns are indexed unless the primary key or another index starts with them, as
  InnoDB does by itself (cascading deletes scan them).
- Any failed statement aborts the open transaction (`error_aborts_transaction`), so
  callers that go on after an error use `Connection.savepoint`.
- Duplicates: ``ON CONFLICT DO NOTHING`` / ``DO UPDATE SET c = EXCLUDED.c``.
- Server errors are mapped by SQLSTATE.

psycopg is imported when the first connection opens, so MySQL users never need it.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from dj_core import errors
from dj_core.dialects import postgresql_copy
from dj_core.dialects import postgresql_literals as literals
from dj_core.dialects.base import Dialect, ServerVersion
from dj_core.dialects.postgresql_types import (
    ValueTest,
    column_for,
    declared_marker,
    mysql_spelling,
    reported_type,
    split_marker,
    value_test,
)

if TYPE_CHECKING:
    from dj_core.connection import Connection

E = TypeVar("E", bound=Exception)

__all__ = [
    "DEFAULT_DATABASE",
    "DICT_CURSOR",
    "PREPARED_CURSOR",
    "STREAM_CURSOR",
    "PostgreSQLDialect",
]

#: the cursor kinds the psycopg connection's `cursor(kind)` understands
DICT_CURSOR = "dict"
STREAM_CURSOR = "stream"
PREPARED_CURSOR = "prepared"

#: the database holding DataJoint's schemas when ``database.name`` is not set
DEFAULT_DATABASE = "datajoint"
_FULL_NAME = re.compile(r'"((?:[^"]|"")+)"\."((?:[^"]|"")+)"')
_COLUMN_NAME = re.compile(r'"((?:[^"]|"")+)"')
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")
_CAST = re.compile(r"^\(?(?P<value>.*?)\)?::[\w\s\"]+(?:\(\d+(?:,\d+)?\))?(?:\[\])?$", re.S)
# SQLSTATEs: value refused (string too long, numeric out of range, check violated,
# invalid text for a type, datetime out of range, invalid datetime format)
_VALUE_REJECTED = frozenset({"22001", "22003", "23514", "22P02", "22008", "22007", "22004"})
_LOST = frozenset({"57P01", "57P02", "57P03"})
_PROCESS_COLUMNS = {
    "ID": "pid",
    "USER": "usename",
    "HOST": "coalesce(host(client_addr), 'localhost')",
    "DB": "datname",
    "COMMAND": "backend_type",
    "TIME": "coalesce(extract(epoch from now() - query_start)::int, 0)",
    "STATE": "state",
    "INFO": "query",
}
_CHECK_COLUMN = re.compile(r"\{column\}")


class _Column(str):
    """A column clause (a str, as the DDL builder joins them) that also carries what
    PostgreSQL must say in statements of their own: its name and its comment."""

    name: str
    comment: str | None


class _Index(str):
    """An index clause carrying its parts and uniqueness (a separate CREATE INDEX)."""

    parts: tuple[str, ...]
    unique: bool


class _ForeignKey(str):
    """A foreign-key clause carrying its columns (to index them)."""

    columns: tuple[str, ...]


def _sqlstate(error: Exception) -> str | None:
    return getattr(error, "sqlstate", None)


def _message(error: Exception) -> str:
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    return primary or str(error).strip()


class PostgreSQLDialect(Dialect):
    """The dialect of PostgreSQL servers, over psycopg 3.

    `database`: the PostgreSQL database holding DataJoint's schemas (created on first
    connection when missing and the user may)."""

    name = "postgresql"
    dict_cursor = DICT_CURSOR
    stream_cursor = STREAM_CURSOR
    # psycopg's own cursor: values bound on the server, a statement text run five times
    # is prepared and its plan reused (the default cursor writes values into the text,
    # which the server parses and plans anew each time: a third more server time per
    # key of a populate)
    prepared_cursor = PREPARED_CURSOR
    max_identifier_length = 63
    error_aborts_transaction = True
    having_sees_aliases = False

    def __init__(self, database: str | None = None) -> None:
        self.database = database or DEFAULT_DATABASE

    @property
    def driver(self) -> Any:
        """psycopg (imported on first use: MySQL users need not install it)."""
        import psycopg

        return psycopg

    # --- driver plumbing ---------------------------------------------------------------

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
        try:
            import psycopg
        except ImportError as error:  # MySQL users need not install it
            raise errors.DataJointError(
                "The PostgreSQL backend needs psycopg 3: pip install "
                '"datajoint-core[postgresql]" (or "psycopg[binary]").'
            ) from error

        from dj_core.dialects import psycopg_driver

        where = f"{user}@{host}:{port}/{self.database}"
        try:
            try:
                raw = psycopg_driver.connect(
                    host=host,
                    port=port,
                    user=user,
                    password=password,
                    dbname=self.database,
                    tls=tls,
                )
            except psycopg.OperationalError as error:
                if "does not exist" not in str(error) or f'"{self.database}"' not in str(error):
                    raise
                self._create_database(host, port, user, password, tls)
                raw = psycopg_driver.connect(
                    host=host,
                    port=port,
                    user=user,
                    password=password,
                    dbname=self.database,
                    tls=tls,
                )
        except psycopg.OperationalError as error:
            raise psycopg_driver.PostgreSQLConnectError(
                f"Could not connect as {where}: {str(error).strip()}"
            ) from error
        if init_command:
            raw.execute(init_command)
        return raw

    def _create_database(self, host, port, user, password, tls) -> None:
        """Create the DataJoint database through the server's maintenance database."""
        import psycopg

        from dj_core.dialects import psycopg_driver

        try:
            admin = psycopg_driver.connect(
                host=host, port=port, user=user, password=password, dbname="postgres", tls=tls
            )
        except psycopg.OperationalError as error:
            raise psycopg_driver.PostgreSQLConnectError(
                f"The database {self.database!r} does not exist on {host}:{port}, and it "
                f"could not be created ({str(error).strip()}): create it, or set "
                "database.name (DJ_DATABASE_NAME) to a database you may use."
            ) from error
        try:
            admin.execute(f"CREATE DATABASE {self.quote(self.database)}")
        except psycopg.errors.DuplicateDatabase:
            pass  # another process created it meanwhile
        except psycopg.Error as error:
            raise psycopg_driver.PostgreSQLConnectError(
                f"The database {self.database!r} does not exist on {host}:{port} and "
                f"{user!r} may not create it ({_message(error)}): create it, or set "
                "database.name (DJ_DATABASE_NAME) to a database you may use."
            ) from error
        finally:
            admin.close()

    def translate_error(self, error: Exception, sql: str) -> Exception | None:
        import psycopg

        if not isinstance(error, psycopg.Error):
            return None
        if self.is_lost_connection(error):
            return errors.LostConnectionError("Server connection lost.", str(error))
        state = _sqlstate(error) or ""
        message = _message(error)
        if state == "23505":
            return errors.DuplicateError(message)
        if state in ("23503", "23001"):  # PostgreSQL 18 reports RESTRICT as 23001
            return errors.IntegrityError(message)
        if state == "23502":
            column = getattr(error.diag, "column_name", None)
            # as MySQL's "doesn't have a default value": the column was left out, or the
            # insert gave DEFAULT (DataJoint's inserts write None so, never NULL)
            if (column and _left_out(sql, column)) or (_is_insert(sql) and not _names_null(sql)):
                missing = errors.MissingAttributeError(
                    f"Attribute `{column}` has no default value and was not given ({message})."
                )
                missing.attribute = column
                return missing
            rejected = _as_driver_error(errors.ValueRejectedError, psycopg.errors.NotNullViolation)(
                message
            )
            rejected.attribute = column
            return rejected
        if state in _VALUE_REJECTED:
            # also psycopg's DataError (a CHECK violation is its IntegrityError), the class
            # PyMySQL raises for a refused value
            rejected = _as_driver_error(errors.ValueRejectedError, type(error), psycopg.DataError)(
                message
            )
            rejected.attribute = getattr(error.diag, "column_name", None) or _check_column(
                getattr(error.diag, "constraint_name", None)
            )
            return rejected
        if state in ("40001", "40P01"):  # serialization failure, deadlock
            conflict = _as_driver_error(errors.TransactionConflictError, type(error))(
                f"A concurrent transaction changed the same rows, so the server rolled this "
                f"one back ({message}): nothing of it was kept; run it again."
            )
            return conflict
        if state == "42601":
            return errors.QuerySyntaxError(message, sql)
        if state in ("42P01", "3F000"):
            return errors.MissingTableError(message, sql)
        if state == "42703":
            return errors.UnknownAttributeError(message)
        if state == "42501":
            return errors.AccessError("Insufficient privileges.", message, sql)
        return None

    def refused_cell(
        self,
        error: errors.ValueRejectedError,
        fields: Sequence[str],
        types: Sequence[str | None],
        columns: Sequence[Sequence[Any]],
        first_row: int = 0,
    ) -> tuple[int, int] | None:
        """PostgreSQL names no row, and for a type's own limit (a too-long string, a
        number beyond the column type) no column either: the first value, from the
        statement's first row on, that its column refuses (told by `value_test`), among
        the column a CHECK names or the columns whose type the message names; for an
        unreadable value (the message quotes it), the value that reads so."""
        found = super().refused_cell(error, fields, types, columns, first_row)
        if found is not None or not fields:
            return found
        text = str(error.args[0]) if error.args else ""
        tests = [value_test(declared) if declared else None for declared in types]
        candidates = _refusing_fields(error, fields, tests, text)
        quoted = _QUOTED_VALUE.search(text)
        for row in range(first_row, len(columns[0])):
            for field in candidates:
                value = columns[field][row]
                if quoted is not None:
                    if value is not None and str(value) == quoted["value"]:
                        return field, row
                elif tests[field] is not None and tests[field].refuses(value):
                    return field, row
        return None

    def is_lost_connection(self, error: Exception) -> bool:
        if isinstance(error, errors.LostConnectionError):
            return True
        import psycopg

        if not isinstance(error, psycopg.Error):
            return False
        state = _sqlstate(error)
        if state is not None:
            return state.startswith("08") or state in _LOST
        return isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError))

    def ping(self, raw: Any) -> None:
        import psycopg

        if raw.closed:
            raise psycopg.OperationalError("the connection is closed")
        if raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            return  # alive; its transaction awaits a rollback
        raw.execute("SELECT 1")

    def forget(self, raw: Any) -> None:
        from dj_core.dialects import psycopg_driver

        psycopg_driver.forget(raw)

    def warnings(self, raw: Any, cursor: Any) -> list[str]:
        return []  # notices below WARNING are not sent (client_min_messages)

    # --- text builders -----------------------------------------------------------------

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def parse_full_table_name(self, full_table_name: str) -> tuple[str, str] | None:
        match = _FULL_NAME.fullmatch(full_table_name.strip())
        if match is None:
            return None
        return match[1].replace('""', '"'), match[2].replace('""', '"')

    def quoted_identifier_pattern(self) -> str:
        return r'"(?P<name>(?:[^"]|"")+)"'

    def _unescape_identifier(self, text: str) -> str:
        return text.replace('""', '"')

    def string_literal(self, value: str) -> str:
        return literals.string_literal(value, percent=False)

    def value_literal(self, value: Any) -> str:
        return literals.value_literal(value)

    insert_literals = staticmethod(literals.insert_literals)
    insert_literals_verbatim = staticmethod(literals.insert_literals_verbatim)

    # inserts of two rows or more go by COPY (`postgresql_copy`): measured, it takes
    # 0.86x the INSERT's time at 10 rows, 0.5x at 100-300 and 0.4x at 3,000
    bulk_load_rows = 2

    # (the functions themselves: an insert asks for every column)
    loadable = staticmethod(postgresql_copy.loadable)
    bindable = staticmethod(postgresql_copy.bindable)

    def load_rows(
        self, cursor: Any, table: str, fields: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        return postgresql_copy.load_rows(cursor, table, [self.quote(f) for f in fields], rows)

    def uuid_value(self, value: Any) -> Any:
        import uuid

        return value if isinstance(value, uuid.UUID) else uuid.UUID(bytes=bytes(value))

    # --- types and DDL -----------------------------------------------------------------

    def column_type(self, category: str, declared: str) -> str:
        if category in ("UUID", "EXTERNAL_BLOB", "EXTERNAL_ATTACH", "FILEPATH"):
            return "binary(16)"  # the declared form of 0.14's uuid columns; stored as uuid
        if category == "INTERNAL_ATTACH":
            return "longblob"
        return declared

    def column_sql(
        self,
        name: str,
        sql_type: str,
        *,
        nullable: bool = False,
        default: str | None = None,
        comment: str | None = None,
    ) -> str:
        try:
            column = column_for(sql_type)
        except errors.DataJointError as error:  # name the attribute: the way out is there
            raise errors.DataJointError(f"Attribute `{name}`: {error}") from None
        quoted = self.quote(name)
        parts = [quoted, column.sql]
        if column.identity:
            parts.append("GENERATED BY DEFAULT AS IDENTITY")
        if not nullable:
            parts.append("NOT NULL")
        if default is not None and not (nullable and default == "NULL"):
            parts.append(f"DEFAULT {default}")
        if column.check:
            constraint = self.quote(_check_name(name))
            parts.append(
                f"CONSTRAINT {constraint} CHECK ({_CHECK_COLUMN.sub(quoted, column.check)})"
            )
        clause = _Column(" ".join(parts))
        clause.name = name
        stored = declared_marker(column) + (comment or "")
        clause.comment = stored or None
        return clause

    def default_sql(self, written: str) -> str:
        text = written.strip()
        upper = text.upper()
        if upper in ("NULL", "CURRENT_TIMESTAMP") or re.fullmatch(
            r"CURRENT_TIMESTAMP\(\d\)", upper
        ):
            return upper
        if text[:1] in "\"'" and text[-1:] == text[:1] and len(text) >= 2:
            text = text[1:-1]
        return self.string_literal(text)

    def foreign_key_sql(
        self,
        columns: Sequence[str],
        parent: str,
        parent_columns: Sequence[str],
        *,
        cascade_updates: bool = True,
    ) -> str:
        update = "CASCADE" if cascade_updates else "RESTRICT"
        clause = _ForeignKey(
            f"FOREIGN KEY ({self.quote_list(columns)}) REFERENCES {parent} "
            f"({self.quote_list(parent_columns)}) ON UPDATE {update} ON DELETE RESTRICT"
        )
        clause.columns = tuple(columns)
        return clause

    def index_sql(
        self, parts: Sequence[str], *, unique: bool, from_foreign_key: bool = False
    ) -> str:
        clause = _Index(("UNIQUE INDEX" if unique else "INDEX") + f" ({','.join(parts)})")
        clause.parts = tuple(parts)
        clause.unique = unique
        return clause

    def primary_key_sql(self, columns: Sequence[str]) -> str:
        return f"PRIMARY KEY ({self.quote_list(columns)})"

    def create_table_sql(
        self, full_table_name: str, clauses: Sequence[str], comment: str
    ) -> list[str]:
        """One text of several statements: the table, its indexes, its comments. Indexes
        get names derived from the table and their parts, so a repeated declaration
        (IF NOT EXISTS) creates nothing twice."""
        _, table = self.split_full_table_name(full_table_name)
        inline = [c for c in clauses if not isinstance(c, _Index)]
        statements = [
            # IF NOT EXISTS does not hold against a concurrent creator (the second fails on
            # the catalog's unique index): workers declaring the same table on a fresh
            # schema take turns, and the later one finds the table there
            self._ddl_lock(full_table_name),
            f"CREATE TABLE IF NOT EXISTS {full_table_name} (\n" + ",\n".join(inline) + "\n)",
        ]
        key = next((c for c in clauses if c.startswith("PRIMARY KEY")), "")
        key_columns = tuple(_COLUMN_NAME.findall(key))
        indexed = [key_columns]
        for clause in clauses:
            if isinstance(clause, _Index):
                statements.append(
                    self._create_index(full_table_name, table, clause.parts, clause.unique)
                )
                indexed.append(tuple(_COLUMN_NAME.findall(",".join(clause.parts))))
        for clause in clauses:
            if isinstance(clause, _ForeignKey):
                columns = clause.columns
                if any(existing[: len(columns)] == columns for existing in indexed):
                    continue
                parts = tuple(self.quote(c) for c in columns)
                statements.append(self._create_index(full_table_name, table, parts, False))
                indexed.append(columns)
        statements.append(f"COMMENT ON TABLE {full_table_name} IS {self.string_literal(comment)}")
        for clause in clauses:
            if isinstance(clause, _Column) and clause.comment:
                statements.append(
                    f"COMMENT ON COLUMN {full_table_name}.{self.quote(clause.name)} "
                    f"IS {self.string_literal(clause.comment)}"
                )
        return [";\n".join(statements)]

    def _ddl_lock(self, name: str) -> str:
        """A lock on `name` held to the end of the statement's transaction."""
        return f"SELECT pg_advisory_xact_lock(hashtext({self.string_literal(name)}))"

    def _create_index(
        self, full_table_name: str, table: str, parts: Sequence[str], unique: bool
    ) -> str:
        digest = hashlib.sha1(f"{table}|{','.join(parts)}".encode()).hexdigest()[:10]
        name = self.quote(f"{table[:40]}_{digest}")
        kind = "UNIQUE INDEX" if unique else "INDEX"
        return f"CREATE {kind} IF NOT EXISTS {name} ON {full_table_name} ({','.join(parts)})"

    def drop_table_sql(self, full_table_name: str) -> str:
        return f"DROP TABLE {full_table_name}"

    def column_name_of(self, column_sql: str) -> str:
        match = _COLUMN_NAME.match(column_sql)
        if match is None:
            raise errors.DataJointError(f"Not a column clause: {column_sql!r}")
        return match[1].replace('""', '"')

    def renamed_from(self, column_sql: str) -> str | None:
        comment = getattr(column_sql, "comment", None) or ""
        _, rest = split_marker(comment)
        match = re.match(r"\{\s*(?P<name>\w+)\s*\}", rest)
        return match["name"] if match else None

    def alter_clause(
        self, action: str, column_sql: str = "", *, name: str = "", after: str | None = None
    ) -> str:
        # PostgreSQL adds columns at the end only: `after` (a column's place) is ignored
        if action == "drop":
            return f"DROP COLUMN {self.quote(name)}"
        if action == "add":
            return _Alter(f"ADD COLUMN {column_sql}", column_sql)
        if action in ("change", "modify"):
            new = self.column_name_of(column_sql)
            old = name if action == "change" else new
            return _Alter(
                self._redefine(old, new, column_sql), column_sql, old if old != new else None
            )
        raise errors.DataJointError(f"Unknown ALTER action {action!r}.")

    def _redefine(self, old: str, new: str, column_sql: str) -> str:
        """ALTER clauses giving column `old` (renamed first, if `new` differs, in a
        statement of its own) the type, nullability, default and CHECK of `column_sql`."""
        quoted = self.quote(new)
        text = column_sql[len(self.quote(new)) + 1 :]
        match = re.match(r"(?P<type>.+?)(?= GENERATED| NOT NULL| DEFAULT| CONSTRAINT|$)", text)
        sql_type = match["type"] if match else text
        clauses = [
            f"DROP CONSTRAINT IF EXISTS {self.quote(_check_name(old))}",
            f"ALTER COLUMN {quoted} TYPE {sql_type} USING {quoted}::{sql_type}",
            f"ALTER COLUMN {quoted} {'SET' if ' NOT NULL' in text else 'DROP'} NOT NULL",
        ]
        default = re.search(r" DEFAULT (?P<value>.+?)(?= CONSTRAINT|$)", text)
        clauses.append(
            f"ALTER COLUMN {quoted} SET DEFAULT {default['value']}"
            if default
            else f"ALTER COLUMN {quoted} DROP DEFAULT"
        )
        check = re.search(r" (CONSTRAINT .+)$", text)
        if check:
            clauses.append(f"ADD {check[1]}")
        return ",\n\t".join(clauses)

    def alter_comment_clause(self, comment: str) -> str:
        return _Alter("", table_comment=comment)

    def alter_table_sql(self, full_table_name: str, clauses: Sequence[str]) -> str:
        statements = []
        for clause in clauses:
            renamed = getattr(clause, "renamed_from", None)
            if renamed:
                new = self.column_name_of(clause.column_sql)
                statements.append(
                    f"ALTER TABLE {full_table_name} RENAME COLUMN {self.quote(renamed)} TO {self.quote(new)}"
                )
        body = [str(c) for c in clauses if str(c)]
        if body:
            statements.append(f"ALTER TABLE {full_table_name}\n\t" + ",\n\t".join(body))
        for clause in clauses:
            column_sql = getattr(clause, "column_sql", None)
            if column_sql is not None:
                comment = getattr(column_sql, "comment", None)
                statements.append(
                    f"COMMENT ON COLUMN {full_table_name}.{self.quote(self.column_name_of(column_sql))} "
                    f"IS {'NULL' if not comment else self.string_literal(comment)}"
                )
            table_comment = getattr(clause, "table_comment", None)
            if table_comment is not None:
                statements.append(
                    f"COMMENT ON TABLE {full_table_name} IS {self.string_literal(table_comment)}"
                )
        return ";\n".join(statements)

    # --- DML variants ------------------------------------------------------------------

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
        head = f"INSERT INTO {full_table_name} ({self.quote_list(fields)})"
        if duplicates == "error":
            return head, ""
        if duplicates == "skip":
            return head, " ON CONFLICT DO NOTHING"
        key = list(primary_key)
        if not key:
            raise errors.DataJointError(
                f"Replacing rows of {full_table_name} needs its primary key on PostgreSQL."
            )
        conflict = f" ON CONFLICT ({self.quote_list(key)})"
        if duplicates == "replace":
            update = [f for f in fields if f not in key]
        elif duplicates != "update":
            raise errors.DataJointError(
                f"Unknown duplicates mode {duplicates!r}: use error, skip, replace or update."
            )
        if isinstance(update, Mapping):
            assignments = ",".join(f"{self.quote(f)}={sql}" for f, sql in update.items())
        else:
            assignments = ",".join(f"{self.quote(f)}=EXCLUDED.{self.quote(f)}" for f in update)
        if not assignments:
            return head, conflict + " DO NOTHING"
        return head, f"{conflict} DO UPDATE SET {assignments}"

    def delete_in_sql(self, full_table_name: str, key: Sequence[str], subquery: str) -> str:
        return f"DELETE FROM {full_table_name} WHERE ({self.quote_list(key)}) IN ({subquery})"

    # --- time and limits ---------------------------------------------------------------

    def now_sql(self) -> str:
        return "LOCALTIMESTAMP"  # timestamp columns hold the session's local time

    def seconds_ago_sql(self, seconds: float) -> str:
        return f"LOCALTIMESTAMP - interval '{float(seconds):.6f} seconds'"

    def max_statement_size(self, connection: Connection) -> int:
        # no packet limit: statements are cut at 64 MiB to bound the client's memory
        return 64 << 20

    def offset_sql(self, limit: int | None, offset: int | None) -> str:
        text = f" LIMIT {int(limit)}" if limit is not None else ""
        return text + (f" OFFSET {int(offset)}" if offset else "")

    def connection_ids_sql(self) -> str:
        return "SELECT pid FROM pg_stat_activity"

    def lock_clause(self, mode: str = "update") -> str:
        if mode == "update":
            return " FOR UPDATE"
        if mode == "share":
            return " FOR SHARE"
        raise errors.DataJointError(f"Unknown lock mode {mode!r}; use 'update' or 'share'.")

    def begin_transaction_sql(self) -> str:
        return "BEGIN ISOLATION LEVEL REPEATABLE READ"

    def begin_locking_transaction_sql(self) -> str:
        # REPEATABLE READ fails a locking read of a row another transaction changed and
        # committed while it waited; READ COMMITTED waits and reads the committed row
        return "BEGIN ISOLATION LEVEL READ COMMITTED"

    def kill_sql(self, process_id: int) -> str:
        # wait (up to 5 s) until the session is gone, so a listing right after no longer
        # shows it: without a timeout the call only signals the process
        return f"SELECT pg_terminate_backend({int(process_id)}, 5000)"

    def set_password_sql(self, version: ServerVersion) -> str:
        return "ALTER ROLE CURRENT_USER PASSWORD %s"

    # --- catalog readings --------------------------------------------------------------

    @staticmethod
    def parse_version(text: str) -> ServerVersion:
        """Parse ``server_version``: ``15.19 (Debian 15.19-0+deb12u1)``, ``18.1``."""
        match = _VERSION.match(text)
        if match is None:
            raise errors.DataJointError(f"Cannot read the server version from {text!r}.")
        return ServerVersion("postgresql", tuple(int(p or 0) for p in match.groups()), text)

    def read_server_version(self, connection: Connection) -> ServerVersion:
        return self.parse_version(connection.query("SHOW server_version").fetchone()[0])

    def current_user_sql(self) -> str:
        return "current_user || '@' || coalesce(host(inet_client_addr()), 'localhost')"

    def connection_id(self, connection: Connection) -> int:
        return connection.query("SELECT pg_backend_pid()").fetchone()[0]

    def list_schemas(self, connection: Connection) -> list[str]:
        cursor = connection.query(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' "
            "AND nspname <> 'information_schema' AND (nspname <> 'public' OR EXISTS "
            "(SELECT 1 FROM pg_class c WHERE c.relnamespace = pg_namespace.oid "
            "AND c.relkind IN ('r','p'))) ORDER BY nspname"
        )
        return [row[0] for row in cursor]

    def schema_exists(self, connection: Connection, database: str) -> bool:
        cursor = connection.query("SELECT 1 FROM pg_namespace WHERE nspname = %s", (database,))
        return cursor.rowcount > 0

    def list_tables(self, connection: Connection, database: str) -> list[str]:
        cursor = connection.query(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r','p') ORDER BY c.relname",
            (database,),
        )
        return [row[0] for row in cursor]

    def table_exists(self, connection: Connection, database: str, table: str) -> bool:
        cursor = connection.query(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r','p')",
            (database, table),
        )
        return cursor.rowcount > 0

    def processes(
        self,
        connection: Connection,
        restriction: str | None = None,
        order_by: str | Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        if order_by is None:
            order_by = "id"
        elif not isinstance(order_by, str):
            order_by = ",".join(order_by)
        columns = ", ".join(
            f"{sql} AS {self.quote(name.lower())}" for name, sql in _PROCESS_COLUMNS.items()
        )
        where = "id <> pg_backend_pid()"
        if restriction:
            where += f" AND ({restriction})"
        sql = (
            f"SELECT * FROM (SELECT {columns} FROM pg_stat_activity "
            "WHERE backend_type = 'client backend') AS processes "
            f"WHERE {where} ORDER BY {order_by}"
        )
        return [
            {k.upper(): v for k, v in row.items()} for row in connection.query(sql, as_dict=True)
        ]

    def json_value_sql(
        self,
        attribute: str,
        path: str,
        type: str | None = None,
        *,
        server: ServerVersion | None = None,
    ) -> str:
        column = self.quote(attribute)
        sql = f"({column} #>> {_json_path(path)})"
        if type:
            return f"CAST({sql} AS {column_for(type).sql})"
        return sql

    def json_equals_sql(
        self,
        attribute: str,
        path: str,
        document: str,
        *,
        server: ServerVersion | None = None,
    ) -> str:
        column = self.quote(attribute)
        return f"({column} #> {_json_path(path)}) = CAST({self.string_literal(document)} AS jsonb)"

    def table_catalog(
        self, connection: Connection, database: str, table: str | None = None
    ) -> dict[str, dict[str, Any]]:
        where, args = "n.nspname = %s AND c.relkind IN ('r','p')", [database]
        if table is not None:
            where += " AND c.relname = %s"
            args.append(table)
        source = f"pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {where}"
        cursor = connection.query(
            "SELECT c.relname, obj_description(c.oid, 'pg_class'), c.reltuples::bigint "
            f"FROM {source} ORDER BY c.relname",
            args,
        )
        result: dict[str, dict[str, Any]] = {
            name: {
                "status": {
                    "name": name,
                    "comment": comment or "",
                    "rows": max(rows, 0),
                    "engine": None,
                },
                "columns": [],
                "indexes": [],
            }
            for name, comment, rows in cursor
        }
        if not result:
            return result
        keys: dict[str, set[str]] = {}
        cursor = connection.query(
            "SELECT c.relname, i.relname, k.ord, a.attname, "
            "pg_get_indexdef(x.indexrelid, k.ord::int, true), x.indisunique, x.indisprimary "
            "FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) "
            "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            # as InnoDB lists them: the primary key, unique indexes, then the others, each
            # in the order of creation (the declaration's)
            f"WHERE {where} ORDER BY c.relname, x.indisprimary DESC, x.indisunique DESC, "
            "x.indexrelid, k.ord",
            args,
        )
        for name, index, seq, column, expression, unique, primary in cursor:
            if primary:
                keys.setdefault(name, set()).add(column)
            result[name]["indexes"].append(
                {
                    "index_name": "PRIMARY" if primary else index,
                    "seq": seq,
                    "column": column,
                    "expression": None if column is not None else expression,
                    "non_unique": not unique,
                }
            )
        cursor = connection.query(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "pg_get_expr(d.adbin, d.adrelid), a.attidentity, col_description(c.oid, a.attnum) "
            f"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            f"WHERE {where} AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY c.relname, a.attnum",
            args,
        )
        for name, column, pg_type, not_null, default, identity, comment in cursor:
            declared, rest = split_marker(comment or "")
            # tables declared before markers were spelled as MySQL reports get so too
            reported = mysql_spelling(declared) if declared else reported_type(pg_type)
            result[name]["columns"].append(
                {
                    "name": column,
                    "type": reported,
                    "in_key": column in keys.get(name, ()),
                    "nullable": not not_null,
                    "default": _precise_now(_default_text(default), reported),
                    "extra": "auto_increment" if identity in ("a", "d") else "",
                    "comment": rest,
                    "json": pg_type == "jsonb",
                }
            )
        return result

    def key_catalog(self, connection: Connection, databases: Sequence[str]) -> list[dict[str, Any]]:
        if not databases:
            return []
        cursor = connection.query(
            "SELECT CASE WHEN con.contype = 'p' THEN 'PRIMARY' ELSE con.conname END, "
            "n.nspname, c.relname, a.attname, rn.nspname, rc.relname, ra.attname "
            "FROM pg_constraint con "
            "JOIN pg_class c ON c.oid = con.conrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refnum, ord) "
            "JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum "
            "LEFT JOIN pg_class rc ON rc.oid = con.confrelid "
            "LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
            "LEFT JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refnum "
            "WHERE con.contype IN ('p', 'f') AND (n.nspname = ANY(%s) OR rn.nspname = ANY(%s)) "
            "ORDER BY n.nspname, c.relname, 1, k.ord",
            (list(databases), list(databases)),
        )
        keys = (
            "constraint",
            "database",
            "table",
            "column",
            "ref_database",
            "ref_table",
            "ref_column",
        )
        return [dict(zip(keys, row)) for row in cursor]

    def table_size(self, connection: Connection, database: str, table: str) -> int:
        cursor = connection.query(
            "SELECT pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
            (database, table),
        )
        row = cursor.fetchone()
        return int(row[0] or 0) if row else 0

    def schema_size(self, connection: Connection, database: str) -> int:
        cursor = connection.query(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND c.relkind IN ('r','p')",
            (database,),
        )
        return int(cursor.fetchone()[0] or 0)

    def create_schema_sql(self, database: str) -> str:
        return f"CREATE SCHEMA {self.quote(database)}"

    def drop_schema_sql(self, database: str) -> str:
        return f"DROP SCHEMA {self.quote(database)} CASCADE"

    # --- populate on many workers, seeing jobs (added together; keep as one block) -------

    def server_time(self, connection: Connection) -> datetime.datetime:
        return connection.query("SELECT LOCALTIMESTAMP").fetchone()[0]

    def live_connection_ids(self, connection: Connection) -> set[int]:
        return {int(row[0]) for row in connection.query(self.connection_ids_sql())}

    def key_hash_sql(self, columns: Sequence[str]) -> str:
        return "md5(concat(" + self.quote_list(columns) + "))"


class _Alter(str):
    """An ALTER clause with what PostgreSQL says in statements of its own: the column
    clause (for its comment), the old name of a renamed column, a new table comment."""

    def __new__(
        cls,
        text: str,
        column_sql: str | None = None,
        renamed_from: str | None = None,
        table_comment: str | None = None,
    ) -> _Alter:
        clause = super().__new__(cls, text)
        clause.column_sql = column_sql
        clause.renamed_from = renamed_from
        clause.table_comment = table_comment
        return clause


_DRIVER_FLAVOURED: dict[tuple[type, ...], type] = {}


def _names_null(sql: str | bytes | None) -> bool:
    """Whether a statement writes the NULL keyword (an explicit NULL, not a DEFAULT)."""
    text = sql.decode("latin-1") if isinstance(sql, (bytes, bytearray)) else (sql or "")
    return re.search(r"\bNULL\b", text, re.I) is not None


def _is_insert(sql: str | bytes | None) -> bool:
    head = (sql or "")[:16]
    if isinstance(head, (bytes, bytearray)):
        head = head.decode("ascii", "replace")
    return head.lstrip().upper().startswith("INSERT")


_INSERT_COLUMNS = re.compile(r"^\s*INSERT\s+INTO\s+\S+\s*\((?P<columns>[^)]*)\)", re.I)


# the SQLSTATEs of a value beyond its column type's own limits, by the kind of column
_LIMIT_KINDS = {"22001": "string", "22003": "number"}
_VARCHAR_IN_MESSAGE = re.compile(r"character varying\((?P<length>\d+)\)")
# an unreadable value, quoted at the end of the message: ... type integer: "abc"
_QUOTED_VALUE = re.compile(r': "(?P<value>.*)"$', re.S)


def _refusing_fields(
    error: errors.ValueRejectedError,
    fields: Sequence[str],
    tests: Sequence[ValueTest | None],
    message: str,
) -> list[int]:
    """The fields whose column may have refused the value `error` reports."""
    if error.attribute in fields:  # a CHECK's column
        return [list(fields).index(error.attribute)]
    kind = _LIMIT_KINDS.get(_sqlstate(error) or "")
    if kind is None:
        return list(range(len(fields)))
    candidates = [i for i, test in enumerate(tests) if test is not None and test.kind == kind]
    varchar = _VARCHAR_IN_MESSAGE.search(message) if kind == "string" else None
    if varchar is not None:
        sql = f"varchar({varchar['length']})"
        candidates = [i for i in candidates if tests[i].sql == sql] or candidates
    return candidates


def _left_out(sql: str, column: str) -> bool:
    """Whether an INSERT names its columns and `column` is not among them."""
    match = _INSERT_COLUMNS.match(sql or "")
    if match is None:
        return False
    names = {name.strip().strip('"').replace('""', '"') for name in match["columns"].split(",")}
    return column not in names


def _as_driver_error(dj_class: type[E], driver_class: type, *also: type) -> type[E]:
    """`dj_class` made also the driver's own error class, and the classes `also` it does
    not derive from yet (made once per combination), so code catching psycopg's classes
    still catches DataJoint's errors."""
    key = (dj_class, driver_class, *also)
    made = _DRIVER_FLAVOURED.get(key)
    if made is None:
        bases = (dj_class, driver_class, *(c for c in also if not issubclass(driver_class, c)))
        made = _DRIVER_FLAVOURED[key] = type(driver_class.__name__, bases, {"__module__": __name__})
    return made


def _check_name(column: str) -> str:
    """The name of a column's CHECK constraint (unique within its table)."""
    name = f"{column}__check"
    if len(name.encode()) > 63:
        name = column[:40] + "_" + hashlib.sha1(column.encode()).hexdigest()[:12] + "__check"
    return name


def _check_column(constraint: str | None) -> str | None:
    if constraint and constraint.endswith("__check"):
        return constraint[: -len("__check")]
    return None


def _json_path(path: str) -> str:
    """``'{a,b,0}'``: a path ``a.b[0]`` as PostgreSQL's text-array path (empty: the whole)."""
    parts = [p for p in re.split(r"\.|\[|\]", path) if p] if path else []
    body = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)
    return "'{" + body.replace("'", "''").replace("%", "%%") + "}'"


def _precise_now(default: str | None, reported: str) -> str | None:
    """``CURRENT_TIMESTAMP`` of a column with fractional seconds as MySQL reports it, with
    the column's precision: ``CURRENT_TIMESTAMP(3)`` for a ``datetime(3)``."""
    if default == "CURRENT_TIMESTAMP":
        precision = re.fullmatch(r"(?:datetime|timestamp)\((\d)\)", reported)
        if precision is not None and precision[1] != "0":
            return f"CURRENT_TIMESTAMP({precision[1]})"
    return default


def _default_text(expression: str | None) -> str | None:
    """A column default as PostgreSQL prints it → as MySQL's SHOW COLUMNS shows it:
    ``'a''b'::character varying`` → ``a'b``, ``NULL::integer`` → None, ``(-5)`` → ``-5``,
    ``CURRENT_TIMESTAMP`` and ``LOCALTIMESTAMP`` → ``CURRENT_TIMESTAMP`` (``(n)`` kept)."""
    if expression is None:
        return None
    text = expression.strip()
    match = _CAST.match(text)
    if match and "::" in text:
        text = match["value"].strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if text.upper() == "NULL":
        return None
    if text.upper() in ("CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "NOW()"):
        return "CURRENT_TIMESTAMP"
    precise = re.fullmatch(r"(?:CURRENT|LOCAL)_?TIMESTAMP\((\d)\)", text, re.I)
    if precise:  # the precision as written, as MySQL shows it
        return f"CURRENT_TIMESTAMP({precise[1]})"
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text
