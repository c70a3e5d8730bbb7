"""What the ratio benchmarks' run.py files share: running a folder's bench_impl.py,
and printing the ratios of ours, upstream and a raw floor.

Each implementation is timed in a process of its own: ours with this interpreter,
upstream DataJoint 0.14.10 with the interpreter of its virtual environment. bench_impl.py
prints its results as JSON on the last line of its output.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


def run_bench_impl(
    python: str,
    which: str,
    folder: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    script: str = "bench_impl.py",
) -> dict:
    """Run `folder/script *args` (default bench_impl.py) with `python` in `folder`; the
    JSON of its last line.

    `env` (default: this process's environment) loses PYTHONPATH for upstream, so that it
    cannot import our packages, and gets OPENBLAS_NUM_THREADS=1 unless it sets it. A
    failing run ends the benchmark with the end of its stderr."""
    env = dict(os.environ if env is None else env)
    if which == "upstream":
        env.pop("PYTHONPATH", None)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    result = subprocess.run(
        [python, str(folder / script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(folder),
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{which} benchmark failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_ratio_table(
    ours: Mapping[str, float],
    upstream: Mapping[str, float],
    raw: Mapping[str, float],
    *,
    ours_label: str,
    raw_label: str = "raw",
) -> None:
    """One row a workload: the three times, ours/raw and up/raw where a floor was
    measured, and up/ours."""
    width = max(14, *map(len, ours))
    header = (
        f"{'workload':{width}} {ours_label:>12} {'upstream':>10} {raw_label:>10}"
        f" {'ours/raw':>9} {'up/raw':>8} {'up/ours':>8}"
    )
    print(header)
    print("-" * len(header))
    for name in ours:
        floor = raw.get(name)
        row = f"{name:{width}} {ours[name]:11.3f}s {upstream[name]:9.3f}s "
        if floor:
            row += f"{floor:9.3f}s {ours[name] / floor:8.2f}x {upstream[name] / floor:7.2f}x"
        else:
            row += f"{'-':>10} {'-':>9} {'-':>8}"
        print(row + f" {upstream[name] / ours[name]:7.2f}x")
