"""The README's demo (`hatch run demo` = `python demo/pipeline.py`) runs the whole
pipeline end to end: run it in a subprocess with a schema of its own and check what it
prints, what it leaves in the database and the diagram it writes."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "demo" / "pipeline.py"


def _run(schema: str, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(DEMO), "--diagram", str(tmp_path / "pipeline.svg")],
        env={**env, "DJ_DEMO_SCHEMA": schema},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_runs_the_pipeline_end_to_end(make_database, db_params, tmp_path):
    schema = make_database("demo")
    env = {**os.environ, **db_params.env}
    result = _run(schema, tmp_path, env)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert f"schema `{schema}` created" in out
    assert "inserted 5 subjects and 40 sessions" in out
    assert "RawTrace: imported 40 traces" in out
    assert "TraceStats: computed 40 sessions" in out
    assert "TraceStats progress: 40 of 40 done" in out
    assert len(re.findall(r"subject \d \((mouse|rat) *\): 8 sessions, \d+ peaks", out)) == 5
    assert "Jobs table rows left: 0" in out
    # progress bars go to stderr
    assert "TraceStats: 100%" in result.stderr and "40/40" in result.stderr
    svg = (tmp_path / "pipeline.svg").read_text()
    assert svg.startswith("<svg") or "<svg" in svg[:200]
    for name in ("Subject", "Session", "RawTrace", "TraceStats", "TraceStats.Peak"):
        assert f">{name}<" in svg

    assert out.splitlines()[0].startswith("DataJoint ") and f" {db_params.backend} " in out
    q = db_params.quote
    admin = db_params.connect()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*), SUM(n_peaks) FROM {q(schema)}.{q('__trace_stats')}")
            count, peaks = cursor.fetchone()
            cursor.execute(f"SELECT COUNT(*) FROM {q(schema)}.{q('__trace_stats__peak')}")
            (part_rows,) = cursor.fetchone()
            cursor.execute(f"SELECT COUNT(*) FROM {q(schema)}.{q('_raw_trace')}")
            (raw_rows,) = cursor.fetchone()
    finally:
        admin.close()
    assert (count, raw_rows) == (40, 40)
    assert part_rows == peaks > 0

    # a second run drops and recreates the schema: the same result, not doubled
    again = _run(schema, tmp_path, env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "TraceStats: computed 40 sessions" in again.stdout


def _demo_module():
    spec = importlib.util.spec_from_file_location("demo_pipeline", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_picks_dj_host_then_local_mysql_then_the_embedded_server(caplog):
    demo = _demo_module()
    named = demo.pick_server({"DJ_HOST": "db.lab:3307", "DJ_USER": "u"}, lambda: True)
    assert named == {"database.host": "db.lab:3307", "database.user": "u", "database.password": ""}
    on_pg = demo.pick_server({"DJ_HOST": "pg.lab", "DJ_BACKEND": "postgresql"}, lambda: True)
    assert on_pg["database.user"] == "postgres"
    assert demo.pick_server({"DJ_HOST": "embedded"}, lambda: True) == {"database.host": "embedded"}
    local = demo.pick_server({}, lambda: True)
    assert local["database.host"] == "127.0.0.1" and local["database.backend"] == "mysql"
    with caplog.at_level(logging.INFO, logger="datajoint"):
        assert demo.pick_server({}, lambda: False) == {"database.host": "embedded"}
    assert "using the embedded PostgreSQL server" in caplog.text
