"""populate(): the work set, the return value, errors, ordering and limits, transactions
and the direct-insert guard."""

from __future__ import annotations

import threading

import dj_compute as dc
import dj_query as dq
import pytest
from dj_core.errors import DataJointError, DuplicateError
from dj_core.hash import key_hash


def test_populate_computes_every_missing_key_once(lab):
    result = lab.Stats.populate()
    assert result == {"success_count": 12, "error_list": []}
    assert len(lab.Stats()) == 12
    assert len(lab.Stats.Detail()) == 24
    assert (lab.Stats & {"subject_id": 2, "session_idx": 3}).fetch1("doubled") == 46.0
    assert lab.Stats.populate() == {"success_count": 0, "error_list": []}
    assert len(lab.calls) == 12


def test_restrictions_are_anded(lab):
    result = lab.Stats.populate({"subject_id": 1}, "session_idx < 2")
    assert result["success_count"] == 2
    assert sorted(lab.Stats.fetch("session_idx").tolist()) == [0, 1]
    assert set(lab.Stats.fetch("subject_id").tolist()) == {1}


def test_class_and_instance_access(lab):
    assert lab.Stats().populate(max_calls=1)["success_count"] == 1
    assert lab.Stats.progress() == (11, 12)


def test_explicit_keys_skip_those_already_present(lab):
    keys = [{"subject_id": 0, "session_idx": 0}, {"subject_id": 0, "session_idx": 1}]
    assert lab.Stats.populate(keys=keys)["success_count"] == 2
    result = lab.Stats.populate(keys=[*keys, {"subject_id": 1, "session_idx": 0}])
    assert result["success_count"] == 1
    assert len(lab.calls) == 3


def test_order_reverse_and_max_calls(lab):
    lab.Stats.populate(order="reverse", max_calls=3)
    assert [(c["subject_id"], c["session_idx"]) for c in lab.calls] == [(2, 3), (2, 2), (2, 1)]


def test_order_random_does_not_touch_the_callers_list(lab):
    keys = lab.Session.fetch("KEY", order_by="KEY")
    copy = [dict(k) for k in keys]
    lab.Stats.populate(keys=keys, order="random")
    assert keys == copy
    assert len(lab.Stats()) == 12


def test_invalid_order(lab):
    with pytest.raises(DataJointError, match="original, reverse, random"):
        lab.Stats.populate(order="sideways")


def test_limit(lab):
    assert lab.Stats.populate(limit=5)["success_count"] == 5


def test_make_kwargs_reach_make(lab):
    lab.Stats.populate(max_calls=1, make_kwargs={"verbose": True})
    assert lab.calls[0]["verbose"] is True


def test_refused_inside_a_transaction(lab):
    connection = lab.schema.connection
    with connection.transaction:
        with pytest.raises(DataJointError, match="during a transaction"):
            lab.Stats.populate()


def test_refused_on_a_restricted_table(lab):
    with pytest.raises(DataJointError, match="restricted table"):
        (lab.Stats & {"subject_id": 1}).populate()
    keys = [{"subject_id": 1, "session_idx": 0}]
    assert (lab.Stats & {"subject_id": 1}).populate(keys=keys)["success_count"] == 1


# --- errors ---------------------------------------------------------------------------------


def _break(lab, subject_id=1):
    lab.Session.update1({"subject_id": subject_id, "session_idx": 2, "value": -1.0})


def test_first_error_is_raised_and_nothing_of_it_remains(lab, monkeypatch):
    _break(lab)
    made = []
    original = lab.Stats.make

    def make(self, key, **kwargs):
        made.append(dict(key))
        return original(self, key, **kwargs)

    # the key order is the server's (PostgreSQL: the updated row comes last)
    monkeypatch.setattr(lab.Stats, "make", make)
    with pytest.raises(ValueError, match="negative value"):
        lab.Stats.populate()
    assert made[-1] == {"subject_id": 1, "session_idx": 2}
    assert len(lab.Stats & {"subject_id": 1, "session_idx": 2}) == 0
    # the keys before it are committed, and no other
    stored = lab.Stats.fetch("KEY")
    assert sorted(map(str, stored)) == sorted(map(str, made[:-1]))


def test_suppressed_errors_are_collected_as_messages(lab):
    _break(lab, 0)
    _break(lab, 2)
    result = lab.Stats.populate(suppress_errors=True)
    assert result["success_count"] == 10
    assert result["error_list"] == [
        ({"subject_id": 0, "session_idx": 2}, "ValueError: negative value -1.0"),
        ({"subject_id": 2, "session_idx": 2}, "ValueError: negative value -1.0"),
    ]


def test_exception_objects_on_request(lab):
    _break(lab)
    result = lab.Stats.populate(suppress_errors=True, return_exception_objects=True)
    ((key, error),) = result["error_list"]
    assert key == {"subject_id": 1, "session_idx": 2}
    assert isinstance(error, ValueError)


def test_errors_are_recorded_in_jobs_and_then_skipped(lab):
    _break(lab)
    result = lab.Stats.populate(reserve_jobs=True, suppress_errors=True)
    assert result["success_count"] == 11
    jobs = lab.schema.jobs
    row = jobs.fetch1()
    assert row["table_name"] == "__stats"
    assert row["status"] == "error"
    assert row["key"] == {"subject_id": 1, "session_idx": 2}
    assert row["key_hash"] == key_hash({"subject_id": 1, "session_idx": 2})
    assert row["error_message"] == "ValueError: negative value -1.0"
    assert "Traceback" in row["error_stack"] and "negative value" in row["error_stack"]
    # an error row blocks the key until it is cleared
    lab.Session.update1({"subject_id": 1, "session_idx": 2, "value": 5.0})
    assert lab.Stats.populate(reserve_jobs=True)["success_count"] == 0
    assert jobs.clear_errors() == 1
    assert lab.Stats.populate(reserve_jobs=True)["success_count"] == 1
    assert len(jobs) == 0


def test_ignored_and_reserved_keys_are_skipped(lab):
    jobs = lab.schema.jobs
    jobs.ignore("__stats", {"subject_id": 0, "session_idx": 0})
    jobs.reserve("__stats", {"subject_id": 0, "session_idx": 1})
    assert lab.Stats.populate(reserve_jobs=True)["success_count"] == 10
    # without reserve_jobs the jobs table is not consulted
    assert lab.Stats.populate()["success_count"] == 2


def test_error_without_jobs_leaves_jobs_alone(lab, connection):
    _break(lab)
    lab.Stats.populate(suppress_errors=True)
    assert not connection.dialect.table_exists(connection, lab.schema.database, "~jobs")


def test_keyboard_interrupt_is_recorded_and_raised_even_when_suppressing(schema):
    @schema
    class Source(dq.Lookup):
        definition = "id : int"
        contents = [(1,), (2,)]

    @schema
    class Interrupted(dc.Computed):
        definition = "-> Source"

        def make(self, key):
            self.insert1(key)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Interrupted.populate(reserve_jobs=True, suppress_errors=True)
    assert len(Interrupted()) == 0
    row = schema.jobs.fetch1()
    assert row["error_message"] == "KeyboardInterrupt"


def test_system_exit_is_recorded_and_raised(schema):
    @schema
    class Source(dq.Lookup):
        definition = "id : int"
        contents = [(1,)]

    @schema
    class Exiting(dc.Computed):
        definition = "-> Source"

        def make(self, key):
            raise SystemExit("SIGTERM received")

    with pytest.raises(SystemExit):
        Exiting.populate(reserve_jobs=True, suppress_errors=True)
    assert schema.jobs.fetch1("error_message") == "SystemExit: SIGTERM received"


def test_message_without_text_is_the_class_name(schema):
    @schema
    class Source(dq.Lookup):
        definition = "id : int"
        contents = [(1,)]

    @schema
    class Dup(dc.Computed):
        definition = "-> Source"

        def make(self, key):
            raise DuplicateError()

    result = Dup.populate(reserve_jobs=True, suppress_errors=True)
    assert result["error_list"] == [({"id": 1}, "DuplicateError")]
    assert schema.jobs.fetch1("error_message") == "DuplicateError"


def test_make_sees_one_transaction_and_key_present_is_skipped(lab):
    connection = lab.schema.connection
    seen = []

    original = lab.Stats.make

    def make(self, key, **kwargs):
        seen.append(connection.in_transaction)
        original(self, key, **kwargs)

    lab.Stats.make = make
    try:
        lab.Stats.populate(max_calls=2)
    finally:
        lab.Stats.make = original
    assert seen == [True, True]
    assert not connection.in_transaction


# --- the direct-insert guard ----------------------------------------------------------------


def test_direct_insert_is_refused_outside_make(lab):
    row = {"subject_id": 0, "session_idx": 0, "doubled": 1.0}
    with pytest.raises(DataJointError, match="allow_direct_insert=True"):
        lab.Stats.insert1(row)
    lab.Stats.insert1(row, allow_direct_insert=True)
    assert len(lab.Stats()) == 1
    # parts of a computed table are not guarded
    lab.Stats.Detail.insert1({"subject_id": 0, "session_idx": 0, "item": 5})
    assert len(lab.Stats.Detail()) == 1


def test_legacy_class_switch_still_allows(lab):
    lab.Stats._allow_insert = True
    try:
        lab.Stats.insert1({"subject_id": 0, "session_idx": 0, "doubled": 1.0})
    finally:
        lab.Stats._allow_insert = False
    assert len(lab.Stats()) == 1


def test_permission_does_not_leak_to_other_threads_during_make(lab):
    outcome = {}
    started, release = threading.Event(), threading.Event()
    original = lab.Stats.make

    def make(self, key, **kwargs):
        started.set()
        release.wait(10)
        original(self, key, **kwargs)

    def other_thread():
        started.wait(10)
        try:
            lab.Stats.insert1({"subject_id": 2, "session_idx": 3, "doubled": 0.0})
            outcome["inserted"] = True
        except DataJointError:
            outcome["inserted"] = False
        finally:
            release.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    lab.Stats.make = make
    try:
        lab.Stats.populate({"subject_id": 0, "session_idx": 0})
    finally:
        lab.Stats.make = original
        thread.join(10)
    assert outcome == {"inserted": False}
    assert len(lab.Stats()) == 1


# --- progress display ------------------------------------------------------------------------


def test_display_progress_shows_a_bar(lab, capsys):
    lab.Stats.populate(display_progress=True)
    err = capsys.readouterr().err
    assert "Stats" in err and "12/12" in err


def test_no_output_unless_asked(lab, capsys):
    lab.Stats.populate(reserve_jobs=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_display_logs_one_line(lab, caplog):
    lab.Stats.populate(max_calls=3)
    with caplog.at_level("INFO", logger="datajoint"):
        assert lab.Stats.progress(display=True) == (9, 12)
    (record,) = [r for r in caplog.records if "Completed" in r.getMessage()]
    assert record.getMessage().startswith("Stats                Completed 3 of 12 (25.0%)")


def test_lost_connection_during_make_is_an_error_and_populate_goes_on(lab, db_params):
    connection = lab.schema.connection
    admin = db_params.connect()
    original = lab.Stats.make
    killed = []

    def make(self, key, **kwargs):
        original(self, key, **kwargs)
        if not killed:  # the first key loses its connection after inserting
            killed.append(key)
            with admin.cursor() as cursor:
                cursor.execute(connection.dialect.kill_sql(connection.connection_id))
            (lab.Session & key).fetch1("value")  # the next statement notices

    lab.Stats.make = make
    try:
        result = lab.Stats.populate(reserve_jobs=True, suppress_errors=True)
    finally:
        lab.Stats.make = original
        admin.close()
    ((key, message),) = result["error_list"]
    assert key == killed[0]
    assert message.startswith("LostConnectionError: Connection was lost during a transaction")
    assert result["success_count"] == 11
    assert len(lab.Stats & key) == 0 and len(lab.Stats.Detail & key) == 0
    row = lab.schema.jobs.fetch1()
    assert row["status"] == "error" and row["key"] == key


def test_sigterm_under_reserve_jobs_ends_the_make_and_is_recorded(schema):
    import os
    import signal
    import time

    @schema
    class Source(dq.Lookup):
        definition = "id : int"
        contents = [(1,), (2,)]

    @schema
    class Terminated(dc.Computed):
        definition = "-> Source"

        def make(self, key):
            self.insert1(key)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler interrupts this

    before = signal.getsignal(signal.SIGTERM)
    started = time.monotonic()
    with pytest.raises(SystemExit, match="SIGTERM received"):
        Terminated.populate(reserve_jobs=True, suppress_errors=True)
    assert time.monotonic() - started < 4
    assert signal.getsignal(signal.SIGTERM) is before  # restored, also after failing
    assert len(Terminated()) == 0
    jobs = schema.jobs
    assert jobs.fetch("status", "error_message", as_dict=True) == [
        {"status": "error", "error_message": "SystemExit: SIGTERM received"}
    ]


def test_a_make_going_on_after_a_failed_statement_uses_a_savepoint(schema):
    """A failed statement aborts a PostgreSQL transaction (MySQL undoes the statement
    only): a make that expects a failure and goes on wraps it in `connection.savepoint()`,
    on both servers alike."""

    @schema
    class Source(dq.Lookup):
        definition = "n : int"
        contents = [(1,), (2,)]

    @schema
    class Tagged(dc.Computed):
        definition = """
        -> Source
        ---
        tag : varchar(8)
        """

        class Note(dq.Part):
            definition = """
            -> master
            note : varchar(8)
            """

        def make(self, key):
            self.insert1(dict(key, tag="first"))
            self.Note.insert1(dict(key, note="a"))
            try:
                with self.connection.savepoint():
                    self.Note.insert1(dict(key, note="a"))  # a duplicate: refused
            except DuplicateError:
                self.Note.insert1(dict(key, note="b"))  # the transaction goes on

    assert Tagged.populate() == {"success_count": 2, "error_list": []}
    assert sorted(Tagged.Note.fetch("note").tolist()) == ["a", "a", "b", "b"]
