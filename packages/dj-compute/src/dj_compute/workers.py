"""`populate(processes=N)`: keys computed by worker processes.

Each worker opens its own server connection when it starts (a database connection is
never shared between processes), then runs keys through the same `KeyRunner` as
in-process populate, so reservations, error rows and outcomes are identical. Keys go
out in chunks through a queue; outcomes come back per chunk and are handed on in key
order; the parent tallies them.

The pool is a few lines of our own rather than `multiprocessing.Pool`, for one reason:
when a worker dies (killed by the kernel's OOM killer, a segfault in an extension,
SIGKILL), `Pool` waits forever for the chunk it was working on. Here the parent notices
the dead process and stops with an error naming its exit code; the keys it held stay
`reserved` (with `reserve_jobs`) until cleared as stale.

On Linux workers are forked: the table classes the parent has bound are inherited as
they are. Elsewhere (spawn) the table object is pickled by reference to its class,
whose module is imported in the worker.

Interrupts: a make interrupted in a worker (SIGTERM under `reserve_jobs`, Ctrl-C) is
recorded and rolled back there; the worker hands the interruption back and the parent
raises it. When the parent stops early (an error, SIGTERM, Ctrl-C) it terminates the
workers, whose SIGTERM handler records their current make as an `error` job.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
from collections.abc import Iterator, Sequence
from typing import Any

from dj_core.errors import DataJointError

from dj_compute.make import KeyRunner, MakeOptions, error_message
from dj_compute.signals import on_sigterm_exit

__all__ = ["Interrupted", "Raised", "chunk_size", "pool_outcomes", "worker_count"]

#: how often the parent checks that its workers are alive while waiting (seconds)
POLL_SECONDS = 0.5
#: how long stopped workers get to finish recording their jobs before being killed
STOP_SECONDS = 10.0


class Interrupted:
    """A worker's make was interrupted by SystemExit or KeyboardInterrupt."""

    def __init__(self, error: BaseException) -> None:
        self.kind = type(error).__name__
        self.args = error.args

    def exception(self) -> BaseException:
        return SystemExit(*self.args) if self.kind == "SystemExit" else KeyboardInterrupt()


class Raised:
    """A make error a worker did not suppress: the parent raises it."""

    def __init__(self, error: BaseException) -> None:
        self.error = portable(error)


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


def portable(error: BaseException) -> BaseException:
    """The exception when it survives pickling, else a DataJointError with its message."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return DataJointError(error_message(error))
    return error


# --- in the worker ---------------------------------------------------------------------


def _worker_main(
    table: Any,
    jobs: Any,
    options: MakeOptions,
    reserve_jobs: bool,
    tasks: Any,
    results: Any,
) -> None:
    connections = {id(table.connection): table.connection}
    if jobs is not None:
        connections[id(jobs.connection)] = jobs.connection
    for connection in connections.values():
        connection.connect()  # this process's own session
    signal.signal(signal.SIGTERM, on_sigterm_exit if reserve_jobs else signal.SIG_DFL)
    runner = KeyRunner(table, jobs, options)
    while True:
        task = tasks.get()
        if task is None:
            return
        index, keys = task
        results.put((index, _run_chunk(runner, keys)))


def _run_chunk(runner: KeyRunner, keys: list[dict[str, Any]]) -> list[Any]:
    """The outcomes of a chunk of keys; an unsuppressed error or an interruption ends
    the list."""
    outcomes: list[Any] = []
    try:
        for outcome in runner.outcomes(keys):
            if isinstance(outcome, tuple) and isinstance(outcome[1], BaseException):
                outcome = (outcome[0], portable(outcome[1]))
            outcomes.append(outcome)
    except (SystemExit, KeyboardInterrupt) as error:
        outcomes.append(Interrupted(error))
    except Exception as error:
        outcomes.append(Raised(error))
    return outcomes


# --- in the parent ---------------------------------------------------------------------


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
    context = _context()
    size = chunk_size(len(keys), processes)
    chunks = [list(keys[start : start + size]) for start in range(0, len(keys), size)]
    tasks, results = context.Queue(), context.Queue()
    for task in enumerate(chunks):
        tasks.put(task)
    for _ in range(processes):
        tasks.put(None)
    workers = [
        context.Process(
            target=_worker_main,
            args=(table, jobs, options, reserve_jobs, tasks, results),
            daemon=True,
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    finished = False
    try:
        done: dict[int, list[Any]] = {}
        next_index = 0
        while next_index < len(chunks):
            try:
                index, outcomes = results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                _check_alive(workers)
                continue
            done[index] = outcomes
            while next_index in done:
                for outcome in done.pop(next_index):
                    if isinstance(outcome, Interrupted):
                        raise outcome.exception()
                    if isinstance(outcome, Raised):
                        raise outcome.error
                    yield outcome
                next_index += 1
        finished = True
    finally:
        _stop(workers, gently=finished)
        tasks.close()
        results.close()


def _check_alive(workers: list[Any]) -> None:
    for worker in workers:
        if worker.exitcode not in (None, 0):
            raise DataJointError(
                f"A populate worker process (pid {worker.pid}) died with exit code "
                f"{worker.exitcode} (negative: killed by that signal). The keys it was "
                "computing were not committed; with reserve_jobs their reservations stay "
                "until cleared with schema.jobs.clear_stale()."
            )
    if all(worker.exitcode == 0 for worker in workers):
        raise DataJointError("The populate worker processes ended before all keys were done.")


def _stop(workers: list[Any], *, gently: bool) -> None:
    """Let finished workers exit; terminate the others (SIGTERM: their running make
    is recorded as an error job), and kill what does not stop."""
    if not gently:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
    for worker in workers:
        worker.join(STOP_SECONDS)
        if worker.is_alive():
            worker.kill()
            worker.join(STOP_SECONDS)
