"""Many independent workers on one schema, as SLURM array tasks would run them: each an
OS process of its own running `populate(reserve_jobs=True)`.

The worker script below uses only `import datajoint as dj`, so the same file runs under
this implementation and under upstream DataJoint 0.14.10 (`upstream.python`): workers of
both coordinate through one `~jobs` table. Every make call appends `<item> <worker>` to a
log file before computing, so "computed exactly once" is checked from the outside.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import dj_blob
import pytest

WORKER = textwrap.dedent(
    '''
    import json, os, sys, time
    import datajoint as dj

    database, mode, log_path = sys.argv[1:4]
    dj.config["safemode"] = False
    impl = "upstream" if dj.__version__.startswith("0.14") else "ours"
    me = f"{impl}-{os.getpid()}"
    schema = dj.Schema(database)

    @schema
    class Item(dj.Manual):
        definition = """
        item : int
        """

    @schema
    class Square(dj.Computed):
        definition = """
        -> Item
        ---
        square : bigint
        worker : varchar(32)
        """

        def make(self, key):
            with open(log_path, "a") as log:
                log.write(f"{key['item']} {me}\\n")
            row = dict(key, square=key["item"] ** 2, worker=me)
            if mode == "hang":
                self.insert1(row)
                with open(log_path + ".hanging", "w") as marker:
                    marker.write(str(key["item"]))
                time.sleep(600)
            if mode == "fail" and key["item"] % 100 == 7:
                self.insert1(row)
                raise ValueError(f"item {key['item']} is cursed")
            if mode == "slow":
                time.sleep(0.01)
            self.insert1(row)

    if mode != "declare":
        result = Square.populate(reserve_jobs=True, suppress_errors=True)
        print(json.dumps({"success": result["success_count"], "errors": len(result["error_list"])}))
    '''
)

N_KEYS = 2000


@pytest.fixture
def worker_script(tmp_path: Path) -> Path:
    path = tmp_path / "worker.py"
    path.write_text(WORKER)
    return path


@pytest.fixture
def pipeline(make_database, db_params, worker_script, tmp_path):
    """A schema with Item (N_KEYS rows) and an empty Square, declared by a worker run."""
    database = make_database("workers")
    env = {**os.environ, **db_params.env}
    subprocess.run(
        [sys.executable, str(worker_script), database, "declare", str(tmp_path / "x")],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    admin = db_params.connect()
    item = f"{db_params.quote(database)}.{db_params.quote('item')}"
    with admin.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {item} VALUES (%s)", [(i,) for i in range(N_KEYS)])
    yield database, env
    admin.close()


def _start(python, script, database, mode, log, env):
    return subprocess.Popen(
        [str(python), str(script), database, mode, str(log)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(processes, timeout=180):
    """Wait for every process (killing all on timeout); return their outputs."""
    deadline = time.monotonic() + timeout
    outputs = []
    try:
        for process in processes:
            out, err = process.communicate(timeout=max(1, deadline - time.monotonic()))
            outputs.append((process.returncode, out, err))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    return outputs


def _query(db_params, sql):
    """Rows of `sql` as a tuple of tuples; `sql` quotes names with backticks, turned into
    double quotes on PostgreSQL."""
    if db_params.backend == "postgresql":
        sql = sql.replace("`", '"')
    connection = db_params.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return tuple(tuple(row) for row in cursor.fetchall())
    finally:
        connection.close()


def _log(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    return [
        (int(item), worker)
        for item, worker in (line.split() for line in path.read_text().splitlines())
    ]


def _wait_for(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_four_workers_compute_each_key_exactly_once(pipeline, worker_script, tmp_path, db_params):
    database, env = pipeline
    log = tmp_path / "calls.log"
    workers = [_start(sys.executable, worker_script, database, "fail", log, env) for _ in range(4)]
    outputs = _finish(workers)
    for code, _, err in outputs:
        assert code == 0, err[-3000:]
    calls = Counter(item for item, _ in _log(log))
    assert set(calls) == set(range(N_KEYS))  # none lost
    assert set(calls.values()) == {1}  # none computed twice
    cursed = {i for i in range(N_KEYS) if i % 100 == 7}
    rows = _query(db_params, f"SELECT item FROM `{database}`.`__square`")
    assert {row[0] for row in rows} == set(range(N_KEYS)) - cursed
    jobs = _query(
        db_params, f"SELECT status, error_message, COUNT(*) FROM `{database}`.`~jobs` GROUP BY 1, 2"
    )
    assert len(jobs) == len(cursed)
    assert {(status, count) for status, _, count in jobs} == {("error", 1)}
    assert {message for _, message, _ in jobs} == {
        f"ValueError: item {i} is cursed" for i in cursed
    }
    totals = [json.loads(out.strip().splitlines()[-1]) for _, out, _ in outputs]
    assert sum(t["success"] for t in totals) == N_KEYS - len(cursed)
    assert sum(t["errors"] for t in totals) == len(cursed)
    assert sum(1 for t in totals if t["success"]) >= 2  # the work was shared


def test_sigkill_in_make_leaves_nothing_and_a_rerun_completes(
    pipeline, worker_script, tmp_path, db_params
):
    database, env = pipeline
    log = tmp_path / "calls.log"
    hanging = _start(sys.executable, worker_script, database, "hang", log, env)
    try:
        marker = Path(str(log) + ".hanging")
        _wait_for(marker.exists, what="the worker to hang inside make")
        item = int(marker.read_text())
        os.kill(hanging.pid, signal.SIGKILL)
        hanging.wait(30)
    finally:
        if hanging.poll() is None:
            hanging.kill()
            hanging.wait(10)
    # the make had inserted its row, uncommitted: the server discarded it
    assert _query(db_params, f"SELECT COUNT(*) FROM `{database}`.`__square`") == ((0,),)
    reserved = _query(db_params, f"SELECT key_hash FROM `{database}`.`~jobs`")
    assert reserved  # the dead worker's reservations are left behind

    # a rerun skips the reserved key until the stale reservation is cleared
    rerun = _finish([_start(sys.executable, worker_script, database, "plain", log, env)])
    assert rerun[0][0] == 0, rerun[0][2][-3000:]
    assert _query(db_params, f"SELECT COUNT(*) FROM `{database}`.`__square` WHERE item={item}") == (
        (0,),
    )

    clear = textwrap.dedent(
        f"""
        import datajoint as dj
        schema = dj.Schema({database!r}, create_schema=False)
        print(schema.jobs.clear_stale())
        """
    )
    cleared = subprocess.run(
        [sys.executable, "-c", clear], env=env, capture_output=True, text=True, timeout=120
    )
    assert cleared.returncode == 0, cleared.stderr[-3000:]
    assert int(cleared.stdout.strip().splitlines()[-1]) == len(reserved)
    rerun = _finish([_start(sys.executable, worker_script, database, "plain", log, env)])
    assert rerun[0][0] == 0, rerun[0][2][-3000:]
    assert _query(db_params, f"SELECT COUNT(*) FROM `{database}`.`__square`") == ((N_KEYS,),)
    assert _query(db_params, f"SELECT COUNT(*) FROM `{database}`.`~jobs`") == ((0,),)
    assert _query(db_params, f"SELECT square FROM `{database}`.`__square` WHERE item={item}") == (
        (item**2,),
    )


def test_sigterm_in_make_records_the_job_and_releases_the_rest(
    pipeline, worker_script, tmp_path, db_params
):
    database, env = pipeline
    log = tmp_path / "calls.log"
    worker = _start(sys.executable, worker_script, database, "hang", log, env)
    try:
        marker = Path(str(log) + ".hanging")
        _wait_for(marker.exists, what="the worker to hang inside make")
        item = int(marker.read_text())
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert worker.returncode != 0
    assert "SIGTERM received" in err
    assert _query(db_params, f"SELECT COUNT(*) FROM `{database}`.`__square`") == ((0,),)
    jobs = _query(db_params, f"SELECT status, error_message, `key` FROM `{database}`.`~jobs`")
    assert [(status, message) for status, message, _ in jobs] == [
        ("error", "SystemExit: SIGTERM received")
    ]
    assert dj_blob.unpack(jobs[0][2]) == {"item": item}


def test_upstream_and_our_workers_share_the_jobs_table(
    pipeline, worker_script, tmp_path, db_params, upstream
):
    database, env = pipeline
    _query(db_params, f"DELETE FROM `{database}`.`item` WHERE item >= 600")
    log = tmp_path / "calls.log"
    upstream_env = {**env, **upstream.env}
    upstream_env.pop("PYTHONPATH", None)
    theirs = [
        _start(upstream.python, worker_script, database, "slow", log, upstream_env)
        for _ in range(2)
    ]
    ours: list[subprocess.Popen] = []
    try:
        # start ours once upstream's workers are computing, so that both really overlap
        _wait_for(
            lambda: any(worker.startswith("upstream") for _, worker in _log(log)),
            timeout=120,
            what="upstream workers to start computing",
        )
        ours = [_start(sys.executable, worker_script, database, "slow", log, env) for _ in range(2)]
    finally:
        outputs = _finish(theirs + ours)
    for code, _, err in outputs:
        assert code == 0, err[-3000:]
    calls = _log(log)
    counts = Counter(item for item, _ in calls)
    assert set(counts) == set(range(600))
    assert set(counts.values()) == {1}, [i for i, n in counts.items() if n > 1][:10]
    by = Counter(worker.split("-")[0] for _, worker in calls)
    assert by["upstream"] > 0 and by["ours"] > 0, by
    rows = _query(db_params, f"SELECT COUNT(*) FROM `{database}`.`__square`")
    assert rows == ((600,),)
    assert _query(db_params, f"SELECT COUNT(*) FROM `{database}`.`~jobs`") == ((0,),)
