"""Tables for the executor tests, at module level so worker processes can import them.

The database comes from `DJ_EXECUTOR_LAB_DB` and a scratch directory from
`DJ_EXECUTOR_LAB_DIR` (set by the tests before any worker starts). Every make call
appends `item pid` to `calls.log` there — outside the transaction, so a computed-twice
key shows up even when its second insert fails — and a make whose item is written in
the file `kill` SIGKILLs its own process once, after a partial insert.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import dj_compute as dc
import dj_query as dq
from dj_core.connection import Connection
from dj_core.schemas import Schema
from dj_core.settings import Config

DATABASE = os.environ["DJ_EXECUTOR_LAB_DB"]
DIRECTORY = Path(os.environ["DJ_EXECUTOR_LAB_DIR"])


def _connection() -> Connection:
    config = Config.independent()
    config["safemode"] = False
    config["database.backend"] = os.environ.get("DJ_BACKEND", "mysql")
    if os.environ.get("DJ_DATABASE_NAME"):
        config["database.name"] = os.environ["DJ_DATABASE_NAME"]
    host, _, port = os.environ.get("DJ_HOST", "127.0.0.1").partition(":")
    return Connection(
        host,
        os.environ.get("DJ_USER", "root"),
        os.environ.get("DJ_PASS", ""),
        int(port) if port else None,
        config=config,
    )


schema = Schema(DATABASE, connection=_connection())


@schema
class Item(dq.Lookup):
    definition = """
    item : int
    """


@schema
class Square(dc.Computed):
    definition = """
    -> Item
    ---
    square : bigint
    """

    class Step(dq.Part):
        definition = """
        -> master
        step : tinyint
        """

    def make(self, key):
        log_call(key["item"])
        self.insert1(dict(key, square=key["item"] ** 2))
        kill_once(key["item"])  # after a partial result: the master row without its part
        self.Step.insert1(dict(key, step=0))


def log_call(item: int) -> None:
    fd = os.open(DIRECTORY / "calls.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{item} {os.getpid()}\n".encode())
    finally:
        os.close(fd)


def kill_once(item: int) -> None:
    control = DIRECTORY / "kill"
    if control.exists() and control.read_text().strip() == str(item):
        control.unlink()
        os.kill(os.getpid(), signal.SIGKILL)


def calls() -> dict[int, list[int]]:
    """item -> pids of the make calls for it."""
    path = DIRECTORY / "calls.log"
    found: dict[int, list[int]] = {}
    if path.exists():
        for line in path.read_text().split("\n"):
            if line:
                item, pid = line.split()
                found.setdefault(int(item), []).append(int(pid))
    return found


def reset() -> None:
    """Empty the results, the jobs and the call log."""
    Square.Step().delete_quick()
    Square().delete_quick()
    (DIRECTORY / "calls.log").unlink(missing_ok=True)
    (DIRECTORY / "kill").unlink(missing_ok=True)
    schema.jobs.delete()
