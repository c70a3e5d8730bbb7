"""Keys through `make`: reservation, transaction, outcome.

A make runs in one of two ways, decided by whether the method that will be called is a
generator function:

- regular: `make(key)` inside one transaction with a consistent snapshot (MySQL's
  `WITH CONSISTENT SNAPSHOT`, PostgreSQL's `REPEATABLE READ`), so every read sees one
  state and the inserts land together or not at all. On PostgreSQL a failed statement
  aborts the transaction: a make that goes on after one uses `connection.savepoint()`;
- deferred (a generator `make`, or the three parts `make_fetch`/`make_compute`/
  `make_insert` driven by `AutoPopulate.make`): fetch and compute outside any
  transaction, then inside one transaction fetch again, refuse if the inputs changed
  meanwhile (`fingerprint`), and insert. Long computations then hold no locks.

The outcome of a key is `SKIPPED`, `SUCCESS`, or an error tuple `(key, message or
exception)`. With jobs, the `~jobs` row tells the other workers: reserved while the key
is worked on, replaced by an `error` row after a rollback, removed once the results are
committed.

Reservations are taken a few keys at a time (`jobs.reserve_many`) when makes are quick,
and given back together after the batch: one statement and one commit for the batch
instead of one per key each way, while a batch is never held longer than about
`BATCH_SECONDS` — with slow makes it is one key, as in 0.14. Each make keeps its own
transaction; a key whose results are committed but whose reservation is not yet given
back is skipped by everybody (0.14 also removed the row after the commit), and a
worker dying in between leaves a stale reservation of a finished key, nothing worse.
"""

from __future__ import annotations

import inspect
import logging
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from dj_core.errors import DataJointError, LostConnectionError
from dj_core.hash import key_hash

from dj_compute.fingerprint import fingerprint
from dj_compute.permission import inserts_allowed
from dj_compute.presence import Presence

__all__ = ["SKIPPED", "SUCCESS", "KeyRunner", "MakeOptions", "error_message"]

logger = logging.getLogger("datajoint")

SUCCESS = True
SKIPPED = None

#: how long a batch of reservations may wait for its last key, at most (seconds)
BATCH_SECONDS = 0.05
MAX_BATCH = 32

#: the batch size last learned for each target table in this process: a populate task
#: (Dask, submitit) or a later populate call starts from it instead of one key
_learned_batch: dict[str, int] = {}


@dataclass(frozen=True)
class MakeOptions:
    """The per-key options of a populate call (picklable: they reach worker processes)."""

    suppress_errors: bool = False
    return_exception_objects: bool = False
    make_kwargs: dict[str, Any] = field(default_factory=dict)


def error_message(error: BaseException) -> str:
    """`"ValueError: bad trace"`, or just the class name when the text is empty."""
    text = str(error)
    return type(error).__name__ + (f": {text}" if text else "")


def make_method(table: Any) -> Any:
    """The bound method populate calls: `_make_tuples` (the pre-0.12 name) or `make`."""
    legacy = getattr(table, "_make_tuples", None)
    return legacy if legacy is not None else table.make


class KeyRunner:
    """Runs keys of one populate call through `make` (see the module docstring)."""

    def __init__(self, table: Any, jobs: Any, options: MakeOptions) -> None:
        self.table = table
        self.jobs = jobs
        self.options = options
        self.make_kwargs = options.make_kwargs
        self.target = table.target
        self.connection = table.connection
        self.make = make_method(table)
        self.deferred = inspect.isgeneratorfunction(self.make)
        # the reservation is removed inside the make's transaction when both share it
        self.complete_inside = jobs is not None and jobs.connection is self.connection
        self.table_name = self.target.table_name  # (computed from the class name)
        self.present = Presence(self.target)
        # entered around each key's make (one runner never runs two keys at once)
        self.inserts_allowed = inserts_allowed(table.full_table_name)
        self.batch = _learned_batch.get(self.target.full_table_name, 1)

    # --- many keys ----------------------------------------------------------------------

    def outcomes(self, keys: Sequence[dict[str, Any]]) -> Iterator[Any]:
        """The outcome of each key, in order."""
        if self.jobs is None:
            for key in keys:
                yield self.run(key, None)
            return
        position = 0
        while position < len(keys):
            batch = keys[position : position + self.batch]
            position += len(batch)
            yield from self._reserved_batch(batch)

    def _reserved_batch(self, batch: Sequence[dict[str, Any]]) -> Iterator[Any]:
        table_name = self.table_name
        job_key = self.table._job_key
        job_keys = [job_key(key) for key in batch]
        hashes = [key_hash(key) for key in job_keys]  # once per key, for both statements
        granted = self.jobs.reserve_many(table_name, job_keys, hashes=hashes)
        mine = [
            (key, job, digest)
            for key, job, digest, ok in zip(batch, job_keys, hashes, granted)
            if ok
        ]
        for _ in range(len(batch) - len(mine)):
            yield SKIPPED
        started = time.perf_counter()
        try:
            for key, job, _ in mine:
                yield self.run(key, job, complete=False)
        finally:
            # one statement gives back every reservation of the batch still held: keys
            # committed or found done, and keys not reached when interrupted (failed
            # keys are `error` rows by now and stay)
            if mine:
                self.jobs.release(table_name, (), hashes=[digest for _, _, digest in mine])
        if mine:
            per_key = (time.perf_counter() - started) / len(mine)
            self.batch = max(1, min(MAX_BATCH, int(BATCH_SECONDS / max(per_key, 1e-6))))
            _learned_batch[self.target.full_table_name] = self.batch

    # --- one key ------------------------------------------------------------------------

    def run(
        self, key: dict[str, Any], job_key: dict[str, Any] | None, *, complete: bool = True
    ) -> Any:
        """Compute one key; `job_key` is its reservation (None without jobs). With
        `complete=False` the reservation is left for the caller to remove."""
        connection = self.connection
        target = self.target
        jobs = self.jobs if job_key is not None else None
        completes = jobs is not None and complete
        if not self.deferred:
            connection.start_transaction()
        try:
            if self.present(key):
                if not self.deferred:
                    connection.cancel_transaction()
                if completes:
                    jobs.complete(self.table_name, job_key)
                return SKIPPED
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("Making %s -> %s", key, target.full_table_name)
            with self.inserts_allowed:
                if self.deferred:
                    self._run_deferred(key)
                else:
                    self.make(dict(key), **self.make_kwargs)
            if completes and self.complete_inside:
                jobs.complete(self.table_name, job_key)
            connection.commit_transaction()
        except BaseException as error:
            _roll_back(connection)
            message = error_message(error)
            if jobs is not None:
                jobs.error(self.table_name, job_key, message, traceback.format_exc())
            if (
                isinstance(error, (SystemExit, KeyboardInterrupt))
                or not self.options.suppress_errors
            ):
                raise
            logger.error("Error making %s -> %s - %s", key, target.full_table_name, message)
            return (key, error if self.options.return_exception_objects else message)
        if completes and not self.complete_inside:
            jobs.complete(self.table_name, job_key)
        return SUCCESS

    def _run_deferred(self, key: dict[str, Any]) -> None:
        """Fetch and compute outside a transaction, then re-fetch, compare and insert
        inside one (left open for the caller to commit)."""
        make_kwargs = self.options.make_kwargs
        first = self.make(dict(key), **make_kwargs)
        fetched = next(first)
        expected = fingerprint(fetched)
        computed = next(first)
        first.close()
        self.connection.start_transaction()
        second = self.make(dict(key), **make_kwargs)
        if fingerprint(next(second)) != expected:
            raise DataJointError(
                "Referential integrity failed! The `make_fetch` data has changed since it "
                f"was first fetched for {key}: the key is left for a later populate."
            )
        try:
            second.send(computed)
        except StopIteration:
            raise DataJointError(
                f"{self.table.class_name}.make must end with a bare `yield` after inserting: "
                "the generator returned instead, so its inserts were rolled back."
            ) from None
        second.close()


def _roll_back(connection: Any) -> None:
    try:
        connection.cancel_transaction()
    except LostConnectionError:  # the server has rolled back with the connection
        pass
