"""drop, drop_quick, alter and update1."""

from __future__ import annotations

import dj_query as dq
import numpy as np
import pytest
from dj_core import utils
from dj_core.errors import DataJointError
from table_schema import declare_lab, fill_lab


@pytest.fixture
def lab(schema):
    lab = declare_lab(schema)
    fill_lab(lab)
    return lab


def test_drop_takes_dependents_and_asks_in_safemode(schema, lab, monkeypatch):
    prompts = []
    monkeypatch.setattr(utils, "input", lambda p: prompts.append(p) or "no", raising=False)
    schema.connection.config["safemode"] = True
    lab.Session.drop()  # answered no
    assert f"{lab.Session.Trial.full_table_name} (5 rows)" in prompts[0] and lab.Scan.is_declared
    with pytest.raises(DataJointError, match="restriction"):
        (lab.Session & {"subject_id": 1}).drop()
    with pytest.raises(DataJointError, match="drop its master"):
        lab.Session.Trial.drop()
    monkeypatch.setattr(utils, "input", lambda p: "yes", raising=False)
    lab.Session.drop()
    assert not lab.Session.is_declared and not lab.Scan.is_declared
    assert not lab.Session.Trial.is_declared and lab.Subject.is_declared
    assert set(schema.list_tables()) == {"#rig", "subject", "pairing"}
    lab.Session.drop_quick()  # nothing left to drop: only logged


def test_part_drop_with_force(schema, lab):
    with pytest.raises(DataJointError, match="force=True"):
        lab.Session.Trial.drop()
    lab.Session.Trial.drop(force=True)
    assert not lab.Session.Trial.is_declared and lab.Session.is_declared


def test_alter_secondary_attributes(schema, lab, monkeypatch):
    monkeypatch.setattr(utils, "input", lambda p: "yes", raising=False)

    @schema
    class Note(dq.Manual):
        definition = """
        # free text
        note_id : int
        ---
        body : varchar(20)
        stale : int
        """

    Note.insert1((1, "hello", 3))
    Note.definition = """
    # notes on subjects
    note_id : int
    ---
    text : varchar(40)  # {body} renamed and widened
    stars = 5 : tinyint
    """
    Note.alter()
    assert Note.heading.names == ["note_id", "text", "stars"]
    assert Note.fetch1() == {"note_id": 1, "text": "hello", "stars": 5}
    assert "notes on subjects" in Note.describe()
    events = schema.log.fetch("event")
    assert any(event.startswith("Altered") for event in events)
    Note.definition = Note.definition.replace("note_id : int", "note_id : bigint")
    with pytest.raises(NotImplementedError):
        Note.alter(prompt=False)
    schema.connection.start_transaction()
    try:
        with pytest.raises(DataJointError, match="transaction"):
            Note.alter(prompt=False)
    finally:
        schema.connection.cancel_transaction()


def test_update1(schema, lab):
    lab.Subject.update1({"subject_id": 2, "name": "bobby", "weight": 12.5})
    assert (lab.Subject & {"subject_id": 2}).fetch1("name", "weight") == ("bobby", 12.5)
    lab.Subject.update1({"subject_id": 2, "weight": None})  # back to the default (NULL)
    assert np.isnan((lab.Subject & {"subject_id": 2}).fetch1("weight"))
    with pytest.raises(DataJointError, match="primary-key"):
        lab.Subject.update1({"name": "x"})
    with pytest.raises(DataJointError, match="exactly one"):
        lab.Subject.update1({"subject_id": 42, "name": "x"})
    with pytest.raises(DataJointError, match="not in"):
        lab.Subject.update1({"subject_id": 2, "height": 3})
    with pytest.raises(DataJointError, match="restricted"):
        (lab.Subject & {"subject_id": 2}).update1({"subject_id": 2, "name": "x"})
    with pytest.raises(DataJointError, match="secondary"):
        lab.Subject.update1({"subject_id": 2})
    with pytest.raises(DataJointError, match="dict"):
        lab.Subject.update1([2, "x"])


def test_drop_reaches_dependents_in_unregistered_schemas(db_params, schema, make_database):
    from dj_core.schemas import Schema
    from table_schema import open_connection

    lab = declare_lab(schema)
    other_conn = open_connection(db_params)
    other = Schema(make_database("other"), connection=other_conn)
    subject = dq.FreeTable(other_conn, lab.Subject.full_table_name)  # noqa: F841 (context)

    @other
    class Review(dq.Manual):
        definition = """
        -> subject
        reviewer : varchar(8)
        """

    assert other.database not in schema.connection.schemas
    lab.Subject.drop()
    assert not Review.is_declared and not lab.Subject.is_declared
    other_conn.close()
