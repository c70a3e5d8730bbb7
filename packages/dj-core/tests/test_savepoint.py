"""`Connection.savepoint`: a statement that may fail inside a transaction leaves the
transaction usable. MySQL rolls back only the failed statement, so nothing is sent; a
dialect whose failures abort the transaction gets a savepoint (MySQL runs savepoints too,
so the abort-style path is checked on the same server)."""

from __future__ import annotations

import pytest
from dj_core.errors import DuplicateError


@pytest.fixture
def table(connection, make_database):
    database = make_database()
    connection.query(connection.dialect.create_schema_sql(database))
    name = connection.dialect.full_table_name(database, "t")
    connection.query(f"CREATE TABLE {name} (k int NOT NULL, PRIMARY KEY (k))")
    return name


def _sent(connection, monkeypatch):
    sent = []
    original = connection.query

    def query(sql, *args, **kwargs):
        sent.append(sql)
        return original(sql, *args, **kwargs)

    monkeypatch.setattr(connection, "query", query)
    return sent


@pytest.mark.parametrize("aborting", [False, True])
def test_a_failed_statement_keeps_the_work_before_it(connection, table, monkeypatch, aborting):
    if aborting:  # the connection's own dialect, so errors of its driver are translated
        monkeypatch.setattr(connection.dialect, "error_aborts_transaction", True)
    sent = _sent(connection, monkeypatch)
    with connection.transaction:
        connection.query(f"INSERT INTO {table} VALUES (1)")
        with pytest.raises(DuplicateError), connection.savepoint():
            connection.query(f"INSERT INTO {table} VALUES (1)")
        with connection.savepoint():
            connection.query(f"INSERT INTO {table} VALUES (2)")
    assert [row[0] for row in connection.query(f"SELECT k FROM {table} ORDER BY k")] == [1, 2]
    savepoints = [sql for sql in sent if "SAVEPOINT" in sql]
    # PostgreSQL aborts a transaction on any error by nature: it always takes a savepoint
    if connection.dialect.error_aborts_transaction:
        name = connection.dialect.quote("dj_retry")
        assert savepoints == [
            f"SAVEPOINT {name}",
            f"ROLLBACK TO SAVEPOINT {name}",
            f"SAVEPOINT {name}",
            f"RELEASE SAVEPOINT {name}",
        ]
    else:
        assert savepoints == []


def test_outside_a_transaction_nothing_is_sent(connection, monkeypatch):
    monkeypatch.setattr(connection.dialect, "error_aborts_transaction", True)
    sent = _sent(connection, monkeypatch)
    with connection.savepoint():
        connection.query("SELECT 1")
    assert sent == ["SELECT 1"]
