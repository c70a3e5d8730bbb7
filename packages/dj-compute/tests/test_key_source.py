"""key_source: the default from the primary parents, overrides, and their checks
and progress()."""

from __future__ import annotations

import dj_compute as dc
import dj_query as dq
import pytest
from dj_core.errors import DataJointError


def test_default_is_the_join_of_primary_parents(lab):
    source = lab.Stats.key_source
    assert sorted(source.primary_key) == ["session_idx", "subject_id"]
    assert len(source) == 12
    assert source.heading.secondary_attributes == []


def test_renamed_parent_is_projected_with_the_renaming(lab):
    schema = lab.schema
    Session = lab.Session  # noqa: F841  (used by the definition)

    @schema
    class Pairing(dc.Computed):
        definition = """
        -> Session
        -> Session.proj(partner_idx="session_idx")
        """

        def make(self, key):
            self.insert1(key)

    source = Pairing.key_source
    assert sorted(source.primary_key) == ["partner_idx", "session_idx", "subject_id"]
    assert len(source) == 3 * 4 * 4
    assert Pairing.populate({"subject_id": 0})["success_count"] == 16


def test_secondary_parents_are_not_in_the_key_source(lab):
    schema = lab.schema
    Session = lab.Session  # noqa: F841

    @schema
    class Note(dq.Lookup):
        definition = """
        note : varchar(8)
        """
        contents = [("a",), ("b",)]

    @schema
    class Annotated(dc.Computed):
        definition = """
        -> Session
        ---
        -> Note
        """

    assert len(Annotated.key_source) == 12


def test_no_primary_parent(schema):
    @schema
    class Lonely(dc.Computed):
        definition = "id : int"

    with pytest.raises(DataJointError, match="dependencies from its primary key"):
        Lonely.populate()


def test_override_with_an_expression_a_class_and_a_property(lab):
    schema, Session, Subject = lab.schema, lab.Session, lab.Subject

    @schema
    class Restricted(dc.Computed):
        definition = "-> Session"
        key_source = Session & "session_idx = 1"

        def make(self, key):
            self.insert1(key)

    @schema
    class PerSubject(dc.Computed):
        definition = """
        -> Subject
        ---
        n : int
        """
        key_source = Subject

        def make(self, key):
            self.insert1(dict(key, n=len(Session & key)))

    @schema
    class ByProperty(dc.Computed):
        definition = "-> Session"

        @property
        def key_source(self):
            return Session.proj() & {"subject_id": 2}

        def make(self, key):
            self.insert1(key)

    assert Restricted.populate()["success_count"] == 3
    assert PerSubject.populate()["success_count"] == 3
    assert PerSubject.fetch("n").tolist() == [4, 4, 4]
    assert ByProperty.populate()["success_count"] == 4
    assert ByProperty.progress() == (0, 4)


def test_invalid_key_source(lab):
    schema, Session = lab.schema, lab.Session

    @schema
    class Broken(dc.Computed):
        definition = "-> Session"
        key_source = "not a query"

    with pytest.raises(DataJointError, match="Invalid key_source value"):
        Broken.populate()

    @schema
    class Foreign(dq.Manual):
        definition = "other_id : int"

    @schema
    class Mismatch(dc.Computed):
        definition = "-> Session"
        key_source = Session * Foreign

    with pytest.raises(DataJointError, match="lacks attribute other_id"):
        Mismatch.populate()


def test_target_elsewhere(lab):
    schema, Session = lab.schema, lab.Session  # noqa: F841  (definitions use it)

    @schema
    class Sink(dq.Manual):
        definition = """
        -> Session
        """

    @schema
    class Filler(dc.Computed):
        definition = "-> Session"

        @property
        def target(self):
            return Sink()

        def make(self, key):
            Sink.insert1(key)

    assert Filler.populate({"subject_id": 1})["success_count"] == 4
    assert len(Sink()) == 4 and len(Filler()) == 0
    assert Filler.progress() == (8, 12)


def test_progress_with_restrictions(lab):
    lab.Stats.populate({"subject_id": 0})
    assert lab.Stats.progress() == (8, 12)
    assert lab.Stats.progress({"subject_id": 0}) == (0, 4)
    assert lab.Stats.progress("subject_id > 0") == (8, 8)
