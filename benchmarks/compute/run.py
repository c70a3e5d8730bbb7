"""Compute benchmark: populate throughput of dj-compute vs upstream DataJoint 0.14.10 and
vs the raw floor of the same statements, on MySQL and on PostgreSQL.

    hatch run bench compute        (or: hatch run python benchmarks/compute/run.py)

Populates 2,000 keys with a trivial make (one row inserted per key) without and with
`reserve_jobs`, in one process, in two (`processes=2`) and — dj-compute only — on a
two-worker Dask LocalCluster (`populate(executor=client)`), each implementation in its
own process, alternating implementations round by round so both see the same server
load, and prints keys per second (the best round of each: the one least disturbed by
other load on the machine) and the ratios. The floor (floor.py) is bare driver code
sending the statements dj-compute sends, in one process and in two, and as tasks on the
same Dask cluster as dj-compute's (in-Dask floor: what Dask itself costs). On PostgreSQL
(ours only: 0.14 has no PostgreSQL) the same modes and floors run on psycopg. Benchmarks
are not tests: nothing here asserts on time.

BENCH_BACKENDS (default "mysql,postgresql") picks the servers; DJ_BENCH_ROUNDS (default 5)
the rounds; BENCH_SCALE (default 1) multiplies the 2,000 keys (0.05 for a quick check);
BENCH_MYSQL_DRIVER (default "pymysql", the driver of 0.14) the MySQL driver of ours and
of the floor (dj-core would pick mysqlclient when installed).
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "testing"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import _postgres  # noqa: E402
from dj_testing.upstream import ensure_upstream_venv  # noqa: E402
from floor import Server, empty, run_keys  # noqa: E402

N_KEYS = max(20, int(2000 * float(os.environ.get("BENCH_SCALE", "1"))))
ROUNDS = int(os.environ.get("DJ_BENCH_ROUNDS", "5"))
BACKENDS = os.environ.get("BENCH_BACKENDS", "mysql,postgresql").split(",")
MODES = ["plain-1", "plain-2", "reserve-1", "reserve-2"]
DASK_MODES = ["dask-plain-2", "dask-reserve-2"]
DASK_FLOOR_MODES = ["dask-floor-plain-2", "dask-floor-reserve-2"]
_HOST, _, _PORT = os.environ.get("DJ_HOST", "127.0.0.1").partition(":")
MYSQL = Server(
    "mysql",
    _HOST,
    int(_PORT or 3306),
    os.environ.get("DJ_USER", "root"),
    os.environ.get("DJ_PASS", ""),
    driver=os.environ.get("BENCH_MYSQL_DRIVER", "pymysql"),
)
POSTGRESQL = Server(
    "postgresql",
    _postgres.HOST,
    _postgres.PORT,
    _postgres.USER,
    _postgres.PASSWORD,
    _postgres.DATABASE,
)


def admin(server: Server):
    """An autocommit connection; on PostgreSQL to its database, created when missing."""
    if server.backend != "postgresql":
        return server.connect()
    return _postgres.connect(server.database, create=True)  # POSTGRESQL's settings


def create(server: Server, db: str) -> None:
    """The two tables, declared by our implementation (upstream binds to them as they are)."""
    conn = admin(server)
    cursor = conn.cursor()
    kind = "SCHEMA" if server.backend == "postgresql" else "DATABASE"
    cursor.execute(f"CREATE {kind} {server.quote(db)}")
    cursor.close()
    conn.close()
    run(server, sys.executable, "ours", db, [])
    conn = admin(server)
    cursor = conn.cursor()
    cursor.executemany(
        f"INSERT INTO {server.quote(db)}.{server.quote('item')} VALUES (%s)",
        [(i,) for i in range(N_KEYS)],
    )
    cursor.close()
    conn.close()


def scratch_databases(prefix: str) -> Iterator[tuple[str, Server, dict[str, str]]]:
    """For each server of BENCH_BACKENDS: (backend, server, environment of a process
    whose `bench_tables` use a new database `prefix_...`), dropped once the loop moves on
    (or ends, or leaves by an error)."""
    for backend in BACKENDS:
        server = POSTGRESQL if backend == "postgresql" else MYSQL
        db = f"{prefix}_{uuid.uuid4().hex[:8]}"
        create(server, db)
        try:
            yield backend, server, environment(server, db)
        finally:
            drop(server, db)


def drop(server: Server, db: str) -> None:
    conn = admin(server)
    cursor = conn.cursor()
    if server.backend == "postgresql":
        cursor.execute(f"DROP SCHEMA IF EXISTS {server.quote(db)} CASCADE")
    else:
        cursor.execute(f"DROP DATABASE IF EXISTS {server.quote(db)}")
    cursor.close()
    conn.close()


def environment(server: Server, db: str) -> dict[str, str]:
    """The environment of a process whose `bench_tables` use `db` on `server`."""
    env = {
        **os.environ,
        "DJ_HOST": f"{server.host}:{server.port}",
        "DJ_USER": server.user,
        "DJ_PASS": server.password,
        "DJ_BACKEND": server.backend,
        "DJ_BENCH_DB": db,
        "DJ_BENCH_KEYS": str(N_KEYS),
    }
    if server.backend == "postgresql":
        env["DJ_DATABASE_NAME"] = server.database
    else:
        env["DJ_DRIVER"] = server.driver  # ours on the floor's driver (0.14: PyMySQL)
    return env


def run(server: Server, python: str, which: str, db: str, modes: list[str]) -> dict[str, float]:
    env = environment(server, db)
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


def _floor_worker(
    server: Server, db: str, items: list[int], reserve: bool, start: object, times: object
) -> None:
    """The statements of `items` with the bare driver (floor.py)."""
    conn = server.connect()
    start.wait()
    times.put(run_keys(server, db, items, reserve, conn))
    conn.close()


def floor(server: Server, db: str, reserve: bool, processes: int) -> float:
    """Keys per second of the bare statements, in `processes` processes."""
    empty(server, db)
    context = multiprocessing.get_context("fork")
    start, times = context.Barrier(processes + 1), context.Queue()
    # chunks of keys dealt in turn, as `populate(processes=N)` hands them out (64 keys
    # each for 2,000 keys and two processes), not every other key
    size = max(1, min(64, N_KEYS // (processes * 8)))
    shares = [
        [
            key
            for start in range(index * size, N_KEYS, processes * size)
            for key in range(start, min(start + size, N_KEYS))
        ]
        for index in range(processes)
    ]
    workers = [
        context.Process(target=_floor_worker, args=(server, db, share, reserve, start, times))
        for share in shares
    ]
    for worker in workers:
        worker.start()
    start.wait()
    elapsed = max(times.get() for _ in workers)
    for worker in workers:
        worker.join()
    empty(server, db)
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


def measure(server: Server, upstream_python: str | None) -> dict:
    """Every mode of ours (and of upstream on MySQL) and every floor, ROUNDS rounds."""
    db = f"djbench_{uuid.uuid4().hex[:10]}_compute"
    create(server, db)
    implementations = [("ours", sys.executable)]
    if upstream_python is not None:
        implementations.append(("upstream", upstream_python))
    samples: dict[str, dict[str, list[float]]] = {
        "ours": {mode: [] for mode in MODES + DASK_MODES + DASK_FLOOR_MODES},
        "upstream": {mode: [] for mode in MODES},
    }
    floors: dict[tuple[str, int], list[float]] = {key: [] for key in set(FLOOR_OF.values())}
    try:
        for round_ in range(ROUNDS):
            order = implementations if round_ % 2 == 0 else implementations[::-1]
            for name, python in order:
                print(
                    f"{server.backend} round {round_ + 1}/{ROUNDS}: {name} ...",
                    file=sys.stderr,
                    flush=True,
                )
                modes = MODES + DASK_MODES + DASK_FLOOR_MODES if name == "ours" else MODES
                for mode, rate in run(server, python, name, db, modes).items():
                    samples[name][mode].append(rate)
            for kind, processes in floors:
                floors[kind, processes].append(floor(server, db, kind == "reserve", processes))
    finally:
        drop(server, db)
    return {"samples": samples, "floors": floors}


def main() -> None:
    upstream_python = None
    if "mysql" in BACKENDS:
        print("preparing upstream datajoint 0.14.10 environment ...", file=sys.stderr, flush=True)
        upstream_python = str(ensure_upstream_venv())
    results = {}
    if "mysql" in BACKENDS:
        results["mysql"] = measure(MYSQL, upstream_python)
    if "postgresql" in BACKENDS:
        results["postgresql"] = measure(POSTGRESQL, None)
    if os.environ.get("BENCH_SAMPLES"):  # every round's rates, for a closer look
        floors_json = {
            backend: {
                "samples": result["samples"],
                "floors": {f"{kind}-{n}": rates for (kind, n), rates in result["floors"].items()},
            }
            for backend, result in results.items()
        }
        Path(os.environ["BENCH_SAMPLES"]).write_text(json.dumps(floors_json, indent=1))
    print(
        f"compute benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"python {sys.version.split()[0]}; populate {N_KEYS} keys with a trivial make; "
        f"keys/s, best of {ROUNDS} interleaved rounds"
    )
    for backend, result in results.items():
        driver = MYSQL.driver if backend == "mysql" else "psycopg"
        print(f"\n{'MySQL' if backend == 'mysql' else 'PostgreSQL'} (ours and floor on {driver}):")
        print_table(result["samples"], result["floors"])


def print_table(samples: dict, floors: dict) -> None:
    header = (
        f"{'mode':24} {'dj-compute':>11} {'upstream':>10} {'ratio':>7} {'raw floor':>10} "
        f"{'floor/ours':>11} {'in-Dask floor':>14} {'floor/ours':>11}"
    )
    print(header)
    print("-" * len(header))
    best = {mode: max(rates) for mode, rates in samples["ours"].items()}
    for mode in MODES + DASK_MODES:
        ours = best[mode]
        raw = max(floors[FLOOR_OF[mode]])
        if samples["upstream"].get(mode):
            theirs = max(samples["upstream"][mode])
            versus = f"{theirs:10.0f} {ours / theirs:6.2f}x"
        else:
            versus = f"{'':10} {'':7}"
        row = f"{LABELS[mode]:24} {ours:11.0f} {versus} {raw:10.0f} {raw / ours:10.2f}x"
        if mode in DASK_MODES:
            in_dask = best[mode.replace("dask-", "dask-floor-")]
            row += f" {in_dask:14.0f} {in_dask / ours:10.2f}x"
        print(row)
    print("\nscaling (two workers / one process):")
    for mode, one in (
        ("plain-2", "plain-1"),
        ("dask-plain-2", "plain-1"),
        ("reserve-2", "reserve-1"),
        ("dask-reserve-2", "reserve-1"),
    ):
        print(f"  {LABELS[mode]:38} {best[mode] / best[one]:5.2f}x")
    for kind in ("plain", "reserve"):
        one = max(floors[kind, 1])
        print(f"  {'raw floor, ' + kind:38} {max(floors[kind, 2]) / one:5.2f}x")
        in_dask = best[f"dask-floor-{kind}-2"]
        print(f"  {'in-Dask floor, ' + kind + ' (vs 1 process)':38} {in_dask / one:5.2f}x")
    print_medians(samples["ours"], floors)


def print_medians(ours: dict, floors: dict) -> None:
    """The same ratios from each side's median round: one unusually quick round (a
    floor run just after the server's background work finished) moves a best-of ratio
    by up to 0.3x, a median hardly."""
    mid = {mode: statistics.median(rates) for mode, rates in ours.items()}
    raw = {key: statistics.median(rates) for key, rates in floors.items()}
    print("\nmedians of the rounds: floor/ours (in-Dask floor/ours); scaling")
    for mode in MODES + DASK_MODES:
        row = f"  {LABELS[mode]:38} {raw[FLOOR_OF[mode]] / mid[mode]:5.2f}x"
        if mode in DASK_MODES:
            row += f" ({mid[mode.replace('dask-', 'dask-floor-')] / mid[mode]:.2f}x)"
        print(row)
    for mode, one in (("plain-2", "plain-1"), ("reserve-2", "reserve-1")):
        kind = one.split("-")[0]
        print(
            f"  scaling, {LABELS[mode]:28} {mid[mode] / mid[one]:5.2f}x "
            f"(raw floor {raw[kind, 2] / raw[kind, 1]:.2f}x)"
        )
    for mode, one in (("dask-plain-2", "plain-1"), ("dask-reserve-2", "reserve-1")):
        print(f"  scaling, {LABELS[mode]:28} {mid[mode] / mid[one]:5.2f}x")


if __name__ == "__main__":
    main()
