"""Populate tasks: picklable descriptions of populate work that any process can run.

A `PopulateTask` names its table by import path (`"package.module:Class"`), never by
object, and carries only plain data — the keys (or restrictions) to compute, the populate
options, `make_kwargs` and the connection settings. `run_task(task)` runs one in the
current process: it imports the table class, opens this process's own connection and
computes through the `~jobs` reservations, so tasks on any number of hosts, pooled
workers and DataJoint 0.14 workers share one table safely. It never raises for what
went wrong inside: the `TaskResult` tells the caller (who names the task in its error).

Used by `populate(executor=...)` (one task per share of the keys) and by the `dj
populate` command (one task computing its own work set).
"""

from __future__ import annotations

import importlib
import logging
import os
import platform
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any

from dj_core.errors import DataJointError

__all__ = [
    "ConnectionSettings",
    "PopulateTask",
    "TaskResult",
    "import_table",
    "run_task",
    "table_path",
]

logger = logging.getLogger("datajoint")

_LOOPBACK = {"localhost", "::1", "ip6-localhost"}
_ONE_TASK_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class ConnectionSettings:
    """Where the caller's connection points, for workers whose tables connect through
    the process-wide configuration. The password travels with the task. A loopback
    host (`localhost`, `127.0.0.1`) means the caller's own machine, so it is applied
    only on that machine: workers elsewhere keep their own configured host."""

    host: str
    port: int
    user: str
    password: str | None
    init_function: str | None = None
    use_tls: Any = None
    node: str = field(default_factory=platform.node)
    #: the server kind ("mysql", "postgresql") and, on PostgreSQL, the database holding
    #: the schemas: a worker configured for another backend would talk the wrong protocol
    backend: str = "mysql"
    database_name: str | None = None

    @classmethod
    def of(cls, connection: Any) -> ConnectionSettings:
        info = connection.conn_info
        host = info.get("host_input") or info["host"]
        if "://" not in host:
            host = info["host"]
        return cls(
            host=host,
            port=int(info["port"]),
            user=info["user"],
            password=info["passwd"],
            init_function=connection.init_fun,
            use_tls=info.get("ssl_input"),
            backend=connection.dialect.name,
            database_name=getattr(connection.dialect, "database", None),
        )

    def apply(self) -> None:
        """Point the process-wide configuration at the caller's server, unless this
        process already holds its process-wide connection (a long-lived worker)."""
        from dj_core import connection as process_connection
        from dj_core import settings

        if getattr(process_connection.conn, "connection", None) is not None:
            return
        config = settings.config
        config["database.backend"] = self.backend
        if self.database_name is not None:
            config["database.name"] = self.database_name
        loopback = self.host.split(":")[0] in _LOOPBACK or self.host.startswith("127.")
        if not loopback or self.node == platform.node():
            config["database.host"] = self.host
            config["database.port"] = self.port
        config["database.user"] = self.user
        config["database.password"] = self.password
        config["database.use_tls"] = self.use_tls
        config["connection.init_function"] = self.init_function


@dataclass(frozen=True)
class PopulateTask:
    """One share of a populate call (see the module docstring). `keys=None` means: find
    the work set here, from the key source and `restrictions`."""

    table: str
    label: str
    keys: tuple[dict[str, Any], ...] | None = None
    restrictions: tuple[Any, ...] = ()
    full_table_name: str | None = None
    reserve_jobs: bool = True
    suppress_errors: bool = False
    return_exception_objects: bool = False
    order: str = "original"
    limit: int | None = None
    max_calls: int | None = None
    processes: int | None = 1
    make_kwargs: dict[str, Any] = field(default_factory=dict)
    connection: ConnectionSettings | None = None
    clear_stale: bool = False
    display_progress: bool = False


@dataclass
class TaskResult:
    """What a task did: its successes and collected errors, or why it stopped."""

    label: str
    success_count: int = 0
    error_list: list[Any] = field(default_factory=list)
    #: an unsuppressed make error (the exception, or a DataJointError with its text)
    raised: BaseException | None = None
    #: "SystemExit: ..." / "KeyboardInterrupt" when the task was interrupted
    interrupted: str | None = None
    #: the task could not run at all (import, connection): message and traceback
    failure: str | None = None
    failure_stack: str | None = None
    host: str = field(default_factory=platform.node)
    pid: int = field(default_factory=os.getpid)


def table_path(table_class: type) -> str:
    """`"module:QualName"` of a table class, refusing classes no worker could import."""
    qualname = table_class.__qualname__
    if "<locals>" in qualname:
        raise DataJointError(
            f"{qualname} is defined inside a function, so worker processes cannot import "
            "it: define the table class at the top level of an importable module."
        )
    return f"{table_class.__module__}:{qualname}"


def import_table(path: str) -> type:
    """The table class at `"package.module:Class"` (or `"package.module.Class"`)."""
    if ":" in path:
        module_name, _, qualname = path.partition(":")
    else:
        module_name, _, qualname = path.rpartition(".")
    if not module_name or not qualname:
        raise DataJointError(
            f"{path!r} does not name a table class: write MODULE:Class, e.g. "
            "my_pipeline.imaging:Segmentation."
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise DataJointError(
            f"Cannot import module {module_name!r} for table {path!r} ({error}): make the "
            "pipeline's package importable here (installed, or on PYTHONPATH)."
        ) from error
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
        if found is None:
            raise DataJointError(f"Module {module_name!r} has no table class {qualname!r}.")
    if not isinstance(found, type) or not hasattr(found, "populate"):
        raise DataJointError(f"{path!r} is not an auto-populated table class.")
    return found


def run_task(task: PopulateTask) -> TaskResult:
    """Run `task` in this process (see the module docstring); never raises for errors
    of the task itself.

    Tasks in one process run one at a time: a table class is bound to one connection
    per process, and one connection holds one transaction. An executor that runs
    several threads per process (a Dask worker with `nthreads > 1`, a thread pool)
    therefore gains nothing from the extra threads; give it one thread per process, or
    `processes=N` inside each task."""
    with _ONE_TASK_AT_A_TIME:
        return _run_task(task)


def _run_task(task: PopulateTask) -> TaskResult:
    from dj_compute.make import KeyRunner, MakeOptions
    from dj_compute.workers import portable

    result = TaskResult(task.label)
    try:
        if task.connection is not None:
            task.connection.apply()
        table = import_table(task.table)()
        if task.full_table_name is not None and table.full_table_name != task.full_table_name:
            raise DataJointError(
                f"{task.table} is {table.full_table_name} in this worker but "
                f"{task.full_table_name} for the caller: the worker's configuration "
                "(schema names, server) differs from the caller's."
            )
        if not table.connection.is_connected:  # e.g. inherited from a forking parent
            table.connection.connect()
    except BaseException as error:
        result.failure = f"{type(error).__name__}: {error}"
        result.failure_stack = traceback.format_exc()
        return result
    try:
        if task.keys is None or task.processes != 1:  # a work set or a pool of its own
            outcome = table.populate(
                *(task.restrictions if task.keys is None else ()),
                keys=None if task.keys is None else list(task.keys),
                suppress_errors=task.suppress_errors,
                return_exception_objects=task.return_exception_objects,
                reserve_jobs=task.reserve_jobs,
                order=task.order,
                limit=task.limit,
                max_calls=task.max_calls,
                display_progress=task.display_progress,
                processes=task.processes,
                make_kwargs=task.make_kwargs,
                clear_stale=task.clear_stale,
            )
            result.success_count = outcome["success_count"]
            result.error_list = outcome["error_list"]
        else:
            options = MakeOptions(
                suppress_errors=task.suppress_errors,
                return_exception_objects=task.return_exception_objects,
                make_kwargs=dict(task.make_kwargs),
            )
            jobs = table._jobs() if task.reserve_jobs else None
            runner = KeyRunner(table, jobs, options)
            outcomes = runner.outcomes(list(task.keys))
            try:
                for outcome in outcomes:
                    if outcome is True:
                        result.success_count += 1
                    elif outcome is not None:
                        result.error_list.append(outcome)
            finally:
                outcomes.close()
    except (SystemExit, KeyboardInterrupt) as error:
        result.interrupted = type(error).__name__ + (f": {error}" if str(error) else "")
    except BaseException as error:
        result.raised = portable(error)
    result.error_list = [
        (key, portable(error) if isinstance(error, BaseException) else error)
        for key, error in result.error_list
    ]
    return result
