"""Time the table workloads with one implementation: `ours`, `upstream` or `raw` (PyMySQL).

    python bench_impl.py WHICH DATABASE

Each workload starts from the same state (tables emptied or refilled with plain SQL,
untimed) and the best of REPEAT runs is kept. Prints one JSON line: workload -> seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time

import pymysql
from workloads import (
    BLOB_DDL,
    N_ROOTS,
    SCALAR_DDL,
    SMALL,
    WIDE,
    WIDE_PER_ROOT,
    blob_arrays,
    cascade_ddl,
    cascade_rows,
    declare_schema,
    scalar_rows,
)

HOST = os.environ.get("DJ_HOST", "127.0.0.1")
USER = os.environ.get("DJ_USER", "root")
PASSWORD = os.environ.get("DJ_PASS", "")
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
UPSTREAM_BLOB_BATCH = 50
ONLY = os.environ.get("BENCH_ONLY", "")  # e.g. "insert_scalar": run only matching workloads


def admin():
    return pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)


def fresh(db: str, ddl: list[str]) -> None:
    conn = admin()
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{db}`")
        cursor.execute(f"CREATE DATABASE `{db}`")
        for statement in ddl:
            cursor.execute(statement.format(db=db))
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


def best(prepare, run) -> float:
    times = []
    for _ in range(REPEAT):
        prepare()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


class Raw:
    def __init__(self):
        self.conn = admin()

    def insert(self, db, table, rows):
        marks = ",".join(["%s"] * len(rows[0]))
        with self.conn.cursor() as cursor:
            cursor.execute("START TRANSACTION")
            cursor.executemany(f"INSERT INTO `{db}`.`{table}` VALUES ({marks})", rows)
            cursor.execute("COMMIT")

    def insert_blobs(self, db, arrays):
        import dj_blob

        self.insert(db, "blob", [(i, dj_blob.pack(a)) for i, a in enumerate(arrays)])

    def delete_root(self, db, shape):
        return None  # no cascade in plain SQL without knowing the graph


class Ours:
    def __init__(self):
        from dj_core.connection import Connection
        from dj_core.settings import Config

        config = Config.independent()
        config["safemode"] = False
        self.conn = Connection(HOST, USER, PASSWORD, config=config)

    def table(self, db, name):
        from dj_query import FreeTable

        return FreeTable(self.conn, f"`{db}`.`{name}`")

    def insert(self, db, table, rows):
        self.table(db, table).insert(rows)

    def insert_blobs(self, db, arrays):
        self.table(db, "blob").insert([(i, a) for i, a in enumerate(arrays)])

    def open_schema(self, db):
        import dj_query  # noqa: F401  (registers the tier classes the module is spawned with)
        from dj_core.schemas import VirtualModule

        self.module = VirtualModule("bench", db, connection=self.conn)
        self.conn.dependencies.load()  # once per session (and after declarations)

    def delete_root(self, db, shape):
        (self.module.Root & "r=0").delete(safemode=False)

    def declare(self, db):
        import datajoint as dj

        if not getattr(self, "_dj_configured", False):
            dj.config["database.host"] = HOST
            dj.config["database.user"] = USER
            dj.config["database.password"] = PASSWORD
            dj.config["safemode"] = False
            self._dj_configured = True
        return declare_schema(dj, db)


class Upstream:
    def __init__(self):
        import datajoint as dj

        dj.config["database.host"] = HOST
        dj.config["database.user"] = USER
        dj.config["database.password"] = PASSWORD
        dj.config["safemode"] = False
        dj.logger.setLevel("WARNING")
        self.dj = dj
        self.conn = dj.conn()

    def table(self, db, name):
        return self.dj.FreeTable(self.conn, f"`{db}`.`{name}`")

    def insert(self, db, table, rows):
        self.table(db, table).insert(rows)

    def insert_blobs(self, db, arrays):
        # 0.14 sends one statement per call, and 2,000 such rows exceed max_allowed_packet:
        # calls of UPSTREAM_BLOB_BATCH rows, inside one transaction like ours
        rows = [(i, a) for i, a in enumerate(arrays)]
        table = self.table(db, "blob")
        with self.conn.transaction:
            for start in range(0, len(rows), UPSTREAM_BLOB_BATCH):
                table.insert(rows[start : start + UPSTREAM_BLOB_BATCH])

    def open_schema(self, db):
        self.module = self.dj.VirtualModule("bench", db)

    def delete_root(self, db, shape):
        (self.module.Root & "r=0").delete(safemode=False)

    def declare(self, db):
        return declare_schema(self.dj, db)


def main() -> None:
    which, db = sys.argv[1], sys.argv[2]
    try:
        results = run_workloads(which, db)
    finally:
        drop(db)
    print(json.dumps(results))


def drop(db: str) -> None:
    conn = admin()
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{db}`")
    conn.close()


def run_workloads(which: str, db: str) -> dict[str, float]:
    impl = {"raw": Raw, "ours": Ours, "upstream": Upstream}[which]()
    results = {}

    if "insert_scalar".startswith(ONLY):
        rows = scalar_rows()
        fresh(db, [SCALAR_DDL])
        results["insert_scalar"] = best(
            lambda: admin().cursor().execute(f"TRUNCATE `{db}`.`scalar`"),
            lambda: impl.insert(db, "scalar", rows),
        )
    if "insert_blob".startswith(ONLY):
        arrays = blob_arrays()
        fresh(db, [BLOB_DDL])
        results["insert_blob"] = best(
            lambda: admin().cursor().execute(f"TRUNCATE `{db}`.`blob`"),
            lambda: impl.insert_blobs(db, arrays),
        )
    if which != "raw" and "declare".startswith(ONLY):
        # a new database for each run: nothing cached from a previous declaration helps
        names = iter(f"{db}_d{i}" for i in range(REPEAT))
        current = [db]

        def prepare_declare():
            current[0] = next(names)
            fresh(current[0], [])

        try:
            results["declare_6_tables"] = best(prepare_declare, lambda: impl.declare(current[0]))
        finally:
            for i in range(REPEAT):
                drop(f"{db}_d{i}")
    if which != "raw" and "delete".startswith(ONLY[:6]):
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
