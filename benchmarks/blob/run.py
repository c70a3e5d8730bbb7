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


class Worker:
    """One implementation's bench_impl.py process, timing one operation per request."""

    def __init__(self, python: str, which: str):
        env = dict(os.environ)
        if which == "upstream":
            env.pop("PYTHONPATH", None)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        self.which = which
        self.proc = subprocess.Popen(
            [python, str(HERE / "bench_impl.py"), which],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(HERE),
        )
        self.info = self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.which} benchmark worker failed (see its error above)")
        return json.loads(line)

    def time(self, name: str, op: str, calls: int = 1) -> float | None:
        self.proc.stdin.write(f"{name}\t{op}\t{calls}\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        self.proc.wait()


def fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:7.2f} s "
    if seconds >= 1e-3:
        return f"{seconds * 1e3:7.1f} ms"
    if seconds >= 10e-6:
        return f"{seconds * 1e6:7.0f} us"
    return f"{seconds * 1e6:7.2f} us"


def main() -> None:
    print("preparing upstream datajoint 0.14.10 environment ...", file=sys.stderr, flush=True)
    upstream_python = str(ensure_upstream_venv())
    print("building the workloads ...", file=sys.stderr, flush=True)
    workers = {
        "dj_blob": Worker(sys.executable, "dj_blob"),
        "upstream": Worker(upstream_python, "upstream"),
        "floor": Worker(sys.executable, "floor"),
    }
    version = workers["upstream"].info.pop("_version", "?")
    names = list(workers["dj_blob"].info)
    best: dict[tuple[str, str, str], float] = {}
    for name in names:
        for op in ("pack", "unpack"):
            print(f"timing {name} {op} ...", file=sys.stderr, flush=True)
            # rounds alternate between the implementations, so that all see the same load
            first = [workers[w].time(name, op) for w in workers]
            slowest = max(t for t in first if t is not None)
            rounds = 5 if slowest > 2 else 15 if slowest > 0.05 else 40
            # fast operations are timed over several calls (about 10 ms per timing)
            calls = {w: max(1, int(0.01 / t)) for w, t in zip(workers, first) if t}
            for w, t in zip(workers, first):
                if t is not None:
                    best[w, name, op] = t
            for _ in range(rounds):
                for w in calls:
                    t = workers[w].time(name, op, calls[w])
                    best[w, name, op] = min(best[w, name, op], t)
    for worker in workers.values():
        worker.close()

    print(
        f"blob codec benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"python {sys.version.split()[0]}; upstream datajoint {version}; best of 5-40 rounds"
        " interleaved between the implementations, CPU time\n"
    )
    header = (
        f"{'workload':28} {'op':6} {'dj_blob':>10} {'upstream':>10} {'floor':>10}"
        f" {'upstream/dj_blob':>17} {'dj_blob/floor':>14}  same bytes"
    )
    print(header)
    print("-" * len(header))
    ours, theirs = workers["dj_blob"].info, workers["upstream"].info
    for name in names:
        same = "yes" if ours[name]["sha1"] == theirs[name]["sha1"] else "NO"
        for op in ("pack", "unpack"):
            mine, up, f = (
                best["dj_blob", name, op],
                best["upstream", name, op],
                best.get(("floor", name, op)),
            )
            floor_time = fmt(f) if f else "-"
            floor_ratio = f"{mine / f:.2f}x" if f else "-"
            print(
                f"{name:28} {op:6} {fmt(mine):>10} {fmt(up):>10}"
                f" {floor_time:>10} {up / mine:16.1f}x {floor_ratio:>14}  {same if op == 'pack' else ''}"
            )


if __name__ == "__main__":
    main()
