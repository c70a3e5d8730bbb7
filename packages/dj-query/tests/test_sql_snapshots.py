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

from dj_query.errors import DataJointError
from sql_cases import SNAPSHOTS, queries, snapshot, spelled


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_sql_snapshot(lab, backend, name):
    query = queries(lab)[name]
    assert query.make_sql().replace(lab.db, "db") == snapshot(name, backend)
    query.fetch()  # and the server accepts it


def test_count_and_exists_snapshots(lab, backend):
    S, T = lab.Session, lab.Trial
    assert compile_count(S & {"session": 1}).replace(lab.db, "db") == spelled(
        "SELECT count(*) FROM `db`.`session` WHERE (`session`=1)", backend
    )
    assert compile_count(U("rig") & S).replace(lab.db, "db") == spelled(
        "SELECT count(*) FROM (SELECT DISTINCT `rig` FROM `db`.`session`) as `$0`", backend
    )
    assert compile_exists(S & "rig='A'").replace(lab.db, "db") == spelled(
        "SELECT EXISTS(SELECT 1 FROM `db`.`session` WHERE (rig='A'))", backend
    )
    assert compile_exists(S.aggr(T, n="count(*)")).startswith(
        spelled("SELECT EXISTS(SELECT `animal_id`", backend)
    )


def test_literals_are_escaped(lab, backend):
    if backend == "mysql":
        sql = (lab.Session & {"rig": "a'b\\c%\x00"}).make_sql().replace(lab.db, "db")
        assert sql.endswith("WHERE (`rig`='a\\'b\\\\c%%\\0')")
        return
    # PostgreSQL: standard strings (quotes doubled, backslashes literal); text holds no NUL
    sql = (lab.Session & {"rig": "a'b\\c%"}).make_sql().replace(lab.db, "db")
    assert sql.endswith("""WHERE ("rig"='a''b\\c%%')""")
    with pytest.raises(DataJointError, match="NUL"):
        (lab.Session & {"rig": "a\x00"}).make_sql()


def test_aliases_are_numbered_per_statement(lab):
    query = lab.Session.proj(s="session") & "s > 1"
    assert query.make_sql() == query.make_sql()
    assert lab.connection.dialect.quote("$0") in query.make_sql()


def test_fetch1_reads_at_most_two_rows(lab, backend):
    from dj_query.compiler import compile_first

    sql = compile_first(lab.Session & {"animal_id": 1}, 2).replace(lab.db, "db")
    assert sql == spelled(
        "SELECT `animal_id`,`session`,`rig`,`duration` FROM `db`.`session` "
        "WHERE (`animal_id`=1) LIMIT 2",
        backend,
    )
    limited = compile_first(lab.Session & Top(3), 2).replace(lab.db, "db")
    assert limited.startswith("SELECT * FROM (SELECT")
    assert limited.endswith(spelled("LIMIT 3) as `$0` LIMIT 2", backend))
