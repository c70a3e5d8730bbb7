"""External-blob benchmark: dj-external vs upstream DataJoint 0.14.10.

    hatch run bench external       (or: hatch run python benchmarks/external/run.py)

Starts one moto S3 server (the test suite's), then runs bench_impl.py with this
implementation and with upstream 0.14.10 (its own virtual environment, from
`dj_testing.upstream.ensure_upstream_venv()`), each on its own bucket, file-store directory
and scratch database. The two alternate, one repetition each at a time (BENCH_REPEAT
rounds, default 3), so that both see the same machine load; the best time of each workload
is kept and the ratios printed. Each round also times `raw_s3.py`: the same S3 requests
with the bare minio client and nothing else, the floor any implementation stands on
against this server. Nothing asserts.
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "testing"))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _impl_process import print_ratio_table, run_bench_impl  # noqa: E402
from dj_testing.s3 import start_moto, stop_moto  # noqa: E402
from latency_proxy import LatencyProxy  # noqa: E402

# Added to every S3 request in the `*_s3_latency` workloads (seconds, one way).
LATENCY = float(os.environ.get("BENCH_S3_LATENCY", "0.010"))
from dj_testing.upstream import ensure_upstream_venv  # noqa: E402


def measure_raw(server, proxy: LatencyProxy) -> dict:
    bucket = server.make_bucket("djbench")
    return run_bench_impl(
        sys.executable, "raw", HERE, server.endpoint, bucket, proxy.endpoint, script="raw_s3.py"
    )


def measure(python: str, which: str, server, scratch: Path, proxy: LatencyProxy) -> dict:
    db = f"djbench_{uuid.uuid4().hex[:10]}_ext"
    bucket = server.make_bucket("djbench")
    location = scratch / f"{which}-{uuid.uuid4().hex[:6]}"
    location.mkdir()
    return run_bench_impl(
        python,
        which,
        HERE,
        db,
        server.endpoint,
        bucket,
        str(location),
        proxy.endpoint,
        env=dict(os.environ, BENCH_REPEAT="1"),
    )


def main() -> None:
    print("preparing upstream datajoint 0.14.10 environment ...", file=sys.stderr, flush=True)
    upstream_python = str(ensure_upstream_venv())
    server = start_moto()
    proxy = LatencyProxy(server.port, LATENCY).start()
    results: dict[str, dict[str, float]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="djbench-ext-") as scratch:
            for round_ in range(int(os.environ.get("BENCH_REPEAT", "3"))):
                for which, python in (("ours", sys.executable), ("upstream", upstream_python)):
                    print(f"timing {which}, round {round_ + 1} ...", file=sys.stderr, flush=True)
                    times = measure(python, which, server, Path(scratch), proxy)
                    best = results.setdefault(which, {})
                    for name, seconds in times.items():
                        best[name] = min(best.get(name, seconds), seconds)
                print(
                    f"timing raw S3 requests, round {round_ + 1} ...", file=sys.stderr, flush=True
                )
                best = results.setdefault("raw", {})
                for name, seconds in measure_raw(server, proxy).items():
                    best[name] = min(best.get(name, seconds), seconds)
    finally:
        proxy.stop()
        stop_moto(server)
    ours, upstream, raw = results["ours"], results["upstream"], results["raw"]
    rows = os.environ.get("BENCH_ROWS", "1000")
    print(f"external benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(
        f"python {sys.version.split()[0]}; {rows} blobs of 80 kB; "
        f"best of {os.environ.get('BENCH_REPEAT', '3')} runs; *_s3_latency: "
        f"{LATENCY * 1000:.0f} ms added to every S3 request\n"
    )
    print_ratio_table(ours, upstream, raw, ours_label="dj-external", raw_label="raw S3")


if __name__ == "__main__":
    main()
