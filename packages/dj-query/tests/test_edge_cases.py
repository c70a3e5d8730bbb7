"""Edge cases of the query algebra: reserved words, errors reaching the server, members."""

from __future__ import annotations

import pytest
from dj_core.errors import QuerySyntaxError, UnknownAttributeError
from dj_query import AndList, FreeTable, Top, U
from dj_query.errors import DataJointError
from dj_query_lab import SESSIONS
from table_schema import create_table


@pytest.fixture
def reserved(db_params, connection, make_database):
    db = make_database("reserved")
    rows = [(1, 30, "a"), (2, 10, "b"), (3, 20, "a")]
    order = create_table(
        db_params, connection, db, "order", "key : int\n---\nselect : int\nfrom : varchar(8)", rows
    )
    group = db_params.quote(db) + "." + db_params.quote("group")
    admin = db_params.connect()
    with admin.cursor() as cursor:
        key, where = db_params.quote("key"), db_params.quote("where")
        cursor.execute(
            f"CREATE TABLE {group} ({key} int NOT NULL, {where} int NOT NULL, "
            f"PRIMARY KEY ({key}, {where}))"
        )
        cursor.executemany(f"INSERT INTO {group} VALUES (%s, %s)", [(1, 1), (1, 2), (3, 7)])
    admin.close()
    return FreeTable(connection, order), FreeTable(connection, group)


def test_reserved_words_as_attribute_names(reserved):
    order, group = reserved
    assert (order & {"select": 10}).fetch1("key") == 2
    assert order.fetch("key", order_by="select desc").tolist() == [1, 3, 2]
    quote = order.connection.dialect.quote  # a reserved word is quoted in the server's way
    assert (order & f"{quote('select')} > 15").fetch("key", order_by="KEY").tolist() == [1, 3]
    renamed = order.proj(chosen="select", f="(from)")
    assert (renamed & {"chosen": 20}).fetch1("f") == "a"
    counts = order.aggr(group, n=f"count({quote('where')})", keep_all_rows=True)
    assert dict(zip(*counts.fetch("key", "n"))) == {1: 2, 2: 0, 3: 1}
    assert sorted((U("from") & order).fetch("from")) == ["a", "b"]
    assert len(order * group) == 3
    assert "select" in order.preview()


def test_unquoted_reserved_word_reaches_the_server(reserved):
    order, _ = reserved
    with pytest.raises(QuerySyntaxError):
        len(order & "select = 1")  # reserved on every server


def test_capitalised_unknown_column_fails_at_the_server(lab):
    with pytest.raises(UnknownAttributeError):
        len(lab.Session & "Foo = 1")


def test_fetch_of_unknown_attribute(lab):
    with pytest.raises(DataJointError, match="`nope` not found"):
        lab.Session.fetch("nope")


def test_keep_all_rows_counts_star_as_one(lab):
    result = lab.Animal.aggr(lab.Session, n="count(*)", keep_all_rows=True)
    assert dict(zip(*result.fetch("animal_id", "n"))) == {1: 2, 2: 1, 3: 3, 4: 1, 5: 1}


def test_equal_top_does_not_nest(lab):
    once = lab.Session & Top(2)
    assert (once & Top(2)).make_sql() == once.make_sql()
    assert lab.connection.dialect.quote("$0") in (once & Top(3)).make_sql()


def test_restriction_member_can_be_reused(lab):
    restricted = lab.Session & {"animal_id": 3} & "session > 1"
    assert isinstance(restricted.restriction, AndList)
    assert len(restricted.restriction) == 2
    assert restricted.restriction_attributes == {"animal_id", "session"}
    again = lab.Session & restricted.restriction
    assert len(again) == 2
    assert restricted.support == lab.Session.support
    assert restricted.original_heading.names == lab.Session.heading.names


def test_restriction_by_table_class(lab):
    class Sessions(type(lab.Session)):
        def __init__(self):
            super().__init__(lab.connection, lab.Session.full_table_name)

    assert len(lab.Animal & Sessions) == len({a for a, *_ in SESSIONS})


def test_neg_operator_gives_not(lab):
    negated = -lab.Trial
    assert len(lab.Session & negated) == len(lab.Session - lab.Trial)


def test_key_of_an_empty_primary_key(lab):
    total = U().aggr(lab.Session, n="count(*)")
    assert total.fetch("KEY") == [{}]
    n, key = total.fetch1("n", "KEY")
    assert (n, key) == (len(SESSIONS), {})


def test_pandas_is_imported_only_for_frames():
    import subprocess
    import sys

    code = "import sys, dj_query; print('pandas' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
