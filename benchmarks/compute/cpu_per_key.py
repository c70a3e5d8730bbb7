"""CPU per key of a populate: dj-compute against the raw floor, in one process.

    hatch run python benchmarks/compute/cpu_per_key.py

Keys per second mix three costs: the client's CPU, the server's CPU and the wait for
the server's log flush at each COMMIT. With two workers on two cores the first two
compete, so the client's CPU per key is what dj-compute can still cut. This measures,
per key over 2,000 keys without and with `reserve_jobs`, the client's user CPU time
(`os.times()`) and the server processes' CPU time (from `/proc`, so only on the machine
running the server; all `postgres` processes on PostgreSQL), for ours
(`Square.populate`) and the floor (floor.py's bare statements on a connection of the same
process), alternating, best of DJ_BENCH_ROUNDS rounds (default 6). BENCH_BACKENDS picks
the servers as in run.py. Prints one line per backend; nothing asserts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ROUNDS = int(os.environ.get("DJ_BENCH_ROUNDS", "6"))


def server_seconds(backend: str) -> float:
    """CPU seconds used so far by the server's processes (0 when not on this machine)."""
    name = "postgres" if backend == "postgresql" else "mariadbd|mysqld"
    found = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True, check=False)
    ticks = 0
    for pid in found.stdout.split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(backend: str, db: str) -> str:
    """In a process whose environment points `bench_tables` at `db` on `backend`."""
    import bench_tables
    from bench_tables import Square
    from floor import empty as empty_floor
    from floor import run_keys
    from run import MYSQL, POSTGRESQL

    server = POSTGRESQL if backend == "postgresql" else MYSQL
    floor_connection = server.connect()
    keys = len(bench_tables.Item())
    bench_tables.schema.jobs  # noqa: B018 - declared before timing
    Square.populate(limit=1)  # warm: imports, catalog reads, the floor's first statements
    Square.populate(limit=1, reserve_jobs=True)
    best: dict[tuple[str, bool], tuple[float, float]] = {}

    def record(label: str, reserve: bool, run: object) -> None:
        Square().delete_quick()
        empty_floor(server, db)
        user, busy = os.times().user, server_seconds(backend)
        run()  # type: ignore[operator]
        sample = ((os.times().user - user) / keys, (server_seconds(backend) - busy) / keys)
        old = best.get((label, reserve), (1.0, 1.0))
        best[label, reserve] = (min(old[0], sample[0]), min(old[1], sample[1]))

    for _ in range(ROUNDS):
        for reserve in (False, True):
            record("ours", reserve, lambda r=reserve: Square.populate(reserve_jobs=r))
            record(
                "floor",
                reserve,
                lambda r=reserve: run_keys(server, db, list(range(keys)), r, floor_connection),
            )
    return "  ".join(
        f"{label}{', jobs' if reserve else ''}: client {client * 1e6:.0f} µs, "
        f"server {busy * 1e6:.0f} µs"
        for (label, reserve), (client, busy) in best.items()
    )


def main() -> None:
    import run

    print(f"CPU per key, best of {ROUNDS} rounds, {run.N_KEYS} keys")
    for backend, _, env in run.scratch_databases("djbench_cpu"):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, __file__, "--measure", backend, env["DJ_BENCH_DB"]],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise SystemExit(result.stderr[-3000:])
        line = result.stdout.strip().splitlines()[-1]
        print(f"{backend}: {line} ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(measure(sys.argv[2], sys.argv[3]))
    else:
        main()
