"""Fuzzing the decoder: only BlobError, no hang, no runaway memory (see fuzz_blobs.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "fuzz_blobs.py"
CASES = int(os.environ.get("DJ_BLOB_FUZZ_CASES", "100000"))
MEMORY_LIMIT = 2 * 2**30  # address space of the fuzzing process


def test_fuzz_decoder_raises_only_blob_error():
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(CASES), "20261126", str(MEMORY_LIMIT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.stdout, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["n_failures"] == 0, json.dumps(summary["failures"], indent=1)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sum(summary["counts"].values()) >= CASES
    assert summary["counts"]["BlobError"] > CASES // 2
