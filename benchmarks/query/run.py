"""Query benchmark: dj-query on PyMySQL and on mysqlclient vs upstream DataJoint 0.14.10,
each against the raw `fetchall` of its own driver.

    hatch run bench query          (or: hatch run python benchmarks/query/run.py)

Creates a scratch database (dropped at the end), fills it with plain SQL, then times the
workloads of workloads.py with each implementation in its own process, one after the
other, and prints the times and the ratios to the floor measured in this one run. The
floor is the driver's `fetchall()` of the same SQL (for blobs, plus inflating them): the
least any DataJoint fetch over that driver can cost. Upstream runs on the same PyMySQL
version as ours (its own venv, benchmarks/_venvs.py). A second part streams 1,000,000
rows of about 1 kB (stream_memory.py). Benchmarks are not tests: nothing asserts.
"""

from __future__ import annotations

import datetime
import os
import runpy
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
from _venvs import DJ014_VERSION, PYMYSQL_VERSION, dj014_python  # noqa: E402
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
                (i, dj_blob.pack(rng.random(BLOB_SIZE))),  # deflated, as DataJoint stores
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


IMPLEMENTATIONS = ("ours-pymysql", "ours-mysqlclient", "upstream")


def main() -> None:
    print(f"preparing datajoint {DJ014_VERSION} on PyMySQL {PYMYSQL_VERSION} ...", file=sys.stderr)
    pythons = {
        "ours-pymysql": sys.executable,
        "ours-mysqlclient": sys.executable,
        "upstream": str(dj014_python()),
    }
    db = f"djbench_{uuid.uuid4().hex[:10]}_query"
    print(f"filling {db} ...", file=sys.stderr, flush=True)
    create(db)
    results = {}
    try:
        for which in IMPLEMENTATIONS:
            print(f"timing {which} and its floor ...", file=sys.stderr, flush=True)
            results[which] = measure(pythons[which], which, db)
    finally:
        drop(db)
    print(f"query benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(
        f"python {sys.version.split()[0]}, PyMySQL {PYMYSQL_VERSION} for ours and upstream "
        f"{DJ014_VERSION}; times: best of interleaved runs; ratio: median of paired runs "
        "against the floor = the same driver's fetchall() of the same SQL (blobs: + inflate), "
        "in the same process\n"
    )
    header = (
        f"{'workload':14} {'pymysql':>10} {'floor':>10} {'ratio':>6}"
        f" {'mysqlclient':>11} {'floor':>10} {'ratio':>6}"
        f" {'upstream':>10} {'floor':>10} {'ratio':>6} {'up/mc':>6} {'up/pm':>6}"
    )
    print(header)
    print("-" * len(header))
    pm, mc, up = (results[name] for name in IMPLEMENTATIONS)
    for name in pm:
        line = (
            f"{name:14} {fmt(pm[name]['impl']):>10} {fmt(pm[name]['floor']):>10}"
            f" {pm[name]['ratio']:5.2f}x {fmt(mc[name]['impl']):>11}"
            f" {fmt(mc[name]['floor']):>10} {mc[name]['ratio']:5.2f}x"
        )
        theirs = up.get(name)
        if theirs is None:
            line += f" {'-':>10} {'-':>10} {'-':>6} {'-':>6} {'-':>6}"
        else:
            line += (
                f" {fmt(theirs['impl']):>10} {fmt(theirs['floor']):>10} {theirs['ratio']:5.2f}x"
                f" {theirs['impl'] / mc[name]['impl']:5.2f}x"
                f" {theirs['impl'] / pm[name]['impl']:5.2f}x"
            )
        print(line)
    if os.environ.get("BENCH_STREAM", "1") != "0":
        print()
        runpy.run_path(str(HERE / "stream_memory.py"), run_name="__main__")


if __name__ == "__main__":
    main()
