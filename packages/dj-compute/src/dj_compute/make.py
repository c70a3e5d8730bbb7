"""One key through `make`: reservation, transaction, outcome (compute.md §2, §5).

A make runs in one of two ways, decided by whether the method that will be called is a
generator function:

- regular: `make(key)` inside one transaction (`START TRANSACTION WITH CONSISTENT
  SNAPSHOT`), so every read sees one state and the inserts land together or not at all;
- deferred (a generator `make`, or the three parts `make_fetch`/`make_compute`/
  `make_insert` driven by `AutoPopulate.make`): fetch and compute outside any
  transaction, then inside one transaction fetch again, refuse if the inputs changed
  meanwhile (`fingerprint`), and insert. Long computations then hold no locks.

Whatever happens, the outcome of a key is one of `SKIPPED`, `SUCCESS`, or an error
tuple `(key, message or exception)`; with jobs, the `~jobs` row tells the other workers.
"""

from __future__ import annotations

import inspect
import logging
import traceback
from dataclasses import dataclass, field
from typing import Any

from dj_core.errors import DataJointError, LostConnectionError

from dj_compute.fingerprint import fingerprint
from dj_compute.permission import inserts_allowed

__all__ = ["SKIPPED", "SUCCESS", "MakeOptions", "error_message", "populate_one"]

logger = logging.getLogger("datajoint")

SUCCESS = True
SKIPPED = None


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


def populate_one(table: Any, key: dict[str, Any], jobs: Any, options: MakeOptions) -> Any:
    """Compute one key of `table` (see the module docstring); return its outcome."""
    target = table.target
    job_key = table._job_key(key)
    if jobs is not None and not jobs.reserve(target.table_name, job_key):
        return SKIPPED
    connection = table.connection
    make = make_method(table)
    deferred = inspect.isgeneratorfunction(make)
    if not deferred:
        connection.start_transaction()
    if _present(target, key):
        if not deferred:
            connection.cancel_transaction()
        if jobs is not None:
            jobs.complete(target.table_name, job_key)
        return SKIPPED
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("Making %s -> %s", key, target.full_table_name)
    try:
        with inserts_allowed(table.full_table_name):
            if deferred:
                _run_deferred(table, make, key, options.make_kwargs)
            else:
                make(dict(key), **options.make_kwargs)
            connection.commit_transaction()
    except BaseException as error:
        _roll_back(connection)
        message = error_message(error)
        if jobs is not None:
            jobs.error(target.table_name, job_key, message, traceback.format_exc())
        if isinstance(error, (SystemExit, KeyboardInterrupt)) or not options.suppress_errors:
            raise
        logger.error("Error making %s -> %s - %s", key, target.full_table_name, message)
        return (key, error if options.return_exception_objects else message)
    if jobs is not None:
        jobs.complete(target.table_name, job_key)
    return SUCCESS


def _present(target: Any, key: dict[str, Any]) -> bool:
    """Is `key` already in the target (computed meanwhile by another worker)?"""
    return bool(target & key)


def _roll_back(connection: Any) -> None:
    try:
        connection.cancel_transaction()
    except LostConnectionError:  # the server has rolled back with the connection
        pass


def _run_deferred(table: Any, make: Any, key: dict[str, Any], make_kwargs: dict) -> None:
    """Fetch and compute outside a transaction, then re-fetch, compare and insert inside."""
    first = make(dict(key), **make_kwargs)
    fetched = next(first)
    expected = fingerprint(fetched)
    computed = next(first)
    first.close()
    table.connection.start_transaction()
    second = make(dict(key), **make_kwargs)
    if fingerprint(next(second)) != expected:
        raise DataJointError(
            "Referential integrity failed! The `make_fetch` data has changed since it was "
            f"first fetched for {key}: the key is left for a later populate."
        )
    try:
        second.send(computed)
    except StopIteration:
        raise DataJointError(
            f"{table.class_name}.make must end with a bare `yield` after inserting: the "
            "generator returned instead, so its inserts were rolled back."
        ) from None
    second.close()
