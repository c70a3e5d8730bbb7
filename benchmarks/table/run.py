"""Table benchmark: dj-query (on PyMySQL and on mysqlclient) vs upstream DataJoint 0.14.10
vs DataJoint 2.x vs the raw PyMySQL floor.

    hatch run bench table          (or: hatch run python benchmarks/table/run.py)

Workloads (workloads.py): the 2,000 rows of 80 kB float64 blobs inserted 1, 50 and 2,000
rows per call (`blob_<n>`); insert 100,000 scalar rows in one call; cascading delete of
one root row with 9 dependents over 3 tables (small) and with 20,000 dependents over 21
tables in 4 levels (wide); declaring a six-table schema through dj.Schema into an empty
database (ours, 0.14 and 2.x). 0.14 and 2.x run in venvs of their own on the same PyMySQL
version as ours (benchmarks/_venvs.py); 2.x runs the blob inserts and the declaration.
On PostgreSQL (same run): ours on psycopg, DataJoint 2.x (database.backend=postgresql,
its own venv with psycopg2) and raw psycopg (`executemany` and `COPY`), for the blob
inserts, the scalar insert and (ours, 2.x) the declaration. Each
implementation runs in its own process on its own scratch database (dropped at the
end); BENCH_ROUNDS rounds (default 2) run every implementation in turn, each process
keeping the best of BENCH_REPEAT runs (default 3; blob_1: BENCH_REPEAT_SLOW, default 1),
and the best of all is reported. Raw PyMySQL has no cascade. Nothing asserts.

BENCH_BACKENDS (default "mysql,postgresql") picks the servers; BENCH_SCALE (default 1)
multiplies the row counts (0.01 for a quick end-to-end check); BENCH_ONLY a workload
prefix (e.g. "declare").
"""

from __future__ import annotations

import datetime
import os
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "testing"))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.modules.pop("workloads", None)  # another benchmark's, when run.py runs several

from _impl_process import run_bench_impl  # noqa: E402
from _venvs import (  # noqa: E402
    DJ014_VERSION,
    DJ2_VERSION,
    PYMYSQL_VERSION,
    dj014_python,
    dj2_postgres_python,
    dj2_python,
)
from workloads import N_BLOB, N_SCALAR  # noqa: E402


def measure(python: str, which: str, driver: str | None = None) -> dict:
    db = f"djbench_{uuid.uuid4().hex[:10]}_table"
    env = dict(os.environ)
    if driver == "psycopg":
        env["BENCH_BACKEND"] = "postgresql"
    elif driver:
        env["DJ_DRIVER"] = driver
    return run_bench_impl(python, which, HERE, which, db, env=env)


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
BACKENDS = os.environ.get("BENCH_BACKENDS", "mysql,postgresql").split(",")


COLUMNS = ("ours", "ours-mc", "upstream", "dj2", "raw")
PG_COLUMNS = ("pg-ours", "pg-dj2", "pg-raw")


def main() -> None:
    print("preparing the 0.14 and 2.x environments ...", file=sys.stderr, flush=True)
    runs = {}
    if "mysql" in BACKENDS:
        runs.update(
            {
                "raw": (sys.executable, "raw", None),
                "ours": (sys.executable, "ours", "pymysql"),
                "ours-mc": (sys.executable, "ours", "mysqlclient"),
                "upstream": (str(dj014_python()), "upstream", None),
                "dj2": (str(dj2_python()), "dj2", None),
            }
        )
    if "postgresql" in BACKENDS:
        runs.update(
            {
                "pg-raw": (sys.executable, "raw", "psycopg"),
                "pg-ours": (sys.executable, "ours", "psycopg"),
                "pg-dj2": (str(dj2_postgres_python()), "dj2", "psycopg"),
            }
        )
    # rounds of every implementation in turn: load from other processes on the machine
    # falls on all alike; the best time of every workload is kept
    results: dict[str, dict[str, float]] = {name: {} for name in runs}
    for round_number in range(ROUNDS):
        for label, (python, which, driver) in runs.items():
            print(f"round {round_number + 1}: timing {label} ...", file=sys.stderr, flush=True)
            for name, seconds in measure(python, which, driver).items():
                results[label][name] = min(seconds, results[label].get(name, float("inf")))
    print(f"table benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    print(
        f"python {sys.version.split()[0]}; {N_BLOB:,} blob rows, {N_SCALAR:,} scalar rows; "
        f"best of {ROUNDS} x {repeat} runs"
    )
    if "mysql" in BACKENDS:
        print(
            f"\nMySQL: PyMySQL {PYMYSQL_VERSION} for ours, upstream {DJ014_VERSION}, DataJoint "
            f"{DJ2_VERSION} and raw; ours-mc = dj-query on mysqlclient; raw = deflate on every "
            "core, then executemany"
        )
        print_table(results)
    if "postgresql" in BACKENDS:
        import psycopg

        print(
            f"\nPostgreSQL: ours and raw on psycopg {psycopg.__version__} "
            f"({psycopg.pq.__impl__}), DataJoint {DJ2_VERSION} on psycopg2; raw = deflate on "
            "every core, then executemany (em) or COPY FROM STDIN (copy)"
        )
        print_pg_table(results)


def print_pg_table(results: dict[str, dict[str, float]]) -> None:
    """PostgreSQL: ours, 2.x, the two raw floors, ours over each floor, 2.x over ours."""
    header = f"{'workload':16}" + "".join(f" {c:>9}" for c in ("ours", "dj2", "raw em", "raw copy"))
    header += f" {'ours/em':>8} {'ours/copy':>9} {'dj2/ours':>9}"
    print(header)
    print("-" * len(header))
    ours, dj2, raw = (results[c] for c in PG_COLUMNS)
    for name in ours:
        times = [ours[name], dj2.get(name), raw.get(name), raw.get(f"{name}_copy")]
        row = f"{name:16}" + "".join(f" {t:8.3f}s" if t else f" {'-':>9}" for t in times)
        row += "".join(
            f" {ours[name] / floor:{width - 1}.2f}x" if floor else f" {'-':>{width}}"
            for floor, width in ((times[2], 8), (times[3], 9))
        )
        row += f" {times[1] / ours[name]:8.2f}x" if times[1] else f" {'-':>9}"
        print(row)
    print_serial_floor(ours, raw)


def print_serial_floor(ours: dict[str, float], raw: dict[str, float]) -> None:
    """blob_1's second floor: each call deflates its own blob before sending it."""
    serial = raw.get("blob_1_serial")
    if serial and "blob_1" in ours:
        print(
            f"blob_1 against the serial floor (each call deflates its own blob, then sends "
            f"it): {serial:.3f}s, ours/serial {ours['blob_1'] / serial:.2f}x"
        )


def print_table(results: dict[str, dict[str, float]]) -> None:
    """Times per implementation, then ours/raw and each other's time over ours."""
    header = f"{'workload':16}" + "".join(f" {c:>9}" for c in COLUMNS)
    header += f" {'ours/raw':>9} {'up/ours':>8} {'dj2/ours':>9}"
    print(header)
    print("-" * len(header))
    ours = results["ours"]
    for name in ours:
        times = [results[c].get(name) for c in COLUMNS]
        row = f"{name:16}" + "".join(f" {t:8.3f}s" if t else f" {'-':>9}" for t in times)
        raw, up, dj2 = (
            results["raw"].get(name),
            results["upstream"].get(name),
            results["dj2"].get(name),
        )
        row += f" {ours[name] / raw:8.2f}x" if raw else f" {'-':>9}"
        row += f" {up / ours[name]:7.2f}x" if up else f" {'-':>8}"
        row += f" {dj2 / ours[name]:8.2f}x" if dj2 else f" {'-':>9}"
        print(row)
    print_serial_floor(ours, results["raw"])


if __name__ == "__main__":
    main()
