"""The query cache: SELECT/SHOW only, rows kept in files keyed by state and statement."""

from __future__ import annotations

import pytest
from dj_core import errors, settings


@pytest.fixture
def connection(db_params, tmp_path):
    config = settings.Config.independent()
    config["query_cache"] = str(tmp_path / "cache")
    connection = db_params.open_connection(config)
    yield connection
    connection.set_query_cache(None)
    connection.close()


@pytest.fixture
def table(connection, make_database):
    database = make_database("cache")
    connection.query(connection.dialect.create_schema_sql(database))
    table = connection.dialect.full_table_name(database, "t")
    connection.query(f"CREATE TABLE {table} (id int PRIMARY KEY, name varchar(10))")
    connection.query(f"INSERT INTO {table} VALUES (1, 'one'), (2, 'two')")
    return table


def test_hits_are_served_without_the_server(connection, table, tmp_path):
    connection.set_query_cache("state-1")
    sql = f"SELECT id, name FROM {table} WHERE id > %s ORDER BY id"
    first = connection.query(sql, (0,))
    assert first.rowcount == 2
    assert [tuple(row) for row in first] == [(1, "one"), (2, "two")]
    files = list((tmp_path / "cache").iterdir())
    assert len(files) == 1
    connection.close()  # a hit must not need the server
    cached = connection.query(sql, (0,), reconnect=False)
    assert [tuple(row) for row in cached.fetchall()] == [(1, "one"), (2, "two")]
    cached = connection.query(sql, (0,), reconnect=False)
    assert tuple(cached.fetchone()) == (1, "one")
    assert tuple(cached.fetchone()) == (2, "two")
    assert cached.fetchone() is None


def test_key_depends_on_state_and_args_but_not_on_subquery_aliases(connection, table, tmp_path):
    connection.set_query_cache("state-1")
    connection.query(f"SELECT id FROM (SELECT * FROM {table}) AS {connection.dialect.quote('$a1')}")
    connection.query(f"SELECT id FROM (SELECT * FROM {table}) AS {connection.dialect.quote('$b2')}")
    assert len(list((tmp_path / "cache").iterdir())) == 1
    connection.query(f"SELECT id FROM {table} WHERE id = %s", (1,))
    connection.query(f"SELECT id FROM {table} WHERE id = %s", (2,))
    assert len(list((tmp_path / "cache").iterdir())) == 3
    connection.set_query_cache("state-2")
    connection.query(f"SELECT id FROM (SELECT * FROM {table}) AS {connection.dialect.quote('$a1')}")
    assert len(list((tmp_path / "cache").iterdir())) == 4


def test_stale_rows_until_the_state_changes(connection, table, db_admin):
    connection.set_query_cache("before")
    sql = f"SELECT count(*) FROM {table}"
    assert tuple(connection.query(sql).fetchone()) == (2,)
    with db_admin.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} VALUES (3, 'three')")
    assert tuple(connection.query(sql).fetchone()) == (2,)
    connection.set_query_cache("after")
    assert tuple(connection.query(sql).fetchone()) == (3,)
    connection.set_query_cache(None)
    assert connection.query(sql).fetchone() == (3,)


def test_only_select_and_show_while_caching(connection, table, backend):
    connection.set_query_cache("s")
    show = "  SHOW server_version" if backend == "postgresql" else "  SHOW DATABASES"
    assert connection.query(show).rowcount > 0
    for statement in (f"DELETE FROM {table}", "START TRANSACTION", "select 1"):
        with pytest.raises(errors.DataJointError, match="Only SELECT"):
            connection.query(statement)
    with pytest.raises(errors.DataJointError, match="Only SELECT"):
        connection.query_many(f"INSERT INTO {table} VALUES (%s, %s)", [(5, "five")])


def test_cache_folder_is_required(connection):
    del connection.config["query_cache"]
    connection.set_query_cache("s")
    with pytest.raises(errors.DataJointError, match="query_cache"):
        connection.query("SELECT 1")


def test_purge_removes_files_but_not_folders(connection, table, tmp_path):
    connection.set_query_cache("s")
    connection.query(f"SELECT * FROM {table}")
    folder = tmp_path / "cache"
    (folder / "keep").mkdir()
    connection.purge_query_cache()
    assert [path.name for path in folder.iterdir()] == ["keep"]
    connection.config["query_cache"] = str(tmp_path / "missing")
    connection.purge_query_cache()  # no folder: nothing to do
