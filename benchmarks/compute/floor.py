"""The raw floor of the compute benchmark: the statements dj-compute sends per key and per
batch of reservations, sent by bare driver code (PyMySQL or psycopg) with no Python around
them. Used by run.py in one and two OS processes, and by bench_impl.py as tasks on the
same two-worker Dask LocalCluster as dj-compute's (so Dask's own cost is measured); a
module of its own so Dask workers can import it.

Per key: the make's transaction with its snapshot (`START TRANSACTION WITH CONSISTENT
SNAPSHOT` / `BEGIN ISOLATION LEVEL REPEATABLE READ`), the presence check, the `INSERT`,
`COMMIT`. With jobs also, per batch of 32 keys: the reservation `INSERT` (ignoring keys
already reserved) with its two reads of what this connection holds, and the one `DELETE`
that gives the batch back. The reservations carry the keys' real hashes, written in hash
order as dj-compute writes them.
"""

from __future__ import annotations

import hashlib
import os
import platform
import time
from dataclasses import dataclass
from typing import Any

BATCH = 32


@dataclass(frozen=True)
class Server:
    """Where the floor connects (picklable: it travels with the Dask tasks)."""

    backend: str  # "mysql" or "postgresql"
    host: str
    port: int
    user: str
    password: str
    database: str | None = None  # PostgreSQL: the database holding the schema
    driver: str = "pymysql"  # MySQL: "pymysql" or "mysqlclient" (as ours is told to use)

    def connect(self) -> Any:
        """A plain autocommit driver connection."""
        if self.backend == "postgresql":
            import psycopg

            return psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password or None,
                dbname=self.database,
                autocommit=True,
            )
        if self.driver == "mysqlclient":
            import MySQLdb

            return MySQLdb.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password,
                autocommit=True,
            )
        import pymysql

        return pymysql.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, autocommit=True
        )

    def quote(self, name: str) -> str:
        mark = '"' if self.backend == "postgresql" else "`"
        return f"{mark}{name}{mark}"


class Statements:
    """The floor's SQL on one backend, for schema `db`."""

    def __init__(self, server: Server, db: str):
        q = server.quote
        jobs = f"{q(db)}.{q('~jobs')}"
        self.square = f"{q(db)}.{q('__square')}"
        self.pg = server.backend == "postgresql"
        self.begin = (
            "BEGIN ISOLATION LEVEL REPEATABLE READ"
            if self.pg
            else "START TRANSACTION WITH CONSISTENT SNAPSHOT"
        )
        self.connection_id = "SELECT pg_backend_pid()" if self.pg else "SELECT CONNECTION_ID()"
        self.mine = (
            f"SELECT {q('key_hash')} FROM {jobs} WHERE {q('table_name')}='__square' AND "
            f"{q('key_hash')} IN ({{marks}}) AND {q('status')}='reserved' AND "
            f"{q('connection_id')}=%s AND {q('pid')}=%s AND {q('host')}=%s"
        )
        columns = ",".join(
            q(c)
            for c in ("table_name", "key_hash", "status", "key", "host", "pid", "connection_id")
        )
        self.reserve = f"INSERT INTO {jobs} ({columns},{q('user')}) VALUES {{rows}}" + (
            " ON CONFLICT DO NOTHING"
            if self.pg
            else " ON DUPLICATE KEY UPDATE table_name=table_name"
        )
        self.reserve_row = "('__square',%s,'reserved',%s,%s,%s,%s,'bench')"
        self.release = (
            f"DELETE FROM {jobs} WHERE {q('table_name')}='__square' AND "
            f"{q('status')}='reserved' AND {q('key_hash')} IN ({{marks}}) AND "
            f"{q('connection_id')}=%s"
        )
        self.present = f"SELECT 1 FROM {self.square} WHERE {q('item')}=%s LIMIT 1"
        self.insert = f"INSERT INTO {self.square} VALUES (%s, %s)"


def run_keys(server: Server, db: str, items: list[int], reserve: bool, conn: Any = None) -> float:
    """Send the statements of `items` (see the module docstring); the seconds it took."""
    sql = Statements(server, db)
    conn = conn if conn is not None else server.connect()
    cursor = conn.cursor()
    node, pid = platform.node(), os.getpid()
    cursor.execute(sql.connection_id)
    connection_id = cursor.fetchone()[0]
    began = time.perf_counter()
    for first in range(0, len(items), BATCH):
        batch = items[first : first + BATCH]
        marks = ",".join(["%s"] * len(batch))
        if reserve:
            # the keys' `key_hash` (MD5 of the value's text), as dj-compute writes them,
            # in the order it writes them: where a reservation lands in `~jobs` matters
            hashes = sorted(hashlib.md5(str(item).encode()).hexdigest() for item in batch)
            mine = sql.mine.format(marks=marks)
            cursor.execute(mine, (*hashes, connection_id, pid, node))
            cursor.fetchall()
            cursor.execute(
                sql.reserve.format(rows=",".join([sql.reserve_row] * len(batch))),
                tuple(v for h in hashes for v in (h, b"x" * 40, node, pid, connection_id)),
            )
            cursor.execute(mine, (*hashes, connection_id, pid, node))
            cursor.fetchall()
        for item in batch:
            cursor.execute(sql.begin)
            cursor.execute(sql.present, (item,))
            cursor.fetchall()
            cursor.execute(sql.insert, (item, item * item))
            cursor.execute("COMMIT")
        if reserve:
            cursor.execute(sql.release.format(marks=marks), (*hashes, connection_id))
    elapsed = time.perf_counter() - began
    cursor.close()
    return elapsed


#: the connection of this process, kept between Dask tasks as a worker keeps its
#: DataJoint connection between populate tasks
_WORKER_CONNECTION: dict[Server, Any] = {}


def dask_task(server: Server, db: str, items: list[int], reserve: bool) -> int:
    """One Dask task of the floor: the statements of `items` on this worker's connection
    (opened by its first task); returns how many keys it did."""
    conn = _WORKER_CONNECTION.get(server)
    if conn is None:
        conn = _WORKER_CONNECTION[server] = server.connect()
    run_keys(server, db, items, reserve, conn)
    return len(items)


def empty(server: Server, db: str) -> None:
    """Remove the floor's rows and reservations (and anything left by a populate)."""
    conn = server.connect()
    cursor = conn.cursor()
    cursor.execute(f"DELETE FROM {server.quote(db)}.{server.quote('__square')}")
    cursor.execute(f"DELETE FROM {server.quote(db)}.{server.quote('~jobs')}")
    cursor.close()
    conn.close()
