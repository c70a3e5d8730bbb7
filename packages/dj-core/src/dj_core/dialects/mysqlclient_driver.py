"""mysqlclient (`MySQLdb`, a C extension) as the MySQL dialect's driver.

Optional: installed with ``datajoint-core[mysqlclient]`` / ``datajoint[fast]``. It parses
rows in C, several times faster than PyMySQL, and returns the same Python values for
every column type DataJoint uses. Adapted here to behave as PyMySQL does under
DataJoint: utf8mb4 unless a charset is configured, TLS "required" refused by a server
without TLS (the MariaDB client library would otherwise continue in the clear)."""

from __future__ import annotations

import os
from typing import Any

import MySQLdb
import MySQLdb.cursors

from dj_core import errors
from dj_core.dialects.drivers import CR_SSL_CONNECTION_ERROR, SSL_REQUIRED_MESSAGE, MySQLDriver

__all__ = ["MySQLClientConnectError", "MySQLClientDriver"]


class MySQLClientConnectError(errors.ConnectionFailedError, MySQLdb.OperationalError):
    """The MySQL server refused the connection (args: driver code, message naming user@host:port)."""


class _DictCursor(MySQLdb.cursors.DictCursor):
    """Rows as dicts; `fetchall` gives a list, as PyMySQL's dict cursor does."""

    def fetchall(self) -> list[dict[str, Any]]:
        return list(super().fetchall())


class MySQLClientDriver(MySQLDriver):
    """mysqlclient: rows parsed in C; `SSCursor` streams rows unbuffered (mysql_use_result)."""

    name = "mysqlclient"
    Error = MySQLdb.Error
    OperationalError = MySQLdb.OperationalError
    DataError = MySQLdb.DataError
    IntegrityError = MySQLdb.IntegrityError
    dict_cursor = _DictCursor
    stream_cursor = MySQLdb.cursors.SSCursor
    # read to the end at once, an unbuffered result converts a third faster than a
    # buffered one (no intermediate copy of every row in the client library)
    read_all_cursor = MySQLdb.cursors.SSCursor
    connect_error = MySQLClientConnectError

    def connect(self, options: dict[str, Any], tls: bool | dict | None) -> Any:
        options = dict(options)
        options["charset"] = options.get("charset") or "utf8mb4"  # PyMySQL's default
        options["binary_prefix"] = True  # bytes parameters stay binary, as with PyMySQL
        if options.get("init_command") is None:
            options.pop("init_command", None)
        if tls is False:
            return MySQLdb.connect(**options, ssl_mode="DISABLED")
        if tls is None:
            return MySQLdb.connect(**options, ssl_mode="PREFERRED")
        if isinstance(tls, dict):
            options["ssl"] = tls
        raw = MySQLdb.connect(**options, ssl_mode="REQUIRED")
        if not self.offers_tls(raw):
            raw.close()
            raise MySQLdb.OperationalError(CR_SSL_CONNECTION_ERROR, SSL_REQUIRED_MESSAGE)
        return raw

    def ping(self, raw: Any) -> None:
        raw.ping()

    def forget(self, raw: Any) -> None:
        # Freeing a MySQLdb connection sends QUIT over its socket, which after a fork is
        # the parent's: point this process's copy of the descriptor at /dev/null first.
        try:
            descriptor = raw.fileno()
        except Exception:  # already closed: nothing to protect
            return
        null = os.open(os.devnull, os.O_RDWR)
        try:
            os.dup2(null, descriptor)
        finally:
            os.close(null)

    def warning_count(self, raw: Any, cursor: Any) -> int:
        return raw.warning_count()
