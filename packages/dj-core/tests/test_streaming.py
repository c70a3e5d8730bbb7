"""Streaming results (dj_core.streaming) on the real server, on the driver of this run:
chunks, a second connection, leaving early, transactions, a lost connection, memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from dj_core import errors
from dj_core.streaming import stream_pool, stream_rows

MARK = uuid.uuid4().hex[:12]  # names this process's generated query in the process list
# 100,000 generated rows (no table needed): five cross-joined digits
DIGITS = "SELECT 0 d UNION ALL " + " UNION ALL ".join(f"SELECT {i}" for i in range(1, 10))
ROWS_SQL = (
    f"SELECT a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d AS n, REPEAT('x', {{width}}) AS "
    f"pad_{MARK} FROM ({DIGITS}) a, ({DIGITS}) b, ({DIGITS}) c, ({DIGITS}) e, ({DIGITS}) f"
)


def rows_sql(width: int = 10) -> str:
    return ROWS_SQL.format(width=width)


def stream_sessions(db_admin, connection) -> list[int]:
    """Server ids of the other sessions running this module's generated query."""
    if connection.dialect.name == "postgresql":  # an idle session still shows its last query
        sql = (
            "SELECT pid FROM pg_stat_activity WHERE query LIKE %s AND query NOT LIKE %s "
            "AND state <> 'idle' AND pid <> pg_backend_pid() AND pid <> %s"
        )
        marks = (f"%pad_{MARK}%", "%pg_stat_activity%", connection.connection_id)
    else:
        sql = (
            "SELECT id FROM information_schema.processlist WHERE info LIKE %s "
            "AND info NOT LIKE %s AND id <> CONNECTION_ID() AND id <> %s"
        )
        marks = (f"%pad_{MARK}%", "%processlist%", connection.connection_id)
    with db_admin.cursor() as cursor:
        cursor.execute(sql, marks)
        return [row[0] for row in cursor.fetchall()]


def kill(db_admin, connection, session: int) -> None:
    with db_admin.cursor() as cursor:
        if connection.dialect.name == "postgresql":
            cursor.execute("SELECT pg_terminate_backend(%s)", (session,))
        else:
            cursor.execute(f"KILL {int(session)}")


def test_chunks_cover_the_result_in_order(connection):
    sql = rows_sql() + " ORDER BY n"
    chunks = list(stream_rows(connection, sql, 30_000))
    assert [len(c) for c in chunks] == [30_000, 30_000, 30_000, 10_000]
    assert [row[0] for chunk in chunks for row in chunk] == list(range(100_000))
    assert chunks[0][0] == (0, "x" * 10)


def test_streams_run_on_a_second_connection_kept_for_reuse(connection, db_admin):
    stream = stream_rows(connection, rows_sql(), 1000)
    first = next(stream)
    assert len(first) == 1000
    # the caller's connection stays free for other statements meanwhile
    assert connection.query("SELECT 41 + 1").fetchone() == (42,)
    assert len(stream_sessions(db_admin, connection)) == 1
    rest = sum(len(chunk) for chunk in stream)
    assert rest == 99_000
    pool = stream_pool(connection)
    opened = pool.opened
    assert sum(len(c) for c in stream_rows(connection, "SELECT 1 UNION ALL SELECT 2", 5)) == 2
    assert pool.opened == opened  # the idle one was reused


def test_leaving_early_closes_the_stream_and_keeps_the_connection(connection, db_admin):
    for chunk in stream_rows(connection, rows_sql(1000), 100):
        assert len(chunk) == 100
        started = time.monotonic()
        break
    assert time.monotonic() - started < 0.5  # the ~100 MB left were not read
    # the abandoned stream's session ends without reading the ~100 MB left
    deadline = time.monotonic() + 10
    while stream_sessions(db_admin, connection) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stream_sessions(db_admin, connection) == []
    assert connection.query("SELECT 7").fetchone() == (7,)
    assert sum(map(len, stream_rows(connection, rows_sql() + " LIMIT 5", 2))) == 5


def test_inside_a_transaction_the_stream_reads_the_transactions_rows(connection, make_database):
    database = make_database("stream")
    connection.query(connection.dialect.create_schema_sql(database))
    table = connection.dialect.full_table_name(database, "t")
    connection.query(f"CREATE TABLE {table} (n int PRIMARY KEY)")
    pool = stream_pool(connection)
    opened = pool.opened
    with connection.transaction:
        connection.query(f"INSERT INTO {table} VALUES (1), (2), (3)")
        chunks = list(stream_rows(connection, f"SELECT n FROM {table} ORDER BY n", 2))
        assert chunks == [[(1,), (2,)], [(3,)]]
    assert pool.opened == opened


def test_with_the_query_cache_on_the_rows_come_through_the_cache(connection, tmp_path):
    connection.config["query_cache"] = str(tmp_path)
    opened = stream_pool(connection).opened
    connection.set_query_cache("state-1")
    try:
        sql = "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3"
        assert list(stream_rows(connection, sql, 2)) == [[(1,), (2,)], [(3,)]]
        assert list(tmp_path.iterdir())  # cached
        assert list(stream_rows(connection, sql, 5)) == [[(1,), (2,), (3,)]]
    finally:
        connection.set_query_cache(None)
    assert stream_pool(connection).opened == opened


def test_a_lost_connection_mid_stream_is_an_error(connection, db_admin):
    stream = stream_rows(connection, rows_sql(1000), 100)
    next(stream)
    (victim,) = stream_sessions(db_admin, connection)
    kill(db_admin, connection, victim)
    with pytest.raises(errors.LostConnectionError, match="incomplete"):
        for _ in stream:
            pass
    assert connection.query("SELECT 1").fetchone() == (1,)


def test_server_errors_are_translated(connection):
    with pytest.raises(errors.QuerySyntaxError):
        next(stream_rows(connection, "SELEC 1", 10))
    with pytest.raises(errors.DataJointError, match="chunk_size"):
        stream_rows(connection, "SELECT 1", 0)


MEMORY_PROBE = textwrap.dedent(
    """
    import json, sys
    from dj_core.connection import Connection
    from dj_core.settings import Config, load_settings
    from dj_core.streaming import stream_rows
    mode, sql = sys.argv[1:]
    config = Config.independent()
    load_settings(config)  # DJ_HOST, DJ_BACKEND, ... of the test's server
    connection = Connection(
        config["database.host"], config["database.user"], config["database.password"] or "",
        config=config,
    )
    def peak():  # VmHWM: this process's peak RSS (ru_maxrss would include the parent's)
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024
    base = peak()
    count = 0
    if mode == "stream":
        for chunk in stream_rows(connection, sql, 1000):
            count += len(chunk)
    else:
        count = len(connection.query(sql).fetchall())
    print(json.dumps({"rows": count, "growth": peak() - base}))
    """
)


def test_memory_stays_bounded_while_a_plain_fetch_grows(db_params, tmp_path):
    sql = rows_sql(1000)  # 100,000 rows of about 1 kB
    growth = {}
    for mode in ("stream", "buffered"):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                MEMORY_PROBE,
                mode,
                sql,
            ],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, **db_params.env),
            cwd=tmp_path,  # no settings file of the machine's
            timeout=300,
        )
        report = json.loads(result.stdout)
        assert report["rows"] == 100_000
        growth[mode] = report["growth"]
    assert growth["stream"] < 40e6, growth
    assert growth["buffered"] > 60e6, growth  # about 100 MB of rows, held at once
