"""Streaming memory: peak RSS of fetching 1,000,000 rows of about 1 kB (1 GB) in chunks
(`fetch(chunk_size=10_000)`) against a plain `fetch()` of the same, on each driver.

    hatch run python benchmarks/query/stream_memory.py

The rows come from a view generating them on the server (no table to fill). Each run is
a process of its own that reports its peak resident memory (VmHWM) after connecting and
after fetching; the growth is the difference. Goal: streaming stays within 100 MB of the
baseline while the plain fetch grows with the result. Nothing asserts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid

import pymysql

HOST = os.environ.get("DJ_HOST", "127.0.0.1")
USER = os.environ.get("DJ_USER", "root")
PASSWORD = os.environ.get("DJ_PASS", "")
ROWS = int(os.environ.get("BENCH_STREAM_ROWS", "1000000"))
DIGITS = "SELECT 0 d UNION ALL " + " UNION ALL ".join(f"SELECT {i}" for i in range(1, 10))

PROBE = textwrap.dedent(
    """
    import json, sys, time
    from dj_core.connection import Connection
    from dj_core.settings import Config
    from dj_query import FreeTable

    def peak():
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024

    host, user, password, driver, mode, table = sys.argv[1:]
    config = Config.independent()
    config["database.driver"] = driver
    rows = FreeTable(Connection(host, user, password, config=config), table)
    rows.heading  # read the catalog before the baseline
    base, start, count = peak(), time.perf_counter(), 0
    if mode == "stream":
        for chunk in rows.fetch(chunk_size=10_000):
            count += len(chunk)
    else:
        count = len(rows.fetch())
    print(json.dumps({"rows": count, "growth": peak() - base, "seconds": time.perf_counter() - start}))
    """
)


def create(db: str) -> None:
    conn = pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)
    digits = len(str(ROWS - 1))  # ROWS is a power of ten
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{db}`")
        cursor.execute(f"CREATE VIEW `{db}`.`digit` AS {DIGITS}")
        names = [f"d{i}" for i in range(digits)]
        number = " + ".join(f"{10**i}*{name}.d" for i, name in enumerate(names))
        sources = ", ".join(f"`{db}`.`digit` {name}" for name in names)
        cursor.execute(
            f"CREATE VIEW `{db}`.`wide` AS SELECT {number} AS id, REPEAT('x', 1000) AS pad "
            f"FROM {sources}"
        )
    conn.close()


def drop(db: str) -> None:
    conn = pymysql.connect(host=HOST, user=USER, password=PASSWORD, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{db}`")
    conn.close()


def probe(driver: str, mode: str, table: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, HOST, USER, PASSWORD, driver, mode, table],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"stream probe failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    db = f"djbench_{uuid.uuid4().hex[:10]}_stream"
    create(db)
    try:
        print(f"streaming {ROWS:,} rows of about 1 kB: peak RSS growth over the baseline")
        print(f"{'driver':12} {'mode':8} {'rows':>10} {'growth':>10} {'time':>8}")
        for driver in ("pymysql", "mysqlclient"):
            for mode in ("stream", "plain"):
                report = probe(driver, mode, f"`{db}`.`wide`")
                print(
                    f"{driver:12} {mode:8} {report['rows']:>10,} "
                    f"{report['growth'] / 1e6:8.0f} MB {report['seconds']:7.1f}s",
                    flush=True,
                )
    finally:
        drop(db)


if __name__ == "__main__":
    main()
