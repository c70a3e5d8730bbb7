"""populate(processes=N): worker processes with their own connections, same outcomes as
in-process."""

from __future__ import annotations

import os

import dj_compute as dc
import dj_query as dq
import pytest
from dj_compute.workers import chunk_size, worker_count
from dj_core.errors import DataJointError


@pytest.fixture
def counted(schema):
    @schema
    class Item(dq.Lookup):
        definition = "item : int"
        contents = [(i,) for i in range(40)]

    @schema
    class Worked(dc.Computed):
        definition = """
        -> Item
        ---
        pid : int
        connection_id : bigint
        note = "" : varchar(16)
        """

        def make(self, key, note=""):
            if key["item"] % 10 == 3:
                raise ValueError(f"item {key['item']}")
            self.insert1(
                dict(key, pid=os.getpid(), connection_id=self.connection.connection_id, note=note)
            )

    return Worked


def test_two_processes_compute_everything_with_their_own_connections(counted, connection):
    session = connection.dialect.connection_id(connection)  # asked of the server
    result = counted.populate(processes=2, suppress_errors=True, make_kwargs={"note": "hi"})
    assert result["success_count"] == 36
    assert sorted(key["item"] for key, _ in result["error_list"]) == [3, 13, 23, 33]
    assert all(message.startswith("ValueError: item") for _, message in result["error_list"])
    rows = counted.fetch(as_dict=True)
    assert len(rows) == 36
    assert {row["note"] for row in rows} == {"hi"}
    pids = {row["pid"] for row in rows}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    ids = {row["connection_id"] for row in rows}
    assert connection.connection_id not in ids and len(ids) == len(pids)
    # the parent's connection still works, in the same session: the forked workers left
    # the socket they inherited without a goodbye to the server (no reconnect happened)
    assert len(counted()) == 36
    assert connection.dialect.connection_id(connection) == session


def test_processes_with_jobs_and_exception_objects(counted, schema):
    result = counted.populate(
        processes=2, reserve_jobs=True, suppress_errors=True, return_exception_objects=True
    )
    assert result["success_count"] == 36
    assert all(isinstance(error, ValueError) for _, error in result["error_list"])
    jobs = schema.jobs
    assert jobs.counts() == {"__worked": {"error": 4}}
    assert set((jobs & "status = 'error'").fetch("error_message")) == {
        f"ValueError: item {i}" for i in (3, 13, 23, 33)
    }
    assert counted.populate(processes=2, reserve_jobs=True)["success_count"] == 0


def test_first_error_is_raised_from_the_pool(counted):
    with pytest.raises(ValueError, match="item"):
        counted.populate(processes=2)


def test_unpicklable_errors_come_back_as_messages(schema):
    @schema
    class Thing(dq.Lookup):
        definition = "thing : int"
        contents = [(1,), (2,)]

    class Odd(Exception):
        pass  # a local class cannot be pickled

    @schema
    class Failing(dc.Computed):
        definition = "-> Thing"

        def make(self, key):
            raise Odd("no way back")

    result = Failing.populate(processes=2, suppress_errors=True, return_exception_objects=True)
    errors = [error for _, error in result["error_list"]]
    assert len(errors) == 2
    assert all(isinstance(e, DataJointError) and "Odd: no way back" in str(e) for e in errors)


def test_worker_count_and_chunks():
    cpus = os.cpu_count() or 1
    assert worker_count(None, 1000) == cpus
    assert worker_count(0, 1000) == cpus
    assert worker_count(64, 3) == min(3, cpus)
    assert worker_count(1, 1000) == 1
    with pytest.raises(DataJointError):
        worker_count(-2, 10)
    assert chunk_size(10, 2) == 1
    assert chunk_size(2000, 2) == 64


def test_pool_progress_bar(counted, capsys):
    counted.populate(processes=2, suppress_errors=True, display_progress=True)
    err = capsys.readouterr().err
    assert "Processes: " in err and "40/40" in err


def test_a_dead_worker_stops_populate_instead_of_hanging(schema):
    import signal
    import time

    @schema
    class Thing(dq.Lookup):
        definition = "thing : int"
        contents = [(i,) for i in range(8)]

    @schema
    class Fragile(dc.Computed):
        definition = "-> Thing"

        def make(self, key):
            if key["thing"] == 5:
                os.kill(os.getpid(), signal.SIGKILL)
            self.insert1(key)

    started = time.monotonic()
    with pytest.raises(DataJointError, match="died with exit code -9"):
        Fragile.populate(processes=2, reserve_jobs=True)
    assert time.monotonic() - started < 30
    assert 5 not in Fragile.fetch("thing")
    jobs = schema.jobs
    # the dead worker's reservation is left behind, and is stale once the server
    # has noticed the closed connection
    deadline = time.monotonic() + 10
    while not len(jobs.stale()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert {"thing": 5} in list(jobs.stale().fetch("key"))
    assert jobs.clear_stale() >= 1
    Fragile.make = lambda self, key: self.insert1(key)
    Fragile.populate(reserve_jobs=True)
    assert 5 in Fragile.fetch("thing")
    assert len(Fragile()) + len(jobs & {"status": "error"}) == 8


def test_a_forked_child_opening_its_own_connection_leaves_the_parents_session(connection):
    """What a forked worker does first: drop the inherited socket without a goodbye
    (`Dialect.forget`), connect anew, and close that when done."""
    session = connection.dialect.connection_id(connection)
    pid = os.fork()
    if pid == 0:  # the child: exits with 0 only when its own session was a new one
        code = 1
        try:
            connection.connect()
            code = 0 if connection.dialect.connection_id(connection) != session else 2
            connection.close()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert connection.dialect.connection_id(connection) == session
