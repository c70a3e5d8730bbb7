"""Client instructions per key of a populate: dj-compute against the raw floor.

    hatch run python benchmarks/compute/instructions_per_key.py

Keys per second and CPU time swing from run to run on a shared virtual machine (±10-30%
in the two-worker modes), more than the differences worth chasing. The number of
instructions the client process executes does not: valgrind's callgrind counts them,
whatever else the machine does. This runs one process per measurement under
`valgrind --tool=callgrind` (Debian's `valgrind`; about 50 times slower than native): it
warms up (imports, catalog reads, the first statements), then computes N keys through
`Square.populate` (ours) or floor.py's bare statements (the floor), without and with
`reserve_jobs`. Two measurements with different N give the instructions per key as the
difference over the extra keys, so start-up and warm-up cancel. Repeated runs of the
same code differ by about ±10,000 instructions per key (the driver's reads depend on how
the server's answers arrive).

Knobs: BENCH_BACKENDS (as run.py), BENCH_KEYS (the two N, default "100,600"; with a few
dozen keys the noise and the per-batch work of jobs swamp the per-key count). Prints
one line per backend and mode; nothing asserts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

FEW, MANY = (int(n) for n in os.environ.get("BENCH_KEYS", "100,600").split(","))
WARM_UP = 40  # keys computed before counting starts matter only through the caches


def count_keys(what: str, keys: int) -> None:
    """In the measured process (environment from run.environment): warm up, then `keys`
    keys by `what` ("ours", "ours-jobs", "floor", "floor-jobs")."""
    import bench_tables
    import dj_compute.make
    from bench_tables import Item, Square
    from floor import empty, run_keys
    from run import MYSQL, POSTGRESQL

    server = POSTGRESQL if os.environ["DJ_BACKEND"] == "postgresql" else MYSQL
    db = os.environ["DJ_BENCH_DB"]
    reserve = what.endswith("jobs")
    # batches of reservations as large as at native speed (under valgrind each key
    # takes ~50 times longer, so populate would learn smaller batches)
    dj_compute.make.BATCH_SECONDS = 1000.0
    bench_tables.schema.jobs  # noqa: B018 - declared before counting
    last = len(Item()) - 1
    Square.populate(f"item > {last - WARM_UP}", reserve_jobs=reserve)
    floor_connection = server.connect()
    Square().delete_quick()
    empty(server, db)
    run_keys(server, db, list(range(last - WARM_UP, last)), reserve, floor_connection)
    Square().delete_quick()
    empty(server, db)
    if what.startswith("ours"):
        Square.populate(f"item < {keys}", reserve_jobs=reserve)
    else:
        run_keys(server, db, list(range(keys)), reserve, floor_connection)
    assert len(Square()) == keys, "not every key was computed"


def instructions(env: dict[str, str], what: str, keys: int) -> int:
    """Instructions callgrind counted for a whole measured process."""
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/callgrind.out",
                sys.executable,
                __file__,
                "--count",
                what,
                str(keys),
            ],
            env={**env, "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
            check=False,
        )
    found = re.findall(r"Collected : (\d+)", result.stderr)
    if result.returncode or not found:
        raise SystemExit(f"the measured process failed:\n{result.stderr[-3000:]}")
    return int(found[-1])


def main() -> None:
    import run

    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    print(f"client instructions per key (callgrind), {MANY} keys less {FEW} keys")
    for backend, _, env in run.scratch_databases("djbench_ir"):
        for mode in ("", "-jobs"):
            per_key = {
                who: (instructions(env, who + mode, MANY) - instructions(env, who + mode, FEW))
                / (MANY - FEW)
                for who in ("ours", "floor")
            }
            print(
                f"{backend}{', jobs' if mode else ''}: ours {per_key['ours']:,.0f}, "
                f"floor {per_key['floor']:,.0f}, ours/floor "
                f"{per_key['ours'] / per_key['floor']:.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--count":
        count_keys(sys.argv[2], int(sys.argv[3]))
    else:
        main()
