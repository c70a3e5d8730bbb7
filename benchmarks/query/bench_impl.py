"""Time the query workloads with one implementation and, interleaved with it in the same
process, the floor: the raw driver's `fetchall()` of the same SQL.

    python bench_impl.py WHICH DATABASE

WHICH: `ours-pymysql`, `ours-mysqlclient` (dj-query on that driver; the floor is the same
driver) or `upstream` (DataJoint 0.14.10; floor PyMySQL); on PostgreSQL (DATABASE is then
a schema in the database DJ_PG_DATABASE) `pg-ours` (dj-query on psycopg) and `pg-dj2`
(DataJoint 2.x, its own API: `to_arrays`, `to_dicts`, `to_pandas`, `to_arrow`,
`to_polars`), both against raw psycopg (3, binary implementation) `fetchall` of the same
statement. For blobs the floor also inflates every value (DataJoint stores them
deflated): what any fetch must do at least.

Each scalar form also has a second floor, the *form floor*: the raw driver producing
that form the most direct way a user would write it (`form_floors`): dicts from the
driver's dict cursor, a record array by `np.rec.fromrecords`, a frame by
`pandas.DataFrame.from_records`, Arrow by `pa.table` of the `zip(*rows)` columns,
polars by `pl.DataFrame(rows, orient="row")`, each after `fetchall()`.

Runs are interleaved (floor, form floor, implementation, floor, ...); each ratio reported
is the median of the paired ratios, which is robust against load from other processes
on the machine. Prints one JSON line: workload -> {"impl": best seconds, "floor": best
seconds, "ratio": median paired ratio, and where a form floor exists "form": its best
seconds, "form_ratio": median ratio of the implementation to it}.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib

from workloads import QUERY

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
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
BLOB_HEADER = len(b"ZL123\0") + 8  # compressed blob: header, 8-byte length, zlib stream


def _seconds(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _median_ratio(times: list[float], floors: list[float]) -> float:
    ratios = sorted(t / f for t, f in zip(times, floors))
    return ratios[len(ratios) // 2]


def interleaved(impl, floor, form_floor=None, repeat: int = REPEAT) -> dict:
    """Best times of each, and the median of the paired ratios (each implementation run
    divided by the floor run just before it, and by the form floor's when given): robust
    against drifting machine load."""
    impl()  # warm up (catalog reads, caches, imports)
    floor()
    if form_floor is not None:
        form_floor()
    impl_times, floor_times, form_times = [], [], []
    for _ in range(repeat):
        floor_times.append(_seconds(floor))
        if form_floor is not None:
            form_times.append(_seconds(form_floor))
        impl_times.append(_seconds(impl))
    result = {
        "impl": min(impl_times),
        "floor": min(floor_times),
        "ratio": _median_ratio(impl_times, floor_times),
    }
    if form_floor is not None:
        result["form"] = min(form_times)
        result["form_ratio"] = _median_ratio(impl_times, form_times)
    return result


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


def tables_pg_ours(db):
    from dj_core.connection import Connection
    from dj_core.settings import Config
    from dj_query import FreeTable

    config = Config.independent()
    config["database.backend"] = "postgresql"
    config["database.name"] = PG_DATABASE
    conn = Connection(PG_HOST, PG_USER, PG_PASSWORD or None, PG_PORT, config=config)
    assert conn.dialect.name == "postgresql"
    return {name: FreeTable(conn, f'"{db}"."{name}"') for name in ("parent", "scalar", "blob")}


def tables_pg_dj2(db):
    import datajoint as dj

    dj.config["database.backend"] = "postgresql"
    dj.config["database.host"] = PG_HOST
    dj.config["database.port"] = PG_PORT
    dj.config["database.user"] = PG_USER
    # 2.x refuses to connect without a password; a trust login ignores it
    dj.config["database.password"] = PG_PASSWORD or "unused"
    dj.config["database.use_tls"] = False  # the server has no TLS: no failed attempt
    dj.config["database.name"] = PG_DATABASE
    dj.logger.setLevel("WARNING")
    conn = dj.conn()
    tables = {name: dj.FreeTable(conn, f'"{db}"."{name}"') for name in ("parent", "scalar")}
    tables["blob"] = dj.FreeTable(conn, f'"{db}"."blob2"')  # data: <blob> (same rows)
    return tables


def raw_connection(driver):
    if driver == "psycopg":
        return pg_connect()
    if driver == "mysqlclient":
        import MySQLdb

        return MySQLdb.connect(host=HOST, user=USER, password=PASSWORD, charset="utf8mb4")
    import pymysql

    return pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)


def floor_of(raw):
    """`fetchall(sql, inflate=None)`: the floor of `sql` on the raw connection `raw`."""

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

    return fetchall


def _dict_cursor(raw, driver):
    if driver == "psycopg":
        from psycopg.rows import dict_row

        return raw.cursor(row_factory=dict_row)
    if driver == "mysqlclient":
        import MySQLdb.cursors

        return raw.cursor(MySQLdb.cursors.DictCursor)
    import pymysql.cursors

    return raw.cursor(pymysql.cursors.DictCursor)


def form_floors(raw, driver, sql) -> dict:
    """workload -> the raw driver producing that form of `sql`'s rows the most direct way
    a user would write it (column names from the cursor's description). The libraries
    are imported on first use (upstream's venv has no pyarrow or polars)."""

    def rows_and_names():
        cursor = raw.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
        names = [column[0] for column in cursor.description]
        cursor.close()
        return rows, names

    def dicts():
        cursor = _dict_cursor(raw, driver)
        cursor.execute(sql)
        rows = cursor.fetchall()
        cursor.close()
        return rows

    def records():
        import numpy as np

        rows, names = rows_and_names()
        return np.rec.fromrecords(rows, names=names)

    def frame():
        import pandas

        rows, names = rows_and_names()
        return pandas.DataFrame.from_records(rows, columns=names)

    def arrow():
        import pyarrow

        rows, names = rows_and_names()
        return pyarrow.table(dict(zip(names, zip(*rows))))

    def polars():
        import polars

        rows, names = rows_and_names()
        return polars.DataFrame(rows, schema=names, orient="row")

    return {
        "scalar_array": records,
        "scalar_dicts": dicts,
        "scalar_frame": frame,
        "scalar_arrow": arrow,
        "scalar_polars": polars,
    }


def measure_dj2(t, raw) -> dict:
    """DataJoint 2.x in its own API, each form against the same statement sent by raw
    psycopg (2.x's `make_sql()` of the same expression)."""
    fetchall = floor_of(raw)
    scalar, blob = t["scalar"], t["blob"]
    scalar_sql = fetchall(scalar.make_sql())
    form = form_floors(raw, "psycopg", scalar.make_sql())
    result = {
        "scalar_array": interleaved(scalar.to_arrays, scalar_sql, form["scalar_array"]),
        "scalar_dicts": interleaved(scalar.to_dicts, scalar_sql, form["scalar_dicts"]),
        "scalar_frame": interleaved(scalar.to_pandas, scalar_sql, form["scalar_frame"]),
        "scalar_arrow": interleaved(scalar.to_arrow, scalar_sql, form["scalar_arrow"]),
        "scalar_polars": interleaved(scalar.to_polars, scalar_sql, form["scalar_polars"]),
        "blob_array": interleaved(lambda: blob.to_arrays(), fetchall(blob.make_sql(), inflate=1)),
    }
    try:
        query = eval(QUERY, {}, dict(t))
        query.to_arrays()
    except Exception as error:  # 2.x refuses the plain-SQL tables' join (no lineage)
        print(f"dj2 query_array skipped: {type(error).__name__}: {error}", file=sys.stderr)
    else:
        result["query_array"] = interleaved(lambda: query.to_arrays(), fetchall(query.make_sql()))
    return result


def main() -> None:
    which, db = sys.argv[1], sys.argv[2]
    if which.startswith("pg-"):
        driver = "psycopg"
        t = tables_pg_ours(db) if which == "pg-ours" else tables_pg_dj2(db)
    else:
        driver = which.split("-", 1)[1] if which.startswith("ours-") else "pymysql"
        t = tables_ours(db, driver) if which.startswith("ours") else tables_upstream(db)
    raw = raw_connection(driver)
    if which == "pg-dj2":
        print(json.dumps(measure_dj2(t, raw)))
        return
    query = eval(QUERY, {}, dict(t))

    fetchall = floor_of(raw)
    scalar = t["scalar"]
    scalar_sql = fetchall(scalar.make_sql())
    form = form_floors(raw, driver, scalar.make_sql())
    result = {
        "scalar_array": interleaved(scalar.fetch, scalar_sql, form["scalar_array"]),
        "scalar_dicts": interleaved(
            lambda: scalar.fetch(as_dict=True), scalar_sql, form["scalar_dicts"]
        ),
        "scalar_frame": interleaved(
            lambda: scalar.fetch(format="frame"), scalar_sql, form["scalar_frame"]
        ),
    }
    if which.startswith(("ours", "pg-ours")):
        result["scalar_arrow"] = interleaved(
            lambda: scalar.fetch(format="arrow"), scalar_sql, form["scalar_arrow"]
        )
        result["scalar_polars"] = interleaved(
            lambda: scalar.fetch(format="polars"), scalar_sql, form["scalar_polars"]
        )
    result["blob_array"] = interleaved(
        lambda: t["blob"].fetch(), fetchall(t["blob"].make_sql(), inflate=1)
    )
    result["query_array"] = interleaved(lambda: query.fetch(), fetchall(query.make_sql()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
