"""Query benchmark: dj-query on PyMySQL and on mysqlclient vs upstream DataJoint 0.14.10,
each against the raw `fetchall` of its own driver; and on PostgreSQL, dj-query on psycopg
and DataJoint 2.x (its own venv, its own API), each against raw psycopg `fetchall`.

    hatch run bench query          (or: hatch run python benchmarks/query/run.py)

Creates a scratch database (dropped at the end), fills it with plain SQL, then times the
workloads of workloads.py with each implementation in its own process, one after the
other, and prints the times and the ratios to the floor measured in this one run. The
floor is the driver's `fetchall()` of the same SQL (for blobs, plus inflating them): the
least any DataJoint fetch over that driver can cost; each scalar form is also compared
with its form floor, the raw driver producing that form directly (bench_impl.form_floors:
dict cursor, np.rec.fromrecords, DataFrame.from_records, pa.table, pl.DataFrame). Upstream
runs on the same PyMySQL version as ours (its own venv, benchmarks/_venvs.py). A second
part streams 1,000,000 rows of about 1 kB (stream_memory.py). Benchmarks are not tests:
nothing asserts.

BENCH_BACKENDS (default "mysql,postgresql") picks the servers; BENCH_SCALE (default 1)
multiplies the row counts (0.01 for a quick end-to-end check); BENCH_REPEAT (default 7)
the interleaved pairs per workload.
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
sys.modules.pop("workloads", None)  # another benchmark's, when run.py runs several

import dj_blob  # noqa: E402
from _impl_process import run_bench_impl  # noqa: E402
from _venvs import (  # noqa: E402
    DJ014_VERSION,
    DJ2_VERSION,
    PYMYSQL_VERSION,
    dj014_python,
    dj2_postgres_python,
)
from workloads import BLOB_SIZE, DDL, N_BLOB, N_PARENT, N_SCALAR, PG_DDL  # noqa: E402

HOST = os.environ.get("DJ_HOST", "127.0.0.1")
USER = os.environ.get("DJ_USER", "root")
PASSWORD = os.environ.get("DJ_PASS", "")
from _postgres import DATABASE as PG_DATABASE  # noqa: E402
from _postgres import connect as pg_connect  # noqa: E402

BACKENDS = os.environ.get("BENCH_BACKENDS", "mysql,postgresql").split(",")


def rows_of(rng) -> tuple[list, list, list]:
    """parent, scalar and blob rows (the blobs deflated, as DataJoint stores them)."""
    base = datetime.date(2020, 1, 1)
    values = rng.random(N_SCALAR)
    parents = [(i, f"g{i % 7}") for i in range(N_PARENT)]
    scalars = [
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
    blobs = [(i, dj_blob.pack(rng.random(BLOB_SIZE))) for i in range(N_BLOB)]
    return parents, scalars, blobs


def pg_admin(dbname: str = PG_DATABASE):
    """An autocommit psycopg connection to `dbname` (created when missing)."""
    return pg_connect(dbname, create=True)


def create_pg(schema: str) -> None:
    """The same tables and rows on PostgreSQL (schema `schema` of PG_DATABASE), by COPY."""
    parents, scalars, blobs = rows_of(np.random.default_rng(0))
    with pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        for ddl in PG_DDL:
            conn.execute(ddl.format(db=schema))
        with conn.cursor() as cursor:
            for table, rows in (("parent", parents), ("scalar", scalars), ("blob", blobs)):
                with cursor.copy(f'COPY "{schema}"."{table}" FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute(f'INSERT INTO "{schema}"."blob2" SELECT * FROM "{schema}"."blob"')


def drop_pg(schema: str) -> None:
    with pg_admin() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def create(db: str) -> None:
    parents, scalars, blobs = rows_of(np.random.default_rng(0))
    conn = pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{db}`")
        for ddl in DDL:
            cursor.execute(ddl.format(db=db))
        cursor.executemany(f"INSERT INTO `{db}`.`parent` VALUES (%s, %s)", parents)
        for start in range(0, N_SCALAR, 10_000):
            cursor.executemany(
                f"INSERT INTO `{db}`.`scalar` VALUES (%s, %s, %s, %s, %s, %s)",
                scalars[start : start + 10_000],
            )
        for row in blobs:
            cursor.execute(f"INSERT INTO `{db}`.`blob` VALUES (%s, %s)", row)
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
PG_IMPLEMENTATIONS = ("pg-ours", "pg-dj2")


def measure_mysql(db: str) -> dict:
    print(f"preparing datajoint {DJ014_VERSION} on PyMySQL {PYMYSQL_VERSION} ...", file=sys.stderr)
    pythons = {
        "ours-pymysql": sys.executable,
        "ours-mysqlclient": sys.executable,
        "upstream": str(dj014_python()),
    }
    print(f"filling {db} ...", file=sys.stderr, flush=True)
    create(db)
    results = {}
    try:
        for which in IMPLEMENTATIONS:
            print(f"timing {which} and its floor ...", file=sys.stderr, flush=True)
            results[which] = measure(pythons[which], which, db)
    finally:
        drop(db)
    return results


def measure_postgresql(schema: str) -> dict:
    print(f"preparing datajoint {DJ2_VERSION} for PostgreSQL ...", file=sys.stderr)
    pythons = {"pg-ours": sys.executable, "pg-dj2": str(dj2_postgres_python())}
    print(f"filling {PG_DATABASE}.{schema} ...", file=sys.stderr, flush=True)
    env = {**os.environ, "DJ_PG_DATABASE": PG_DATABASE}
    results = {}
    try:
        create_pg(schema)
        for which in PG_IMPLEMENTATIONS:
            print(f"timing {which} and its floor ...", file=sys.stderr, flush=True)
            results[which] = run_bench_impl(pythons[which], which, HERE, which, schema, env=env)
    finally:
        drop_pg(schema)
    return results


def main() -> None:
    db = f"djbench_{uuid.uuid4().hex[:10]}_query"
    mysql = measure_mysql(db) if "mysql" in BACKENDS else None
    postgresql = measure_postgresql(db) if "postgresql" in BACKENDS else None
    print(f"query benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(
        f"python {sys.version.split()[0]}, {N_SCALAR:,} scalar rows, {N_BLOB:,} blob rows; "
        "times: best of interleaved runs; ratio: median of paired runs against the floor = "
        "the same driver's fetchall() of the same SQL (blobs: + inflate), in the same process; "
        "form / '/form': against the form floor = the raw driver producing that form directly "
        "(dict cursor, np.rec.fromrecords, DataFrame.from_records, pa.table, pl.DataFrame)\n"
    )
    if mysql is not None:
        print_mysql(mysql)
    if postgresql is not None:
        if mysql is not None:
            print()
        print_postgresql(postgresql)
    if "mysql" in BACKENDS and os.environ.get("BENCH_STREAM", "1") != "0":
        print()
        runpy.run_path(str(HERE / "stream_memory.py"), run_name="__main__")


def _form_ratio(result: dict) -> str:
    """The ratio to the form floor, or '-' where the workload has none."""
    return f"{result['form_ratio']:5.2f}x" if "form_ratio" in result else f"{'-':>6}"


def print_mysql(results: dict) -> None:
    print(f"MySQL: PyMySQL {PYMYSQL_VERSION} for ours and upstream {DJ014_VERSION}")
    header = (
        f"{'workload':14} {'pymysql':>10} {'floor':>10} {'ratio':>6} {'/form':>6}"
        f" {'mysqlclient':>11} {'floor':>10} {'ratio':>6} {'/form':>6}"
        f" {'upstream':>10} {'floor':>10} {'ratio':>6} {'/form':>6} {'up/mc':>6} {'up/pm':>6}"
    )
    print(header)
    print("-" * len(header))
    pm, mc, up = (results[name] for name in IMPLEMENTATIONS)
    for name in pm:
        line = (
            f"{name:14} {fmt(pm[name]['impl']):>10} {fmt(pm[name]['floor']):>10}"
            f" {pm[name]['ratio']:5.2f}x {_form_ratio(pm[name])} {fmt(mc[name]['impl']):>11}"
            f" {fmt(mc[name]['floor']):>10} {mc[name]['ratio']:5.2f}x {_form_ratio(mc[name])}"
        )
        theirs = up.get(name)
        if theirs is None:
            line += f" {'-':>10} {'-':>10} {'-':>6} {'-':>6} {'-':>6} {'-':>6}"
        else:
            line += (
                f" {fmt(theirs['impl']):>10} {fmt(theirs['floor']):>10} {theirs['ratio']:5.2f}x"
                f" {_form_ratio(theirs)}"
                f" {theirs['impl'] / mc[name]['impl']:5.2f}x"
                f" {theirs['impl'] / pm[name]['impl']:5.2f}x"
            )
        print(line)


def print_postgresql(results: dict) -> None:
    import psycopg

    print(
        f"PostgreSQL: ours on psycopg {psycopg.__version__} ({psycopg.pq.__impl__}), "
        f"DataJoint {DJ2_VERSION} on psycopg2 (its driver); floors: raw psycopg "
        f"{psycopg.__version__} fetchall, and the form floor, in each process"
    )
    header = (
        f"{'workload':14} {'ours':>10} {'fetchall':>10} {'ratio':>6} {'form':>10} {'ratio':>6}"
        f" {'dj2':>10} {'fetchall':>10} {'ratio':>6} {'/form':>6} {'dj2/ours':>8}"
    )
    print(header)
    print("-" * len(header))
    ours, dj2 = (results[name] for name in PG_IMPLEMENTATIONS)
    for name in ours:
        mine = ours[name]
        form = fmt(mine["form"]) if "form" in mine else "-"
        line = (
            f"{name:14} {fmt(mine['impl']):>10} {fmt(mine['floor']):>10} {mine['ratio']:5.2f}x"
            f" {form:>10} {_form_ratio(mine)}"
        )
        theirs = dj2.get(name)
        if theirs is None:
            line += f" {'-':>10} {'-':>10} {'-':>6} {'-':>6} {'-':>8}"
        else:
            line += (
                f" {fmt(theirs['impl']):>10} {fmt(theirs['floor']):>10} {theirs['ratio']:5.2f}x"
                f" {_form_ratio(theirs)} {theirs['impl'] / mine['impl']:7.2f}x"
            )
        print(line)


if __name__ == "__main__":
    main()
