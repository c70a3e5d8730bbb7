"""Time the table workloads with one implementation: `ours` (dj-query; DJ_DRIVER picks the
driver), `upstream` (DataJoint 0.14.10), `dj2` (DataJoint 2.x: blob inserts and the
declaration on MySQL; on PostgreSQL also the scalar insert) or `raw` (PyMySQL / psycopg).

BENCH_BACKEND=postgresql runs them on PostgreSQL (DATABASE is then a schema of the
database DJ_PG_DATABASE, default `djbench`): ours on psycopg, DataJoint 2.x configured
with `database.backend = "postgresql"` (on psycopg2, its driver), and the raw floors on
psycopg — scalars both by `COPY ... FROM STDIN` (`insert_scalar_copy`) and by
`executemany` (`insert_scalar`), blobs by `executemany` (and `COPY` for more than one
row per call: `blob_<n>_copy`). The cascades run on MySQL only.

    python bench_impl.py WHICH DATABASE

Blob inserts (`blob_<n>`): the 2,000 rows of 80 kB arrays inserted n rows per call (1, 50,
2,000). The raw floor deflates the blobs on every core (`dj_blob.pack`, the bytes any
DataJoint stores) and then sends them with the driver, n rows per call (`executemany`
in a transaction for n > 1); it does not overlap the two.

Each workload starts from the same state (tables emptied or refilled with plain SQL,
untimed) and the best of REPEAT runs is kept. Prints one JSON line: workload -> seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time

from workloads import (
    BLOB_DDL,
    N_ROOTS,
    PG_BLOB_DDL,
    PG_BLOB_DJ2_COMMENT,
    PG_SCALAR_DDL,
    SCALAR_DDL,
    SMALL,
    TYPES_DJ2,
    WIDE,
    WIDE_PER_ROOT,
    blob_arrays,
    cascade_ddl,
    cascade_rows,
    declare_schema,
    scalar_rows,
)

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _postgres import DATABASE as PG_DATABASE
from _postgres import HOST as PG_HOST
from _postgres import PASSWORD as PG_PASSWORD
from _postgres import PORT as PG_PORT
from _postgres import USER as PG_USER
from _postgres import connect as pg_connect

HOST = os.environ.get("DJ_HOST", "127.0.0.1")
USER = os.environ.get("DJ_USER", "root")
PASSWORD = os.environ.get("DJ_PASS", "")
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
UPSTREAM_BLOB_BATCH = 50
BLOB_PER_CALL = (1, 50, 2000)
SLOW_REPEAT = int(os.environ.get("BENCH_REPEAT_SLOW", "1"))  # blob_1: 2,000 calls a run
ONLY = os.environ.get("BENCH_ONLY", "")  # e.g. "insert_scalar": run only matching workloads
PG = os.environ.get("BENCH_BACKEND", "mysql") == "postgresql"


def admin():
    """A plain autocommit connection: PyMySQL, or psycopg into PG_DATABASE."""
    if PG:
        return pg_connect()
    import pymysql

    return pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)


def q(db: str, table: str | None = None) -> str:
    """`db` (and `db`.`table`) quoted for the backend."""
    mark = '"' if PG else "`"
    name = f"{mark}{db}{mark}"
    return name if table is None else f"{name}.{mark}{table}{mark}"


def fresh(db: str, ddl: list[str]) -> None:
    conn = admin()
    cursor = conn.cursor()
    if PG:
        cursor.execute(f"DROP SCHEMA IF EXISTS {q(db)} CASCADE")
        cursor.execute(f"CREATE SCHEMA {q(db)}")
    else:
        cursor.execute(f"DROP DATABASE IF EXISTS {q(db)}")
        cursor.execute(f"CREATE DATABASE {q(db)}")
    for statement in ddl:
        cursor.execute(statement.format(db=db))
    cursor.close()
    conn.close()


def truncate(db: str, table: str) -> None:
    conn = admin()
    cursor = conn.cursor()
    cursor.execute(f"TRUNCATE {q(db, table)}")
    cursor.close()
    conn.close()


def fill(db: str, rows: dict[str, list[tuple]]) -> None:
    conn = admin()
    with conn.cursor() as cursor:
        for table, values in rows.items():
            marks = ",".join(["%s"] * len(values[0]))
            for start in range(0, len(values), 20_000):
                cursor.executemany(
                    f"INSERT INTO `{db}`.`{table}` VALUES ({marks})", values[start : start + 20_000]
                )
    conn.close()


def best(prepare, run, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        prepare()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def pack_on_every_core(arrays):
    """The bytes any DataJoint stores (zlib level 6), deflated on every core."""
    from concurrent.futures import ThreadPoolExecutor

    import dj_blob

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # zlib releases the GIL
        return list(pool.map(dj_blob.pack, arrays, chunksize=16))


class Raw:
    def __init__(self):
        self.conn = admin()

    def insert(self, db, table, rows):
        marks = ",".join(["%s"] * len(rows[0]))
        with self.conn.cursor() as cursor:
            cursor.execute("START TRANSACTION")
            cursor.executemany(f"INSERT INTO `{db}`.`{table}` VALUES ({marks})", rows)
            cursor.execute("COMMIT")

    def insert_blobs(self, db, arrays, per_call):
        rows = list(enumerate(pack_on_every_core(arrays)))
        with self.conn.cursor() as cursor:
            for start in range(0, len(rows), per_call):
                batch = rows[start : start + per_call]
                if per_call == 1:
                    cursor.execute(f"INSERT INTO `{db}`.`blob` VALUES (%s, %s)", batch[0])
                else:
                    cursor.execute("START TRANSACTION")
                    cursor.executemany(f"INSERT INTO `{db}`.`blob` VALUES (%s, %s)", batch)
                    cursor.execute("COMMIT")

    def insert_blobs_serial(self, db, arrays):
        """One row per call, each call deflating its own blob (one blob's deflate cannot be
        spread over cores with 0.14's bytes): the floor of a one-row insert."""
        with self.conn.cursor() as cursor:
            for row in enumerate(arrays):
                cursor.execute(f"INSERT INTO `{db}`.`blob` VALUES (%s, %s)", serialized(row))

    def delete_root(self, db, shape):
        return None  # no cascade in plain SQL without knowing the graph


class RawPostgreSQL:
    """psycopg 3: `executemany` (pipelined by psycopg) and `COPY ... FROM STDIN`, each
    call in a transaction of its own."""

    def __init__(self):
        self.conn = admin()

    def insert(self, db, table, rows):
        marks = ",".join(["%s"] * len(rows[0]))
        with self.conn.transaction(), self.conn.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {q(db, table)} VALUES ({marks})", rows)

    def copy(self, db, table, rows):
        with self.conn.transaction(), self.conn.cursor() as cursor:
            with cursor.copy(f"COPY {q(db, table)} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def insert_blobs(self, db, arrays, per_call, copy=False):
        rows = list(enumerate(pack_on_every_core(arrays)))
        for start in range(0, len(rows), per_call):
            batch = rows[start : start + per_call]
            if copy:
                self.copy(db, "blob", batch)
            elif per_call == 1:
                self.conn.execute(f"INSERT INTO {q(db, 'blob')} VALUES (%s, %s)", batch[0])
            else:
                self.insert(db, "blob", batch)

    def insert_blobs_serial(self, db, arrays):
        """As `Raw.insert_blobs_serial`."""
        for row in enumerate(arrays):
            self.conn.execute(f"INSERT INTO {q(db, 'blob')} VALUES (%s, %s)", serialized(row))


class Ours:
    def __init__(self):
        from dj_core.connection import Connection
        from dj_core.settings import Config

        config = Config.independent()
        config["safemode"] = False
        if PG:
            config["database.backend"] = "postgresql"
            config["database.name"] = PG_DATABASE
            self.conn = Connection(PG_HOST, PG_USER, PG_PASSWORD or None, PG_PORT, config=config)
        else:
            self.conn = Connection(HOST, USER, PASSWORD, config=config)

    def table(self, db, name):
        from dj_query import FreeTable

        return FreeTable(self.conn, q(db, name))

    def insert(self, db, table, rows):
        self.table(db, table).insert(rows)

    def insert_blobs(self, db, arrays, per_call):
        table = self.table(db, "blob")
        rows = list(enumerate(arrays))
        for start in range(0, len(rows), per_call):
            table.insert(rows[start : start + per_call])

    def open_schema(self, db):
        import dj_query  # noqa: F401  (registers the tier classes the module is spawned with)
        from dj_core.schemas import VirtualModule

        self.module = VirtualModule("bench", db, connection=self.conn)
        self.conn.dependencies.load()  # once per session (and after declarations)

    def delete_root(self, db, shape):
        (self.module.Root & "r=0").delete(safemode=False)

    def declare_setup(self):
        """Configure and connect the `datajoint` package (untimed: 0.14 and 2.x are
        connected before their declarations too)."""
        import datajoint as dj

        if PG:
            dj.config["database.backend"] = "postgresql"
            dj.config["database.name"] = PG_DATABASE
            dj.config["database.host"] = f"{PG_HOST}:{PG_PORT}"
            dj.config["database.user"] = PG_USER
            dj.config["database.password"] = PG_PASSWORD  # "" (trust): no prompt
        else:
            dj.config["database.host"] = HOST
            dj.config["database.user"] = USER
            dj.config["database.password"] = PASSWORD
        dj.config["safemode"] = False
        dj.conn()

    def declare(self, db):
        import datajoint as dj

        return declare_schema(dj, db)


class Upstream:
    def __init__(self):
        import datajoint as dj

        dj.config["database.host"] = HOST
        dj.config["database.user"] = USER
        dj.config["database.password"] = PASSWORD
        dj.config["safemode"] = False
        dj.config["database.use_tls"] = False  # 0.14 on PyMySQL >= 1.2, server without TLS
        dj.logger.setLevel("WARNING")
        self.dj = dj
        self.conn = dj.conn()

    def table(self, db, name):
        return self.dj.FreeTable(self.conn, f"`{db}`.`{name}`")

    def insert(self, db, table, rows):
        self.table(db, table).insert(rows)

    def insert_blobs(self, db, arrays, per_call):
        rows = [(i, a) for i, a in enumerate(arrays)]
        table = self.table(db, "blob")
        if per_call <= UPSTREAM_BLOB_BATCH:
            for start in range(0, len(rows), per_call):
                table.insert(rows[start : start + per_call])
            return
        # 0.14 sends one statement per call, and 2,000 such rows exceed max_allowed_packet:
        # calls of UPSTREAM_BLOB_BATCH rows, inside one transaction like ours
        with self.conn.transaction:
            for start in range(0, len(rows), UPSTREAM_BLOB_BATCH):
                table.insert(rows[start : start + UPSTREAM_BLOB_BATCH])

    def open_schema(self, db):
        self.module = self.dj.VirtualModule("bench", db)

    def delete_root(self, db, shape):
        (self.module.Root & "r=0").delete(safemode=False)

    def declare(self, db):
        return declare_schema(self.dj, db)


class DataJoint2:
    """DataJoint 2.x in its own API: blob inserts and the declaration (with its core
    types, `TYPES_DJ2`); on PostgreSQL also the scalar insert."""

    def __init__(self):
        import datajoint as dj

        if PG:
            dj.config["database.backend"] = "postgresql"
            dj.config["database.name"] = PG_DATABASE
            dj.config["database.host"] = PG_HOST
            dj.config["database.port"] = PG_PORT
            dj.config["database.user"] = PG_USER
            # 2.x refuses to connect without a password; a trust login ignores it
            dj.config["database.password"] = PG_PASSWORD or "unused"
            dj.config["database.use_tls"] = False  # the server has no TLS: no failed attempt
        else:
            dj.config["database.host"] = HOST
            dj.config["database.user"] = USER
            dj.config["database.password"] = PASSWORD
            dj.config["database.use_tls"] = False
        dj.config["safemode"] = False
        dj.logger.setLevel("WARNING")
        self.dj = dj
        self.conn = dj.conn()

    def insert(self, db, table, rows):
        self.dj.FreeTable(self.conn, q(db, table)).insert(rows)

    def insert_blobs(self, db, arrays, per_call):
        table = self.dj.FreeTable(self.conn, q(db, "blob"))  # data: <blob>
        rows = [{"id": i, "data": a} for i, a in enumerate(arrays)]
        # 2.3 too sends one statement per call: on MySQL 2,000 such rows exceed
        # max_allowed_packet (tried: the call fails after serializing them all), so calls of
        # 50 rows inside one transaction stand in for it, as for 0.14
        if per_call > UPSTREAM_BLOB_BATCH and not PG:
            with self.conn.transaction:
                for start in range(0, len(rows), UPSTREAM_BLOB_BATCH):
                    table.insert(rows[start : start + UPSTREAM_BLOB_BATCH])
            return
        for start in range(0, len(rows), per_call):
            table.insert(rows[start : start + per_call])

    def declare(self, db):
        return declare_schema(self.dj, db, TYPES_DJ2)


def main() -> None:
    which, db = sys.argv[1], sys.argv[2]
    try:
        results = run_workloads(which, db)
    finally:
        drop(db)
    print(json.dumps(results))


def drop(db: str) -> None:
    conn = admin()
    cursor = conn.cursor()
    if PG:
        cursor.execute(f"DROP SCHEMA IF EXISTS {q(db)} CASCADE")
    else:
        cursor.execute(f"DROP DATABASE IF EXISTS {q(db)}")
    cursor.close()
    conn.close()


def serialized(row):
    """(key, array) as (key, the blob's bytes), deflated in the calling thread."""
    import dj_blob

    return row[0], dj_blob.pack(row[1])


def run_workloads(which: str, db: str) -> dict[str, float]:
    raw_class = RawPostgreSQL if PG else Raw
    impl = {"raw": raw_class, "ours": Ours, "upstream": Upstream, "dj2": DataJoint2}[which]()
    results = {}

    arrays = blob_arrays()
    if PG:
        blob_ddl = [PG_BLOB_DDL] + ([PG_BLOB_DJ2_COMMENT] if which == "dj2" else [])
    else:
        # 2.x serializes objects only into columns marked with its <blob> codec
        ddl = BLOB_DDL.replace("longblob NOT NULL", "longblob NOT NULL COMMENT ':<blob>:'")
        blob_ddl = [ddl if which == "dj2" else BLOB_DDL]
    for per_call in BLOB_PER_CALL:
        name = f"blob_{per_call}"
        if not name.startswith(ONLY):
            continue
        fresh(db, blob_ddl)
        results[name] = best(
            lambda: truncate(db, "blob"),
            lambda per_call=per_call: impl.insert_blobs(db, arrays, per_call),
            SLOW_REPEAT if per_call == 1 else REPEAT,
        )
        if which == "raw" and per_call == 1:
            results[f"{name}_serial"] = best(
                lambda: truncate(db, "blob"),
                lambda: impl.insert_blobs_serial(db, arrays),
                SLOW_REPEAT,
            )
        if PG and which == "raw" and per_call > 1:
            results[f"{name}_copy"] = best(
                lambda: truncate(db, "blob"),
                lambda per_call=per_call: impl.insert_blobs(db, arrays, per_call, copy=True),
            )
    if "insert_scalar".startswith(ONLY) and (PG or which != "dj2"):
        rows = scalar_rows()
        fresh(db, [PG_SCALAR_DDL if PG else SCALAR_DDL])
        results["insert_scalar"] = best(
            lambda: truncate(db, "scalar"),
            lambda: impl.insert(db, "scalar", rows),
        )
        if PG and which == "raw":
            results["insert_scalar_copy"] = best(
                lambda: truncate(db, "scalar"),
                lambda: impl.copy(db, "scalar", rows),
            )
    if which != "raw" and "declare".startswith(ONLY):
        # a new database for each run: nothing cached from a previous declaration helps
        names = iter(f"{db}_d{i}" for i in range(REPEAT))
        current = [db]

        def prepare_declare():
            current[0] = next(names)
            fresh(current[0], [])

        setup = getattr(impl, "declare_setup", None)
        if setup is not None:
            setup()
        try:
            results["declare_6_tables"] = best(prepare_declare, lambda: impl.declare(current[0]))
        finally:
            for i in range(REPEAT):
                drop(f"{db}_d{i}")
    if which not in ("raw", "dj2") and not PG and "delete".startswith(ONLY[:6]):
        for label, shape, per_root in (("small", SMALL, 3), ("wide", WIDE, WIDE_PER_ROOT)):
            data = cascade_rows(shape, per_root)

            def prepare(shape=shape, data=data):
                fresh(db, cascade_ddl(shape))
                fill(db, data)
                impl.open_schema(db)

            results[f"delete_{label}"] = best(
                prepare, lambda shape=shape: impl.delete_root(db, shape)
            )
            conn = admin()
            with conn.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM `{db}`.`root`")
                assert cursor.fetchone()[0] == N_ROOTS - 1, "the cascade did not delete the root"
            conn.close()
    return results


if __name__ == "__main__":
    main()
