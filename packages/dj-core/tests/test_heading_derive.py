"""Headings of derived queries over tables read from the server, and
the per-heading cache of attributes, names and primary key."""

from __future__ import annotations

import pytest
from dj_core.heading import Heading, invalidate
from dj_core.schemas import Schema, declare_table
from dj_core.table_ref import TableRef


@pytest.fixture
def lab(connection, make_database):
    """`rig` (key rig), `session` (key animal_id, session; rig, duration, notes) and
    `trial` (key animal_id, session, trial; duration)."""
    db = make_database()
    Schema(db, connection=connection)
    context: dict = {}
    definitions = {
        "rig": "rig : varchar(8)\n---\nroom : varchar(8)",
        "session": (
            "animal_id : int\nsession : smallint\n---\nrig : varchar(8)\n"
            "duration : float\nnotes : varchar(40)"
        ),
        "trial": "-> Session\ntrial : int\n---\nduration : int",
    }
    for name, definition in definitions.items():
        full = connection.dialect.full_table_name(db, name)
        declare_table(connection, full, definition, context)
        context[name.title()] = TableRef(connection, full)
    return {name: Heading.from_table(connection, db, name) for name in definitions}


def test_join_moves_a_secondary_attribute_that_is_the_others_key_into_the_key(lab):
    session, rig = lab["session"], lab["rig"]
    joined = session.join(rig)
    assert joined.primary_key == ["animal_id", "session", "rig"]
    assert joined.names == ["animal_id", "session", "rig", "duration", "notes", "room"]
    assert joined["rig"].in_key
    reverse = rig.join(session)
    assert reverse.primary_key == ["rig", "animal_id", "session"]
    assert reverse.names == ["rig", "animal_id", "session", "room", "duration", "notes"]
    assert reverse.secondary_attributes == ["room", "duration", "notes"]


def test_join_lists_a_namesake_secondary_attribute_once_as_the_first_operands(lab):
    session, trial = lab["session"], lab["trial"]
    joined = trial.join(session)  # `duration` is secondary in both (no semantic check)
    assert joined.names == ["animal_id", "session", "trial", "duration", "rig", "notes"]
    assert joined["duration"].type == "int"
    assert session.join(trial)["duration"].type == "float"


def test_select_places_renamed_attributes_right_after_their_source(lab, connection):
    """The caller (the query algebra) lists what to keep, key included."""
    session = lab["session"]
    projected = session.select(
        ["animal_id", "session", "rig", "notes"], {"minutes": "duration"}, {"n": "1"}
    )
    assert projected.names == ["animal_id", "session", "rig", "minutes", "notes", "n"]
    assert projected["minutes"].original_name == "duration"
    assert projected["minutes"].type == "float" and not projected["minutes"].in_key
    assert projected["n"].type == "expression"
    # a renamed key attribute keeps its place in the key
    renamed = session.select(["animal_id", "rig"], {"sess": "session"})
    assert renamed.primary_key == ["animal_id", "sess"]
    q = connection.dialect.quote
    assert renamed.as_sql(renamed.names) == (
        f"{q('animal_id')},{q('session')} as {q('sess')},{q('rig')}"
    )
    # a duplicated key attribute is part of the key too (a 0.14 quirk we keep)
    duplicated = session.select(["animal_id", "session"], {"s2": "session"})
    assert duplicated.primary_key == ["animal_id", "session", "s2"]


def test_primary_key_first_in_every_derived_heading(lab):
    session = lab["session"]
    rekeyed = session.set_primary_key(["rig"])
    assert rekeyed.names[0] == "rig" and rekeyed.primary_key == ["rig"]
    assert not rekeyed["session"].in_key
    key = ["animal_id", "session"]
    outside = session.select(key, {"minutes": "duration"}).make_subquery_heading()
    assert outside.new_attributes == [] and outside.names == ["animal_id", "session", "minutes"]


def test_attributes_are_computed_once_per_heading(lab, connection, monkeypatch):
    session = lab["session"]
    assert session.names  # loads
    sent = []
    original = connection.query
    monkeypatch.setattr(connection, "query", lambda *a, **k: sent.append(a) or original(*a, **k))
    assert session.attributes is session.attributes
    names = session.names
    names.append("spoiled")  # the caller's copy
    assert session.names == ["animal_id", "session", "rig", "duration", "notes"]
    key = session.primary_key
    key.clear()
    assert session.primary_key == ["animal_id", "session"]
    assert session["rig"] is session.attributes["rig"] and "notes" in session
    assert sent == []  # nothing read again


def test_a_heading_loaded_after_ddl_sees_the_change(lab, connection):
    session = lab["session"]
    db = session.table_info["database"]
    assert "extra" not in session.names
    full = connection.dialect.full_table_name(db, "session")
    connection.query(f"ALTER TABLE {full} ADD COLUMN extra int")
    invalidate(connection, db, "session")
    fresh = Heading.from_table(connection, db, "session")
    assert fresh.names[-1] == "extra" and "extra" in fresh.attributes
    assert fresh.secondary_attributes == ["rig", "duration", "notes", "extra"]
