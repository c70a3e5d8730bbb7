"""A benchmark worker: builds the workloads with one implementation, then times on request.

    python bench_impl.py dj_blob|upstream|floor

run.py starts one worker per implementation (`upstream` under the virtual environment that
holds DataJoint 0.14.10 from PyPI) and asks them in turn, round after round, so that all
three are measured under the same machine load. Protocol (one JSON document per line):
the worker first prints {workload: {"bytes": ..., "sha1": ...}}; then, for each request
line "WORKLOAD<TAB>OP<TAB>CALLS", it runs that operation CALLS times and prints the mean
CPU time of one in seconds (or null when it has no such workload). An empty line ends it.
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


def codec_operations(pack, unpack, MatStruct) -> tuple[dict, dict]:
    ops, info = {}, {}
    for name, (value, compress, repeat) in workloads.make(MatStruct).items():
        packed = pack(value, compress=compress)
        info[name] = {"bytes": len(packed), "sha1": hashlib.sha1(packed).hexdigest()}

        def do_pack(value=value, compress=compress, repeat=repeat):
            for _ in range(repeat):
                pack(value, compress=compress)

        def do_unpack(packed=packed, repeat=repeat):
            for _ in range(repeat):
                unpack(packed)

        ops[name] = {"pack": do_pack, "unpack": do_unpack}
    return ops, info


def floor_operations() -> tuple[dict, dict]:
    import numpy as np

    values = workloads.make(np.recarray)
    ops, info = {}, {}
    for name, (pack, unpack) in workloads.floors().items():
        value = values[name][0]
        packed = pack(value)
        info[name] = {"bytes": len(packed)}
        ops[name] = {
            "pack": lambda pack=pack, value=value: pack(value),
            "unpack": lambda unpack=unpack, packed=packed, value=value: unpack(packed, value),
        }
    return ops, info


def main(which: str) -> None:
    if which == "dj_blob":
        import dj_blob

        # measure the decoding work itself: no cache of recently inflated blobs
        dj_blob.codec.inflate_cache_size = 0
        dj_blob.codec.clear_inflate_cache()
        ops, info = codec_operations(dj_blob.pack, dj_blob.unpack, dj_blob.MatStruct)
    elif which == "upstream":
        import datajoint
        from datajoint.blob import MatStruct, pack, unpack

        ops, info = codec_operations(pack, unpack, MatStruct)
        info["_version"] = datajoint.__version__
    elif which == "floor":
        ops, info = floor_operations()
    else:
        raise SystemExit(f"unknown implementation {which!r}")
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            break
        name, op, calls = line.split("\t")
        fn = ops.get(name, {}).get(op)
        if fn is None:
            print("null", flush=True)
            continue
        calls = int(calls)
        gc.collect()
        # CPU time of this process: other jobs on the machine do not count
        t0 = time.process_time()
        for _ in range(calls):
            fn()
        print(json.dumps((time.process_time() - t0) / calls), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
