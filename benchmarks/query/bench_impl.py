"""Time the query workloads with one implementation (`ours` or `upstream`) and, interleaved
with it in the same process, the floor: plain PyMySQL `fetchall()` of the same SQL.

    python bench_impl.py WHICH DATABASE

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

from workloads import QUERY

HOST = os.environ.get("DJ_HOST", "127.0.0.1")
USER = os.environ.get("DJ_USER", "root")
PASSWORD = os.environ.get("DJ_PASS", "")
REPEAT = int(os.environ.get("BENCH_REPEAT", "9"))


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


def tables_ours(db):
    from dj_core.connection import Connection
    from dj_query import FreeTable

    conn = Connection(HOST, USER, PASSWORD)
    return {name: FreeTable(conn, f"`{db}`.`{name}`") for name in ("parent", "scalar", "blob")}


def tables_upstream(db):
    import datajoint as dj

    dj.config["database.host"] = HOST
    dj.config["database.user"] = USER
    dj.config["database.password"] = PASSWORD
    dj.logger.setLevel("WARNING")
    conn = dj.conn()
    return {name: dj.FreeTable(conn, f"`{db}`.`{name}`") for name in ("parent", "scalar", "blob")}


def main() -> None:
    import pymysql

    which, db = sys.argv[1], sys.argv[2]
    t = tables_ours(db) if which == "ours" else tables_upstream(db)
    query = eval(QUERY, {}, dict(t))
    raw = pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)

    def fetchall(sql):
        def run():
            with raw.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

        return run

    scalar_sql = fetchall(t["scalar"].make_sql())
    result = {
        "scalar_array": interleaved(lambda: t["scalar"].fetch(), scalar_sql),
        "scalar_dicts": interleaved(lambda: t["scalar"].fetch(as_dict=True), scalar_sql),
        "scalar_frame": interleaved(lambda: t["scalar"].fetch(format="frame"), scalar_sql),
        "blob_array": interleaved(lambda: t["blob"].fetch(), fetchall(t["blob"].make_sql())),
        "query_array": interleaved(lambda: query.fetch(), fetchall(query.make_sql())),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
