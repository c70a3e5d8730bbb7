"""A small pipeline for the tests: Subject → Session → Stats (Computed, regular make),
with a part table and a make that records its calls."""

from __future__ import annotations

import types

import dj_compute as dc
import dj_query as dq
from dj_core.schemas import Schema


def declare(schema: Schema, n_subjects: int = 3, n_sessions: int = 4) -> types.SimpleNamespace:
    calls: list[dict] = []

    @schema
    class Subject(dq.Manual):
        definition = """
        subject_id : int
        ---
        name = "" : varchar(16)
        """

    @schema
    class Session(dq.Manual):
        definition = """
        -> Subject
        session_idx : smallint
        ---
        value : double
        """

    @schema
    class Stats(dc.Computed):
        definition = """
        -> Session
        ---
        doubled : double
        """

        class Detail(dq.Part):
            definition = """
            -> master
            item : tinyint
            """

        def make(self, key, **kwargs):
            calls.append(dict(key, **kwargs))
            value = (Session & key).fetch1("value")
            if value < 0:
                raise ValueError(f"negative value {value}")
            self.insert1(dict(key, doubled=2 * value))
            self.Detail.insert([dict(key, item=i) for i in range(2)])

    Subject.insert([(i, f"s{i}") for i in range(n_subjects)])
    Session.insert(
        [(s, i, float(s * 10 + i)) for s in range(n_subjects) for i in range(n_sessions)]
    )
    return types.SimpleNamespace(
        schema=schema, Subject=Subject, Session=Session, Stats=Stats, calls=calls
    )
