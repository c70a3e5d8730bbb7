"""The least any fetch over psycopg can cost per form: `fetchall()` plus the cheapest
CPython building of that form from the fetched rows, timed in one process.

`fetchall()` returns tuples of Python values; every form must then visit those 600,000
values again to make its own objects (a numpy array, 100,000 dicts, Arrow or pandas
columns), which costs at least what the bare builders below take. Their ratio to
`fetchall()` is the floor a form can reach; `run.py` measures dj-query against
`fetchall()` and against the form floors of the driver's usual ways.

`hatch run python benchmarks/query/build_floor.py` (PostgreSQL at DJ_PG_HOST / DJ_PG_PORT /
DJ_PG_USER / DJ_PG_PASS, database DJ_PG_DATABASE, default 127.0.0.1:5432, postgres,
djbench; a scratch schema, dropped at the end). Nothing asserts.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from operator import itemgetter

import numpy as np
import pandas as pd
import polars as pl
import psycopg
import pyarrow as pa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _postgres import connect

ROWS = int(100_000 * float(os.environ.get("BENCH_SCALE", "1")))
NAMES = ["id", "grp", "x", "y", "label", "day"]
NUMPY = np.dtype(
    [("id", "<i8"), ("grp", "<i8"), ("x", "<f8"), ("y", "O"), ("label", "O"), ("day", "O")]
)
ARROW = [pa.int64(), pa.int64(), pa.float64(), pa.float32(), pa.string(), pa.date32()]


def fill(conn: psycopg.Connection) -> None:
    conn.execute("DROP SCHEMA IF EXISTS djbench_build_floor CASCADE")
    conn.execute("CREATE SCHEMA djbench_build_floor")
    conn.execute(
        "CREATE TABLE djbench_build_floor.s (id int PRIMARY KEY, grp int, "
        "x double precision, y real, label varchar(24), day date)"
    )
    start = datetime.date(2020, 1, 1)
    with conn.cursor().copy("COPY djbench_build_floor.s FROM STDIN") as copy:
        for i in range(ROWS):
            y = None if i % 10 == 0 else i * 3.0
            day = start + datetime.timedelta(days=i % 1500)
            copy.write_row((i, i % 97, i * 0.5, y, f"label{i % 1000}", day))


def best(run, repeat: int = 9) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def columns(rows: list[tuple]) -> list[list]:
    return [list(map(itemgetter(i), rows)) for i in range(len(NAMES))]


def arrow(rows: list[tuple]) -> pa.Table:
    return pa.table({n: pa.array(c, type=t) for n, c, t in zip(NAMES, columns(rows), ARROW)})


def frame(rows: list[tuple]) -> pd.DataFrame:
    count = len(rows)
    data = {}
    for index, (name, kind) in enumerate(zip(NAMES, ["i8", "i8", "f8", None, None, None])):
        values = map(itemgetter(index), rows)
        data[name] = np.fromiter(values, kind, count=count) if kind else list(values)
    return pd.DataFrame(data, copy=False)


def main() -> None:
    conn = connect(create=True)
    fill(conn)
    try:

        def fetchall() -> list[tuple]:
            cursor = conn.cursor()
            cursor.execute("SELECT * FROM djbench_build_floor.s")
            return cursor.fetchall()

        rows = fetchall()
        dicts = eval(  # one dict display per row: the cheapest way CPython builds them
            "lambda rows: [{"
            + ", ".join(f"{name!r}: r[{i}]" for i, name in enumerate(NAMES))
            + "} for r in rows]"
        )
        builders = {
            "arrays (np.fromiter)": lambda: np.fromiter(rows, NUMPY, count=len(rows)),
            "dicts (a dict display per row)": lambda: dicts(rows),
            "frame (np.fromiter columns)": lambda: frame(rows),
            "arrow (pa.array per column)": lambda: arrow(rows),
            "polars (from those Arrow columns)": lambda: pl.from_arrow(arrow(rows)),
        }
        floor = best(fetchall)
        print(f"psycopg {psycopg.__version__} fetchall() of {ROWS:,} rows: {floor * 1e3:.1f} ms")
        for name, build in builders.items():
            took = best(build)
            print(f"  {name:36} {took * 1e3:6.1f} ms   fetch floor {1 + took / floor:.2f}x")
    finally:
        conn.execute("DROP SCHEMA djbench_build_floor CASCADE")


if __name__ == "__main__":
    main()
