"""The same queries, run by upstream DataJoint 0.14.10 and by dj-query on the same
tables, return the same rows and counts (for the operations where 0.14 is not defective;
its defects are tested against rows computed in Python instead)."""

from __future__ import annotations

import json

from dj_query import AndList, FreeTable, Not, Top, U
from dj_query_lab import UPSTREAM_NAMES, count_and_rows

EXPRESSIONS = {
    "dict": "Session & {'animal_id': 3}",
    "not_dict": "Session - {'animal_id': 3}",
    "string": "Session & 'duration > 20'",
    "or_list": "Session & [{'animal_id': 1}, {'rig': 'C'}]",
    "not_list_of_keys": "Session - [{'animal_id': 1, 'session': 2}]",
    "semijoin": "Session & Trial",
    "antijoin": "Session - Trial",
    "restricted_semijoin": "Session & (Trial & {'outcome': 'hit'})",
    "upward_semijoin": "Animal & Session",
    "upward_antijoin": "Animal - Session",
    "proj_key": "Session.proj()",
    "proj_attr": "Session.proj('rig')",
    "proj_exclude": "Session.proj(..., '-duration')",
    "proj_rename": "Session.proj(s='session')",
    "proj_compute": "Session.proj('rig', secs='duration*60')",
    "proj_duplicate": "Session.proj(r2='(rig)')",
    "restrict_renamed": "Session.proj(s='session') & 's > 1'",
    "join": "Session * Animal",
    "join_part": "Trial * Session",
    "join_lookup": "Session * Rig",
    "product": "Animal.proj(a1='animal_id') * Animal.proj(a2='animal_id')",
    "join_restricted": "(Session & 'rig=\"A\"') * (Animal & {'species': 'rat'})",
    "aggr": "Animal.aggr(Session, n='count(*)')",
    "aggr_keep_all": "Animal.aggr(Session, n='count(session)', keep_all_rows=True)",
    "aggr_group_restricted": "Session.aggr(Trial & 'outcome=\"hit\"', hits='count(*)')",
    "aggr_having": "Animal.aggr(Session, n='count(*)') & 'n > 1'",
    "union_keys": "(Session & 'rig=\"A\"').proj() + (Session & 'rig=\"B\"').proj()",
    "outer_union": "(Session & 'animal_id=1').proj('rig') + (Session & 'session=1').proj('duration')",
    "u_distinct": "U('rig') & Session",
    "u_aggr": "U('species').aggr(Animal, n='count(*)')",
    "u_promote": "U('rig') * Session",
    "top": "Session & Top(2, 'duration desc', 1)",
    "top_then_restrict": "Animal & Top(5, 'born desc') & 'species=\"mouse\"'",
    "restrict_then_top": "Animal & 'species=\"mouse\"' & Top(1, 'born desc')",
    "andlist": "Session & AndList([{'animal_id': 3}, 'session < 3'])",
    "not": "Session & Not({'animal_id': 3})",
    "empty_list": "Session & []",
    "empty_dict": "Session & {}",
    "not_empty_dict": "Session - {}",
    "not_empty_list": "Session - []",
    "left_join": "Animal.join(Session, left=True)",
    "left_join_part": "Session.join(Trial, left=True)",
    "union_chain": "(Session & 'animal_id=1').proj() + (Session & 'animal_id=2').proj()"
    " + (Session & 'animal_id=3').proj()",
    "restrict_by_aggregation": "Animal & (Animal.aggr(Session, n='count(*)') & 'n > 1')",
    "proj_of_join": "(Session * Animal).proj('species', minutes='duration')",
    "u_of_join": "U('species', 'rig') & (Session * Animal)",
    "top_offset": "Session & Top(3, 'KEY DESC', 2)",
}

# 0.14 defects fixed here (README "Differences"): upstream must differ on these
FIXED_QUIRKS = {
    "negated_dict": "Session - {'animal_id': 3, 'session': 2}",
    "negated_andlist": "Session - AndList(['animal_id = 3', 'session > 1'])",
    "join_drops_top": "(Session & Top(2)) * Trial",
    "bool_of_aggregation": "Animal.aggr(Session, n='count(*)') & 'n > 100'",
    "keep_all_rows_restricted_group": (
        "Animal.aggr(Session & 'rig=\"A\"', n='count(session)', keep_all_rows=True)"
    ),
}

SNIPPET = (
    UPSTREAM_NAMES
    + """expressions = json.loads({expressions!r})
out = {{}}
for name, text in expressions.items():
    query = eval(text, {{}}, names)
    rows = query.fetch(as_dict=True)
    out[name] = [len(query), sorted(json.dumps(r, default=str, sort_keys=True) for r in rows)]
print(json.dumps(out))
"""
)


def ours(lab, expressions: dict) -> dict:
    names = dict(Animal=lab.Animal, Session=lab.Session, Trial=lab.Trial, Rig=lab.Rig)
    names.update(U=U, Top=Top, AndList=AndList, Not=Not)
    out = {}
    for name, text in expressions.items():
        out[name] = count_and_rows(eval(text, {}, names))
    return out


def test_same_rows_as_upstream(lab, upstream):
    code = SNIPPET.format(db=lab.db, expressions=json.dumps(EXPRESSIONS))
    theirs = upstream.run_json(code)
    mine = ours(lab, EXPRESSIONS)
    assert isinstance(lab.Animal, FreeTable)
    assert set(theirs) == set(EXPRESSIONS)
    assert theirs["join"][0] == 6
    differences = {
        name: (mine[name], theirs[name]) for name in EXPRESSIONS if mine[name] != theirs[name]
    }
    assert not differences


def test_upstream_differs_where_its_defects_are_fixed(lab, upstream):
    code = SNIPPET.format(db=lab.db, expressions=json.dumps(FIXED_QUIRKS))
    code = code.replace(
        "rows = query.fetch(as_dict=True)", "rows = query.fetch(as_dict=True); n = bool(query)"
    )
    code = code.replace("out[name] = [len(query),", "out[name] = [n,")
    theirs = upstream.run_json(code)
    names = dict(Animal=lab.Animal, Session=lab.Session, Trial=lab.Trial, Rig=lab.Rig)
    names.update(U=U, Top=Top, AndList=AndList, Not=Not)
    for name, text in FIXED_QUIRKS.items():
        query = eval(text, {}, names)
        rows = sorted(json.dumps(r, default=str, sort_keys=True) for r in query.fetch(as_dict=True))
        assert [bool(query), rows] != theirs[name], name


PRESENTATION = {
    "table": "Session",
    "restricted": "Animal & 'species=\"mouse\"'",
    "projected": "Session.proj('rig', secs='duration*60')",
    "aggregated": "Animal.aggr(Session, n='count(*)')",
    "empty": "Session & 'rig=\"Z\"'",
    "many_rows": "Trial",
}

PRESENTATION_SNIPPET = """
import json
import datajoint as dj
conn = dj.conn()
names = dict(
    Animal=dj.FreeTable(conn, '`{db}`.`animal`'),
    Session=dj.FreeTable(conn, '`{db}`.`session`'),
    Trial=dj.FreeTable(conn, '`{db}`.`session__trial`'),
)
dj.config['display.limit'] = 4
out = {{}}
for name, text in json.loads({expressions!r}).items():
    query = eval(text, {{}}, names)
    array = query.fetch(order_by='KEY')
    out[name] = [repr(query), [str(array.dtype[n]) for n in array.dtype.names]]
print(json.dumps(out))
"""


def test_previews_and_dtypes_match_upstream(lab, upstream, connection):
    code = PRESENTATION_SNIPPET.format(db=lab.db, expressions=json.dumps(PRESENTATION))
    theirs = upstream.run_json(code)
    names = dict(Animal=lab.Animal, Session=lab.Session, Trial=lab.Trial)
    with connection.config(**{"display.limit": 4}):
        for name, text in PRESENTATION.items():
            query = eval(text, {}, names)
            array = query.fetch(order_by="KEY")
            mine = [repr(query), [str(array.dtype[n]) for n in array.dtype.names]]
            assert mine == theirs[name], name


TYPES_SNIPPET = """
import json
import datajoint as dj
conn = dj.conn()
Session = dj.FreeTable(conn, '`{db}`.`session`')
one = Session & {{'animal_id': 3, 'session': 1}}
def kinds(values):
    return [type(v).__name__ for v in values]
out = dict(
    key=kinds(Session.fetch('KEY', order_by='KEY')[0].values()),
    key_as_dict=kinds(Session.fetch('KEY', as_dict=True, order_by='KEY')[0].values()),
    attrs_as_dict=kinds(Session.fetch('rig', 'duration', as_dict=True, order_by='KEY')[0].values()),
    dicts=kinds(Session.fetch(as_dict=True, order_by='KEY')[2].values()),
    fetch1=kinds(one.fetch1().values()),
    fetch1_attrs=kinds(one.fetch1('animal_id', 'rig', 'duration')),
    fetch1_key=kinds(one.fetch1('KEY').values()),
    iteration=kinds(next(iter(one)).values()),
    column=[type(Session.fetch('duration')).__name__, str(Session.fetch('duration').dtype)],
)
print(json.dumps(out))
"""


def test_value_types_match_upstream(lab, upstream):
    theirs = upstream.run_json(TYPES_SNIPPET.format(db=lab.db))
    Session = lab.Session
    one = Session & {"animal_id": 3, "session": 1}

    def kinds(values):
        return [type(v).__name__ for v in values]

    mine = dict(
        key=kinds(Session.fetch("KEY", order_by="KEY")[0].values()),
        key_as_dict=kinds(Session.fetch("KEY", as_dict=True, order_by="KEY")[0].values()),
        attrs_as_dict=kinds(
            Session.fetch("rig", "duration", as_dict=True, order_by="KEY")[0].values()
        ),
        dicts=kinds(Session.fetch(as_dict=True, order_by="KEY")[2].values()),
        fetch1=kinds(one.fetch1().values()),
        fetch1_attrs=kinds(one.fetch1("animal_id", "rig", "duration")),
        fetch1_key=kinds(one.fetch1("KEY").values()),
        iteration=kinds(next(iter(one)).values()),
        column=[type(Session.fetch("duration")).__name__, str(Session.fetch("duration").dtype)],
    )
    assert mine == theirs
