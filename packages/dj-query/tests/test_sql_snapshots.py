"""Snapshots of the generated SQL (the text is ours to choose; these pin it).

The database name is replaced by `db`. When a change to the compiler alters SQL on
purpose, update the snapshot here and check that the tests of the semantics still pass.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dj_query import Top, U
from dj_query.compiler import compile_count, compile_exists

sys.path.insert(0, str(Path(__file__).parent))  # the shared cases

from sql_cases import SNAPSHOTS, queries

pytestmark = pytest.mark.pending_postgresql


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
