"""`populate(executor=...)`: the keys computed by tasks on an executor the lab already runs.

An executor is anything with `submit(fn, *args, **kwargs)` returning a handle with
`.result()`: a `concurrent.futures` pool, a `dask.distributed.Client` (tasks are
submitted impure, so two identical tasks are never merged into one), a submitit
executor (its `map_array` submits all tasks as one job array). No executor library is
imported here; they are recognised by duck typing and by the module of their class.

The caller finds the work once (one query for the keys, one for the jobs to skip),
splits it into tasks (`dj_compute.tasks.PopulateTask`: picklable data only) and shows one
progress bar that advances as tasks finish. Every task reserves its keys in `~jobs`
before computing them, so the tasks mix safely with other populate calls, other hosts
and DataJoint 0.14 workers. A task that cannot be sent, cannot import its table or
reach the server, or whose worker dies becomes a `DataJointError` here naming the task
and the cause; reservations left by a dead worker of a failed task are released.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import pickle
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from dj_core.errors import DataJointError
from dj_core.hash import key_hash
from tqdm import tqdm

from dj_compute.tasks import PopulateTask, TaskResult, run_task

__all__ = ["PopulateTaskError", "executor_workers", "run_on_executor", "split_keys"]

logger = logging.getLogger("datajoint")

#: how often the caller looks at handles it cannot wait on (neither `concurrent.futures`
#: nor Dask futures, e.g. submitit jobs), and how long it blocks at most in one wait on
#: those it can (so an interrupt is seen) (seconds)
POLL_SECONDS = 0.05
WAIT_SECONDS = 1.0
#: how long a failed task's dead worker may take to be noticed by the server (seconds)
RELEASE_SECONDS = 3.0


class PopulateTaskError(DataJointError):
    """A populate task failed in its executor (it could not be sent, could not import its
    table, could not reach the server, or its worker died)."""


def executor_workers(executor: Any) -> int | None:
    """How many tasks the executor runs at once, when it says."""
    workers = getattr(executor, "_max_workers", None)  # concurrent.futures pools
    if isinstance(workers, int) and workers > 0:
        return workers
    nthreads = getattr(executor, "nthreads", None)  # dask.distributed.Client
    if callable(nthreads) and _library(executor) == "distributed":
        try:
            return sum(nthreads().values()) or None
        except Exception:
            return None
    return None


def split_keys(keys: Sequence[dict[str, Any]], n_tasks: int) -> list[list[dict[str, Any]]]:
    """`keys` in `n_tasks` contiguous shares whose sizes differ by at most one."""
    n_tasks = max(1, min(n_tasks, len(keys)))
    size, extra = divmod(len(keys), n_tasks)
    shares, start = [], 0
    for index in range(n_tasks):
        end = start + size + (index < extra)
        shares.append(list(keys[start:end]))
        start = end
    return shares


def _library(executor: Any) -> str:
    return type(executor).__module__.split(".")[0]


def _check_picklable(task: PopulateTask) -> None:
    try:
        pickle.dumps(task)
    except Exception as error:
        raise PopulateTaskError(
            f"Populate {task.label} cannot be sent to the executor: it does not pickle "
            f"({type(error).__name__}: {error}). Tasks carry restrictions, keys and "
            "make_kwargs; give them as strings, dicts, numbers or other picklable values."
        ) from error


def _submit(executor: Any, tasks: list[PopulateTask]) -> list[Any]:
    library = _library(executor)
    try:
        if library == "submitit" and hasattr(executor, "map_array"):
            return list(executor.map_array(run_task, tasks))
        if library == "distributed":
            return [executor.submit(run_task, task, pure=False) for task in tasks]
    except Exception as error:
        raise PopulateTaskError(
            f"Submitting {len(tasks)} populate tasks to {type(executor).__name__} failed: "
            f"{type(error).__name__}: {error}"
        ) from error
    handles = []
    for task in tasks:
        try:
            handles.append(executor.submit(run_task, task))
        except Exception as error:
            _cancel(handles)
            raise PopulateTaskError(
                f"Submitting populate {task.label} to {type(executor).__name__} failed: "
                f"{type(error).__name__}: {error}"
            ) from error
    return handles


def _cancel(handles: list[Any]) -> None:
    for handle in handles:
        cancel = getattr(handle, "cancel", None)
        done = getattr(handle, "done", None)
        if cancel is None or (callable(done) and done()):
            continue
        try:
            cancel()
        except Exception as error:
            logger.debug("Could not cancel a populate task: %s", error)


def _finished(handles: dict[int, Any]) -> list[int]:
    """Indexes of finished handles; without `done()`, the first one (waited for)."""
    ready = []
    for index, handle in handles.items():
        done = getattr(handle, "done", None)
        if not callable(done):
            return [index]
        if done():
            ready.append(index)
    return ready


def _wait_any(handles: dict[int, Any]) -> list[int]:
    """Indexes of finished handles, waiting until there is at least one: blocked on the
    futures themselves where the library offers it (`concurrent.futures.wait`,
    `distributed.wait`), so a finished task is seen at once, not at the next poll (with
    eight tasks of about a second each, polling every 50 ms cost up to 5% of a run);
    by polling otherwise."""
    while True:
        ready = _finished(handles)
        if ready:
            return ready
        pending = list(handles.values())
        try:
            if all(isinstance(handle, concurrent.futures.Future) for handle in pending):
                concurrent.futures.wait(
                    pending, timeout=WAIT_SECONDS, return_when=concurrent.futures.FIRST_COMPLETED
                )
                continue
            distributed = sys.modules.get("distributed")  # imported by whoever made the Client
            if distributed is not None and all(
                isinstance(handle, distributed.Future) for handle in pending
            ):
                distributed.wait(pending, timeout=WAIT_SECONDS, return_when="FIRST_COMPLETED")
                continue
        except TimeoutError:
            continue
        time.sleep(POLL_SECONDS)


def run_on_executor(
    table: Any,
    executor: Any,
    todo: list[dict[str, Any]],
    template: PopulateTask,
    *,
    n_tasks: int | None,
    jobs: Any,
    display_progress: bool,
) -> dict[str, Any]:
    """Split `todo` into tasks like `template`, run them on `executor`, and return the
    aggregated `{"success_count", "error_list"}` (see the module docstring)."""
    if n_tasks is None:
        n_tasks = 4 * (executor_workers(executor) or os.cpu_count() or 1)
    if n_tasks < 1:
        raise DataJointError(f"tasks must be a positive number, not {n_tasks}.")
    shares = split_keys(todo, n_tasks)
    tasks = [
        replace(
            template,
            keys=tuple(share),
            label=f"task {index + 1} of {len(shares)} ({table.class_name}, {len(share)} keys)",
        )
        for index, share in enumerate(shares)
    ]
    for task in tasks:
        _check_picklable(task)
    logger.debug("Populating %s: %d keys in %d tasks", table.class_name, len(todo), len(tasks))
    handles = dict(enumerate(_submit(executor, tasks)))
    success_count = 0
    error_list: list[Any] = []
    bar = tqdm(total=len(todo), desc=table.class_name, disable=not display_progress)
    try:
        with bar:
            while handles:
                for index in _wait_any(handles):
                    unfinished = [tasks[i] for i in handles]
                    result = _result(handles.pop(index), tasks[index], table, jobs, unfinished)
                    success_count += result.success_count
                    error_list.extend(result.error_list)
                    bar.update(len(tasks[index].keys or ()))
    except BaseException:
        _cancel(list(handles.values()))
        raise
    return {"success_count": success_count, "error_list": error_list}


def _result(
    handle: Any, task: PopulateTask, table: Any, jobs: Any, unfinished: list[PopulateTask]
) -> TaskResult:
    """The task's result; raises what the caller must see. When the task's worker
    failed, the reservations of every unfinished task held by dead connections are
    released first (a broken pool takes its other workers down too)."""
    try:
        result = handle.result()
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        _release_dead(jobs, table, unfinished)
        raise PopulateTaskError(
            f"Populate {task.label} failed in the executor: {type(error).__name__}: "
            f"{error or 'no message'}. Reservations its worker left were released."
        ) from error
    if not isinstance(result, TaskResult):
        raise PopulateTaskError(f"Populate {task.label} returned {result!r}, not a TaskResult.")
    where = f"on {result.host} (pid {result.pid})"
    if result.failure is not None:
        raise PopulateTaskError(
            f"Populate {task.label} could not run {where}: {result.failure}\n"
            f"{result.failure_stack or ''}".rstrip()
        )
    if result.interrupted is not None:
        raise PopulateTaskError(
            f"Populate {task.label} was interrupted {where} ({result.interrupted}); its "
            "running make was rolled back and recorded as an error job, its other keys "
            "were released."
        )
    if result.raised is not None:
        raise result.raised
    return result


def _release_dead(jobs: Any, table: Any, tasks: list[PopulateTask]) -> None:
    """Release the tasks' reservations held by connections that are no longer alive
    (their worker died). The server may take a moment to notice a killed client, so
    this waits, briefly, until none of their keys is reserved."""
    if jobs is None:
        return
    table_name = table.target.table_name
    hashes = {key_hash(table._job_key(key)) for task in tasks for key in task.keys or ()}
    reserved = jobs & {"table_name": table_name, "status": "reserved"}
    deadline = time.monotonic() + RELEASE_SECONDS
    while hashes.intersection(reserved.fetch("key_hash")):
        jobs.clear_stale(table_name=table_name, key_hashes=hashes)
        if time.monotonic() > deadline:
            return
        time.sleep(0.2)
