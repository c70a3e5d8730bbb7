"""Compute benchmark: populate throughput of dj-compute vs upstream DataJoint 0.14.10 and
vs the raw floor of the same statements.

    hatch run bench compute        (or: hatch run python benchmarks/compute/run.py)

Populates 2,000 keys with a trivial make (one row inserted per key) without and with
`reserve_jobs`, in one process, in two (`processes=2`) and — dj-compute only — on a
two-worker Dask LocalCluster (`populate(executor=client)`), each implementation in its
own process, alternating implementations round by round so both see the same server
load, and prints keys per second (the best round of each: the one least disturbed by
other load on the machine) and the ratios. The floor is bare PyMySQL sending the
statements dj-compute sends, in one process and in two: per key the transaction with
its snapshot, the presence check, the insert and the commit; with jobs also, per batch
of 32 keys, the reservation insert with its two reads and the one delete that gives
the batch back. Benchmarks are not tests: nothing here asserts on time.
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import platform
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
BATCH = 32
ROUNDS = int(os.environ.get("DJ_BENCH_ROUNDS", "5"))
MODES = ["plain-1", "plain-2", "reserve-1", "reserve-2"]
DASK_MODES = ["dask-plain-2", "dask-reserve-2"]
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
    env = {**os.environ, "DJ_HOST": HOST, "DJ_USER": USER, "DJ_PASS": PASSWORD, "DJ_BENCH_DB": db}
    if which == "upstream":
        env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [python, str(HERE / "bench_impl.py"), *modes],
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


def _floor_worker(db: str, items: list[int], reserve: bool, start: object, times: object) -> None:
    """The statements of `items` with bare PyMySQL (see the module docstring)."""
    conn = server()
    cursor = conn.cursor()
    node, pid = platform.node(), os.getpid()
    cursor.execute("SELECT CONNECTION_ID()")
    connection_id = cursor.fetchone()[0]
    jobs = f"`{db}`.`~jobs`"
    start.wait()
    began = time.perf_counter()
    for first in range(0, len(items), BATCH):
        batch = items[first : first + BATCH]
        hashes = [f"{item:032d}" for item in batch]
        if reserve:
            mine = (
                f"SELECT key_hash FROM {jobs} WHERE table_name='__square' AND key_hash IN "
                f"({','.join(['%s'] * len(batch))}) AND status='reserved' "
                "AND connection_id=%s AND pid=%s AND host=%s"
            )
            cursor.execute(mine, (*hashes, connection_id, pid, node))
            cursor.fetchall()
            cursor.execute(
                f"INSERT INTO {jobs} (table_name,key_hash,status,`key`,host,pid,connection_id,"
                "user) VALUES "
                + ",".join(["('__square',%s,'reserved',%s,%s,%s,%s,'bench')"] * len(batch))
                + " ON DUPLICATE KEY UPDATE table_name=table_name",
                tuple(v for h in hashes for v in (h, b"x" * 40, node, pid, connection_id)),
            )
            cursor.execute(mine, (*hashes, connection_id, pid, node))
            cursor.fetchall()
        for item in batch:
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
            cursor.execute(f"SELECT 1 FROM `{db}`.`__square` WHERE item=%s LIMIT 1", (item,))
            cursor.fetchall()
            cursor.execute(f"INSERT INTO `{db}`.`__square` VALUES (%s, %s)", (item, item * item))
            cursor.execute("COMMIT")
        if reserve:
            cursor.execute(
                f"DELETE FROM {jobs} WHERE table_name='__square' AND status='reserved' "
                f"AND key_hash IN ({','.join(['%s'] * len(batch))})",
                hashes,
            )
    times.put(time.perf_counter() - began)
    conn.close()


def floor(db: str, reserve: bool, processes: int) -> float:
    """Keys per second of the bare statements, in `processes` processes."""
    conn = server()
    with conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM `{db}`.`__square`")
        cursor.execute(f"DELETE FROM `{db}`.`~jobs`")
    context = multiprocessing.get_context("fork")
    start, times = context.Barrier(processes + 1), context.Queue()
    shares = [list(range(N_KEYS))[index::processes] for index in range(processes)]
    workers = [
        context.Process(target=_floor_worker, args=(db, share, reserve, start, times))
        for share in shares
    ]
    for worker in workers:
        worker.start()
    start.wait()
    elapsed = max(times.get() for _ in workers)
    for worker in workers:
        worker.join()
    with conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM `{db}`.`__square`")
        cursor.execute(f"DELETE FROM `{db}`.`~jobs`")
    conn.close()
    return N_KEYS / elapsed


LABELS = {
    "plain-1": "1 process",
    "plain-2": "2 processes",
    "dask-plain-2": "Dask, 2 workers",
    "reserve-1": "1 process, jobs",
    "reserve-2": "2 processes, jobs",
    "dask-reserve-2": "Dask, 2 workers, jobs",
}
FLOOR_OF = {
    "plain-1": ("plain", 1),
    "plain-2": ("plain", 2),
    "dask-plain-2": ("plain", 2),
    "reserve-1": ("reserve", 1),
    "reserve-2": ("reserve", 2),
    "dask-reserve-2": ("reserve", 2),
}


def main() -> None:
    print("preparing upstream datajoint 0.14.10 environment ...", file=sys.stderr, flush=True)
    upstream_python = str(ensure_upstream_venv())
    db = f"djbench_{uuid.uuid4().hex[:10]}_compute"
    create(db)
    samples: dict[str, dict[str, list[float]]] = {
        "ours": {mode: [] for mode in MODES + DASK_MODES},
        "upstream": {mode: [] for mode in MODES},
    }
    floors: dict[tuple[str, int], list[float]] = {key: [] for key in set(FLOOR_OF.values())}
    try:
        for round_ in range(ROUNDS):
            order = [("ours", sys.executable), ("upstream", upstream_python)]
            if round_ % 2:
                order.reverse()
            for name, python in order:
                print(f"round {round_ + 1}/{ROUNDS}: {name} ...", file=sys.stderr, flush=True)
                modes = MODES + DASK_MODES if name == "ours" else MODES
                for mode, rate in run(python, name, db, modes).items():
                    samples[name][mode].append(rate)
            for kind, processes in floors:
                floors[kind, processes].append(floor(db, kind == "reserve", processes))
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
    header = (
        f"{'mode':24} {'dj-compute':>11} {'upstream':>10} {'ratio':>7} {'raw floor':>10} "
        f"{'floor/ours':>11}"
    )
    print(header)
    print("-" * len(header))
    best = {mode: max(rates) for mode, rates in samples["ours"].items()}
    for mode in MODES + DASK_MODES:
        ours = best[mode]
        raw = max(floors[FLOOR_OF[mode]])
        if mode in samples["upstream"]:
            theirs = max(samples["upstream"][mode])
            versus = f"{theirs:10.0f} {ours / theirs:6.2f}x"
        else:
            versus = f"{'':10} {'':7}"
        print(f"{LABELS[mode]:24} {ours:11.0f} {versus} {raw:10.0f} {raw / ours:10.2f}x")
    print("\nscaling (two workers / one process):")
    for mode, one in (
        ("plain-2", "plain-1"),
        ("dask-plain-2", "plain-1"),
        ("reserve-2", "reserve-1"),
        ("dask-reserve-2", "reserve-1"),
    ):
        print(f"  {LABELS[mode]:24} {best[mode] / best[one]:5.2f}x")
    for kind in ("plain", "reserve"):
        print(f"  {'raw floor, ' + kind:24} {max(floors[kind, 2]) / max(floors[kind, 1]):5.2f}x")


if __name__ == "__main__":
    main()
