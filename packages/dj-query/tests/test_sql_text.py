"""The compiler's SQL without a server: the same snapshots as test_sql_snapshots.py, from
tables whose catalog rows are written here and a text-only connection (a dialect and a
server version, nothing that can run a statement)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dj_core.dialects import MySQLDialect
from dj_core.dialects.text_only import TextOnly
from dj_core.errors import DataJointError
from dj_query import FreeTable, Top
from dj_query.compiler import compile_count, compile_first

sys.path.insert(0, str(Path(__file__).parent))  # the shared cases

from sql_cases import SNAPSHOTS, queries


def _column(name, type_, in_key=False, nullable=False, comment=""):
    return {
        "name": name,
        "type": type_,
        "in_key": in_key,
        "nullable": nullable,
        "default": None,
        "extra": "",
        "comment": comment,
        "json": False,
    }


def _table(name, comment, *columns):
    return {"status": {"name": name, "comment": comment}, "columns": list(columns), "indexes": []}


CATALOG = {
    ("db", "animal"): _table(
        "animal",
        "animals",
        _column("animal_id", "int", in_key=True),
        _column("species", "varchar(20)"),
        _column("born", "date", nullable=True),
    ),
    ("db", "session"): _table(
        "session",
        "",
        _column("animal_id", "int", in_key=True),
        _column("session", "smallint", in_key=True),
        _column("rig", "varchar(8)"),
        _column("duration", "float", nullable=True, comment="minutes"),
    ),
    ("db", "session__trial"): _table(
        "session__trial",
        "",
        _column("animal_id", "int", in_key=True),
        _column("session", "smallint", in_key=True),
        _column("trial", "int", in_key=True),
        _column("outcome", "enum('hit','miss')"),
        _column("rt", "float", nullable=True),
    ),
}


class TextLab:
    def __init__(self, connection):
        self.db = "db"
        self.Animal = FreeTable(connection, "`db`.`animal`")
        self.Session = FreeTable(connection, "`db`.`session`")
        self.Trial = FreeTable(connection, "`db`.`session__trial`")


@pytest.fixture(params=["8.0.36", "10.11.6-MariaDB"])
def text_only(request):
    return TextOnly(MySQLDialect(), MySQLDialect.parse_version(request.param), CATALOG)


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_sql_snapshot_without_a_server(text_only, name):
    assert queries(TextLab(text_only))[name].make_sql() == SNAPSHOTS[name]


def test_count_first_and_literals_without_a_server(text_only):
    lab = TextLab(text_only)
    assert compile_count(lab.Session & {"session": 1}) == (
        "SELECT count(*) FROM `db`.`session` WHERE (`session`=1)"
    )
    assert compile_first(lab.Session & Top(3), 2).endswith("LIMIT 3) as `$0` LIMIT 2")
    assert (
        (lab.Session & {"rig": "a'b\\c%\x00"})
        .make_sql()
        .endswith("WHERE (`rig`='a\\'b\\\\c%%\\0')")
    )


def test_a_text_only_connection_runs_nothing(text_only):
    with pytest.raises(DataJointError, match="text-only"):
        TextLab(text_only).Session.fetch()
