"""fetch, fetch1, len/bool/in/iteration, head/tail, cursor and previews."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from dj_query import key
from dj_query.errors import DataJointError
from dj_query_lab import ANIMALS, SESSIONS


def test_fetch_array_dtypes(lab):
    result = lab.Session.fetch()
    assert type(result) is np.ndarray
    assert result.dtype.names == ("animal_id", "session", "rig", "duration")
    assert result.dtype["animal_id"] == np.int64
    assert result.dtype["duration"] == np.float64
    assert result.dtype["rig"] == np.dtype(object)
    assert len(result) == len(SESSIONS)
    nulls = result[result["animal_id"] == 2]["duration"]
    assert math.isnan(nulls[0])


def test_nullable_date_is_object(lab):
    result = lab.Animal.fetch(order_by="KEY")
    assert result.dtype["born"] == np.dtype(object)
    assert result["born"][2] is None


def test_empty_fetch_keeps_dtype(lab):
    result = (lab.Session & "rig='Z'").fetch()
    assert len(result) == 0
    assert result.dtype == lab.Session.fetch().dtype


def test_fetch_as_dict(lab):
    result = lab.Session.fetch(as_dict=True, order_by="KEY")
    assert result[0] == {"animal_id": 1, "session": 1, "rig": "A", "duration": 30.0}
    assert result[2]["duration"] is None
    assert type(result[0]["animal_id"]) is int


def test_fetch_frame(lab):
    frame = lab.Session.fetch(format="frame")
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index.names) == ["animal_id", "session"]
    assert frame.loc[(3, 2), "rig"] == "A"


def test_fetch_format_errors(lab, connection):
    with pytest.raises(DataJointError, match="bogus"):
        lab.Session.fetch(format="bogus")
    with pytest.raises(DataJointError, match="Cannot specify output format"):
        lab.Session.fetch(format="frame", as_dict=True)
    with pytest.raises(DataJointError, match="Cannot specify output format"):
        lab.Session.fetch("rig", format="array")
    with connection.config(fetch_format="frame"):
        assert isinstance(lab.Session.fetch(), pd.DataFrame)
    with connection.config(fetch_format="wrong"), pytest.raises(DataJointError, match="wrong"):
        lab.Session.fetch()


def test_fetch_attributes(lab):
    ids, rigs = lab.Session.fetch("animal_id", "rig", order_by="KEY")
    assert list(ids) == [r[0] for r in SESSIONS]
    assert list(rigs) == [r[2] for r in SESSIONS]
    keys = lab.Session.fetch("KEY", order_by="KEY")
    assert keys[0] == {"animal_id": 1, "session": 1}
    assert type(keys[0]["animal_id"]) is int
    assert lab.Session.fetch(key, order_by="KEY") == keys
    key_list, durations = lab.Session.fetch("KEY", "duration", order_by="KEY")
    assert key_list == keys
    assert durations.dtype == np.float64
    assert len((lab.Session & "rig='Z'").fetch("KEY")) == 0


def test_fetch_attributes_as_dict(lab):
    result = lab.Session.fetch("rig", "KEY", as_dict=True, order_by="KEY")
    assert result[0] == {"animal_id": 1, "session": 1, "rig": "A"}
    assert isinstance(result[0]["animal_id"], np.integer)
    only = lab.Session.fetch("rig", as_dict=True, order_by="KEY")
    assert only[0] == {"rig": "A"}


def test_order_by_limit_offset(lab):
    ordered = sorted(SESSIONS, key=lambda r: (r[0], r[1]))
    assert lab.Session.fetch("session", limit=2).tolist() == [r[1] for r in ordered[:2]]
    assert lab.Session.fetch("KEY", offset=4) == [
        {"animal_id": a, "session": s} for a, s, _, _ in ordered[4:]
    ]
    descending = lab.Session.fetch("KEY", order_by="KEY DESC", limit=2)
    assert descending == [{"animal_id": 3, "session": 3}, {"animal_id": 3, "session": 2}]
    by_rig = lab.Session.fetch("animal_id", order_by=("rig desc", "KEY"))
    assert by_rig.tolist() == [
        a for a, _, _, _ in sorted(SESSIONS, key=lambda r: (-ord(r[2]), r[0], r[1]))
    ]


def test_head_and_tail(lab):
    assert [tuple(k.values()) for k in lab.Session.head(2, as_dict=True)] == [
        (1, 1, "A", 30.0),
        (1, 2, "B", 45.5),
    ]
    tail = lab.Session.tail(2)
    assert [(r["animal_id"], r["session"]) for r in tail] == [(3, 2), (3, 3)]


def test_fetch1(lab):
    row = (lab.Session & {"animal_id": 3, "session": 2}).fetch1()
    assert row == {"animal_id": 3, "session": 2, "rig": "A", "duration": 15.0}
    rig, k = (lab.Session & {"animal_id": 3, "session": 2}).fetch1("rig", "KEY")
    assert rig == "A"
    assert k == {"animal_id": 3, "session": 2}
    duration = (lab.Session & {"animal_id": 3, "session": 2}).fetch1("duration")
    assert isinstance(duration, np.float64)


def test_fetch1_errors(lab):
    with pytest.raises(DataJointError, match="exactly one"):
        lab.Session.fetch1()
    with pytest.raises(DataJointError, match="exactly one"):
        (lab.Session & "rig='Z'").fetch1()
    with pytest.raises(DataJointError, match="6 rows"):
        lab.Session.fetch1("rig")


def test_len_bool(lab):
    assert len(lab.Session) == len(SESSIONS)
    assert bool(lab.Session)
    assert not (lab.Session & "rig='Z'")
    assert len(lab.Session & "rig='Z'") == 0


def test_iteration_is_one_query_of_dicts(lab):
    rows = list(lab.Session)
    assert len(rows) == len(SESSIONS)
    assert {tuple(r.values()) for r in rows} == set(SESSIONS)
    keys = list(lab.Session.proj())
    assert {tuple(k.values()) for k in keys} == {(a, s) for a, s, _, _ in SESSIONS}
    with pytest.raises(TypeError):
        next(lab.Session)


def test_cursor_and_make_sql(lab):
    cursor = lab.Animal.cursor()
    assert len(cursor.fetchall()) == len(ANIMALS)
    dicts = lab.Animal.cursor(as_dict=True).fetchall()
    assert set(dicts[0]) == {"animal_id", "species", "born"}
    sql = (lab.Animal & {"animal_id": 1}).make_sql(["animal_id"])
    assert sql.startswith(f"SELECT {lab.connection.dialect.quote('animal_id')} FROM")


def test_text_preview(lab):
    text = repr(lab.Session & "animal_id=3")
    lines = text.splitlines()
    assert lines[0] == f"FreeTable({lab.Session.full_table_name})"
    assert lines[1] == "*animal_id    *session    rig     duration    "
    assert lines[2] == "+-----------+ +---------+ +-----+ +----------+"
    assert lines[3] == "3             1           C       60.0        "
    assert lines[-1] == " (Total: 3)"


def test_preview_limit_and_empty(lab, connection):
    text = lab.Session.preview(limit=2)
    assert "   ..." in text
    assert text.endswith(" (Total: 6)\n")
    empty = (lab.Session & "rig='Z'").preview()
    assert empty.split("\n")[2:] == ["", " (Total: 0)", ""]
    with connection.config(**{"display.show_tuple_count": False}):
        assert "Total" not in lab.Session.preview()
    with connection.config(loglevel="DEBUG"):
        text = repr(lab.Session)
        assert "FreeTable object at 0x" in text
        assert "Total" not in text


def test_html_preview(lab):
    text = lab.Animal._repr_html_()
    assert text.startswith("<style")
    assert "<b>animals</b>" in text
    assert "mouse" in text
    assert "<p>Total: 5</p>" in text


def test_order_by_computed_attribute_not_fetched(lab):
    totals = lab.Animal.aggr(lab.Session, n="count(*)")
    assert totals.fetch("animal_id", order_by="n desc").tolist() == [3, 1, 2]
    assert totals.fetch("KEY", order_by="n desc", limit=1) == [{"animal_id": 3}]


def test_html_preview_structure(lab, connection):
    text = lab.Session._repr_html_()
    assert 'class="primary_key">animal_id</p>' in text
    assert '<p id="nonprimary">rig</p>' in text
    assert '<span class="djtooltiptext">minutes</span>' in text
    assert text.count("<tr>") == 1 + len(SESSIONS)
    with connection.config(**{"display.limit": 2, "display.show_tuple_count": False}):
        short = lab.Session._repr_html_()
    assert short.count("<tr>") == 3
    assert "<p>...</p>" in short
    assert "Total" not in short


def test_order_by_entry_with_commas(lab):
    one = lab.Session.fetch("KEY", order_by="rig desc, KEY")
    two = lab.Session.fetch("KEY", order_by=["rig desc", "KEY"])
    assert one == two
    assert one[0] == {"animal_id": 3, "session": 1}
