"""Projection, join, aggregation, union, universal sets and Top."""

from __future__ import annotations

from collections import Counter, defaultdict

import pandas as pd
import pytest
from dj_query import Top, U
from dj_query.errors import DataJointError
from dj_query.expression import QueryExpression
from dj_query_lab import ANIMALS, RIGS, SESSIONS, TRIALS


def rows(query, *names):
    """Rows as a set of tuples (of the named attributes, default all)."""
    names = names or tuple(query.heading.names)
    return {tuple(row[n] for n in names) for row in query.fetch(as_dict=True)}


# --- projection ---------------------------------------------------------------------


def test_proj_headings(lab):
    S = lab.Session
    assert S.proj().heading.names == ["animal_id", "session"]
    assert S.proj("rig").heading.names == ["animal_id", "session", "rig"]
    assert S.proj(...).heading.names == ["animal_id", "session", "rig", "duration"]
    assert S.proj(..., "-duration").heading.names == ["animal_id", "session", "rig"]
    assert S.proj(..., "- duration").heading.names == ["animal_id", "session", "rig"]
    renamed = S.proj(sess="session")
    assert renamed.heading.names == ["animal_id", "sess"]
    assert renamed.primary_key == ["animal_id", "sess"]
    computed = S.proj("rig", minutes="duration", secs="duration*60")
    assert computed.heading.names == ["animal_id", "session", "rig", "minutes", "secs"]
    assert computed.primary_key == ["animal_id", "session"]
    assert S.proj(r2="(rig)").heading.names == ["animal_id", "session", "r2"]


def test_renamed_attribute_follows_its_source(lab):
    result = lab.Session.proj("duration", r="rig")
    assert result.heading.names == ["animal_id", "session", "r", "duration"]


def test_proj_values(lab):
    result = lab.Session.proj("rig", secs="duration*60", dup="(rig)")
    expected = {(a, s, r, None if d is None else d * 60, r) for a, s, r, d in SESSIONS}
    assert rows(result, "animal_id", "session", "rig", "secs", "dup") == expected


def test_duplicated_primary_key_joins_the_key(lab):
    result = lab.Animal.proj(a2="(animal_id)")
    assert result.primary_key == ["animal_id", "a2"]
    assert rows(result) == {(a, a) for a, _, _ in ANIMALS}


def test_proj_keeps_the_table_class_and_the_operand(lab):
    projected = lab.Animal.proj()
    assert type(projected) is type(lab.Animal)
    assert lab.Animal.heading.names == ["animal_id", "species", "born"]


def test_proj_errors(lab):
    S = lab.Session
    with pytest.raises(DataJointError, match="not a valid attribute name"):
        S.proj(None)
    with pytest.raises(DataJointError, match="primary key attribute `session`"):
        S.proj("-session")
    with pytest.raises(DataJointError, match="`nope` not found"):
        S.proj("nope")
    with pytest.raises(DataJointError, match="`rig` already exists"):
        S.proj("rig", rig="session")
    with pytest.raises(DataJointError):
        S.fetch(None)


def test_rename_of_renamed_attribute(lab):
    result = lab.Session.proj(s="session").proj(t="s")
    assert rows(result, "animal_id", "t") == {(a, s) for a, s, _, _ in SESSIONS}


def test_computed_constants(lab):
    result = lab.Animal.proj(n="NULL", h="'hit'", one="1")
    assert rows(result, "n", "h", "one") == {(None, "hit", 1)}


def test_swapped_names_are_restricted_correctly(lab):
    swapped = lab.Session.proj(session="animal_id", animal_id="session")
    expected = {(s, a) for a, s, _, _ in SESSIONS if s == 1}
    assert rows(swapped & {"animal_id": 1}, "animal_id", "session") == expected


# --- join ---------------------------------------------------------------------------


def test_join(lab):
    result = lab.Session * lab.Animal
    assert result.heading.names == ["animal_id", "session", "rig", "duration", "species", "born"]
    species = {a: sp for a, sp, _ in ANIMALS}
    assert rows(result, "animal_id", "session", "species") == {
        (a, s, species[a]) for a, s, _, _ in SESSIONS
    }
    assert isinstance(result, QueryExpression)


def test_join_with_class_primary_key_order(lab):
    result = lab.Trial * lab.Rig
    assert result.primary_key == ["animal_id", "session", "trial", "rig"]
    other = lab.Rig * lab.Session
    assert other.primary_key == ["rig", "animal_id", "session"]


def test_secondary_of_one_is_key_of_other(lab):
    result = lab.Session * lab.Rig
    assert "rig" in result.primary_key
    rooms = dict(RIGS)
    assert rows(result, "animal_id", "session", "room") == {
        (a, s, rooms[r]) for a, s, r, _ in SESSIONS
    }


def test_cartesian_product(lab):
    result = lab.Animal.proj(a1="animal_id") * lab.Animal.proj(a2="animal_id")
    assert len(result) == len(ANIMALS) ** 2


def test_join_incompatible_and_at_operator(lab):
    other = lab.Animal.proj(rig="species")
    with pytest.raises(DataJointError, match="dependent attribute `rig`"):
        lab.Session * other
    joined = lab.Session @ other
    species = {a: sp for a, sp, _ in ANIMALS}
    assert rows(joined, "animal_id", "session") == {
        (a, s) for a, s, r, _ in SESSIONS if species[a] == r
    }
    with pytest.raises(DataJointError, match="Cannot join"):
        lab.Session * {"a": 1}


def test_join_of_restricted_operands(lab):
    result = (lab.Session & "rig='A'") * (lab.Animal & {"species": "rat"})
    assert rows(result, "animal_id", "session") == {(3, 2)}


def test_join_on_renamed_attribute(lab):
    result = lab.Session * lab.Animal.proj(..., sid="animal_id").proj(animal_id="sid")
    assert len(result) == len(SESSIONS)


def test_left_join(lab):
    result = lab.Animal.join(lab.Session, left=True)
    assert len(result) == len(SESSIONS) + 2  # animals 4 and 5 have no session
    array = result.fetch()  # NULLs in a NOT NULL integer column: object dtype, not a crash
    missing = [row for row in array if row["session"] is None]
    assert sorted(row["animal_id"] for row in missing) == [4, 5]
    # the frame (built column by column) agrees with the array
    ordered = result.fetch(order_by="animal_id, session")
    frame = result.fetch(format="frame", order_by="animal_id, session")
    from_array = pd.DataFrame({name: ordered[name] for name in ordered.dtype.names})
    pd.testing.assert_frame_equal(frame, from_array.set_index(["animal_id", "session"]))


def test_left_join_keeps_unmatched_rows_when_right_is_restricted(lab):
    result = lab.Animal.join(lab.Session & "rig='B'", left=True)
    got = {(r["animal_id"], r["session"]) for r in result.fetch(as_dict=True)}
    assert got == {(1, 2), (3, 3), (2, None), (4, None), (5, None)}


def test_join_keeps_top(lab):
    top = lab.Session & Top(2)
    result = top * lab.Trial
    assert rows(result, "animal_id", "session") == {(1, 1), (1, 2)}


# --- aggregation --------------------------------------------------------------------


def test_aggr(lab):
    counts = Counter(a for a, _, _, _ in SESSIONS)
    result = lab.Animal.aggr(lab.Session, n="count(*)", total="sum(duration)")
    assert result.primary_key == ["animal_id"]
    got = {r["animal_id"]: r["n"] for r in result.fetch(as_dict=True)}
    assert got == dict(counts)


def test_aggr_keep_all_rows_and_having(lab):
    result = lab.Animal.aggr(lab.Session, ..., n="count(session)", keep_all_rows=True)
    assert result.heading.names == ["animal_id", "species", "born", "n"]
    got = {r["animal_id"]: r["n"] for r in result.fetch(as_dict=True)}
    assert got == {1: 2, 2: 1, 3: 3, 4: 0, 5: 0}
    assert rows(result & "n = 0", "animal_id") == {(4,), (5,)}
    assert len(result & "n = 0") == 2
    assert bool(result & "n > 5") is False


def test_aggr_keep_all_rows_with_restricted_group(lab):
    result = lab.Animal.aggr(lab.Session & "rig='A'", n="count(session)", keep_all_rows=True)
    got = {r["animal_id"]: r["n"] for r in result.fetch(as_dict=True)}
    assert got == {1: 1, 2: 1, 3: 1, 4: 0, 5: 0}


def test_aggr_of_restricted_group(lab):
    hits = Counter((a, s) for a, s, _, o, _ in TRIALS if o == "hit")
    result = lab.Session.aggr(lab.Trial & "outcome='hit'", hits="count(*)")
    assert {(r["animal_id"], r["session"]): r["hits"] for r in result.fetch(as_dict=True)} == hits


def test_aggr_renaming_key_and_restricting_then_projecting(lab):
    result = lab.Animal.aggr(lab.Session, aa="animal_id", n="count(*)")
    assert result.primary_key == ["aa"]
    assert rows(result & "n > 1", "aa") == {(1,), (3,)}
    renamed = result.proj(m="n")
    assert rows(renamed, "aa", "m") == {(1, 2), (2, 1), (3, 3)}


def test_aggregation_as_operand(lab):
    agg = lab.Animal.aggr(lab.Session, n="count(*)")
    assert rows(lab.Animal & (agg & "n > 1"), "animal_id") == {(1,), (3,)}
    joined = agg * lab.Animal
    assert len(joined) == 3
    nested = lab.Animal.aggr(agg, m="max(n)")
    assert rows(nested, "animal_id", "m") == {(1, 2), (2, 1), (3, 3)}


def test_aggr_with_secondary_attribute_expression(lab):
    result = lab.Animal.aggr(lab.Session, label="concat(species, '-', count(*))")
    assert rows(result, "animal_id", "label") == {(1, "mouse-2"), (2, "mouse-1"), (3, "rat-3")}


# --- union --------------------------------------------------------------------------


def test_union_of_keys(lab):
    result = (lab.Session & "rig='A'").proj() + (lab.Session & "rig='B'").proj()
    assert rows(result) == {(a, s) for a, s, r, _ in SESSIONS if r in "AB"}
    assert len(result) == 5
    assert bool(result)
    empty = (lab.Session & "rig='Z'").proj() + (lab.Session & "rig='Y'").proj()
    assert not empty
    assert len(empty) == 0


def test_outer_union_with_secondary_attributes(lab):
    left = (lab.Session & "animal_id=1").proj("rig")
    right = (lab.Session & "session=1").proj("duration")
    result = left + right
    assert result.heading.names == ["animal_id", "session", "rig", "duration"]
    assert rows(result) == {
        (1, 1, "A", 30.0),
        (1, 2, "B", None),
        (2, 1, None, None),
        (3, 1, None, 60.0),
    }


def test_union_chain_restrict_and_use_as_condition(lab):
    parts = [(lab.Session & {"animal_id": a}).proj() for a in (1, 2, 3)]
    union = parts[0] + parts[1] + parts[2]
    assert len(union) == len(SESSIONS)
    assert rows(union & "session > 1") == {(1, 2), (3, 2), (3, 3)}
    assert rows(lab.Animal & union, "animal_id") == {(1,), (2,), (3,)}


def test_union_errors(lab):
    with pytest.raises(DataJointError, match="same primary key"):
        lab.Session.proj() + lab.Animal.proj()
    with pytest.raises(DataJointError, match="secondary attributes"):
        (lab.Session & "rig='A'") + (lab.Session & "rig='B'")
    with pytest.raises(DataJointError):
        lab.Session + 1


# --- universal sets -----------------------------------------------------------------


def test_u_restriction_gives_distinct_values(lab):
    result = U("rig") & lab.Session
    assert result.primary_key == ["rig"]
    assert rows(result) == {(r,) for _, _, r, _ in SESSIONS}
    assert len(result) == 3
    assert rows(U("species") & lab.Animal) == {("mouse",), ("rat",), ("fly",)}


def test_u_aggr(lab):
    result = U("species").aggr(lab.Animal, n="count(*)")
    assert rows(result) == {("mouse", 2), ("rat", 2), ("fly", 1)}
    one = U().aggr(lab.Session & {"animal_id": 3}, next="max(session) + 1")
    assert one.fetch1("next") == 4
    empty = U().aggr(lab.Session & "animal_id=99", n="count(*)")
    assert empty.fetch1("n") == 0
    assert len(empty) == 1
    assert rows(U().aggr(lab.Session, n="count(*)") & "n > 1") == {(len(SESSIONS),)}
    with pytest.raises(DataJointError, match="keep_all_rows"):
        U("rig").aggr(lab.Session, n="count(*)", keep_all_rows=True)


def test_u_join_promotes_to_primary_key(lab):
    promoted = U("rig") * lab.Session
    assert promoted.primary_key == ["animal_id", "session", "rig"]
    rooms = dict(RIGS)
    joined = promoted * lab.Rig.proj(rig2="rig", room2="room").proj(rig="rig2", room2="room2")
    assert rows(joined, "animal_id", "session", "room2") == {
        (a, s, rooms[r]) for a, s, r, _ in SESSIONS
    }
    assert (lab.Session * U("rig")).primary_key == ["animal_id", "session", "rig"]
    with pytest.raises(DataJointError):
        U("nope") * lab.Session
    with pytest.raises(DataJointError):
        U("a") * U("b")


def test_u_errors_and_empty_u(lab):
    with pytest.raises(DataJointError):
        U("rig") & {"rig": "A"}
    with pytest.raises(DataJointError, match="not found"):
        U("nope") & lab.Session
    assert len(U() & lab.Session) == 1
    assert len(U() & (lab.Session & "rig='Z'")) == 0


def test_u_restricted_query_keeps_its_conditions(lab):
    result = U("rig") & (lab.Session & {"animal_id": 3})
    assert rows(result) == {("A",), ("B",), ("C",)}
    assert rows(U("rig") & (lab.Session & {"animal_id": 1})) == {("A",), ("B",)}


# --- Top ----------------------------------------------------------------------------


def test_top_validation_and_repr():
    assert repr(Top()) == "Top(limit=1, order_by=['KEY'], offset=0)"
    assert Top(order_by=None).order_by == ["KEY"]
    assert Top(None, offset=2).limit == 999999999999
    with pytest.raises(TypeError, match=r"^Top limit must be an integer$"):
        Top("1")
    with pytest.raises(TypeError, match=r"^Top order_by attributes must all be strings$"):
        Top(1, [1])
    with pytest.raises(TypeError, match=r"^The offset argument must be an integer$"):
        Top(1, "KEY", "2")


def test_top_order_and_offset(lab, backend):
    # NULL sorts first in MySQL's ascending order and last in PostgreSQL's (README)
    null = -1 if backend == "mysql" else 1000
    ordered = sorted(SESSIONS, key=lambda r: (-(null if r[3] is None else r[3]), r[0], r[1]))
    result = lab.Session & Top(2, "duration desc", 1)
    assert [tuple(k.values()) for k in result.fetch("KEY", order_by="duration desc")] == [
        (r[0], r[1]) for r in ordered[1:3]
    ]


def test_top_then_restriction_filters_top_rows(lab):
    youngest5 = lab.Animal & Top(5, "born desc")
    assert rows(youngest5 & "species='mouse'", "animal_id") == {(1,), (2,)}
    two_youngest_mice = lab.Animal & "species='mouse'" & Top(1, "born desc")
    assert rows(two_youngest_mice, "animal_id") == {(2,)}
    first_then_other = lab.Animal & Top(3) & Top(1, "animal_id desc")
    assert rows(first_then_other, "animal_id") == {(3,)}


def test_top_counting_and_existence(lab):
    assert len(lab.Session & Top(4)) == 4
    assert bool(lab.Session & Top(1, offset=100)) is False
    assert len(lab.Session & Top(None, offset=4)) == 2


def test_top_survives_projection_and_reserved_words(lab):
    result = (lab.Session & Top(2, "KEY DESC")).proj()
    assert rows(result) == {(3, 3), (3, 2)}


def test_aggregation_group_keeps_top(lab):
    per_animal = lab.Animal.aggr(lab.Session & Top(3), n="count(*)")
    assert rows(per_animal) == {(1, 2), (2, 1)}


def test_group_sizes_match(lab):
    by_rig = defaultdict(int)
    for _, _, r, _ in SESSIONS:
        by_rig[r] += 1
    result = lab.Rig.aggr(lab.Session, n="count(*)")
    assert rows(result, "rig", "n") == set(by_rig.items())


def test_top_of_a_union(lab):
    union = (lab.Session & "rig='A'").proj() + (lab.Session & "rig='B'").proj()
    first_two = union & Top(2)
    assert rows(first_two) == {(1, 1), (1, 2)}
    assert len(first_two) == 2
    assert union.fetch("KEY", order_by="KEY DESC", limit=1) == [{"animal_id": 3, "session": 3}]


def test_left_join_with_a_join_on_the_right(lab):
    # A ⟕ (S ⋈ T): animals without trials keep one row with NULLs
    result = lab.Animal.join(lab.Session * lab.Trial.proj("outcome"), left=True)
    got = {(r["animal_id"], r["session"], r["trial"]) for r in result.fetch(as_dict=True)}
    expected = {(a, s, t) for a, s, t, _, _ in TRIALS} | {
        (2, None, None),
        (4, None, None),
        (5, None, None),
    }
    assert got == expected
    inner = lab.Rig.proj() * lab.Session.join(lab.Trial.proj("outcome"), left=True)
    assert len(inner) == len(TRIALS) + 2  # sessions (2,1) and (3,2) have no trials


def test_outer_union_of_projections_with_renames(lab):
    left = (lab.Session & "rig='A'").proj(where="rig")
    right = (lab.Session & "duration > 40").proj(minutes="duration")
    result = left + right
    assert result.heading.names == ["animal_id", "session", "where", "minutes"]
    expected = {
        (a, s, r if r == "A" else None, d if d and d > 40 else None)
        for a, s, r, d in SESSIONS
        if r == "A" or (d and d > 40)
    }
    assert rows(result) == expected
    assert len(result & "minutes IS NULL") == 3
