"""`AutoPopulate`: the mix-in that makes a table fill itself (`datajoint.autopopulate`).

A table with this mix-in (`Imported`, `Computed`) says *how* one key is computed (`make`)
and *which* keys there are (`key_source`, default: its primary parents); `populate()`
finds the keys not yet computed and runs `make` for each — in this process or in a pool
of workers, optionally coordinating with other workers through the schema's `~jobs`
table (`reserve_jobs=True`). Each make() runs in its own transaction with its inserts;
a key whose make() fails is rolled back and (with reserve_jobs) recorded in `~jobs`.

The pieces live in their own modules: `key_source.py` (which keys), `make.py` (keys
through make: reservation batches, transaction, make protocols, outcome),
`presence.py` (already computed?), `fingerprint.py` (did the inputs change?),
`permission.py` (who may insert), `workers.py` (worker processes), `executors.py` and
`tasks.py` (tasks on an executor: Dask, submitit, concurrent.futures; the `dj populate`
command), `signals.py` (SIGTERM), `jobs.py` (`~jobs`) and `report.py` (what the jobs
say), `progress.py`.
"""

from __future__ import annotations

import datetime
import logging
import random
import re
from collections.abc import Iterable, Iterator
from contextlib import closing
from typing import Any

from dj_core.errors import DataJointError
from dj_core.hash import key_hash
from dj_query import AndList
from tqdm import tqdm

from dj_compute import key_source as _key_source
from dj_compute import progress as _progress
from dj_compute.executors import run_on_executor
from dj_compute.jobs import JobTable
from dj_compute.make import SUCCESS, KeyRunner, MakeOptions
from dj_compute.permission import may_insert
from dj_compute.signals import sigterm_exits
from dj_compute.tasks import ConnectionSettings, PopulateTask, table_path
from dj_compute.workers import pool_outcomes, worker_count

__all__ = ["ORDERS", "AutoPopulate"]

logger = logging.getLogger("datajoint")

ORDERS = ("original", "reverse", "random")

# key attribute types whose text form on the server is Python's str() of the value
_SERVER_HASHABLE = re.compile(r"^((tiny|small|medium|big)?int|(var)?char|enum|date$)", re.I)


def _special(attribute: Any) -> bool:
    return bool(
        attribute.uuid
        or attribute.json
        or attribute.is_blob
        or attribute.adapter is not None
        or attribute.attribute_expression is not None
    )


class AutoPopulate:
    """Mix-in for tables computed from other tables by `make` (see the module docstring).

    Define either `make(self, key)` — fetch, compute and insert in one transaction — or
    the three parts `make_fetch(self, key)`, `make_compute(self, key, *fetched)` and
    `make_insert(self, key, *computed)`, which compute outside the transaction."""

    #: legacy switch of DataJoint 0.14: True lets anyone insert into this table. Prefer
    #: `insert(..., allow_direct_insert=True)`; populate never changes it.
    _allow_insert: bool = False

    # --- what to compute ---------------------------------------------------------------

    @property
    def key_source(self) -> Any:
        """The keys this table is computed for: by default the join of its primary
        parents, each projected to its primary key. Override with a query expression,
        a table class or a property."""
        cached = self.__dict__.get("_key_source_cache")
        if cached is None:
            cached = self._key_source_cache = _key_source.default_key_source(self)
        return cached

    @property
    def target(self) -> Any:
        """The table that receives the results (default: this one)."""
        return self

    def _job_key(self, key: dict[str, Any]) -> dict[str, Any]:
        """The dict that identifies `key`'s job in `~jobs` (default: the key itself)."""
        return key

    def make(self, key: dict[str, Any], **make_kwargs: Any) -> Iterator[Any]:
        """Compute one key. This default drives the three-part protocol (`make_fetch`,
        `make_compute`, `make_insert`); override it with a regular method instead."""
        missing = [
            name
            for name in ("make_fetch", "make_compute", "make_insert")
            if not hasattr(self, name)
        ]
        if missing:
            raise NotImplementedError(
                f"{self.class_name} must define make(self, key), or all of make_fetch, "
                f"make_compute and make_insert (missing: {', '.join(missing)})."
            )
        fetched = self.make_fetch(key, **make_kwargs)  # type: ignore[attr-defined]
        computed = yield fetched
        if computed is None:
            computed = self.make_compute(key, *fetched)  # type: ignore[attr-defined]
            yield computed
        self.make_insert(key, *computed)  # type: ignore[attr-defined]
        yield

    def _allows_direct_insert(self) -> bool:
        """Inserts are this table's make's business (dj-query asks before inserting)."""
        # (the context first: it answers inside make(), and reading a class attribute
        # goes through the table metaclass)
        return may_insert(self.full_table_name) or bool(type(self)._allow_insert)

    # --- populate ------------------------------------------------------------------------

    def populate(
        self,
        *restrictions: Any,
        keys: Iterable[dict[str, Any]] | None = None,
        suppress_errors: bool = False,
        return_exception_objects: bool = False,
        reserve_jobs: bool = False,
        order: str = "original",
        limit: int | None = None,
        max_calls: int | None = None,
        display_progress: bool = False,
        processes: int | None = 1,
        make_kwargs: dict[str, Any] | None = None,
        executor: Any = None,
        tasks: int | None = None,
        clear_stale: bool | float | datetime.timedelta = False,
    ) -> dict[str, Any]:
        """Compute every key of the (restricted) key source missing from the target.

        Returns `{"success_count": n, "error_list": [...]}`; the list holds
        `(key, "Class: message")` (or exception objects) of failed keys when
        `suppress_errors`, otherwise the first error is raised. `reserve_jobs`
        coordinates with other workers through `~jobs`; `processes` runs a pool.

        `executor` (anything with `submit(fn, *args)`: a `concurrent.futures` pool, a
        `dask.distributed.Client`, a submitit executor) computes the keys in `tasks`
        shares there (default: four per worker of the executor), always through `~jobs`
        reservations; `processes` then applies inside each task. `clear_stale` first
        deletes this table's reservations whose worker is gone (`True`), or also those
        older than that many seconds (a number or timedelta).
        """
        connection = self.connection
        if connection.in_transaction:
            raise DataJointError("Populate cannot be called during a transaction.")
        if keys is None and self.restriction:
            raise DataJointError(
                "Cannot call populate on a restricted table. Instead, pass conditions to "
                "populate() as arguments: Table.populate(condition)."
            )
        if order not in ORDERS:
            raise DataJointError(
                f"The order argument of populate must be one of {', '.join(ORDERS)}, not {order!r}."
            )
        options = MakeOptions(
            suppress_errors=suppress_errors,
            return_exception_objects=return_exception_objects,
            make_kwargs=dict(make_kwargs or {}),
        )
        if executor is not None:
            reserve_jobs = True  # tasks coordinate with everybody through ~jobs
        jobs = self._jobs() if reserve_jobs or clear_stale is not False else None
        if clear_stale is not False:
            jobs.clear_stale(
                older_than=None if clear_stale is True else clear_stale,
                table_name=self.target.table_name,
            )
        if not reserve_jobs:
            jobs = None
        success_count = 0
        error_list: list[Any] = []
        with sigterm_exits(reserve_jobs):
            todo = self._keys_to_do(restrictions, keys, limit, jobs)
            if order == "reverse":
                todo.reverse()
            elif order == "random":
                random.shuffle(todo)
            if max_calls is not None:
                todo = todo[:max_calls]
            if not todo:
                return {"success_count": 0, "error_list": []}
            if executor is not None:
                return run_on_executor(
                    self,
                    executor,
                    todo,
                    self._task_template(options, processes),
                    n_tasks=tasks,
                    jobs=jobs,
                    display_progress=display_progress,
                )
            workers = worker_count(processes, len(todo))
            logger.debug(
                "Populating %s: %d keys, %d process(es)", self.class_name, len(todo), workers
            )
            if workers > 1:
                outcomes = pool_outcomes(
                    self, jobs, todo, options, workers, reserve_jobs=reserve_jobs
                )
            else:
                outcomes = KeyRunner(self, jobs, options).outcomes(todo)
            bar = tqdm(
                total=len(todo),
                desc="Processes: " if workers > 1 else self.class_name,
                disable=not display_progress,
            )
            # closing: an interruption between keys still releases the reservations
            # not reached and stops the worker processes at once
            with bar, closing(outcomes):
                for outcome in outcomes:
                    if outcome is SUCCESS:
                        success_count += 1
                    elif outcome is not None:
                        error_list.append(outcome)
                    if display_progress:
                        bar.update()
        return {"success_count": success_count, "error_list": error_list}

    def _task_template(self, options: MakeOptions, processes: int | None) -> PopulateTask:
        """What every executor task of this populate call carries besides its keys."""
        return PopulateTask(
            table=table_path(type(self)),
            label="task",
            full_table_name=self.full_table_name,
            reserve_jobs=True,
            suppress_errors=options.suppress_errors,
            return_exception_objects=options.return_exception_objects,
            processes=processes,
            make_kwargs=options.make_kwargs,
            connection=ConnectionSettings.of(self.connection),
        )

    def _jobs(self) -> JobTable:
        """The `~jobs` table of the target's schema."""
        target = self.target
        schema = target.connection.schemas.get(target.database)
        if schema is not None:
            return schema.jobs
        return JobTable(target.connection, target.database)

    def _keys_to_do(
        self,
        restrictions: tuple[Any, ...],
        keys: Iterable[dict[str, Any]] | None,
        limit: int | None,
        jobs: JobTable | None,
    ) -> list[dict[str, Any]]:
        """The keys to compute: given, or the key source's keys missing from the target;
        with jobs, without those reserved, failed or ignored — in one query on the server
        when the key hash can be computed there, else with one more query for the jobs."""
        if keys is not None:
            todo = [dict(key) for key in keys]
        else:
            source = _key_source.resolve(self) & AndList(restrictions)
            work = source.proj() - self.target
            if jobs is not None and self._job_hash_on_server(work):
                hashed = work.proj(
                    key_hash=self.connection.dialect.key_hash_sql(sorted(work.primary_key))
                )
                taken = (jobs & {"table_name": self.target.table_name}).proj()
                return (hashed - taken).fetch("KEY", limit=limit)
            todo = work.fetch("KEY", limit=limit)
        if jobs is not None and todo:
            blocked = jobs.blocked_hashes(self.target.table_name)
            if blocked:
                todo = [key for key in todo if key_hash(self._job_key(key)) not in blocked]
        return todo

    def _job_hash_on_server(self, work: Any) -> bool:
        """Whether the server computes the same key hash as `key_hash` for these keys:
        jobs keyed by the key itself, and key attributes whose text form on the server is
        Python's `str()` of the fetched value (integers, strings, dates)."""
        if type(self)._job_key is not AutoPopulate._job_key:
            return False
        heading = work.heading
        names = work.primary_key
        if not names or {"key_hash", "table_name"} & set(heading.names):
            return False
        return all(
            _SERVER_HASHABLE.match(heading[name].type) and not _special(heading[name])
            for name in names
        )

    def progress(self, *restrictions: Any, display: bool = False) -> tuple[int, int]:
        """`(remaining, total)` keys of the restricted key source."""
        return _progress.progress(self, *restrictions, display=display)
