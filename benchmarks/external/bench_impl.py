"""Time external blobs with one implementation (`ours` or `upstream`, whichever
`datajoint` this interpreter imports).

    python bench_impl.py DATABASE S3_ENDPOINT BUCKET FILE_LOCATION [LATENT_S3_ENDPOINT]

Workloads: insert 1,000 rows of one 80 kB blob (10,000 float64) in one `insert` call, and
fetch them all, through an S3 store, through a file store, and (with a fifth argument)
through the same S3 server behind a proxy that adds network latency to every request. Each repetition inserts new
values (fresh objects, nothing deduplicated) into emptied tables; the best of REPEAT runs
is kept. No blob cache. Prints one JSON line: workload -> seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time

import datajoint as dj
import numpy as np

N_ROWS = int(os.environ.get("BENCH_ROWS", "1000"))
ELEMENTS = 10_000  # float64: 80 kB per blob
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
ACCESS_KEY = "datajoint-test"
SECRET_KEY = "datajoint-test-secret"


def main(db: str, endpoint: str, bucket: str, location: str, latent: str = "") -> None:
    dj.config["database.host"] = os.environ.get("DJ_HOST", "127.0.0.1")
    dj.config["database.user"] = os.environ.get("DJ_USER", "root")
    dj.config["database.password"] = os.environ.get("DJ_PASS", "")
    dj.config["safemode"] = False
    dj.config["stores"] = {
        "s3": {
            "protocol": "s3",
            "endpoint": endpoint,
            "bucket": bucket,
            "location": "bench",
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "secure": False,
        },
        "local": {"protocol": "file", "location": location},
    }
    if latent:
        dj.config["stores"]["s3lat"] = {
            **dj.config["stores"]["s3"],
            "endpoint": latent,
            "location": "latent",
        }
    schema = dj.Schema(db)

    @schema
    class S3Blob(dj.Manual):
        definition = """
        blob_id : int
        ---
        value : blob@s3
        """

    @schema
    class FileBlob(dj.Manual):
        definition = """
        blob_id : int
        ---
        value : blob@local
        """

    tables = [("s3", S3Blob), ("file", FileBlob)]
    if latent:

        @schema
        class LatentBlob(dj.Manual):
            definition = """
            blob_id : int
            ---
            value : blob@s3lat
            """

        tables.append(("s3_latency", LatentBlob))

    best: dict[str, float] = {}
    try:
        for rep in range(REPEAT):
            for label, table in tables:
                rng = np.random.default_rng(1000 * rep + len(label))
                rows = [dict(blob_id=i, value=rng.random(ELEMENTS)) for i in range(N_ROWS)]
                start = time.perf_counter()
                table.insert(rows)
                insert = time.perf_counter() - start
                start = time.perf_counter()
                values = table.fetch("value")
                fetch = time.perf_counter() - start
                assert len(values) == N_ROWS and values[0].shape == (ELEMENTS,)
                for name, seconds in ((f"insert_{label}", insert), (f"fetch_{label}", fetch)):
                    best[name] = min(best.get(name, float("inf")), seconds)
                table.delete()
    finally:
        schema.drop()
    print(json.dumps(best))


if __name__ == "__main__":
    main(*sys.argv[1:6])
