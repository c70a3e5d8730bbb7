"""The query cases of the SQL snapshots and their expected text, shared by the tests on
the server (test_sql_snapshots.py) and without one (test_sql_text.py).

The database name is `db`. When a change to the compiler alters SQL on purpose, update
the snapshot here and check that the tests of the semantics still pass.
"""

from __future__ import annotations

from dj_query import AndList, Not, Top, U


def spelled(text: str, backend: str) -> str:
    """A MySQL snapshot in `backend`'s quoting (PostgreSQL: double quotes)."""
    return text if backend == "mysql" else text.replace("`", '"')


def snapshot(name: str, backend: str) -> str:
    """The expected SQL of case `name` on `backend`."""
    if backend == "mysql":
        return SNAPSHOTS[name]
    return POSTGRESQL_SNAPSHOTS.get(name) or spelled(SNAPSHOTS[name], backend)


# where PostgreSQL's statement differs beyond the quoting: HAVING cannot name the select
# list's aliases, so the aggregation is restricted from outside
POSTGRESQL_SNAPSHOTS = {
    "aggr_having": (
        'SELECT "animal_id","session","n" FROM (SELECT "animal_id","session",count(*) as "n" '
        'FROM "db"."session" NATURAL JOIN "db"."session__trial" '
        'GROUP BY "animal_id","session","rig","duration") as "$0" WHERE (n > 10)'
    ),
}

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
