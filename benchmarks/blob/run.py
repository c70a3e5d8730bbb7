"""Blob codec benchmark: dj_blob vs upstream datajoint.blob (0.14.10) vs the numpy/zlib floor.

    hatch run python benchmarks/blob/run.py

Builds (once, cached under .cache/) a virtual environment with DataJoint 0.14.10 from PyPI,
times the same workloads there, here, and with plain numpy/zlib, then prints the times and
the ratios measured in this one run. Each implementation runs in its own process, one
after the other. Benchmarks are not tests: nothing here asserts.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "testing"))

from dj_testing.upstream import ensure_upstream_venv  # noqa: E402


def measure(python: str, which: str) -> dict:
    env = dict(os.environ)
    if which == "upstream":
        env.pop("PYTHONPATH", None)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    result = subprocess.run(
        [python, str(HERE / "bench_impl.py"), which],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(HERE),
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{which} benchmark failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:7.2f} s "
    if seconds >= 1e-3:
        return f"{seconds * 1e3:7.1f} ms"
    return f"{seconds * 1e6:7.0f} us"


def main() -> None:
    print("preparing upstream datajoint 0.14.10 environment ...", file=sys.stderr, flush=True)
    upstream_python = str(ensure_upstream_venv())
    print("timing upstream ...", file=sys.stderr, flush=True)
    upstream = measure(upstream_python, "upstream")
    print("timing dj_blob ...", file=sys.stderr, flush=True)
    ours = measure(sys.executable, "dj_blob")
    print("timing numpy/zlib floor ...", file=sys.stderr, flush=True)
    floor = measure(sys.executable, "floor")

    version = upstream.pop("_version", "?")
    print(
        f"blob codec benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"
    )
    print(f"python {sys.version.split()[0]}; upstream datajoint {version}; best of several runs\n")
    header = (
        f"{'workload':28} {'op':6} {'dj_blob':>10} {'upstream':>10} {'floor':>10}"
        f" {'upstream/dj_blob':>17} {'dj_blob/floor':>14}  same bytes"
    )
    print(header)
    print("-" * len(header))
    for name, mine in ours.items():
        theirs = upstream[name]
        same = "yes" if mine["sha1"] == theirs["sha1"] else "NO"
        for op in ("pack", "unpack"):
            f = floor.get(name, {}).get(op)
            speedup = theirs[op] / mine[op]
            floor_time = fmt(f) if f else "-"
            floor_ratio = f"{mine[op] / f:.2f}x" if f else "-"
            print(
                f"{name:28} {op:6} {fmt(mine[op]):>10} {fmt(theirs[op]):>10}"
                f" {floor_time:>10} {speedup:16.1f}x {floor_ratio:>14}  {same if op == 'pack' else ''}"
            )


if __name__ == "__main__":
    main()
