"""The demo pipeline: what a newcomer runs first.

For now it connects to the server named by DJ_HOST / DJ_USER / DJ_PASS and reports the
server and package versions; it grows into a real pipeline as the layers are built.
"""

from __future__ import annotations

import importlib
import os
import sys

import pymysql

PACKAGES = [
    "dj_blob",
    "dj_core",
    "dj_query",
    "dj_external",
    "dj_compute",
    "dj_diagram",
    "datajoint",
]


def server_version() -> str:
    host = os.environ.get("DJ_HOST", "127.0.0.1")
    host, _, port = host.partition(":")
    try:
        connection = pymysql.connect(
            host=host,
            port=int(port or 3306),
            user=os.environ.get("DJ_USER", "root"),
            password=os.environ.get("DJ_PASS", ""),
            connect_timeout=5,
        )
    except pymysql.err.OperationalError as error:
        sys.exit(
            f"Cannot reach the database server at {host}:{port or 3306}: {error.args[-1]}\n"
            "Set DJ_HOST / DJ_USER / DJ_PASS, or start one with `docker compose up -d`."
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        (version,) = cursor.fetchone()
    connection.close()
    return version


def main() -> None:
    print(f"server: {server_version()}")
    for name in PACKAGES:
        module = importlib.import_module(name)
        print(f"{name:12} {module.__version__}")


if __name__ == "__main__":
    main()
