"""Where the test database server is, and a clear failure when it does not answer."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pymysql

HOW_TO_START = (
    "Start a MySQL-compatible server and point DJ_HOST / DJ_USER / DJ_PASS at it "
    "(defaults 127.0.0.1 / root / empty password). With Docker: `docker compose up -d` "
    "in the repository root. On Debian: `apt-get install mariadb-server` then "
    "`start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`."
)


class ServerUnavailable(RuntimeError):
    """The configured database server did not answer."""


@dataclass(frozen=True)
class ServerParams:
    host: str
    port: int
    user: str
    password: str

    @classmethod
    def from_env(cls) -> ServerParams:
        host = os.environ.get("DJ_HOST", "127.0.0.1")
        port = 3306
        if ":" in host:
            host, port_text = host.rsplit(":", 1)
            port = int(port_text)
        return cls(host, port, os.environ.get("DJ_USER", "root"), os.environ.get("DJ_PASS", ""))

    def connect(self, **kwargs) -> pymysql.connections.Connection:
        """A plain pymysql connection (autocommit) for fixtures; raises ServerUnavailable."""
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
                f"({error.args[-1]}). {HOW_TO_START}"
            ) from error

    @property
    def env(self) -> dict[str, str]:
        """The DJ_* environment variables that point a subprocess at this server."""
        return {
            "DJ_HOST": f"{self.host}:{self.port}",
            "DJ_USER": self.user,
            "DJ_PASS": self.password,
        }
