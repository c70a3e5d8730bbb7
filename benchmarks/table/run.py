"""Table benchmark: dj-query (on PyMySQL and on mysqlclient) vs upstream DataJoint 0.14.10
vs DataJoint 2.x vs the raw PyMySQL floor.

    hatch run bench table          (or: hatch run python benchmarks/table/run.py)

Workloads (workloads.py): the 2,000 rows of 80 kB float64 blobs inserted 1, 50 and 2,000
rows per call (`blob_<n>`); insert 100,000 scalar rows in one call; cascading delete of
one root row with 9 dependents over 3 tables (small) and with 20,000 dependents over 21
tables in 4 levels (wide); declaring a six-table schema through dj.Schema into an empty
database (ours and 0.14). 0.14 and 2.x run in venvs of their own on the same PyMySQL
version as ours (benchmarks/_venvs.py); 2.x runs the blob inserts only. Each
implementation runs in its own process on its own scratch database (dropped at the
end); BENCH_ROUNDS rounds (default 2) run every implementation in turn, each process
keeping the best of BENCH_REPEAT runs (default 3; blob_1: BENCH_REPEAT_SLOW, default 1),
and the best of all is reported. Raw PyMySQL has no cascade. Nothing asserts.
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

from _impl_process import run_bench_impl  # noqa: E402
from _venvs import DJ014_VERSION, DJ2_VERSION, PYMYSQL_VERSION, dj014_python, dj2_python  # noqa: E402


def measure(python: str, which: str, driver: str | None = None) -> dict:
    db = f"djbench_{uuid.uuid4().hex[:10]}_table"
    env = dict(os.environ)
    if driver:
        env["DJ_DRIVER"] = driver
    return run_bench_impl(python, which, HERE, which, db, env=env)


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


COLUMNS = ("ours", "ours-mc", "upstream", "dj2", "raw")


def main() -> None:
    print("preparing the 0.14 and 2.x environments ...", file=sys.stderr, flush=True)
    runs = {
        "raw": (sys.executable, "raw", None),
        "ours": (sys.executable, "ours", "pymysql"),
        "ours-mc": (sys.executable, "ours", "mysqlclient"),
        "upstream": (str(dj014_python()), "upstream", None),
        "dj2": (str(dj2_python()), "dj2", None),
    }
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
        f"python {sys.version.split()[0]}; best of {ROUNDS} x {repeat} runs; PyMySQL "
        f"{PYMYSQL_VERSION} for ours, upstream {DJ014_VERSION}, DataJoint {DJ2_VERSION} and "
        "raw; ours-mc = dj-query on mysqlclient; raw = deflate on every core, then "
        "executemany\n"
    )
    print_table(results)


def print_table(results: dict[str, dict[str, float]]) -> None:
    """Times per implementation, then ours/raw and each other's time over ours."""
    header = f"{'workload':14}" + "".join(f" {c:>9}" for c in COLUMNS)
    header += f" {'ours/raw':>9} {'up/ours':>8} {'dj2/ours':>9}"
    print(header)
    print("-" * len(header))
    ours = results["ours"]
    for name in ours:
        times = [results[c].get(name) for c in COLUMNS]
        row = f"{name:14}" + "".join(f" {t:8.3f}s" if t else f" {'-':>9}" for t in times)
        raw, up, dj2 = (
            results["raw"].get(name),
            results["upstream"].get(name),
            results["dj2"].get(name),
        )
        row += f" {ours[name] / raw:8.2f}x" if raw else f" {'-':>9}"
        row += f" {up / ours[name]:7.2f}x" if up else f" {'-':>8}"
        row += f" {dj2 / ours[name]:8.2f}x" if dj2 else f" {'-':>9}"
        print(row)


if __name__ == "__main__":
    main()
