"""Fuzz the decoder with truncated and mutated blobs and random bytes (run by test_fuzz.py).

    python fuzz_blobs.py CASES SEED MEMORY_LIMIT_BYTES

Runs in its own process under an address-space limit, so runaway allocation shows up as a
MemoryError (a failure here) instead of exhausting the machine. Prints one JSON summary
line; exits 1 if any case raised something other than BlobError or hung (over ten seconds).
"""

from __future__ import annotations

import json
import random
import resource
import struct
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def seeds(dj_blob, np) -> list[bytes]:
    from dj_blob_test_helpers import load_vectors

    blobs = [bytes.fromhex(v["blob_hex"]) for v in load_vectors() if v["blob_hex"]]
    rich = {
        "s": np.array(
            [[(np.zeros((2, 3)), np.array([[b"a", b"b"]]))]], dtype=[("x", object), ("y", object)]
        ).view(dj_blob.MatStruct),
        "c": np.array([np.arange(3.0), "txt", None, {1: 2}], dtype=object).view(dj_blob.MatCell),
        "r": np.array([(1, "ab", 2.5)], dtype=[("a", "i4"), ("b", "U3"), ("c", "f8")]),
        "l": [1, (2.5, "x"), {3, 4}, b"\0\1", None, True, 3 + 4j],
    }
    blobs.append(dj_blob.pack(rich))
    blobs.append(dj_blob.pack(np.arange(600.0)))  # compressed
    blobs.append(dj_blob.pack([{"k": i, "v": str(i)} for i in range(60)]))  # compressed dj0
    blobs.append(dj_blob.pack(np.zeros(2**20, np.uint8)))  # 1 MiB inflated from ~1 KiB
    return blobs


EXTREMES = [0, 1, 2, 7, 8, 255, 2**16 - 1, 2**31, 2**32 - 1, 2**32, 2**40, 2**62, 2**63, 2**64 - 1]


def mutate(rng: random.Random, blob: bytes, pool: list[bytes]) -> bytes:
    b = bytearray(blob)
    kind = rng.randrange(10)
    if kind == 0 and b:
        return bytes(b[: rng.randrange(len(b))])
    if kind == 1 and b:
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if kind == 2 and len(b) > 8:
        at = rng.randrange(len(b) - 7)
        value = rng.choice([*EXTREMES, len(b), len(b) - at, rng.randrange(2**64)])
        if rng.random() < 0.3:
            b[at : at + 4] = struct.pack("<I", value % 2**32)
        else:
            b[at : at + 8] = struct.pack("<Q", value)
        return bytes(b)
    if kind == 3 and b:
        at = rng.randrange(len(b))
        if rng.random() < 0.5:
            del b[at : at + rng.randint(1, 16)]
        else:
            b[at:at] = rng.randbytes(rng.randint(1, 16))
        return bytes(b)
    if kind == 4:
        other = rng.choice(pool)
        return bytes(b[: rng.randrange(len(b) + 1)]) + other[rng.randrange(len(other) + 1) :]
    if kind == 5:
        return rng.choice([b"mYm\0", b"dj0\0"]) + rng.randbytes(rng.randrange(64))
    if kind == 6:
        return rng.randbytes(rng.randrange(40))
    if kind == 7 and blob.startswith(b"ZL123\0"):
        try:
            inner = zlib.decompress(blob[14:])
        except zlib.error:
            inner = blob[14:]
        inner = mutate(rng, inner, pool)
        size = len(inner) if rng.random() < 0.8 else rng.choice(EXTREMES)
        return b"ZL123\0" + struct.pack("<Q", size) + zlib.compress(inner)
    if kind == 8 and b:
        at = rng.randrange(len(b))
        b[at] = rng.choice([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x41, 0x43, 0x46, 0x53, 0x50, 0xFF])
        return bytes(b)
    # several mutations in a row
    for _ in range(rng.randint(2, 4)):
        b = bytearray(mutate(rng, bytes(b), pool))
    return bytes(b)


def main() -> int:
    cases, seed, memory = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    import dj_blob
    import numpy as np

    pool = seeds(dj_blob, np)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    rng = random.Random(seed)
    counts = {"ok": 0, "BlobError": 0}
    failures = []
    slowest = 0.0
    for i in range(cases):
        data = mutate(rng, pool[i % len(pool)], pool) if i >= len(pool) else pool[i]
        squeeze = rng.random() < 0.3
        wide = rng.random() < 0.1
        t0 = time.perf_counter()
        try:
            dj_blob.unpack(data, squeeze=squeeze, use_32bit_dims=wide)
            counts["ok"] += 1
        except dj_blob.BlobError as e:
            counts["BlobError"] += 1
            if "byte" not in str(e) and "empty" not in str(e):
                failures.append(("message without offset", str(e), data.hex()[:400]))
        except BaseException as e:  # the point is to catch anything else
            failures.append((type(e).__name__, str(e)[:200], data.hex()[:400]))
        elapsed = time.perf_counter() - t0
        slowest = max(slowest, elapsed)
        if elapsed > 10.0:  # a hang, not a speed check: cases take microseconds
            failures.append(("slow", f"{elapsed:.2f} s", data.hex()[:400]))
    # truncations of every seed at every length
    for blob in pool:
        try:
            dj_blob.unpack(blob)
        except dj_blob.BlobError:
            continue  # a malformed seed: its prefixes may well be valid
        for n in range(len(blob)):
            try:
                dj_blob.unpack(blob[:n])
                failures.append(("truncated blob decoded", "", blob[:n].hex()[:400]))
            except dj_blob.BlobError:
                counts["BlobError"] += 1
            except BaseException as e:
                failures.append((type(e).__name__, str(e)[:200], blob[:n].hex()[:400]))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "counts": counts,
                "slowest_s": slowest,
                "peak_rss_kib": peak_kib,
                "failures": failures[:20],
                "n_failures": len(failures),
            }
        )
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
