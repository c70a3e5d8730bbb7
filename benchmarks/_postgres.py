"""The PostgreSQL server every benchmark uses, and plain psycopg connections to it.

Settings from the environment, as the tests read them: DJ_PG_HOST, DJ_PG_PORT,
DJ_PG_USER, DJ_PG_PASS (default 127.0.0.1:5432, postgres, no password) and
DJ_PG_DATABASE (default ``djbench``), the database holding the benchmarks' schemas.
psycopg is imported only when a connection is opened: the upstream 0.14 processes that
import a benchmark's code run without it.
"""

from __future__ import annotations

import os
from typing import Any

HOST = os.environ.get("DJ_PG_HOST", "127.0.0.1")
PORT = int(os.environ.get("DJ_PG_PORT", "5432"))
USER = os.environ.get("DJ_PG_USER", "postgres")
PASSWORD = os.environ.get("DJ_PG_PASS", "")
DATABASE = os.environ.get("DJ_PG_DATABASE", "djbench")


def connect(dbname: str = DATABASE, *, create: bool = False) -> Any:
    """An autocommit psycopg connection to `dbname`; `create`: make the database first
    when it is missing (a fresh server has only ``postgres``)."""
    import psycopg

    def open_(name: str) -> Any:
        return psycopg.connect(
            host=HOST,
            port=PORT,
            user=USER,
            password=PASSWORD or None,
            dbname=name,
            autocommit=True,
        )

    try:
        return open_(dbname)
    except psycopg.OperationalError as error:
        if not create or "does not exist" not in str(error):
            raise
    with open_("postgres") as admin:
        try:
            admin.execute(f'CREATE DATABASE "{dbname}"')
        except psycopg.errors.DuplicateDatabase:
            pass  # created meanwhile by another process
    return open_(dbname)
