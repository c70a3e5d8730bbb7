"""One benchmark process: `DJ_BENCH_DB=... python bench_impl.py MODE...` under either
implementation (`import datajoint as dj` is ours or upstream 0.14.10, depending on the
interpreter). Modes: `plain-1`, `plain-2`, `reserve-1`, `reserve-2` (without or with
`reserve_jobs`, in one or two processes) and, ours only, `dask-plain-2`,
`dask-reserve-2` (a two-worker Dask LocalCluster), and on the same cluster the raw floor
`dask-floor-plain-2`, `dask-floor-reserve-2` (floor.py's bare driver statements for the
same eight shares of the keys, submitted as tasks). For each it empties the target
table, populates all keys with a trivial make and records keys per second. Prints
one JSON line. The server is DJ_BACKEND's (DJ_HOST, DJ_USER, DJ_PASS, DJ_DATABASE_NAME).
"""

from __future__ import annotations

import json
import os
import sys
import time

import bench_tables
from bench_tables import Item, Square, schema

N_TASKS = 8


def floor_server():
    """Where the in-Dask floor connects: the server of this process's DataJoint."""
    from floor import Server

    host, _, port = os.environ.get("DJ_HOST", "127.0.0.1").partition(":")
    backend = os.environ.get("DJ_BACKEND", "mysql")
    return Server(
        backend,
        host,
        int(port or (5432 if backend == "postgresql" else 3306)),
        os.environ.get("DJ_USER", "root"),
        os.environ.get("DJ_PASS", ""),
        os.environ.get("DJ_DATABASE_NAME") if backend == "postgresql" else None,
        os.environ.get("DJ_DRIVER") or "pymysql",
    )


def dask_floor(client: object, reserve: bool) -> int:
    """The floor's statements for the same shares of the keys as `populate(executor=...,
    tasks=8)`, as tasks on the same cluster; each worker keeps one connection, as it
    keeps its DataJoint connection between populate tasks."""
    from floor import dask_task

    server, db = floor_server(), schema.database
    items = sorted(Item().fetch("item").tolist())
    size, extra = divmod(len(items), N_TASKS)
    shares, start = [], 0
    for index in range(N_TASKS):
        end = start + size + (index < extra)
        shares.append(items[start:end])
        start = end
    futures = [client.submit(dask_task, server, db, share, reserve, pure=False) for share in shares]
    return sum(future.result() for future in futures)


def dask_populate(client: object, reserve: bool) -> dict:
    """populate(executor=client) always reserves; without jobs the same tasks are
    submitted with `reserve_jobs=False` (the work split by the caller is disjoint)."""
    if reserve:
        return Square.populate(executor=client, tasks=N_TASKS)
    from dataclasses import replace

    from dj_compute.executors import split_keys
    from dj_compute.make import MakeOptions
    from dj_compute.tasks import run_task

    todo = (Item - Square).fetch("KEY")
    template = replace(Square()._task_template(MakeOptions(), 1), reserve_jobs=False)
    futures = [
        client.submit(run_task, replace(template, keys=tuple(share), label="bench"), pure=False)
        for share in split_keys(todo, N_TASKS)
    ]
    results = [future.result() for future in futures]
    return {"success_count": sum(result.success_count for result in results), "error_list": []}


def main() -> None:
    modes = sys.argv[1:]
    rates: dict[str, float] = {}
    schema.jobs  # noqa: B018 - declares ~jobs (the floor uses it too)
    # Warm up, untimed: one key through populate with and without jobs, so the timed
    # modes measure keys per second, not the process's first catalog reads, imports and
    # dependency graph (the floor's connection is open and its statements known too).
    Square.populate(limit=1)
    Square.populate(limit=1, reserve_jobs=True)
    client = cluster = None
    for mode in modes:
        Square().delete_quick()
        schema.jobs.delete()
        assert not len(Square()), "the target was not emptied"
        if mode.startswith("dask"):
            if client is None:
                from distributed import Client, LocalCluster

                cluster = LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                )
                client = Client(cluster)
                client.run(lambda: __import__("bench_tables") and None)  # import, connect
                client.run(lambda: __import__("floor") and None)
            started = time.perf_counter()
            if mode.startswith("dask-floor"):
                result = {"success_count": dask_floor(client, reserve="reserve" in mode)}
            else:
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
