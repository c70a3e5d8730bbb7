"""Query benchmark: dj-query vs upstream DataJoint 0.14.10 vs raw pymysql `fetchall`.

    hatch run bench query          (or: hatch run python benchmarks/query/run.py)

Creates a scratch database (dropped at the end), fills it with plain SQL, then times the
workloads of workloads.py with each implementation in its own process, one after the
other, and prints the times and the ratios to the floor measured in this one run. The
floor is PyMySQL's `fetchall()` of the same SQL: its row parsing is the least any
DataJoint fetch over this driver can cost. Benchmarks are not tests: nothing asserts.
"""

from __future__ import annotations

import datetime
import os
import sys
import uuid
from pathlib import Path

import numpy as np
import pymysql

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "testing"))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import dj_blob  # noqa: E402
from _impl_process import run_bench_impl  # noqa: E402
from dj_testing.upstream import ensure_upstream_venv  # noqa: E402
from workloads import BLOB_SIZE, DDL, N_BLOB, N_PARENT, N_SCALAR  # noqa: E402

HOST = os.environ.get("DJ_HOST", "127.0.0.1")
USER = os.environ.get("DJ_USER", "root")
PASSWORD = os.environ.get("DJ_PASS", "")


def create(db: str) -> None:
    rng = np.random.default_rng(0)
    conn = pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{db}`")
        for ddl in DDL:
            cursor.execute(ddl.format(db=db))
        cursor.executemany(
            f"INSERT INTO `{db}`.`parent` VALUES (%s, %s)",
            [(i, f"g{i % 7}") for i in range(N_PARENT)],
        )
        base = datetime.date(2020, 1, 1)
        values = rng.random(N_SCALAR)
        rows = [
            (
                i,
                i % N_PARENT,
                float(values[i]),
                None if i % 10 == 0 else float(values[i] * 3),
                f"label{i % 1000}",
                base + datetime.timedelta(days=i % 1500),
            )
            for i in range(N_SCALAR)
        ]
        for start in range(0, N_SCALAR, 10_000):
            cursor.executemany(
                f"INSERT INTO `{db}`.`scalar` VALUES (%s, %s, %s, %s, %s, %s)",
                rows[start : start + 10_000],
            )
        for i in range(N_BLOB):
            cursor.execute(
                f"INSERT INTO `{db}`.`blob` VALUES (%s, %s)",
                (i, dj_blob.pack(rng.random(BLOB_SIZE), compress=False)),
            )
    conn.close()


def drop(db: str) -> None:
    conn = pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{db}`")
    conn.close()


def measure(python: str, which: str, db: str) -> dict:
    return run_bench_impl(python, which, HERE, which, db)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def main() -> None:
    print("preparing upstream datajoint 0.14.10 environment ...", file=sys.stderr, flush=True)
    upstream_python = str(ensure_upstream_venv())
    db = f"djbench_{uuid.uuid4().hex[:10]}_query"
    print(f"filling {db} ...", file=sys.stderr, flush=True)
    create(db)
    try:
        print("timing dj-query and its floor ...", file=sys.stderr, flush=True)
        ours = measure(sys.executable, "ours", db)
        print("timing upstream and its floor ...", file=sys.stderr, flush=True)
        upstream = measure(upstream_python, "upstream", db)
    finally:
        drop(db)
    print(f"query benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(
        f"python {sys.version.split()[0]}; times: best of interleaved runs; ratio: median of "
        "paired runs; floor = pymysql fetchall() of the same SQL, in the same process\n"
    )
    header = (
        f"{'workload':14} {'dj-query':>11} {'floor':>11} {'ratio':>7}"
        f" {'upstream':>11} {'floor':>11} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, mine in ours.items():
        theirs = upstream[name]
        print(
            f"{name:14} {fmt(mine['impl']):>11} {fmt(mine['floor']):>11}"
            f" {mine['ratio']:6.2f}x"
            f" {fmt(theirs['impl']):>11} {fmt(theirs['floor']):>11}"
            f" {theirs['ratio']:6.2f}x"
        )


if __name__ == "__main__":
    main()
