"""`populate(processes=N)`: keys computed by a pool of worker processes (compute.md §11).

Each worker opens its own server connection when it starts (a database connection is
never shared between processes), then runs keys through the same `KeyRunner` as
in-process populate, so reservations, error rows and outcomes are identical. Keys go
out in chunks and outcomes come back in key order; the parent tallies them.

On Linux workers are forked: the table classes the parent has bound are inherited as
they are. Elsewhere (spawn) the table object is pickled by reference to its class,
whose module is imported in the worker.

Interrupts: a make interrupted in a worker (SIGTERM under `reserve_jobs`, Ctrl-C) is
recorded and rolled back there; the worker hands the interruption back as a value and
the parent raises it, so the pool never waits for a result that will not come.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from collections.abc import Iterator, Sequence
from typing import Any

from dj_core.errors import DataJointError

from dj_compute.make import KeyRunner, MakeOptions, error_message
from dj_compute.signals import on_sigterm_exit

__all__ = ["Interrupted", "chunk_size", "pool_outcomes", "worker_count"]

_worker: dict[str, Any] = {}


class Interrupted:
    """A worker's make was interrupted by SystemExit or KeyboardInterrupt."""

    def __init__(self, error: BaseException) -> None:
        self.kind = type(error).__name__
        self.args = error.args

    def exception(self) -> BaseException:
        return SystemExit(*self.args) if self.kind == "SystemExit" else KeyboardInterrupt()


def worker_count(processes: int | None, n_keys: int) -> int:
    """`None`/0 = one per CPU; never more than the keys or the CPUs."""
    cpus = os.cpu_count() or 1
    wanted = processes or cpus
    if wanted < 0:
        raise DataJointError(f"processes must be a positive number or None, not {processes}.")
    return max(1, min(wanted, n_keys, cpus))


def chunk_size(n_keys: int, processes: int) -> int:
    """Keys handed to a worker at a time: large enough to amortise the hand-over, small
    enough that the progress bar moves and the workers finish together."""
    return max(1, min(64, n_keys // (processes * 8)))


def _start_worker(table: Any, jobs: Any, options: MakeOptions, reserve_jobs: bool) -> None:
    connections = {id(table.connection): table.connection}
    if jobs is not None:
        connections[id(jobs.connection)] = jobs.connection
    for connection in connections.values():
        connection.connect()  # this process's own session
    if reserve_jobs:
        signal.signal(signal.SIGTERM, on_sigterm_exit)
    _worker["runner"] = KeyRunner(table, jobs, options)


def _run_chunk(keys: list[dict[str, Any]]) -> list[Any]:
    """The outcomes of a chunk of keys; an interruption ends the list."""
    outcomes: list[Any] = []
    try:
        for outcome in _worker["runner"].outcomes(keys):
            if isinstance(outcome, tuple) and isinstance(outcome[1], BaseException):
                outcome = (outcome[0], _portable(outcome[1]))
            outcomes.append(outcome)
    except (SystemExit, KeyboardInterrupt) as error:
        outcomes.append(Interrupted(error))
    return outcomes


def _portable(error: BaseException) -> BaseException:
    """The exception when it survives pickling, else a DataJointError with its message."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return DataJointError(error_message(error))
    return error


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def pool_outcomes(
    table: Any,
    jobs: Any,
    keys: Sequence[dict[str, Any]],
    options: MakeOptions,
    processes: int,
    *,
    reserve_jobs: bool,
) -> Iterator[Any]:
    """The outcome of every key, in key order, computed by `processes` workers."""
    pool = _context().Pool(
        processes, initializer=_start_worker, initargs=(table, jobs, options, reserve_jobs)
    )
    try:
        size = chunk_size(len(keys), processes)
        chunks = [list(keys[start : start + size]) for start in range(0, len(keys), size)]
        for outcomes in pool.imap(_run_chunk, chunks):
            for outcome in outcomes:
                if isinstance(outcome, Interrupted):
                    raise outcome.exception()
                yield outcome
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
