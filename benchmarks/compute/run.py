"""Compute benchmark: populate throughput of dj-compute vs upstream DataJoint 0.14.10.

    hatch run bench compute        (or: hatch run python benchmarks/compute/run.py)

Populates 2,000 keys with a trivial make (one row inserted per key) in four modes —
without and with `reserve_jobs`, in one process and in two — with each implementation
in its own process, alternating implementations round by round so both see the same
server load, and prints keys per second (the best round of each: the one least disturbed by other
load on the machine) and the ratio. The floor
is raw PyMySQL issuing the statements a key needs at least (one process): transaction,
presence check, insert, commit; plus, with jobs, taking and removing the reservation.
Benchmarks are not tests: nothing here asserts on time.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pymysql

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "testing"))

from dj_testing.upstream import ensure_upstream_venv  # noqa: E402

N_KEYS = 2000
ROUNDS = int(os.environ.get("DJ_BENCH_ROUNDS", "5"))
MODES = ["plain-1", "plain-2", "reserve-1", "reserve-2"]
HOST = os.environ.get("DJ_HOST", "127.0.0.1")
USER = os.environ.get("DJ_USER", "root")
PASSWORD = os.environ.get("DJ_PASS", "")


def server() -> pymysql.connections.Connection:
    host, _, port = HOST.partition(":")
    return pymysql.connect(
        host=host, port=int(port or 3306), user=USER, password=PASSWORD, autocommit=True
    )


def create(db: str) -> None:
    """The two tables, declared by our implementation (upstream binds to them as they are)."""
    conn = server()
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{db}`")
    conn.close()
    run(sys.executable, "ours", db, [])
    conn = server()
    with conn.cursor() as cursor:
        cursor.executemany(f"INSERT INTO `{db}`.`item` VALUES (%s)", [(i,) for i in range(N_KEYS)])
    conn.close()


def drop(db: str) -> None:
    conn = server()
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{db}`")
    conn.close()


def run(python: str, which: str, db: str, modes: list[str]) -> dict[str, float]:
    env = {**os.environ, "DJ_HOST": HOST, "DJ_USER": USER, "DJ_PASS": PASSWORD}
    if which == "upstream":
        env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [python, str(HERE / "bench_impl.py"), db, *modes],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(HERE),
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{which} benchmark failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def floor(db: str, reserve: bool) -> float:
    """Keys per second of the bare statements, in this process."""
    conn = server()
    cursor = conn.cursor()
    cursor.execute(f"DELETE FROM `{db}`.`__square`")
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS `{db}`.`floor_jobs` "
        "(table_name varchar(255), key_hash char(32), PRIMARY KEY (table_name, key_hash))"
    )
    started = time.perf_counter()
    for item in range(N_KEYS):
        if reserve:
            cursor.execute(f"INSERT INTO `{db}`.`floor_jobs` VALUES ('__square', %s)", (item,))
        cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        cursor.execute(f"SELECT 1 FROM `{db}`.`__square` WHERE item=%s LIMIT 1", (item,))
        cursor.fetchall()
        cursor.execute(f"INSERT INTO `{db}`.`__square` VALUES (%s, %s)", (item, item * item))
        cursor.execute("COMMIT")
        if reserve:
            cursor.execute(
                f"DELETE FROM `{db}`.`floor_jobs` WHERE table_name='__square' AND key_hash=%s",
                (item,),
            )
    elapsed = time.perf_counter() - started
    cursor.execute(f"DELETE FROM `{db}`.`__square`")
    conn.close()
    return N_KEYS / elapsed


def main() -> None:
    print("preparing upstream datajoint 0.14.10 environment ...", file=sys.stderr, flush=True)
    upstream_python = str(ensure_upstream_venv())
    db = f"djbench_{uuid.uuid4().hex[:10]}_compute"
    create(db)
    samples: dict[str, dict[str, list[float]]] = {
        name: {mode: [] for mode in MODES} for name in ("ours", "upstream")
    }
    floors: dict[str, list[float]] = {"plain-1": [], "reserve-1": []}
    try:
        for round_ in range(ROUNDS):
            order = [("ours", sys.executable), ("upstream", upstream_python)]
            if round_ % 2:
                order.reverse()
            for name, python in order:
                print(f"round {round_ + 1}/{ROUNDS}: {name} ...", file=sys.stderr, flush=True)
                for mode, rate in run(python, name, db, MODES).items():
                    samples[name][mode].append(rate)
            floors["plain-1"].append(floor(db, reserve=False))
            floors["reserve-1"].append(floor(db, reserve=True))
    finally:
        drop(db)
    print(
        f"compute benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"python {sys.version.split()[0]}; populate {N_KEYS} keys with a trivial make; "
        f"keys/s, best of {ROUNDS} interleaved rounds\n"
    )
    header = f"{'mode':22} {'dj-compute':>11} {'upstream':>10} {'ratio':>7} {'raw floor':>10}"
    print(header)
    print("-" * len(header))
    labels = {
        "plain-1": "1 process",
        "plain-2": "2 processes",
        "reserve-1": "1 process, jobs",
        "reserve-2": "2 processes, jobs",
    }
    for mode in MODES:
        ours = max(samples["ours"][mode])
        theirs = max(samples["upstream"][mode])
        raw = f"{max(floors[mode]):10.0f}" if mode in floors else f"{'':10}"
        print(f"{labels[mode]:22} {ours:11.0f} {theirs:10.0f} {ours / theirs:6.2f}x {raw}")


if __name__ == "__main__":
    main()
