"""populate(executor=...) with the real engines: a ProcessPoolExecutor, a Dask
LocalCluster with two worker processes, submitit's local executor; DataJoint 0.14
workers beside them on one ~jobs; and the bad inputs (unpicklable task, class not
importable in the worker, server unreachable, worker killed)."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest
from dj_compute.executors import PopulateTaskError, split_keys
from dj_core.errors import DataJointError
from dj_testing.plugin import unique_database_name

HERE = Path(__file__).parent
N_KEYS = 2000
SHARED = 600  # keys shared with DataJoint 0.14 workers (they are slower to start and run)


@pytest.fixture(scope="module")
def lab(db_params, tmp_path_factory):
    """executor_lab bound to a fresh database with N_KEYS items (one per test module)."""
    database = unique_database_name("executors")
    variables = {
        "DJ_EXECUTOR_LAB_DB": database,
        "DJ_EXECUTOR_LAB_DIR": str(tmp_path_factory.mktemp("executor_lab")),
        "DJ_DATABASE_NAME": "",  # unless this backend names one
        **db_params.env,
    }
    # workers inherit the environment; it is restored for the tests after this module
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    sys.modules.pop("executor_lab", None)
    module = importlib.import_module("executor_lab")
    module.Item.insert([(i,) for i in range(N_KEYS)])
    yield module
    module.schema.connection.close()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    connection = db_params.connect()
    with connection.cursor() as cursor:
        db_params.drop_database(cursor, database)
    connection.close()


@pytest.fixture
def fresh(lab):
    lab.reset()
    return lab


def assert_each_key_computed_once(lab, result):
    assert result == {"success_count": N_KEYS, "error_list": []}
    calls = lab.calls()
    assert sorted(calls) == list(range(N_KEYS))
    assert {len(pids) for pids in calls.values()} == {1}
    assert len(lab.Square()) == N_KEYS
    assert len(lab.Square.Step()) == N_KEYS
    assert len(lab.schema.jobs) == 0
    return calls


@pytest.fixture(scope="module")
def dask_client(lab):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_process_pool_computes_every_key_exactly_once(fresh, capsys):
    with ProcessPoolExecutor(2) as pool:
        result = fresh.Square.populate(executor=pool, display_progress=True)
    calls = assert_each_key_computed_once(fresh, result)
    assert os.getpid() not in {pid for pids in calls.values() for pid in pids}
    err = capsys.readouterr().err
    assert err.count(f" 0/{N_KEYS} ") == 1 and f"{N_KEYS}/{N_KEYS}" in err  # one bar


def test_dask_local_cluster_computes_every_key_exactly_once(fresh, dask_client):
    result = fresh.Square.populate(executor=dask_client)
    calls = assert_each_key_computed_once(fresh, result)
    pids = {pid for pids in calls.values() for pid in pids}
    assert os.getpid() not in pids and len(pids) == 2


def test_submitit_local_executor_runs_an_array(fresh, tmp_path, monkeypatch):
    submitit = pytest.importorskip("submitit")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), *sys.path]))
    executor = submitit.LocalExecutor(folder=tmp_path / "submitit")
    executor.update_parameters(timeout_min=5)
    result = fresh.Square.populate(executor=executor, tasks=2)
    calls = assert_each_key_computed_once(fresh, result)
    assert len({pid for pids in calls.values() for pid in pids}) == 2


def test_killed_dask_worker_leaves_no_partial_rows_and_a_stale_reservation(fresh, dask_client):
    (fresh.DIRECTORY / "kill").write_text("777")
    first = fresh.Square.populate(executor=dask_client, suppress_errors=True)
    assert first["success_count"] < N_KEYS
    assert not (fresh.DIRECTORY / "kill").exists()  # the make did kill its worker
    # the server discarded the dead worker's transaction, the partial Step row too
    assert not fresh.Square.Step() & {"item": 777}
    assert not fresh.Square() & {"item": 777}
    jobs = fresh.schema.jobs
    deadline = time.monotonic() + 15
    while {"item": 777} not in list(jobs.stale().fetch("key")) and time.monotonic() < deadline:
        time.sleep(0.2)
    stale = list(jobs.stale().fetch("key"))
    assert {"item": 777} in stale
    report = {entry.table_name: entry for entry in jobs.report([fresh.Square])}
    assert report["__square"].reserved == len(stale)
    assert jobs.clear_stale() == len(stale)
    missing = N_KEYS - len(fresh.Square())
    second = fresh.Square.populate(executor=dask_client)
    # (the first count misses what the killed task committed before it died: nobody
    # reported those keys, though they are in the table)
    assert second == {"success_count": missing, "error_list": []}
    assert len(fresh.Square()) == N_KEYS and len(jobs) == 0
    calls = fresh.calls()
    assert len(calls[777]) == 2  # killed once, then computed
    assert {len(pids) for item, pids in calls.items() if item != 777} == {1}


def test_executor_beside_upstream_workers_never_computes_a_key_twice(fresh, upstream):
    code = f"""
        import datajoint as dj, os, time
        dj.config["safemode"] = False
        schema = dj.Schema({fresh.DATABASE!r}, create_schema=False)

        @schema
        class Item(dj.Lookup):
            definition = "item : int"

        @schema
        class Square(dj.Computed):
            definition = '''
            -> Item
            ---
            square : bigint
            '''

            class Step(dj.Part):
                definition = '''
                -> master
                step : tinyint
                '''

            def make(self, key):
                fd = os.open({str(fresh.DIRECTORY / "calls.log")!r}, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
                os.write(fd, f"{{key['item']}} {{os.getpid()}}\\n".encode())
                os.close(fd)
                time.sleep(0.005)  # slower than ours, so both kinds get keys
                self.insert1(dict(key, square=key["item"] ** 2))
                self.Step.insert1(dict(key, step=0))

        out = Square.populate("item < {SHARED}", reserve_jobs=True, order="random")
        print(out["success_count"])
    """
    import threading

    counts: list[int] = []

    def upstream_worker():
        counts.append(int(upstream.run(code).stdout.split()[-1]))

    threads = [threading.Thread(target=upstream_worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while not fresh.calls() and time.monotonic() < deadline:  # upstream has started
        time.sleep(0.05)
    with ProcessPoolExecutor(2) as pool:
        ours = fresh.Square.populate(f"item < {SHARED}", executor=pool, order="random")
    for thread in threads:
        thread.join()
    calls = fresh.calls()
    assert sorted(calls) == list(range(SHARED))
    assert {len(pids) for pids in calls.values()} == {1}
    assert len(fresh.Square()) == SHARED and len(fresh.schema.jobs) == 0
    assert ours["success_count"] + sum(counts) == SHARED
    assert ours["success_count"] > 0 and sum(counts) > 0  # both kinds took part
    assert ours["error_list"] == []


# --- bad input ---------------------------------------------------------------------------


def _spawned(initializer, *args) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=initializer,
        initargs=args,
    )


def test_unpicklable_task_is_refused_before_anything_is_reserved(fresh):
    with ThreadPoolExecutor(2) as pool, pytest.raises(PopulateTaskError) as caught:
        fresh.Square.populate(executor=pool, make_kwargs={"callback": lambda: None})
    message = str(caught.value)
    assert "task 1 of" in message and "does not pickle" in message
    assert len(fresh.schema.jobs) == 0 and not fresh.calls()


def test_table_class_not_importable_in_the_worker(fresh):
    import worker_setup

    with _spawned(worker_setup.hide_module, "executor_lab") as pool:
        with pytest.raises(PopulateTaskError) as caught:
            fresh.Square.populate(executor=pool, tasks=2)
    message = str(caught.value)
    assert "task 1 of 2" in message or "task 2 of 2" in message
    assert "Cannot import module 'executor_lab'" in message
    assert len(fresh.schema.jobs) == 0 and len(fresh.Square()) == 0


def test_unreachable_server_in_the_worker(fresh):
    import worker_setup

    with _spawned(worker_setup.point_at, "127.0.0.1:9") as pool:
        with pytest.raises(PopulateTaskError) as caught:
            fresh.Square.populate(executor=pool, tasks=1)
    message = str(caught.value)
    assert "task 1 of 1" in message and "could not run" in message
    assert "127.0.0.1" in message
    assert len(fresh.schema.jobs) == 0


def test_a_dead_worker_fails_its_task_and_its_reservations_are_released(fresh):
    (fresh.DIRECTORY / "kill").write_text("1500")
    with ProcessPoolExecutor(2) as pool, pytest.raises(PopulateTaskError) as caught:
        fresh.Square.populate(executor=pool, tasks=4)
    assert "failed in the executor" in str(caught.value)
    assert "BrokenProcessPool" in str(caught.value)
    jobs = fresh.schema.jobs
    assert len(jobs & {"status": "reserved"}) == 0
    assert not fresh.Square.Step() & {"item": 1500}
    # the pool stops its other worker with SIGTERM: a make it was running is rolled
    # back and recorded as an error job
    assert set((jobs & {"status": "error"}).fetch("error_message")) <= {
        "SystemExit: SIGTERM received"
    }
    jobs.clear_errors(pattern="SIGTERM")
    result = fresh.Square.populate(reserve_jobs=True)
    assert len(fresh.Square()) == N_KEYS and result["error_list"] == []


def test_local_table_class_is_refused(schema):
    import dj_compute as dc
    import dj_query as dq

    @schema
    class Thing(dq.Lookup):
        definition = "thing : int"
        contents = [(1,)]

    @schema
    class Local(dc.Computed):
        definition = "-> Thing"

        def make(self, key):
            self.insert1(key)

    with ThreadPoolExecutor(1) as pool, pytest.raises(DataJointError, match="inside a function"):
        Local.populate(executor=pool)


def test_split_keys():
    keys = [{"k": i} for i in range(10)]
    shares = split_keys(keys, 3)
    assert [len(share) for share in shares] == [4, 3, 3]
    assert [key for share in shares for key in share] == keys
    assert len(split_keys(keys, 50)) == 10


def test_connection_settings_point_a_fresh_worker_at_the_callers_server(monkeypatch):
    from dj_compute.tasks import ConnectionSettings
    from dj_core import connection as process_connection
    from dj_core import settings

    monkeypatch.setattr(process_connection.conn, "connection", None)
    names = ["database.host", "database.port", "database.user", "database.password"]
    backend_names = ["database.backend", "database.name"]
    saved = {name: settings.config.get(name) for name in names + backend_names}
    try:
        ConnectionSettings("db.lab.org", 3307, "alice", "secret").apply()
        assert [settings.config[name] for name in names] == ["db.lab.org", 3307, "alice", "secret"]
        assert settings.config["database.backend"] == "mysql"
        # the backend and PostgreSQL's database travel too
        ConnectionSettings(
            "db.lab.org", 5432, "alice", "secret", backend="postgresql", database_name="lab"
        ).apply()
        assert [settings.config[name] for name in backend_names] == ["postgresql", "lab"]
        # the caller's loopback address means the caller's machine: not applied elsewhere
        settings.config["database.host"] = "db.cluster.local"
        ConnectionSettings("localhost", 3306, "bob", "pw", node="another-node").apply()
        assert settings.config["database.host"] == "db.cluster.local"
        assert settings.config["database.user"] == "bob"
    finally:
        for name, value in saved.items():
            settings.config[name] = value


def test_thread_pool_tasks_take_turns_on_the_process_connection(fresh):
    with ThreadPoolExecutor(4) as pool:
        result = fresh.Square.populate(executor=pool, max_calls=200, tasks=8)
    assert result == {"success_count": 200, "error_list": []}
    assert {len(pids) for pids in fresh.calls().values()} == {1}
    assert len(fresh.Square()) == 200 and len(fresh.schema.jobs) == 0


def test_each_task_may_run_a_pool_of_its_own(fresh):
    with ProcessPoolExecutor(1) as pool:
        result = fresh.Square.populate(executor=pool, tasks=1, processes=2, max_calls=100)
    assert result == {"success_count": 100, "error_list": []}
    calls = fresh.calls()
    assert {len(pids) for pids in calls.values()} == {1}
    assert len({pid for pids in calls.values() for pid in pids}) == 2  # the task's pool
    assert len(fresh.Square()) == 100 and len(fresh.schema.jobs) == 0
