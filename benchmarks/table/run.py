"""Table benchmark: dj-query vs upstream DataJoint 0.14.10 vs raw PyMySQL `executemany`.

    hatch run bench table          (or: hatch run python benchmarks/table/run.py)

Workloads (workloads.py): insert 100,000 scalar rows in one call; insert 2,000 rows of
10,000-element float64 blobs; cascading delete of one root row with 9 dependents over
3 tables (small) and with 20,000 dependents over 21 tables in 4 levels (wide); declaring a
six-table schema through dj.Schema into an empty database. Each
implementation runs in its own process on its own scratch database (dropped at the
end); BENCH_ROUNDS rounds (default 2) run raw, ours and upstream in turn, each process
keeping the best of BENCH_REPEAT runs (default 3), and the best of all is reported.
Raw PyMySQL has no cascade and no declaration, so those ratios compare dj-query with
upstream.
Nothing asserts.
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

from _impl_process import print_ratio_table, run_bench_impl  # noqa: E402
from dj_testing.upstream import ensure_upstream_venv  # noqa: E402


def measure(python: str, which: str) -> dict:
    db = f"djbench_{uuid.uuid4().hex[:10]}_table"
    return run_bench_impl(python, which, HERE, which, db)


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def main() -> None:
    print("preparing upstream datajoint 0.14.10 environment ...", file=sys.stderr, flush=True)
    upstream_python = str(ensure_upstream_venv())
    # rounds of (raw, ours, upstream) in turn: load from other processes on the machine
    # falls on all three alike; the best time of every workload is kept
    results: dict[str, dict[str, float]] = {"raw": {}, "ours": {}, "upstream": {}}
    for round_number in range(ROUNDS):
        for which, python in (
            ("raw", sys.executable),
            ("ours", sys.executable),
            ("upstream", upstream_python),
        ):
            print(f"round {round_number + 1}: timing {which} ...", file=sys.stderr, flush=True)
            for name, seconds in measure(python, which).items():
                results[which][name] = min(seconds, results[which].get(name, float("inf")))
    raw, ours, upstream = results["raw"], results["ours"], results["upstream"]
    print(f"table benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    print(f"python {sys.version.split()[0]}; best of {ROUNDS} x {repeat} runs\n")
    print_ratio_table(ours, upstream, raw, ours_label="dj-query")


if __name__ == "__main__":
    main()
