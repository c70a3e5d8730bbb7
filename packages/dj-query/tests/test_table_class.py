"""Table classes: tiers and names, class-level use, binding, Lookup contents, lineage,
describe, spawning classes for virtual modules."""

from __future__ import annotations

import re

import dj_query as dq
import pytest
from dj_core import tiers
from dj_core.declare import declare
from dj_core.errors import DataJointError
from dj_core.schemas import VirtualModule
from dj_query.table import TableMeta
from table_schema import declare_lab, fill_lab


def test_tier_table_names_and_class_properties(schema):
    lab = declare_lab(schema)
    db = schema.database
    assert lab.Subject.table_name == "subject"
    assert lab.Rig.table_name == "#rig"
    assert lab.Session.Trial.table_name == "session__trial"
    assert lab.Session.Trial.master is lab.Session
    full_name = lab.Session.connection.dialect.full_table_name(db, "session")
    assert lab.Session.full_table_name == full_name
    assert lab.Session().full_table_name == full_name
    assert lab.Session.database == db and lab.Session.connection is schema.connection
    assert lab.Session.primary_key == ["subject_id", "session"]
    assert "Table definition:" in lab.Session.__doc__ and "-> Rig" in lab.Session.__doc__
    assert set(schema.list_tables()) == {
        "#rig",
        "subject",
        "session",
        "session__trial",
        "scan",
        "pairing",
    }


def test_tier_regexps_recognise_table_names(schema):
    lab = declare_lab(schema)
    for cls in (lab.Subject, lab.Rig, lab.Session, lab.Session.Trial):
        assert re.fullmatch(cls.tier_regexp, cls.table_name), cls
    assert not re.fullmatch(dq.Manual.tier_regexp, "#rig")
    assert not re.fullmatch(dq.Lookup.tier_regexp, "subject")
    assert re.fullmatch(dq.Part.tier_regexp, "__spike_rate__unit")["part"] == "unit"


def test_registered_tiers_are_dj_query_classes():
    assert tiers.tier_class("Manual") is dq.Manual
    assert tiers.tier_class("Lookup") is dq.Lookup
    assert tiers.tier_class("Part") is dq.Part


def test_undecorated_and_bad_classes(schema):
    class Loose(dq.Manual):
        definition = "k : int"

    with pytest.raises(DataJointError, match="schema"):
        _ = Loose.full_table_name
    with pytest.raises(DataJointError, match="schema"):
        Loose().fetch()

    class NoDefinition(dq.Manual):
        pass

    with pytest.raises(NotImplementedError):
        _ = NoDefinition.definition

    class bad_name(dq.Manual):
        definition = "k : int"

    with pytest.raises(DataJointError, match="must be alphanumeric in CamelCase"):
        schema(bad_name)

    class Orphan(dq.Part):
        definition = "k : int"

    with pytest.raises(DataJointError, match="Part"):
        schema(Orphan)

    class AVeryLongClassNameThatKeepsGoingAndGoingUntilItBreaksTheLimitOfMySQL(dq.Manual):
        definition = "k : int"

    limit = str(schema.connection.dialect.max_identifier_length)  # MySQL 64, PostgreSQL 63
    with pytest.raises(DataJointError, match=limit):
        schema(AVeryLongClassNameThatKeepsGoingAndGoingUntilItBreaksTheLimitOfMySQL)


def test_class_level_operators_without_instantiating(schema):
    lab = declare_lab(schema)
    fill_lab(lab)
    Subject, Session = lab.Subject, lab.Session
    assert len(Subject & {"subject_id": 1}) == 1
    assert len(Subject - Session) == 1  # cy has no session
    assert len(Subject * Session) == 3
    assert len(Subject @ Session) == 3
    assert len(Subject ^ "subject_id > 1") == 2
    assert sorted(r["subject_id"] for r in Subject) == [1, 2, 3]
    assert Subject.fetch1 is not None and len(Subject.fetch("KEY")) == 3
    assert (Subject & "subject_id=3").fetch1("name") == "cy"
    assert len(Subject.proj()) == 3
    assert len(Subject.aggr(Session, n="count(*)") & "n > 1") == 1
    assert bool(Subject)  # a class is truthy; len() needs an instance
    restricted = Session & {"subject_id": 1}
    assert isinstance(restricted, Session)  # restriction keeps the class


def test_forwarded_names_are_extensible(schema):
    lab = declare_lab(schema)
    fill_lab(lab)

    class Counted(lab.Subject):  # inherits the binding of Subject
        def population(self):
            return len(self)

    assert "population" not in TableMeta.forwarded
    with pytest.raises(TypeError):
        Counted.population()  # a plain function on the class: needs an instance
    dq.forward_class_attributes("population")
    try:
        assert Counted.population() == 3  # read on a fresh instance
    finally:
        TableMeta.forwarded.discard("population")


def test_lookup_contents_inserted_once(schema):
    lab = declare_lab(schema)
    assert sorted(lab.Rig.fetch("rig")) == ["r1", "r2"]

    class Rig(dq.Lookup):
        definition = lab.Rig.definition
        contents = [("r1", "A"), ("r2", "B"), ("r3", "C")]

    schema(Rig)  # the table exists: only the missing row is added
    assert sorted(Rig.fetch("rig")) == ["r1", "r2", "r3"]

    @schema
    class Counter(dq.Lookup):
        definition = """
        n : int auto_increment
        ---
        label : varchar(4)
        """
        contents = [{"label": "a"}]

    assert len(Counter()) == 0  # auto_increment: only a warning


def test_lineage(schema):
    lab = declare_lab(schema)
    db = schema.database
    name = lambda t: schema.connection.dialect.full_table_name(db, t)  # noqa: E731
    assert lab.Session.parents() == [name("subject"), name("#rig")] or sorted(
        lab.Session.parents()
    ) == sorted([name("subject"), name("#rig")])
    assert sorted(lab.Subject.children()) == sorted(
        [name("session"), name("pairing"), name("pairing")]
    )
    assert lab.Subject.children(primary=True).count(name("pairing")) == 2
    assert lab.Subject.descendants()[0] == name("subject")
    assert set(lab.Subject.descendants()) == {
        name("subject"),
        name("session"),
        name("session__trial"),
        name("scan"),
        name("pairing"),
    }
    assert lab.Scan.ancestors()[0] == name("scan")
    assert set(lab.Scan.ancestors()) == {
        name("scan"),
        name("session"),
        name("subject"),
        name("#rig"),
    }
    assert lab.Session.parts() == [name("session__trial")]
    objects = lab.Session.parts(as_objects=True)
    assert isinstance(objects[0], dq.FreeTable) and objects[0].full_table_name == name(
        "session__trial"
    )
    info = lab.Pairing.parents(foreign_key_info=True)
    maps = sorted(tuple(sorted(props["attr_map"].items())) for _, props in info)
    assert maps == [(("buddy_id", "subject_id"),), (("subject_id", "subject_id"),)]
    assert lab.Subject.size_on_disk > 0


def test_describe_round_trips(schema):
    lab = declare_lab(schema)
    for cls in (lab.Subject, lab.Session, lab.Session.Trial, lab.Scan, lab.Pairing, lab.Rig):
        context = {
            "Subject": lab.Subject,
            "Session": lab.Session,
            "Rig": lab.Rig,
            "master": lab.Session,
        }
        text = cls.describe(context=context)
        original, _ = declare(cls.full_table_name, cls.definition, context)
        again, _ = declare(cls.full_table_name, text, context)
        assert original == again, text
    assert lab.Pairing.describe().count("->") == 2


def test_spawn_missing_classes_and_virtual_module(schema):
    lab = declare_lab(schema)
    fill_lab(lab)
    module = VirtualModule("lab", schema.database, connection=schema.connection)
    assert issubclass(module.Subject, dq.Manual) and issubclass(module.Rig, dq.Lookup)
    assert issubclass(module.Session.Trial, dq.Part)
    assert module.Session.Trial.master is module.Session
    assert len(module.Session.Trial()) == 5
    assert len(module.Session & {"subject_id": 1}) == 2
    assert module.Session.Trial.full_table_name == lab.Session.Trial.full_table_name
    context = {}
    schema.spawn_missing_classes(context=context)
    assert {"Subject", "Session", "Scan", "Rig", "Pairing"} <= set(context)


def test_schema_log_and_direct_insert_hook(schema):
    lab = declare_lab(schema)
    events = schema.log.fetch("event")
    assert any(e.startswith("Declared") and "session" in e for e in events)
    schema.log("hello")
    assert "hello" in schema.log.fetch("event")

    class Guarded(lab.Subject):
        def _allows_direct_insert(self):
            return False

    with pytest.raises(DataJointError, match="allow_direct_insert=True"):
        Guarded().insert1((9, "z", None))
    Guarded().insert1((9, "z", None), allow_direct_insert=True)
    assert len(lab.Subject & {"subject_id": 9}) == 1
