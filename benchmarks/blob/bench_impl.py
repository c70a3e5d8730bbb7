"""Time the workloads with one implementation and print one JSON line.

    python bench_impl.py dj_blob|upstream|floor

Run by run.py: `dj_blob` and `floor` under this repository's environment, `upstream` under
the virtual environment that holds DataJoint 0.14.10 from PyPI.
"""

from __future__ import annotations

import gc
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads


def best_of(fn, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def rounds_for(seconds: float) -> int:
    return 3 if seconds > 1.0 else 5 if seconds > 0.2 else 9


def run_codec(pack, unpack, MatStruct) -> dict:
    results = {}
    for name, (value, compress, repeat) in workloads.make(MatStruct).items():
        if repeat == 1:
            packed = pack(value, compress=compress)

            def do_pack(value=value, compress=compress):
                pack(value, compress=compress)

            def do_unpack(packed=packed):
                unpack(packed)

        else:
            packed = pack(value, compress=compress)

            def do_pack(value=value, compress=compress, repeat=repeat):
                for _ in range(repeat):
                    pack(value, compress=compress)

            def do_unpack(packed=packed, repeat=repeat):
                for _ in range(repeat):
                    unpack(packed)

        t0 = time.perf_counter()
        do_pack()
        rounds = rounds_for(time.perf_counter() - t0)
        results[name] = {
            "pack": best_of(do_pack, rounds),
            "unpack": best_of(do_unpack, rounds),
            "bytes": len(packed),
            "sha1": hashlib.sha1(packed).hexdigest(),
        }
    return results


def run_floor() -> dict:
    import numpy as np

    values = workloads.make(np.recarray)
    results = {}
    for name, (pack, unpack) in workloads.floors().items():
        value = values[name][0]
        packed = pack(value)
        results[name] = {
            "pack": best_of(lambda pack=pack, value=value: pack(value), 5),
            "unpack": best_of(
                lambda unpack=unpack, packed=packed, value=value: unpack(packed, value), 5
            ),
            "bytes": len(packed),
        }
    return results


def main(which: str) -> None:
    if which == "dj_blob":
        import dj_blob

        results = run_codec(dj_blob.pack, dj_blob.unpack, dj_blob.MatStruct)
    elif which == "upstream":
        import datajoint
        from datajoint.blob import MatStruct, pack, unpack

        results = run_codec(pack, unpack, MatStruct)
        results["_version"] = datajoint.__version__
    elif which == "floor":
        results = run_floor()
    else:
        raise SystemExit(f"unknown implementation {which!r}")
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
