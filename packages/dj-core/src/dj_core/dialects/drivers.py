"""MySQL drivers behind the MySQL dialect: which one, and what each must provide.

Two DB-API drivers speak MySQL's protocol: PyMySQL (pure Python, always installed) and
mysqlclient (`MySQLdb`, a C extension that parses rows several times faster; the extra
``datajoint-core[mysqlclient]``, or ``datajoint[fast]``). DataJoint behaves the same on
both: each driver module adapts connecting, TLS, cursor classes, pings, warnings and the
error classes to the `MySQLDriver` interface below, and nothing above `dj_core.dialects`
imports a driver.

Choice (`choose_mysql_driver`): the setting ``database.driver`` — ``"pymysql"``,
``"mysqlclient"``, or None for automatic — else the environment variable ``DJ_DRIVER``;
automatic takes mysqlclient when it is installed and PyMySQL otherwise.
"""

from __future__ import annotations

import os
import ssl
from abc import ABC, abstractmethod
from typing import Any

from dj_core import errors

__all__ = ["DRIVER_NAMES", "MySQLDriver", "choose_mysql_driver", "unverified_tls_context"]

#: accepted values of ``database.driver`` / ``DJ_DRIVER`` (None and "auto": automatic)
DRIVER_NAMES = ("pymysql", "mysqlclient")

# client-side error codes the drivers share (MySQL's CR_* numbers)
CR_CONN_HOST_ERROR = 2003
CR_SSL_CONNECTION_ERROR = 2026
CLIENT_SSL = 2048  # server capability flag: the server offers TLS
SSL_REQUIRED_MESSAGE = "SSL is required but the server doesn't support it"


def unverified_tls_context() -> ssl.SSLContext:
    """0.14's "TLS on": encrypted, without verifying the server certificate (no CA given)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class MySQLDriver(ABC):
    """What the MySQL dialect needs from a DB-API driver. One instance per process and
    driver; stateless."""

    #: "pymysql" or "mysqlclient"
    name: str = ""
    #: the driver's exception classes (DB-API names)
    Error: type[Exception]
    OperationalError: type[Exception]
    #: cursor classes: rows as dicts; unbuffered (server-side) rows as tuples
    dict_cursor: Any = None
    stream_cursor: Any = None
    #: cursor class for reading a whole result at once (None: the default, buffered one)
    read_all_cursor: Any = None
    #: the `ConnectionFailedError` subclass that also derives from this driver's
    #: `OperationalError` (0.14 code catches the driver's class)
    connect_error: type[errors.ConnectionFailedError]

    @abstractmethod
    def connect(self, options: dict[str, Any], tls: bool | dict | None) -> Any:
        """Open a connection with the common `options` (host, port, user, password,
        init_command, sql_mode, charset, autocommit). `tls`: None = TLS when offered,
        True = required (certificate not verified), False = off, dict = driver options.
        Raises the driver's `OperationalError` (code 2026 when TLS is required but not
        offered)."""

    @abstractmethod
    def ping(self, raw: Any) -> None:
        """Raise when `raw` is not alive; never reconnects."""

    @abstractmethod
    def warning_count(self, raw: Any, cursor: Any) -> int:
        """How many warnings the statement just run on `cursor` left."""

    def forget(self, raw: Any) -> None:
        """Drop `raw`, inherited from a parent process, leaving the parent's session
        alone. By default nothing is needed: the object just goes away."""
        return None

    def abandon(self, raw: Any, cursor: Any) -> None:
        """Close `raw` while its unbuffered `cursor` still has rows unread, without
        reading them: the server stops sending when the socket closes."""
        try:
            raw.close()
        except Exception:  # already dead
            pass

    def code(self, error: Exception) -> int | None:
        """The MySQL error number of a driver error (None when it has none)."""
        args = getattr(error, "args", ())
        return args[0] if args and isinstance(args[0], int) else None

    def offers_tls(self, raw: Any) -> bool:
        """Whether the server of the open connection `raw` offers TLS."""
        return bool(raw.server_capabilities & CLIENT_SSL)


def _installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def choose_mysql_driver(requested: str | None = None) -> MySQLDriver:
    """The driver named by `requested` (else ``DJ_DRIVER``; None/"auto" = mysqlclient
    when installed, else PyMySQL). A named driver that is not installed is an error
    naming the extra that installs it."""
    if requested is None:
        requested = os.environ.get("DJ_DRIVER") or None
    name = requested.strip().lower() if isinstance(requested, str) else requested
    if name in (None, "", "auto"):
        name = "mysqlclient" if _installed("MySQLdb") else "pymysql"
    if name == "pymysql":
        from dj_core.dialects.pymysql_driver import PyMySQLDriver

        return PyMySQLDriver()
    if name == "mysqlclient":
        if not _installed("MySQLdb"):
            raise errors.DataJointError(
                "The MySQL driver 'mysqlclient' was requested (database.driver or DJ_DRIVER) "
                'but is not installed: pip install "datajoint[fast]" (or '
                '"datajoint-core[mysqlclient]"; building it needs libmariadb-dev or '
                "libmysqlclient-dev and pkg-config), or set database.driver to 'pymysql'."
            )
        from dj_core.dialects.mysqlclient_driver import MySQLClientDriver

        return MySQLClientDriver()
    raise errors.DataJointError(
        f"Unknown MySQL driver {requested!r} in database.driver or DJ_DRIVER: use "
        f"{' or '.join(repr(n) for n in DRIVER_NAMES)}, or None to choose automatically."
    )
