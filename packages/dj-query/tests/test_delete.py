"""delete (the cascade from the dependency graph), delete_quick, part/master rules,
safemode prompt and transactions."""

from __future__ import annotations

import dj_query as dq
import pytest
from dj_core import utils
from dj_core.errors import DataJointError, IntegrityError
from dj_core.schemas import Schema
from table_schema import declare_lab, fill_lab, open_connection


@pytest.fixture
def lab(schema):
    lab = declare_lab(schema)
    fill_lab(lab)
    return lab


def counts(lab):
    return {
        name: len(getattr(lab, name)()) for name in ("Subject", "Session", "Scan", "Pairing")
    } | {"Trial": len(lab.Session.Trial())}


def test_cascade_follows_every_foreign_key(lab):
    before = counts(lab)
    assert (lab.Subject & {"subject_id": 1}).delete() == 1
    after = counts(lab)
    # ann: 2 sessions, 3 trials, 2 scans, and the pairings naming her (as buddy or subject)
    assert before["Session"] - after["Session"] == 2
    assert before["Trial"] - after["Trial"] == 3
    assert before["Scan"] - after["Scan"] == 2
    assert after["Pairing"] == 0  # (2,1) (3,1) through the renamed key, (1,3) directly
    assert after["Subject"] == 2
    assert not lab.Subject.connection.in_transaction


def test_referential_rule_not_namesake_copy(schema):
    """A child's own attribute that shares a name with the parent's restriction is not
    the foreign key: rows are selected by the key they reference."""

    @schema
    class Parent(dq.Manual):
        definition = """
        p : int
        ---
        colour : varchar(8)
        """

    @schema
    class Child(dq.Manual):
        definition = """
        c : int
        ---
        -> Parent
        colour : varchar(8)
        """

    Parent.insert([(1, "red"), (2, "blue")])
    Child.insert([(10, 1, "blue"), (20, 2, "red")])
    (Parent & {"colour": "red"}).delete()
    assert Child.fetch("c").tolist() == [20]


def test_restricted_by_query_and_top(lab):
    (lab.Session & (lab.Scan & "depth > 1")).delete()
    assert len(lab.Session()) == 2 and len(lab.Scan()) == 2
    (lab.Subject & dq.Top(1, "subject_id desc")).delete()  # cy, who has no session
    assert sorted(lab.Subject.fetch("subject_id")) == [1, 2]


def test_part_rules(lab):
    with pytest.raises(DataJointError, match="master"):
        (lab.Session.Trial & {"subject_id": 1}).delete()
    assert len(lab.Session.Trial()) == 5
    assert (lab.Session.Trial & {"subject_id": 2}).delete(force=True) == 2
    assert len(lab.Session.Trial()) == 3 and len(lab.Session()) == 3


def test_part_reached_through_another_parent(schema):
    @schema
    class Probe(dq.Manual):
        definition = """
        probe : int
        """

    @schema
    class Recording(dq.Manual):
        definition = """
        rec : int
        """

        class Channel(dq.Part):
            definition = """
            -> master
            channel : int
            ---
            -> Probe
            """

    Probe.insert([(1,), (2,)])
    Recording.insert([(1,), (2,)])
    Recording.Channel.insert([(1, 0, 1), (1, 1, 2), (2, 0, 2)])
    with pytest.raises(DataJointError, match="force_parts"):
        (Probe & {"probe": 1}).delete()
    assert len(Recording.Channel()) == 3  # rolled back
    assert (Probe & {"probe": 1}).delete(force_masters=True) == 1
    # recording 1 went as a whole (both its channels), recording 2 stays
    assert Recording.fetch("rec").tolist() == [2]
    assert Recording.Channel.fetch("channel").tolist() == [0]
    assert (Probe & {"probe": 2}).delete(force_parts=True) == 1
    assert len(Recording.Channel()) == 0 and len(Recording()) == 1


def test_safemode_prompt_lists_counts_before_deleting(db_params, schema, monkeypatch):
    lab = declare_lab(schema)
    fill_lab(lab)
    prompts = []
    answers = iter(["no", "yes"])

    def answer(prompt):
        prompts.append(prompt)
        assert len(lab.Session()) == 3  # nothing deleted while asking
        return next(answers)

    monkeypatch.setattr(utils, "input", answer, raising=False)
    target = lab.Subject & {"subject_id": 1}
    assert target.delete(safemode=True) == 1  # answered no: rolled back
    assert len(lab.Subject()) == 3 and len(lab.Session()) == 3
    name = lab.Session.full_table_name
    assert (
        f"{name}: 2 rows" in prompts[0]
        and f"{lab.Session.Trial.full_table_name}: 3 rows" in prompts[0]
    )
    assert target.delete(safemode=True) == 1
    assert len(lab.Subject()) == 2
    assert (lab.Subject & {"subject_id": 99}).delete(safemode=True) == 0  # nothing: no prompt
    assert len(prompts) == 2


def test_transaction_rules(lab):
    connection = lab.Subject.connection
    connection.start_transaction()
    try:
        with pytest.raises(DataJointError, match="transaction=False"):
            (lab.Subject & {"subject_id": 3}).delete(safemode=True)
        assert (lab.Subject & {"subject_id": 3}).delete(safemode=False) == 1
    finally:
        connection.cancel_transaction()
    assert len(lab.Subject & {"subject_id": 3}) == 1  # the caller's rollback undid it


def test_delete_quick(lab):
    with pytest.raises(IntegrityError):
        (lab.Subject & {"subject_id": 2}).delete_quick()
    assert (lab.Scan & "depth is null").delete_quick(get_count=True) == 1
    assert lab.Scan.delete_quick() is None and len(lab.Scan()) == 0
    events = lab.Scan.connection.query(
        f"SELECT event FROM {lab.Scan.connection.dialect.full_table_name(lab.Scan.database, '~log')} "
        "WHERE event LIKE 'DELETE%%'"
    ).fetchall()
    assert len(events) == 2


def test_cascade_into_unregistered_schema(db_params, schema, make_database):
    lab = declare_lab(schema)
    fill_lab(lab)
    other_conn = open_connection(db_params)
    other = Schema(make_database("other"), connection=other_conn)
    session = dq.FreeTable(other_conn, lab.Session.full_table_name)  # noqa: F841 (context)

    @other
    class Review(dq.Manual):
        definition = """
        -> session
        reviewer : varchar(8)
        """

    Review.insert([(1, 1, "x"), (2, 1, "y")])
    # the lab connection knows nothing of the other schema: the catalog shows it
    assert other.database not in schema.connection.schemas
    (lab.Subject & {"subject_id": 1}).delete()
    assert Review.fetch("subject_id").tolist() == [2]
    other_conn.close()


def test_parts_of_lookup_masters_follow_the_part_rules(schema):
    @schema
    class Protocol(dq.Lookup):
        definition = """
        protocol : varchar(8)
        """
        contents = [("p1",), ("p2",)]

        class Step(dq.Part):
            definition = """
            -> master
            step : int
            """

    assert Protocol.Step.table_name == "#protocol__step"
    Protocol.Step.insert([("p1", 1), ("p1", 2), ("p2", 1)])
    step = dq.FreeTable(schema.connection, Protocol.Step.full_table_name)
    with pytest.raises(DataJointError, match="force_parts"):  # 0.14 did not see this part
        (step & {"step": 2}).delete()
    assert len(Protocol.Step()) == 3
    assert (Protocol & {"protocol": "p1"}).delete() == 1
    assert Protocol.Step.fetch("protocol").tolist() == ["p2"]


def test_free_tables_insert_delete_and_drop(schema):
    lab = declare_lab(schema)
    fill_lab(lab)
    subject = dq.FreeTable(schema.connection, lab.Subject.full_table_name)
    subject.insert1({"subject_id": 7, "name": "free"})
    assert (subject & {"subject_id": 7}).delete() == 1
    assert (subject & {"subject_id": 1}).delete() == 1
    assert len(lab.Session()) == 1  # the cascade works from a FreeTable too
    scan = dq.FreeTable(schema.connection, lab.Scan.full_table_name)
    scan.drop()
    assert not lab.Scan.is_declared
