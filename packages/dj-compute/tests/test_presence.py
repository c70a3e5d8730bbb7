"""The per-key presence check agrees with the query algebra for every key type, using
the prepared statement only where a bound `=` compares exactly."""

from __future__ import annotations

import datetime
import decimal
import uuid

import dj_query as dq
from dj_compute.presence import Presence


def test_presence_agrees_with_restriction(schema):
    @schema
    class Keyed(dq.Manual):
        definition = """
        n : int
        day : date
        label : varchar(16)
        price : decimal(6,2)
        ---
        note = "" : varchar(8)
        """

    @schema
    class Tokened(dq.Manual):
        definition = """
        token : uuid
        ratio : double
        """

    row = dict(n=1, day=datetime.date(2024, 5, 1), label="a%b", price=decimal.Decimal("2.50"))
    Keyed.insert1(row)
    Tokened.insert1(dict(token=uuid.UUID(int=5), ratio=0.5))
    keyed, tokened = Presence(Keyed()), Presence(Tokened())
    assert keyed.plain and tokened.plain
    assert keyed(row) is True
    assert keyed(dict(row, label="a%c")) is False
    assert keyed(dict(row, day=datetime.date(2024, 5, 2))) is False
    assert keyed(dict(row, extra="ignored like a restriction")) is True
    assert keyed._statement(tuple(row)) is not None
    # uuid and floating-point keys are asked through the algebra
    assert tokened._statement(("token", "ratio")) is None
    assert tokened(dict(token=uuid.UUID(int=5), ratio=0.5)) is True
    assert tokened(dict(token=uuid.UUID(int=6), ratio=0.5)) is False
    # a restricted target is always asked through the algebra
    restricted = Presence(Keyed() & "n > 5")
    assert not restricted.plain and restricted(row) is False
