"""Random restriction trees agree with a Python model of DataJoint's restriction rules.

The model uses SQL's three-valued logic (None = unknown), as the server does: a row whose
condition is unknown (e.g. `duration > 25` on a NULL duration) is in neither `q & c`
nor `q - c`, in DataJoint 0.14 as here.
"""

from __future__ import annotations

from dj_query import AndList, Not
from dj_query_lab import SESSIONS, TRIALS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NAMES = ("animal_id", "session", "rig", "duration")
ROWS = [dict(zip(NAMES, row)) for row in SESSIONS]

STRINGS = {
    "duration > 25": lambda r: None if r["duration"] is None else r["duration"] > 25,
    "rig IN ('A', 'B')": lambda r: r["rig"] in ("A", "B"),
    "session >= 2": lambda r: r["session"] >= 2,
    "duration IS NULL": lambda r: r["duration"] is None,
}
OUTCOMES = ("hit", "miss")


class Semijoin:
    """Marker for `Trial & {'outcome': outcome}` (built per test with the lab tables)."""

    def __init__(self, outcome):
        self.outcome = outcome

    def __repr__(self):
        return f"Semijoin({self.outcome!r})"


values = {
    "animal_id": st.sampled_from([1, 2, 3, 9]),
    "session": st.sampled_from([1, 2, 3]),
    "rig": st.sampled_from(["A", "B", "C", "Z"]),
    "duration": st.sampled_from([None, 30.0, 15.0]),
    "other": st.just(1),
}
mappings = st.dictionaries(st.sampled_from(list(values)), st.just(None), max_size=3).flatmap(
    lambda keys: st.fixed_dictionaries({k: values[k] for k in keys})
)
leaves = st.one_of(
    mappings,
    st.sampled_from(list(STRINGS)),
    st.booleans(),
    st.sampled_from(OUTCOMES).map(Semijoin),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(AndList),
        inner.map(Not),
        st.lists(inner, max_size=3).map(tuple),
    ),
    max_leaves=8,
)


def _not(value):
    return None if value is None else not value


def _all(values):
    values = list(values)
    if False in values:
        return False
    return None if None in values else True


def _any(values):
    values = list(values)
    if True in values:
        return True
    return None if None in values else False


def _equal(actual, wanted):
    if wanted is None:
        return actual is None
    return None if actual is None else actual == wanted


def holds(condition, row):
    """True, False or None (unknown) for one row."""
    if isinstance(condition, Not):
        return _not(holds(condition.restriction, row))
    if isinstance(condition, bool):
        return condition
    if isinstance(condition, str):
        return STRINGS[condition](row)
    if isinstance(condition, Semijoin):
        return any(
            (a, s) == (row["animal_id"], row["session"]) and o == condition.outcome
            for a, s, _, o, _ in TRIALS
        )
    if isinstance(condition, dict):
        return _all(_equal(row[k], v) for k, v in condition.items() if k in NAMES)
    if isinstance(condition, AndList):
        return _all(holds(c, row) for c in condition)
    return _any(holds(c, row) for c in condition)


def realize(condition, lab):
    if isinstance(condition, Not):
        return Not(realize(condition.restriction, lab))
    if isinstance(condition, Semijoin):
        return (lab.Trial & {"outcome": condition.outcome}).proj()
    if isinstance(condition, AndList):
        return AndList([realize(c, lab) for c in condition])
    if isinstance(condition, (list, tuple)):
        return type(condition)(realize(c, lab) for c in condition)
    return condition


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(condition=conditions)
def test_restriction_matches_the_model(lab, condition):
    truth = {(r["animal_id"], r["session"]): holds(condition, r) for r in ROWS}
    query = lab.Session & realize(condition, lab)
    got = {(k["animal_id"], k["session"]) for k in query.fetch("KEY")}
    assert got == {key for key, value in truth.items() if value is True}, query.make_sql()
    excluded = lab.Session - realize(condition, lab)
    got = {(k["animal_id"], k["session"]) for k in excluded.fetch("KEY")}
    assert got == {key for key, value in truth.items() if value is False}, excluded.make_sql()
