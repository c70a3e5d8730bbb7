"""psycopg 3 as DataJoint's PostgreSQL driver: connecting, cursors, pings, forgetting.

`Connection` asks its raw connection for cursors the DB-API way (``raw.cursor(kind)``,
kind None for plain rows), as it does of PyMySQL. psycopg's cursor() takes other
arguments, so the raw connection here is a small subclass whose `cursor` maps the
dialect's cursor kinds to psycopg cursors. Every cursor binds parameters on the client
(psycopg's `ClientCursor`): statements are built with `%`-interpolation and `%%` for a
literal `%` (the same text rules as on MySQL), and a text statement may hold several
statements (DDL with its comments, sent in one round trip and one transaction).

psycopg is imported only when a PostgreSQL connection is opened (the ``postgresql``
extra of datajoint-core).
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.string import TextLoader

from dj_core import errors
from dj_core.dialects.postgresql import DICT_CURSOR as DICT
from dj_core.dialects.postgresql import PREPARED_CURSOR as PREPARED
from dj_core.dialects.postgresql import STREAM_CURSOR as STREAM

__all__ = ["PostgreSQLConnectError", "connect", "forget"]


class PostgreSQLConnectError(errors.ConnectionFailedError, psycopg.OperationalError):
    """A PostgreSQL server refused the connection (also psycopg's `OperationalError`)."""


class _StreamCursor:
    """Rows read while the server sends them (psycopg's streaming mode): `execute`
    starts the statement, `fetchmany` reads on. Memory stays bounded by one chunk."""

    def __init__(self, raw: Any) -> None:
        self._cursor = psycopg.ClientCursor(raw)
        self._rows: Any = None
        self.rowcount = -1

    def execute(self, query: str, args: Any = None) -> None:
        self._rows = self._cursor.stream(query, args)

    def fetchmany(self, size: int) -> list[tuple]:
        return list(itertools.islice(self._rows, size))

    def fetchall(self) -> list[tuple]:
        return list(self._rows)

    def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description


class DataJointPGConnection(psycopg.Connection):
    """A psycopg connection whose `cursor(kind)` takes the dialect's cursor kinds."""

    def cursor(self, kind: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if kind is None:
            return psycopg.ClientCursor(self)
        if kind == DICT:
            return psycopg.ClientCursor(self, row_factory=dict_row)
        if kind == STREAM:
            return _StreamCursor(self)
        if kind == PREPARED:  # (kept and reused by `Connection` for its statements)
            return psycopg.Cursor(self)
        return super().cursor(kind, **kwargs)


def connect(
    *,
    host: str,
    port: int,
    user: str,
    password: str | None,
    dbname: str,
    tls: bool | dict | None,
    connect_timeout: int = 10,
) -> DataJointPGConnection:
    """Open an autocommit connection with DataJoint's session settings."""
    if tls is False:
        sslmode = "disable"
    elif tls is None:
        sslmode = "prefer"
    else:
        sslmode = "require"
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "user": user,
        "dbname": dbname,
        "sslmode": sslmode,
        "connect_timeout": connect_timeout,
        "application_name": "datajoint",
        # the session DataJoint's text assumes: standard strings, ISO dates
        "options": "-c standard_conforming_strings=on -c DateStyle=ISO,YMD "
        "-c IntervalStyle=postgres -c client_min_messages=warning",
    }
    if password:
        options["password"] = password
    if isinstance(tls, dict):
        for key in ("ca", "cert", "key"):
            if key in tls:
                options[{"ca": "sslrootcert", "cert": "sslcert", "key": "sslkey"}[key]] = tls[key]
    connection = DataJointPGConnection.connect(autocommit=True, **options)
    # json/jsonb arrive as text, as on MySQL: the json type handler decodes them once
    for name in ("json", "jsonb"):
        connection.adapters.register_loader(name, TextLoader)
    return connection


def forget(raw: Any) -> None:
    """Drop a connection inherited from a parent process without a word to the server.

    libpq says goodbye on the socket when the connection object is finalized, which
    would end the parent's session: the socket's descriptor is pointed at /dev/null
    first, so the goodbye goes nowhere and the parent's connection lives on."""
    try:
        fd = raw.fileno()
    except Exception:  # already closed
        return
    null = os.open(os.devnull, os.O_RDWR)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)
