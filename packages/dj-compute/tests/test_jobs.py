"""The `~jobs` table: layout identical to DataJoint 0.14, and the job operations."""

from __future__ import annotations

import datetime
import os
import platform
import re

import dj_blob
import dj_compute
import pytest
from dj_compute import jobs as jobs_module
from dj_compute.jobs import JobTable
from dj_core.declare import declare
from dj_core.errors import DataJointError
from dj_core.hash import key_hash
from dj_core.schemas import Schema

# 0.14's ~jobs definition, verbatim
SPEC_DDL = """
CREATE TABLE IF NOT EXISTS `<schema>`.`~jobs` (
`table_name` varchar(255) NOT NULL COMMENT "className of the table",
`key_hash` char(32) NOT NULL COMMENT "key hash",
`status` enum('reserved','error','ignore') NOT NULL COMMENT "if tuple is missing, the job is available",
`key` blob DEFAULT NULL COMMENT "structure containing the key",
`error_message` varchar(2047) NOT NULL DEFAULT "" COMMENT "error message returned if failed",
`error_stack` mediumblob DEFAULT NULL COMMENT "error stack if failed",
`user` varchar(255) NOT NULL DEFAULT "" COMMENT "database user",
`host` varchar(255) NOT NULL DEFAULT "" COMMENT "system hostname",
`pid` int unsigned NOT NULL DEFAULT "0" COMMENT "system process id",
`connection_id` bigint unsigned NOT NULL DEFAULT "0" COMMENT "connection_id()",
`timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT "automatic timestamp",
PRIMARY KEY (`table_name`,`key_hash`)
) ENGINE=InnoDB, COMMENT "job reservation table for `<schema>`"
"""


def _rows(jobs):
    return jobs.fetch(as_dict=True, order_by="key_hash")


@pytest.mark.mysql_only  # compares with the MySQL DDL text DataJoint 0.14 sends
def test_ddl_is_the_0_14_statement(schema):
    full_name = f"`{schema.database}`.`~jobs`"
    text, _ = declare(full_name, jobs_module.jobs_definition(schema.database), {})
    expected = SPEC_DDL.strip().replace("<schema>", schema.database)
    assert re.sub(r"\s+", " ", text) == re.sub(r"\s+", " ", expected)


def test_constants_and_module_path():
    assert dj_compute.ERROR_MESSAGE_LENGTH == 2047
    assert dj_compute.TRUNCATION_APPENDIX == "...truncated"


def test_schema_jobs_is_created_once_per_schema(schema, connection):
    jobs = schema.jobs
    assert isinstance(jobs, JobTable)
    assert schema.jobs is jobs
    assert connection.dialect.table_exists(connection, schema.database, "~jobs")
    assert len(jobs) == 0


def test_jobs_need_an_existing_schema(connection):
    with pytest.raises(DataJointError, match="does not exist"):
        JobTable(connection, "djtest_no_such_schema_xyz")


def test_reserve_then_reserve_again_fails(schema, connection):
    jobs = schema.jobs
    key = {"subject_id": 7, "session_date": datetime.date(2024, 5, 1)}
    assert jobs.reserve("__stats", key) is True
    assert jobs.reserve("__stats", key) is False
    assert jobs.reserve("__other", key) is True
    (row,) = (jobs & {"table_name": "__stats"}).fetch(as_dict=True)
    assert row["key_hash"] == key_hash(key) == "3a6b46620ada0eed1e644d9b7badf780"
    assert row["status"] == "reserved"
    assert row["key"] == key
    assert row["error_message"] == ""
    assert row["error_stack"] is None
    assert row["host"] == platform.node()
    assert row["pid"] == os.getpid()
    assert row["connection_id"] == connection.connection_id
    assert row["user"] == connection.get_user()


def test_complete_removes_the_row(schema):
    jobs = schema.jobs
    jobs.reserve("__stats", {"id": 2})
    jobs.complete("__stats", {"id": 2})
    assert len(jobs) == 0
    jobs.complete("__stats", {"id": 3})  # nothing to remove: no error


def test_error_replaces_a_reservation_and_keeps_the_stack(schema):
    jobs = schema.jobs
    jobs.reserve("__stats", {"id": 2})
    jobs.error("__stats", {"id": 2}, "ValueError: bad trace", "Traceback...\nValueError")
    (row,) = _rows(jobs)
    assert row["status"] == "error"
    assert row["error_message"] == "ValueError: bad trace"
    assert row["error_stack"] == "Traceback...\nValueError"
    # without a prior reservation, and without a stack
    jobs.error("__stats", {"id": 3}, "KeyboardInterrupt")
    row = (jobs & {"key_hash": key_hash({"id": 3})}).fetch1()
    assert row["error_stack"] is None
    assert jobs.reserve("__stats", {"id": 3}) is False


def test_error_stack_is_a_native_blob_even_when_native_blobs_are_off(schema, connection):
    jobs = schema.jobs
    jobs.error("__t", {"id": 1}, "E", "stack text")
    dialect = connection.dialect
    raw = connection.query(
        f"SELECT {dialect.quote_list(['key', 'error_stack'])} "
        f"FROM {dialect.full_table_name(schema.database, '~jobs')}"
    ).fetchone()
    assert dj_blob.unpack(raw[0]) == {"id": 1}
    assert dj_blob.unpack(raw[1]) == "stack text"


def test_long_messages_are_truncated(schema):
    jobs = schema.jobs
    jobs.error("__stats", {"id": 1}, "x" * 5000)
    message = jobs.fetch1("error_message")
    assert len(message) == 2047
    assert message == "x" * 2035 + "...truncated"
    assert jobs_module.truncate_message("y" * 2047) == "y" * 2047


def test_ignore_blocks_and_does_not_replace(schema):
    jobs = schema.jobs
    assert jobs.ignore("__stats", {"id": 1}) is True
    assert jobs.ignore("__stats", {"id": 1}) is False
    assert jobs.reserve("__stats", {"id": 1}) is False
    jobs.reserve("__stats", {"id": 2})
    assert jobs.ignore("__stats", {"id": 2}) is False
    assert (jobs & {"key_hash": key_hash({"id": 2})}).fetch1("status") == "reserved"
    assert jobs.blocked_hashes("__stats") == {key_hash({"id": 1}), key_hash({"id": 2})}


def test_delete_of_restricted_rows_and_drop(schema, connection):
    jobs = schema.jobs
    for i in range(3):
        jobs.reserve("__a", {"id": i})
    jobs.error("__b", {"id": 1}, "E")
    (jobs & "status = 'error'").delete()
    assert len(jobs) == 3
    (jobs & {"table_name": "__a", "key_hash": key_hash({"id": 0})}).delete()
    assert len(jobs) == 2
    jobs.drop()
    assert not connection.dialect.table_exists(connection, schema.database, "~jobs")
    # writing again declares the table again
    assert jobs.reserve("__a", {"id": 0}) is True
    assert len(jobs) == 1


def test_summary_counts_per_table_and_status(schema, backend):
    jobs = schema.jobs
    for i in range(3):
        jobs.reserve("__a", {"id": i})
    jobs.error("__a", {"id": 9}, "E")
    jobs.ignore("__b", {"id": 1})
    assert jobs.counts() == {"__a": {"reserved": 3, "error": 1}, "__b": {"ignore": 1}}
    rows = jobs.summary().fetch(as_dict=True, order_by=("table_name", "status"))
    # MySQL orders an enum by its declared values; PostgreSQL's enum is a checked varchar,
    # ordered as text
    first, second = (
        (("error", 1), ("reserved", 3))
        if backend == "postgresql"
        else (
            ("reserved", 3),
            ("error", 1),
        )
    )
    assert [(r["table_name"], r["status"], int(r["count"])) for r in rows] == [
        ("__a", *first),
        ("__a", *second),
        ("__b", "ignore", 1),
    ]
    assert (jobs & {"table_name": "__b"}).counts() == {"__b": {"ignore": 1}}


def test_stale_reservations_of_closed_connections_are_cleared(schema, db_params):
    other = db_params.open_connection()
    other_jobs = JobTable(other, schema.database)
    assert other_jobs.reserve("__a", {"id": 1})
    jobs = schema.jobs
    jobs.reserve("__a", {"id": 2})
    jobs.error("__a", {"id": 3}, "E")
    assert len(jobs.stale()) == 0  # both connections are alive
    other.close()
    import time

    deadline = time.monotonic() + 10
    while len(jobs.stale()) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert jobs.stale().fetch("key_hash").tolist() == [key_hash({"id": 1})]
    assert jobs.clear_stale() == 1
    assert sorted(jobs.fetch("status").tolist()) == ["error", "reserved"]


def test_stale_by_age(schema, connection):
    jobs = schema.jobs
    jobs.reserve("__a", {"id": 1})
    dialect = connection.dialect
    connection.query(
        f"UPDATE {dialect.full_table_name(schema.database, '~jobs')} "
        f"SET {dialect.quote('timestamp')} = {dialect.seconds_ago_sql(7200)}"
    )
    jobs.reserve("__a", {"id": 2})
    assert len(jobs.stale(older_than=datetime.timedelta(hours=1))) == 1
    assert jobs.clear_stale(older_than=3600) == 1
    assert jobs.fetch1("key_hash") == key_hash({"id": 2})


def test_clear_errors_by_table(schema):
    jobs = schema.jobs
    jobs.error("__a", {"id": 1}, "E")
    jobs.error("__b", {"id": 1}, "E")
    jobs.reserve("__a", {"id": 2})
    assert jobs.clear_errors("__a") == 1
    assert jobs.clear_errors() == 1
    assert jobs.fetch1("status") == "reserved"


def test_jobs_rows_are_readable_by_upstream_and_collide_with_its_reservations(schema, upstream):
    jobs = schema.jobs
    key = {"subject_id": 7, "session_date": datetime.date(2024, 5, 1)}
    jobs.reserve("__stats", key)
    jobs.error("__stats", {"id": 5}, "ValueError: bad", "the stack")
    result = upstream.run_json(
        f"""
        import datajoint as dj, json, datetime
        schema = dj.Schema({schema.database!r}, create_schema=False)
        jobs = schema.jobs
        rows = jobs.fetch(as_dict=True, order_by="status")
        again = jobs.reserve("__stats", {{"subject_id": 7, "session_date": datetime.date(2024, 5, 1)}})
        fresh = jobs.reserve("__stats", {{"id": 6}})
        print(json.dumps(dict(
            keys=[str(r["key"]) for r in rows], stacks=[r["error_stack"] for r in rows],
            again=again, fresh=fresh)))
        """
    )
    assert result["keys"] == [str(key), str({"id": 5})]
    assert result["stacks"] == [None, "the stack"]
    assert result["again"] is False
    assert result["fresh"] is True
    assert jobs.reserve("__stats", {"id": 6}) is False


def test_upstream_declared_jobs_table_is_the_same(schema, upstream, connection, make_database):
    ours = schema.jobs  # noqa: F841
    theirs = make_database("upjobs")
    upstream.run(
        f"""
        import datajoint as dj
        schema = dj.Schema({theirs!r})
        schema.jobs
        """
    )

    def show(database):
        text = connection.query(f"SHOW CREATE TABLE `{database}`.`~jobs`").fetchone()[1]
        return text.replace(database, "<db>")

    assert show(schema.database) == show(theirs)


def test_registered_as_schema_extension(connection, make_database):
    schema = Schema(make_database("ext"), connection=connection)
    assert type(schema.jobs).__name__ == "JobTable"


def test_reserve_many_and_release(schema):
    jobs = schema.jobs
    jobs.reserve("__a", {"id": 1})
    jobs.error("__a", {"id": 2}, "E")
    keys = [{"id": i} for i in range(5)]
    assert jobs.reserve_many("__a", keys) == [True, False, False, True, True]
    assert jobs.reserve_many("__a", keys) == [False] * 5
    assert jobs.reserve_many("__a", [{"id": 9}]) == [True]
    assert jobs.reserve_many("__a", []) == []
    assert len(jobs & {"status": "reserved"}) == 5  # ids 0, 1, 3, 4, 9
    jobs.release("__a", [{"id": 0}, {"id": 2}, {"id": 3}])  # the error row stays
    assert sorted(jobs.fetch("status").tolist()) == ["error", "reserved", "reserved", "reserved"]
    assert jobs.reserve("__a", {"id": 0}) is True


def test_reservations_are_batched_only_for_quick_makes(schema):
    import time

    import dj_compute as dc
    import dj_query as dq

    @schema
    class Source(dq.Lookup):
        definition = "id : int"
        contents = [(i,) for i in range(12)]

    held = []

    @schema
    class Quick(dc.Computed):
        definition = "-> Source"

        def make(self, key):
            held.append(len(schema.jobs & {"status": "reserved", "table_name": "__quick"}))
            self.insert1(key)

    @schema
    class Slow(dc.Computed):
        definition = "-> Source"

        def make(self, key):
            held.append(len(schema.jobs & {"status": "reserved", "table_name": "__slow"}))
            time.sleep(0.06)
            self.insert1(key)

    assert Quick.populate(reserve_jobs=True)["success_count"] == 12
    assert held[0] == 1 and max(held) > 1
    held.clear()
    assert Slow.populate(reserve_jobs=True, max_calls=4)["success_count"] == 4
    assert held == [1, 1, 1, 1]
    assert len(schema.jobs) == 0


# the lowercase recipe of 0.14's documentation, and its PostgreSQL spelling
STALE_RECIPE = {
    "mysql": "connection_id not in (select id from information_schema.processlist)",
    "postgresql": "connection_id not in (select pid from pg_stat_activity)",
}


def test_the_documented_stale_recipe_runs_as_written(schema, connection, backend):
    """The documented lowercase recipe (a subquery in a string restriction)."""
    schema.jobs.reserve("__a", {"id": 7})
    alive = schema.jobs & STALE_RECIPE[backend]
    assert len(alive) == 0  # our own connection is alive: nothing is stale


def test_clear_errors_by_message_pattern_and_errors_listing(schema):
    jobs = schema.jobs
    jobs.error("__a", {"id": 1}, "ValueError: bad trace", "Traceback: one")
    jobs.error("__a", {"id": 2}, "MemoryError")
    jobs.error("__b", {"id": 3}, "ValueError: bad trace")
    listed = jobs.errors("__a")
    assert sorted(
        (row["key"]["id"], row["error_message"], row["error_stack"]) for row in listed
    ) == [
        (1, "ValueError: bad trace", "Traceback: one"),
        (2, "MemoryError", None),
    ]
    assert jobs.clear_errors("__a", pattern=r"^ValueError") == 1
    assert jobs.clear_errors(pattern="bad") == 1
    assert [row["key"] for row in jobs.errors()] == [{"id": 2}]


def test_report_counts_pending_reserved_errors_ignored_and_holders(lab):
    jobs = lab.schema.jobs
    lab.Session.insert1((0, 99, -1.0))  # its make fails
    lab.Stats.populate({"subject_id": 0}, reserve_jobs=True, suppress_errors=True)
    done = len(lab.Stats())
    assert done == 4
    jobs.reserve(lab.Stats.table_name, {"subject_id": 2, "session_idx": 3})
    jobs.ignore(lab.Stats.table_name, {"subject_id": 2, "session_idx": 2})
    jobs.error("__other", {"x": 1}, "E")
    report = {entry.table_name: entry for entry in jobs.report([lab.Stats])}
    stats = report["__stats"]
    assert (stats.reserved, stats.ignore, stats.error) == (1, 1, 1)
    assert stats.pending == 13 - done - 3
    assert stats.oldest_reservation is not None
    assert stats.holders == [
        f"{platform.node()} pid {os.getpid()} (connection {lab.schema.connection.connection_id}):"
        " 1 reserved"
    ]
    assert report["__other"].pending is None and report["__other"].error == 1
    # without classes: the schema's auto-populated tables, spawned from the database
    spawned = {entry.table_name: entry for entry in jobs.report()}
    assert spawned["__stats"].pending == stats.pending
    from dj_compute.report import format_report

    text = format_report(jobs.report([lab.Stats]))
    assert "Stats" in text and "1 reserved" in text


def test_populate_can_clear_its_own_stale_reservations_first(lab, db_params):
    other = db_params.open_connection()
    JobTable(other, lab.schema.database).reserve(
        lab.Stats.table_name, {"subject_id": 0, "session_idx": 0}
    )
    JobTable(other, lab.schema.database).reserve("__elsewhere", {"x": 1})
    other.close()
    import time

    jobs = lab.schema.jobs
    deadline = time.monotonic() + 10
    while len(jobs.stale()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert lab.Stats.populate(reserve_jobs=True)["success_count"] == 11  # one is held
    assert lab.Stats.populate(reserve_jobs=True, clear_stale=True)["success_count"] == 1
    assert jobs.fetch("table_name").tolist() == ["__elsewhere"]  # other tables untouched


def test_work_set_without_jobs_taken_is_one_query_on_the_server(lab, monkeypatch):
    jobs = lab.schema.jobs
    stats = lab.Stats()
    jobs.reserve(stats.table_name, {"subject_id": 0, "session_idx": 1})
    jobs.error(stats.table_name, {"subject_id": 1, "session_idx": 2}, "E")
    jobs.ignore(stats.table_name, {"subject_id": 2, "session_idx": 3})
    jobs.reserve("__another", {"subject_id": 0, "session_idx": 0})  # other tables: no effect
    stats._keys_to_do((), None, None, jobs)  # headings are loaded once
    statements: list[str] = []
    for method in ("query", "fetch_rows"):  # fetch reads whole results with fetch_rows
        run = getattr(stats.connection, method)
        monkeypatch.setattr(
            stats.connection,
            method,
            lambda sql, *a, run=run, **k: statements.append(sql) or run(sql, *a, **k),
        )
    todo = stats._keys_to_do((), None, None, jobs)
    hashed = stats.connection.dialect.key_hash_sql(["session_idx", "subject_id"])
    assert len(statements) == 1 and hashed in statements[0]
    assert len(todo) == 12 - 3
    assert {"subject_id": 0, "session_idx": 0} in todo
    assert {"subject_id": 0, "session_idx": 1} not in todo
    # the same set as hashing in Python
    monkeypatch.setattr(type(stats), "_job_key", lambda self, key: dict(key))
    assert sorted(map(repr, stats._keys_to_do((), None, None, jobs))) == sorted(map(repr, todo))


def test_a_refused_reservation_inside_a_transaction_leaves_it_usable(schema, connection):
    jobs = schema.jobs
    with connection.transaction:
        assert jobs.reserve("__a", {"id": 1}) is True
        assert jobs.reserve("__a", {"id": 1}) is False  # refused, the transaction goes on
        assert jobs.ignore("__a", {"id": 1}) is False
        assert jobs.reserve("__a", {"id": 2}) is True
    assert sorted(jobs.fetch("key_hash").tolist()) == sorted(
        [key_hash({"id": 1}), key_hash({"id": 2})]
    )
