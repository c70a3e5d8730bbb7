"""`dj populate` as a batch scheduler's array tasks run it (several OS processes on one
~jobs), its exit status and SIGTERM handling, and `dj jobs`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
N_KEYS = 2000


@pytest.fixture
def lab(db_params, make_database, tmp_path):
    env = {
        **os.environ,
        **db_params.env,
        "DJ_POPULATE_LAB_DB": make_database("cli_populate"),
        "DJ_POPULATE_LAB_CALLS": str(tmp_path / "calls.log"),
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    fill = subprocess.run(
        [sys.executable, "-c", f"import populate_lab; populate_lab.fill({N_KEYS})"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fill.returncode == 0, fill.stderr
    return env


def calls(env, table: str) -> dict[int, int]:
    found: dict[int, int] = {}
    path = Path(env["DJ_POPULATE_LAB_CALLS"])
    for line in path.read_text().splitlines() if path.exists() else []:
        name, item, _ = line.split()
        if name == table:
            found[int(item)] = found.get(int(item), 0) + 1
    return found


def dj(env, *args: str, script: bool = False, **kwargs) -> subprocess.Popen:
    """`python -m datajoint ARGS`, or with `script` the installed `dj` command."""
    command = (
        [str(Path(sys.executable).parent / "dj")] if script else [sys.executable, "-m", "datajoint"]
    )
    return subprocess.Popen(
        [*command, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def count(db_admin, env, table: str, where: str = "") -> int:
    """Rows of the lab schema's `table` (quoted for the backend of `env`) matching `where`."""
    q = '"' if env["DJ_BACKEND"] == "postgresql" else "`"
    sql = f"SELECT count(*) FROM {q}{env['DJ_POPULATE_LAB_DB']}{q}.{q}{table}{q}"
    with db_admin.cursor() as cursor:
        cursor.execute(sql + (f" WHERE {where}" if where else ""))
        return cursor.fetchone()[0]


def test_array_of_populate_processes_computes_every_key_once(lab, db_admin):
    # one copy as the installed `dj` command, one with a pool of its own
    tasks = [
        dj(lab, "populate", "populate_lab:Square", *extra, script=i == 0)
        for i, extra in enumerate([(), (), ("--processes", "2")])
    ]
    outputs = [task.communicate(timeout=300) for task in tasks]
    assert [task.returncode for task in tasks] == [0, 0, 0], [err for _, err in outputs]
    computed = sum(int(out.split(": ")[1].split()[0]) for out, _ in outputs)
    assert computed == N_KEYS
    assert calls(lab, "square") == {item: 1 for item in range(N_KEYS)}
    assert count(db_admin, lab, "__square") == N_KEYS
    assert count(db_admin, lab, "~jobs") == 0


def test_failed_makes_exit_non_zero_and_are_listed(lab, db_admin):
    task = dj(lab, "populate", "populate_lab:Picky", "--restriction", "item < 30")
    out, err = task.communicate(timeout=120)
    assert task.returncode == 1
    assert "populate_lab:Picky: 25 computed, 5 failed" in out
    assert err.count("is a multiple of 7") == 5
    assert count(db_admin, lab, "~jobs", "status='error'") == 5
    # the errors are skipped by the next run, which then succeeds
    again = dj(lab, "populate", "populate_lab:Picky", "-r", '{"item": 3}')
    assert again.communicate(timeout=120)[0].startswith("populate_lab:Picky: 0 computed")
    assert again.returncode == 0

    report = dj(lab, "jobs", lab["DJ_POPULATE_LAB_DB"], "--errors")
    out, err = report.communicate(timeout=120)
    assert report.returncode == 0, err
    assert "Picky" in out and "ValueError: item 14 is a multiple of 7" in out
    cleared = dj(
        lab, "jobs", lab["DJ_POPULATE_LAB_DB"], "--clear-errors", "--pattern", "item 2\\d "
    )
    assert "cleared 2 error job(s)" in cleared.communicate(timeout=120)[0]  # 21 and 28
    assert count(db_admin, lab, "~jobs") == 3


def test_sigterm_rolls_back_records_the_key_and_exits_143(lab, db_admin):
    task = dj(lab, "populate", "populate_lab:Slow", "--max-calls", "20")
    deadline = time.monotonic() + 60
    while not calls(lab, "slow") and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    task.send_signal(signal.SIGTERM)
    out, err = task.communicate(timeout=60)
    assert task.returncode == 143, err
    assert "interrupted: SystemExit: SIGTERM received" in out
    errors = count(
        db_admin,
        lab,
        "~jobs",
        "status='error' AND error_message='SystemExit: SIGTERM received'",
    )
    assert errors == 1
    assert count(db_admin, lab, "~jobs", "status='reserved'") == 0
    made = sum(calls(lab, "slow").values())
    assert count(db_admin, lab, "__slow") == made - 1


def test_unknown_table_exits_2_with_a_message(lab):
    task = dj(lab, "populate", "populate_lab:Nothing")
    _, err = task.communicate(timeout=120)
    assert task.returncode == 2
    assert "no table class 'Nothing'" in err


def test_console_options_apply_to_subcommands(lab):
    task = dj(lab, "-h", "127.0.0.1:9", "jobs", lab["DJ_POPULATE_LAB_DB"])
    _, err = task.communicate(timeout=120)
    assert task.returncode != 0 and "127.0.0.1" in err


def test_jobs_of_a_missing_schema_is_a_message_not_a_traceback(lab):
    task = dj(lab, "jobs", "djtest_no_such_schema_here")
    _, err = task.communicate(timeout=120)
    assert task.returncode == 2
    # the name is quoted as the backend quotes identifiers
    assert re.search(r"dj jobs: Schema [`\"]djtest_no_such_schema_here[`\"] does not exist", err)
    assert "Traceback" not in err
