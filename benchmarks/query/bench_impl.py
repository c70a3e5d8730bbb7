"""Time the query workloads with one implementation and, interleaved with it in the same
process, the floor: the raw driver's `fetchall()` of the same SQL.

    python bench_impl.py WHICH DATABASE

WHICH: `ours-pymysql`, `ours-mysqlclient` (dj-query on that driver; the floor is the same
driver) or `upstream` (DataJoint 0.14.10; floor PyMySQL). For blobs the floor also
inflates every value (DataJoint stores them deflated): what any fetch must do at least.

Runs are interleaved (floor, implementation, floor, implementation, ...); the ratio
reported is the median of the paired ratios, which is robust against load from other
processes on the machine. Prints one JSON line:
workload -> {"impl": best seconds, "floor": best seconds, "ratio": median paired ratio}.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib

from workloads import QUERY

HOST = os.environ.get("DJ_HOST", "127.0.0.1")
USER = os.environ.get("DJ_USER", "root")
PASSWORD = os.environ.get("DJ_PASS", "")
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
BLOB_HEADER = len(b"ZL123\0") + 8  # compressed blob: header, 8-byte length, zlib stream


def interleaved(impl, floor, repeat: int = REPEAT) -> dict:
    """Best times of each, and the median of the paired ratios (each implementation run
    divided by the floor run just before it): robust against drifting machine load."""
    impl()  # warm up (catalog reads, caches)
    floor()
    impl_times, floor_times = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        floor()
        floor_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        impl()
        impl_times.append(time.perf_counter() - start)
    ratios = sorted(i / f for i, f in zip(impl_times, floor_times))
    return {"impl": min(impl_times), "floor": min(floor_times), "ratio": ratios[len(ratios) // 2]}


def tables_ours(db, driver):
    from dj_core.connection import Connection
    from dj_core.settings import Config
    from dj_query import FreeTable

    config = Config.independent()
    config["database.driver"] = driver
    conn = Connection(HOST, USER, PASSWORD, config=config)
    assert conn.dialect.driver.name == driver
    return {name: FreeTable(conn, f"`{db}`.`{name}`") for name in ("parent", "scalar", "blob")}


def tables_upstream(db):
    import datajoint as dj

    dj.config["database.host"] = HOST
    dj.config["database.user"] = USER
    dj.config["database.password"] = PASSWORD
    dj.config["database.use_tls"] = False  # 0.14 on PyMySQL >= 1.2 and a server without TLS
    dj.logger.setLevel("WARNING")
    conn = dj.conn()
    return {name: dj.FreeTable(conn, f"`{db}`.`{name}`") for name in ("parent", "scalar", "blob")}


def raw_connection(driver):
    if driver == "mysqlclient":
        import MySQLdb

        return MySQLdb.connect(host=HOST, user=USER, password=PASSWORD, charset="utf8mb4")
    import pymysql

    return pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)


def main() -> None:
    which, db = sys.argv[1], sys.argv[2]
    driver = which.split("-", 1)[1] if which.startswith("ours-") else "pymysql"
    t = tables_ours(db, driver) if which.startswith("ours") else tables_upstream(db)
    query = eval(QUERY, {}, dict(t))
    raw = raw_connection(driver)

    def fetchall(sql, inflate=None):
        def run():
            cursor = raw.cursor()
            cursor.execute(sql)
            rows = cursor.fetchall()
            cursor.close()
            if inflate is not None:
                for row in rows:
                    zlib.decompress(row[inflate][BLOB_HEADER:])
            return rows

        return run

    scalar = t["scalar"]
    scalar_sql = fetchall(scalar.make_sql())
    result = {
        "scalar_array": interleaved(lambda: scalar.fetch(), scalar_sql),
        "scalar_dicts": interleaved(lambda: scalar.fetch(as_dict=True), scalar_sql),
        "scalar_frame": interleaved(lambda: scalar.fetch(format="frame"), scalar_sql),
    }
    if which.startswith("ours"):
        result["scalar_arrow"] = interleaved(lambda: scalar.fetch(format="arrow"), scalar_sql)
        result["scalar_polars"] = interleaved(lambda: scalar.fetch(format="polars"), scalar_sql)
    result["blob_array"] = interleaved(
        lambda: t["blob"].fetch(), fetchall(t["blob"].make_sql(), inflate=1)
    )
    result["query_array"] = interleaved(lambda: query.fetch(), fetchall(query.make_sql()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
