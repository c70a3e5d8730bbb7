"""Restriction in every form, against rows computed in Python."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from dj_query import AndList, Not, Top, U
from dj_query.errors import DataJointError
from dj_query_lab import ANIMALS, SESSIONS, TRIALS

ALL_SESSIONS = {(a, s) for a, s, _, _ in SESSIONS}


def keys(query):
    return {tuple(row.values()) for row in query.fetch("KEY")}


def sessions_where(predicate):
    return {(a, s) for a, s, rig, d in SESSIONS if predicate(a, s, rig, d)}


def test_dict_is_and_of_equalities(lab):
    assert keys(lab.Session & {"animal_id": 3, "session": 2}) == {(3, 2)}
    assert keys(lab.Session & {"rig": "A"}) == sessions_where(lambda a, s, r, d: r == "A")


def test_dict_keys_outside_heading_are_ignored(lab):
    assert keys(lab.Session & {"no_such_attr": 1, "animal_id": 1}) == {(1, 1), (1, 2)}
    assert keys(lab.Session & {"no_such_attr": 1}) == ALL_SESSIONS


def test_none_value_tests_null(lab):
    assert keys(lab.Session & {"duration": None}) == {(2, 1)}


def test_negated_dict_excludes_exactly_that_row(lab):
    # DataJoint 0.14 computes (NOT a) AND b here; the intended meaning is NOT (a AND b)
    assert keys(lab.Session - {"animal_id": 3, "session": 2}) == ALL_SESSIONS - {(3, 2)}


def test_negated_andlist_negates_the_whole_conjunction(lab):
    result = lab.Session - AndList(["animal_id = 3", "session > 1"])
    assert keys(result) == sessions_where(lambda a, s, r, d: not (a == 3 and s > 1))


def test_list_is_or(lab):
    result = lab.Session & [{"animal_id": 2}, {"rig": "C"}]
    assert keys(result) == {(2, 1), (3, 1)}
    assert keys(lab.Session - [{"animal_id": 2}, {"rig": "C"}]) == ALL_SESSIONS - {(2, 1), (3, 1)}


def test_tuple_set_and_generator_are_or(lab):
    assert keys(lab.Session & ("rig='B'", "rig='C'")) == sessions_where(
        lambda a, s, r, d: r in "BC"
    )
    assert keys(lab.Session & {"session=3"}) == {(3, 3)}
    assert keys(lab.Session & (f"animal_id={i}" for i in (1, 2))) == {(1, 1), (1, 2), (2, 1)}


def test_string_condition(lab):
    result = lab.Session & "duration > 25 AND rig IS NOT NULL"
    assert keys(result) == sessions_where(lambda a, s, r, d: d is not None and d > 25)


def test_percent_in_string_condition_reaches_server(lab):
    assert keys(lab.Animal & "species like 'm%'") == {(1,), (2,)}
    assert keys(lab.Animal & "species like 'm%%'") == {(1,), (2,)}


@pytest.mark.mysql_only  # MySQL's SQL: double quotes are strings there, identifiers elsewhere
def test_percent_in_double_quoted_string_condition(lab):
    assert keys(lab.Animal & 'species like "m%"') == {(1,), (2,)}
    assert keys(lab.Animal & 'species like "m%%"') == {(1,), (2,)}


def test_misspelled_attribute_in_string_raises_before_sql(lab):
    with pytest.raises(DataJointError, match="sesion"):
        lab.Session & "sesion = 1"


def test_uppercase_keywords_and_whitelisted_words_pass(lab):
    assert keys(lab.Session & "TRUE") == ALL_SESSIONS
    assert keys(lab.Session & "true") == ALL_SESSIONS


def test_andlist(lab):
    result = lab.Session & AndList([{"animal_id": 3}, "session < 3"])
    assert keys(result) == {(3, 1), (3, 2)}
    nested = AndList([{"animal_id": 3}])
    nested.append(AndList(["session < 3", "session > 1"]))
    assert len(nested) == 3
    assert keys(lab.Session & nested) == {(3, 2)}


def test_not_and_double_not(lab):
    assert keys(lab.Session & Not({"animal_id": 3})) == sessions_where(lambda a, s, r, d: a != 3)
    assert keys(lab.Session & Not(Not({"animal_id": 3}))) == sessions_where(
        lambda a, s, r, d: a == 3
    )


@pytest.mark.parametrize(
    ("condition", "everything"),
    [
        ([], False),
        ((), False),
        (set(), False),
        ([[]], False),
        ({}, True),
        (AndList([]), True),
        (True, True),
        (False, False),
        (U("rig"), True),
    ],
)
def test_constant_conditions(lab, condition, everything):
    restricted = keys(lab.Session & condition)
    excluded = keys(lab.Session - condition)
    assert restricted == (ALL_SESSIONS if everything else set())
    assert excluded == (set() if everything else ALL_SESSIONS)


def test_true_returns_the_same_object(lab):
    assert (lab.Session & True) is lab.Session
    assert (lab.Session & {}) is lab.Session


def test_invalid_restrictions(lab):
    with pytest.raises(DataJointError, match="Invalid restriction type None"):
        lab.Session & None
    with pytest.raises(DataJointError, match="Invalid restriction type 3"):
        lab.Session & 3
    top = Top(1)
    with pytest.raises(DataJointError) as info:
        lab.Session & [top]
    assert str(info.value) == "Invalid restriction type Top(limit=1, order_by=['KEY'], offset=0)"
    with pytest.raises(DataJointError, match="Invalid restriction type Top"):
        lab.Session & AndList([top])


def test_semijoin_and_antijoin(lab):
    with_trials = {(a, s) for a, s, _, _, _ in TRIALS}
    assert keys(lab.Session & lab.Trial) == with_trials
    assert keys(lab.Session - lab.Trial) == ALL_SESSIONS - with_trials
    hits = {(a, s) for a, s, _, o, _ in TRIALS if o == "hit"}
    assert keys(lab.Session & (lab.Trial & {"outcome": "hit"})) == hits


def test_list_of_queries_is_or(lab):
    mice = (lab.Animal & {"species": "mouse"}).proj()
    result = lab.Animal & [mice, lab.Session & {"rig": "C"}]
    assert keys(result) == {(1,), (2,), (3,)}


def test_restriction_by_query_without_common_attributes(lab):
    assert keys(lab.Animal & lab.Rig) == {(a[0],) for a in ANIMALS}
    assert keys(lab.Animal & (lab.Rig & "rig='Z'")) == set()
    assert keys(lab.Animal - lab.Rig) == set()
    assert keys(lab.Animal - (lab.Rig & "rig='Z'")) == {(a[0],) for a in ANIMALS}


def test_dependent_attribute_check_and_permissive_restriction(lab):
    renamed = lab.Animal.proj(rig="species")
    with pytest.raises(DataJointError, match="dependent attribute `rig`"):
        lab.Session & renamed.proj(..., x="1")
    # ^ skips the check
    assert keys(lab.Session ^ renamed.proj(..., x="1")) == set()


def test_numpy_records_and_fetched_keys(lab):
    records = (lab.Session & {"animal_id": 3}).fetch()
    assert keys(lab.Session & records) == {(3, 1), (3, 2), (3, 3)}
    assert keys(lab.Session & records[0]) == {(3, 1)}
    first_three = lab.Session.fetch("KEY", limit=3)
    assert keys(lab.Session - first_three) == ALL_SESSIONS - {(1, 1), (1, 2), (2, 1)}


def test_record_with_null_float_matches_its_row(lab):
    row = (lab.Session & {"animal_id": 2}).fetch()[0]
    assert np.isnan(row["duration"])
    assert keys(lab.Session & row) == {(2, 1)}


def test_pandas_frame_restriction_uses_index_as_field(lab):
    frame = pd.DataFrame({"session": [2, 3]}, index=pd.Index([3, 3], name="animal_id"))
    assert keys(lab.Session & frame) == {(3, 2), (3, 3)}


def test_fetched_frame_restricts(lab):
    frame = (lab.Session & "rig='A'").fetch(format="frame")
    assert keys(lab.Session & frame) == sessions_where(lambda a, s, r, d: r == "A")


def test_unknown_attribute_in_restriction(lab):
    with pytest.raises(DataJointError, match="`nope` is not found"):
        lab.Session & "nope > 1"


def test_restriction_on_renamed_attribute_uses_subquery(lab):
    renamed = lab.Session.proj(s="session")
    assert keys(renamed & "s > 1") == {(1, 2), (3, 2), (3, 3)}
    assert keys(renamed & {"s": 1}) == {(1, 1), (2, 1), (3, 1)}


def test_restriction_with_in_and_contains(lab):
    assert {"animal_id": 3} in lab.Session
    assert {"animal_id": 5} not in lab.Session
    assert "rig = 'C'" in lab.Session


def test_restriction_does_not_modify_operand(lab):
    before = lab.Session.make_sql()
    restricted = lab.Session & {"animal_id": 1}
    assert lab.Session.make_sql() == before
    assert restricted.make_sql() != before
    assert len(lab.Session) == len(SESSIONS)


def test_many_keys_become_one_value_list(lab):
    keys_ = lab.Session.fetch("KEY")
    assert keys(lab.Session & keys_) == ALL_SESSIONS
    assert keys(lab.Session - keys_[:4]) == ALL_SESSIONS - {tuple(k.values()) for k in keys_[:4]}
    # mixed shapes and NULLs stay an OR of conditions
    mixed = [{"animal_id": 1}, {"animal_id": 3, "session": 1}, {"duration": None}]
    assert keys(lab.Session & mixed) == {(1, 1), (1, 2), (3, 1), (2, 1)}


def test_temporal_and_decimal_values(lab):
    import datetime
    import decimal

    assert keys(lab.Animal & {"born": datetime.date(2020, 6, 1)}) == {(2,)}
    assert keys(lab.Animal & {"born": datetime.datetime(2020, 6, 1)}) == {(2,)}
    assert keys(lab.Animal & {"born": np.datetime64("2021-03-05")}) == {(4,)}
    assert keys(lab.Session & {"duration": decimal.Decimal("45.5")}) == {(1, 2)}
    assert keys(lab.Session & {"duration": np.float32(45.5)}) == {(1, 2)}
    assert keys(lab.Session & {"session": np.int16(3)}) == {(3, 3)}
    # DataJoint 0.14 rendered datetime64 values as invalid SQL
    frame = pd.DataFrame({"born": pd.to_datetime(["2020-01-01", "2022-01-01"])})
    assert keys(lab.Animal & frame.set_index("born")) == {(1,), (5,)}


def test_non_finite_numbers_are_refused(lab):
    with pytest.raises(DataJointError, match="non-finite"):
        lab.Session & {"duration": float("inf")}


def test_words_inside_a_subquery_are_not_taken_for_attributes(lab):
    animal = lab.Animal.full_table_name
    condition = f"animal_id in (select animal_id from {animal} where born > '2020-03-01')"
    mice_born_late = {a for a, _, born in ANIMALS if born and born > datetime.date(2020, 3, 1)}
    assert keys(lab.Session & condition) == sessions_where(lambda a, *_: a in mice_born_late)


def test_misspelled_attribute_outside_a_subquery_still_raises(lab):
    with pytest.raises(DataJointError, match="sesion"):
        lab.Session & "sesion in (select 1 from dual)"
