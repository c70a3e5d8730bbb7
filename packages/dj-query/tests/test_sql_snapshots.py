"""Snapshots of the generated SQL (the text is ours to choose; these pin it).

The database name is replaced by `db`. When a change to the compiler alters SQL on
purpose, update the snapshot here and check that the tests of the semantics still pass.
"""

from __future__ import annotations

import pytest
from dj_query import AndList, Not, Top, U
from dj_query.compiler import compile_count, compile_exists

SNAPSHOTS = {
    "key_list": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE "
        "((`animal_id`,`session`) IN ((1,2),(3,1)))"
    ),
    "not_value_list": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE "
        "(NOT (`rig` IN ('A','C')))"
    ),
    "restrict_dict": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE (`session`=1)"
    ),
    "restrict_string": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE (rig like 'A%%')"
    ),
    "semijoin": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE ((`animal_id`,`session`) IN (SELECT `animal_id`,`session` FROM `db`.`session__trial`))"
    ),
    "antijoin": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE (NOT ((`animal_id`,`session`) IN (SELECT `animal_id`,`session` FROM `db`.`session__trial`)))"
    ),
    "negated_dict": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE (NOT ((`animal_id`=3) AND (`session`=2)))"
    ),
    "or_list": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE ((`animal_id`=1) OR (rig='C'))"
    ),
    "renamed_restrict": (
        "SELECT `animal_id`,`s` FROM (SELECT `animal_id`,`session` as `s` FROM `db`.`session`) as `$0` WHERE (s > 1)"
    ),
    "aggr_having": (
        "SELECT `animal_id`,`session`,count(*) as `n` FROM `db`.`session` NATURAL JOIN `db`.`session__trial` GROUP BY `animal_id`,`session`,`rig`,`duration` HAVING (n > 10)"
    ),
    "u_distinct": ("SELECT DISTINCT `rig` FROM `db`.`session`"),
    "top": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` ORDER BY `duration` desc LIMIT 2 OFFSET 1"
    ),
    "join": (
        "SELECT `animal_id`,`session`,`rig`,`duration`,`species`,`born` FROM `db`.`session` NATURAL JOIN `db`.`animal`"
    ),
    "left_join": (
        "SELECT `animal_id`,`session`,`species`,`born`,`rig`,`duration` FROM `db`.`animal` NATURAL LEFT JOIN (SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE (rig='B')) as `$0`"
    ),
    "union_keys": (
        "SELECT `animal_id`,`session` FROM ((SELECT `animal_id`,`session` FROM `db`.`session` WHERE (rig='A')) UNION (SELECT `animal_id`,`session` FROM `db`.`session` WHERE (rig='B'))) as `$0`"
    ),
    "outer_union": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM ((SELECT `animal_id`,`session`,`rig`,`duration` FROM (SELECT `animal_id`,`session`,`rig` FROM `db`.`session` WHERE (animal_id=1)) as `$0` NATURAL LEFT JOIN (SELECT `animal_id`,`session`,`duration` FROM `db`.`session` WHERE (session=1)) as `$1`) UNION ALL (SELECT `animal_id`,`session`,NULL as `rig`,`duration` FROM `db`.`session` WHERE (session=1) AND (NOT ((`animal_id`,`session`) IN (SELECT `animal_id`,`session` FROM `db`.`session` WHERE (animal_id=1)))))) as `$2`"
    ),
    "u_aggr": ("SELECT count(*) as `n` FROM `db`.`session`"),
    "proj_computed": (
        "SELECT `animal_id`,`session`,`rig`,`rig` as `r2`,duration*60 as `secs` FROM `db`.`session`"
    ),
    "join_top": (
        "SELECT `animal_id`,`session`,`trial`,`rig`,`duration`,`outcome`,`rt` FROM (SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` ORDER BY `animal_id`,`session` LIMIT 3) as `$0` NATURAL JOIN `db`.`session__trial`"
    ),
    "aggr_keep_all": (
        "SELECT `animal_id`,`species`,`born`,count(session) as `n` FROM `db`.`animal` NATURAL LEFT JOIN `db`.`session` GROUP BY `animal_id`,`species`,`born`"
    ),
    "fetch_limit": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` ORDER BY `animal_id`,`session` LIMIT 5 OFFSET 2"
    ),
    "andlist_not": (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` WHERE (NOT ((session > 1) AND (`rig`='A')))"
    ),
}


def queries(lab):
    S, A, T = lab.Session, lab.Animal, lab.Trial
    return {
        "key_list": S & [{"animal_id": 1, "session": 2}, {"session": 1, "animal_id": 3}],
        "not_value_list": S - [{"rig": "A"}, {"rig": "C"}],
        "restrict_dict": S & {"session": 1},
        "restrict_string": S & "rig like 'A%'",
        "semijoin": S & T,
        "antijoin": S - T,
        "negated_dict": S - {"animal_id": 3, "session": 2},
        "or_list": S & [{"animal_id": 1}, "rig='C'"],
        "renamed_restrict": S.proj(s="session") & "s > 1",
        "aggr_having": S.aggr(T, n="count(*)") & "n > 10",
        "u_distinct": U("rig") & S,
        "top": S & Top(2, "duration desc", 1),
        "join": S * A,
        "left_join": A.join(S & "rig='B'", left=True),
        "union_keys": (S & "rig='A'").proj() + (S & "rig='B'").proj(),
        "outer_union": (S & "animal_id=1").proj("rig") + (S & "session=1").proj("duration"),
        "u_aggr": U().aggr(S, n="count(*)"),
        "proj_computed": S.proj("rig", secs="duration*60", r2="(rig)"),
        "join_top": (S & Top(3)) * T,
        "aggr_keep_all": A.aggr(S, ..., n="count(session)", keep_all_rows=True),
        "fetch_limit": S & Top(5, "KEY", 2),
        "andlist_not": S & Not(AndList(["session > 1", {"rig": "A"}])),
    }


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_sql_snapshot(lab, name):
    query = queries(lab)[name]
    assert query.make_sql().replace(lab.db, "db") == SNAPSHOTS[name]
    query.fetch()  # and the server accepts it


def test_count_and_exists_snapshots(lab):
    S, T = lab.Session, lab.Trial
    assert (
        compile_count(S & {"session": 1}).replace(lab.db, "db")
        == "SELECT count(*) FROM `db`.`session` WHERE (`session`=1)"
    )
    assert (
        compile_count(U("rig") & S).replace(lab.db, "db")
        == "SELECT count(*) FROM (SELECT DISTINCT `rig` FROM `db`.`session`) as `$0`"
    )
    assert compile_exists(S & "rig='A'").replace(lab.db, "db") == (
        "SELECT EXISTS(SELECT 1 FROM `db`.`session` WHERE (rig='A'))"
    )
    assert compile_exists(S.aggr(T, n="count(*)")).startswith("SELECT EXISTS(SELECT `animal_id`")


def test_literals_are_escaped(lab):
    sql = (lab.Session & {"rig": "a'b\\c%\x00"}).make_sql().replace(lab.db, "db")
    assert sql.endswith("WHERE (`rig`='a\\'b\\\\c%%\\0')")


def test_aliases_are_numbered_per_statement(lab):
    query = lab.Session.proj(s="session") & "s > 1"
    assert query.make_sql() == query.make_sql()
    assert "`$0`" in query.make_sql()


def test_fetch1_reads_at_most_two_rows(lab):
    from dj_query.compiler import compile_first

    sql = compile_first(lab.Session & {"animal_id": 1}, 2).replace(lab.db, "db")
    assert sql == (
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` "
        "WHERE (`animal_id`=1) LIMIT 2"
    )
    limited = compile_first(lab.Session & Top(3), 2).replace(lab.db, "db")
    assert limited.startswith("SELECT * FROM (SELECT")
    assert limited.endswith("LIMIT 3) as `$0` LIMIT 2")
