"""One benchmark process: `DJ_BENCH_DB=... python bench_impl.py MODE...` under either
implementation (`import datajoint as dj` is ours or upstream 0.14.10, depending on the
interpreter). Modes: `plain-1`, `plain-2`, `reserve-1`, `reserve-2` (without or with
`reserve_jobs`, in one or two processes) and, ours only, `dask-plain-2`,
`dask-reserve-2` (a two-worker Dask LocalCluster). For each it empties the target
table, populates all keys with a trivial make and records keys per second. Prints
one JSON line.
"""

from __future__ import annotations

import json
import sys
import time

import bench_tables
from bench_tables import Item, Square, schema


def dask_populate(client: object, reserve: bool) -> dict:
    """populate(executor=client) always reserves; without jobs the same tasks are
    submitted with `reserve_jobs=False` (the work split by the caller is disjoint)."""
    if reserve:
        return Square.populate(executor=client, tasks=8)
    from dataclasses import replace

    from dj_compute.executors import split_keys
    from dj_compute.make import MakeOptions
    from dj_compute.tasks import run_task

    todo = (Item - Square).fetch("KEY")
    template = replace(Square()._task_template(MakeOptions(), 1), reserve_jobs=False)
    futures = [
        client.submit(run_task, replace(template, keys=tuple(share), label="bench"), pure=False)
        for share in split_keys(todo, 8)
    ]
    results = [future.result() for future in futures]
    return {"success_count": sum(result.success_count for result in results), "error_list": []}


def main() -> None:
    modes = sys.argv[1:]
    rates: dict[str, float] = {}
    schema.jobs  # noqa: B018 - declares ~jobs (the floor uses it too)
    client = cluster = None
    for mode in modes:
        Square().delete_quick()
        schema.jobs.delete()
        if mode.startswith("dask"):
            if client is None:
                from distributed import Client, LocalCluster

                cluster = LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                )
                client = Client(cluster)
                client.run(lambda: __import__("bench_tables") and None)  # import, connect
            started = time.perf_counter()
            result = dask_populate(client, reserve="reserve" in mode)
        else:
            kind, processes = mode.split("-")
            started = time.perf_counter()
            result = Square.populate(reserve_jobs=kind == "reserve", processes=int(processes))
        elapsed = time.perf_counter() - started
        assert result["success_count"] == len(Item()), (mode, result)
        rates[mode] = result["success_count"] / elapsed
    if client is not None:
        client.close()
        cluster.close()
    print(json.dumps(rates))
    assert bench_tables  # imported for the workers


if __name__ == "__main__":  # (Dask's spawned workers import this file again)
    main()
