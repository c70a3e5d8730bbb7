"""Run the ratio benchmarks: `hatch run bench [NAME ...]` (default: every benchmarks/*/run.py).

Each benchmark times this implementation, upstream DataJoint 0.14.10 (in its own
virtual environment) and the raw floor (pymysql / numpy / zlib) in one run, and prints
ratios. Benchmarks are not tests: nothing here asserts on time.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> dict[str, Path]:
    return {path.parent.name: path for path in sorted(HERE.glob("*/run.py"))}


def main(names: list[str]) -> int:
    benchmarks = available()
    unknown = [name for name in names if name not in benchmarks]
    if unknown:
        sys.stderr.write(f"unknown benchmark(s) {unknown}; available: {sorted(benchmarks)}\n")
        return 2
    sys.path.insert(0, str(HERE.parent / "testing"))
    for name in names or list(benchmarks):
        sys.stdout.write(f"\n## {name}\n")
        runpy.run_path(str(benchmarks[name]), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
