"""The S3 server's own floor: the requests of the S3 workloads and nothing else.

    python raw_s3.py S3_ENDPOINT BUCKET [LATENT_S3_ENDPOINT]

PUTs BENCH_ROWS objects of 80 kB (random bytes, the size of the benchmark's blobs), then
GETs them all, with the bare minio client from as many threads as dj-external uses: no
DataJoint, no packing, no database. Whatever a DataJoint does on top, an S3 workload
cannot take less time than this against the same server. Prints one JSON line:
workload -> seconds, named like bench_impl.py's.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import urllib3
from minio import Minio

N_ROWS = int(os.environ.get("BENCH_ROWS", "1000"))
THREADS = 16  # dj_external.external.DEFAULT_MAX_WORKERS
SIZE = 80_000


def timed(endpoint: str, bucket: str) -> tuple[float, float]:
    client = Minio(
        endpoint,
        access_key="datajoint-test",
        secret_key="datajoint-test-secret",
        secure=False,
        http_client=urllib3.PoolManager(maxsize=THREADS),
    )
    prefix = uuid.uuid4().hex[:8]
    payloads = [os.urandom(SIZE) for _ in range(N_ROWS)]

    def put(index: int) -> None:
        client.put_object(bucket, f"raw/{prefix}/{index}", io.BytesIO(payloads[index]), SIZE)

    def get(index: int) -> None:
        response = client.get_object(bucket, f"raw/{prefix}/{index}")
        try:
            response.read()
        finally:
            response.close()
            response.release_conn()

    with ThreadPoolExecutor(THREADS) as pool:
        start = time.perf_counter()
        list(pool.map(put, range(N_ROWS)))
        put_seconds = time.perf_counter() - start
        start = time.perf_counter()
        list(pool.map(get, range(N_ROWS)))
        get_seconds = time.perf_counter() - start
    for index in range(N_ROWS):
        client.remove_object(bucket, f"raw/{prefix}/{index}")
    return put_seconds, get_seconds


def main(endpoint: str, bucket: str, latent: str = "") -> None:
    results = {}
    for label, where in (("s3", endpoint), ("s3_latency", latent)):
        if where:
            results[f"insert_{label}"], results[f"fetch_{label}"] = timed(where, bucket)
    print(json.dumps(results))


if __name__ == "__main__":
    main(*sys.argv[1:4])
