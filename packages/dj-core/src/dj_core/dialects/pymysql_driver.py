"""PyMySQL (pure Python) as the MySQL dialect's driver: the default, always installed."""

from __future__ import annotations

from typing import Any

import pymysql
import pymysql.cursors

from dj_core import errors
from dj_core.dialects.drivers import (
    CR_SSL_CONNECTION_ERROR,
    SSL_REQUIRED_MESSAGE,
    MySQLDriver,
    unverified_tls_context,
)

__all__ = ["MySQLConnectError", "PyMySQLDriver"]


class MySQLConnectError(errors.ConnectionFailedError, pymysql.err.OperationalError):
    """The MySQL server refused the connection (args: driver code, message naming user@host:port)."""


class PyMySQLDriver(MySQLDriver):
    """PyMySQL: rows parsed in Python; `SSCursor` streams rows unbuffered."""

    name = "pymysql"
    Error = pymysql.err.Error
    OperationalError = pymysql.err.OperationalError
    DataError = pymysql.err.DataError
    IntegrityError = pymysql.err.IntegrityError
    dict_cursor = pymysql.cursors.DictCursor
    stream_cursor = pymysql.cursors.SSCursor
    connect_error = MySQLConnectError

    def connect(self, options: dict[str, Any], tls: bool | dict | None) -> Any:
        if tls is False:
            return pymysql.connect(**options, ssl_disabled=True)
        if tls is None:
            try:
                return pymysql.connect(**options, ssl=unverified_tls_context())
            except pymysql.err.OperationalError as error:
                if self.code(error) != CR_SSL_CONNECTION_ERROR:
                    raise
                return pymysql.connect(**options, ssl_disabled=True)
        raw = pymysql.connect(
            **options, ssl=tls if isinstance(tls, dict) else unverified_tls_context()
        )
        if not self.offers_tls(raw):
            # PyMySQL < 1.2 silently continues without TLS; "required" must not
            raw.close()
            raise pymysql.err.OperationalError(CR_SSL_CONNECTION_ERROR, SSL_REQUIRED_MESSAGE)
        return raw

    def ping(self, raw: Any) -> None:
        raw.ping(reconnect=False)

    def abandon(self, raw: Any, cursor: Any) -> None:
        # the pending result would otherwise read the rest of the rows when closed or
        # garbage-collected, from a socket that is gone by then
        result = getattr(cursor, "_result", None)
        if result is not None:
            result.unbuffered_active = False
        raw._force_close()  # no QUIT: the server is still sending the result

    def warning_count(self, raw: Any, cursor: Any) -> int:
        return cursor.warning_count
