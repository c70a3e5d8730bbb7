"""Server errors become the same DataJointError classes on every backend (MySQL by error
number, PostgreSQL by SQLSTATE): duplicate, foreign key, missing value, value rejected,
missing table, unknown column, access, lost connection, syntax."""

from __future__ import annotations

import uuid

import pytest
from dj_core import errors
from dj_core.schemas import Schema, declare_table
from dj_core.settings import Config
from dj_core.table_ref import TableRef


@pytest.fixture
def tables(connection, make_database):
    database = make_database("errors")
    Schema(database, connection=connection)
    full = connection.dialect.full_table_name
    parent, child = full(database, "parent"), full(database, "child")
    declare_table(connection, parent, "p : int\n---\nname : varchar(8)", {})
    declare_table(connection, child, "-> Parent\nc : int", {"Parent": TableRef(connection, parent)})
    connection.query(f"INSERT INTO {parent} (p, name) VALUES (1, 'one')")
    return database, parent, child


def test_duplicate(connection, tables):
    _, parent, _ = tables
    with pytest.raises(errors.DuplicateError):
        connection.query(f"INSERT INTO {parent} (p, name) VALUES (1, 'again')")


def test_foreign_key(connection, tables):
    _, parent, child = tables
    with pytest.raises(errors.IntegrityError):
        connection.query(f"INSERT INTO {child} (p, c) VALUES (2, 1)")
    connection.query(f"INSERT INTO {child} (p, c) VALUES (1, 1)")
    with pytest.raises(errors.IntegrityError):
        connection.query(f"DELETE FROM {parent}")


def test_missing_and_null_values(connection, tables):
    _, parent, _ = tables
    # a column left out that has no default
    with pytest.raises(errors.MissingAttributeError):
        connection.query(f"INSERT INTO {parent} (p) VALUES (3)")
    # NULL given where NULL is not allowed
    with pytest.raises(errors.ValueRejectedError) as caught:
        connection.query(f"INSERT INTO {parent} (p, name) VALUES (3, NULL)")
    assert caught.value.attribute == "name"


def test_value_rejected(connection, tables):
    _, parent, _ = tables
    with pytest.raises(errors.ValueRejectedError):
        connection.query(f"INSERT INTO {parent} (p, name) VALUES (3, 'far too long')")


def test_missing_table_and_unknown_column(connection, tables):
    database, parent, _ = tables
    missing = connection.dialect.full_table_name(database, "nope")
    with pytest.raises(errors.MissingTableError):
        connection.query(f"SELECT * FROM {missing}")
    with pytest.raises(errors.UnknownAttributeError):
        connection.query(f"SELECT nope FROM {parent}")


def test_syntax(connection):
    with pytest.raises(errors.QuerySyntaxError):
        connection.query("SELEC 1")


def test_access(db_params, db_admin, tables):
    database, parent, _ = tables
    user = f"djtest_{uuid.uuid4().hex[:10]}"
    with db_admin.cursor() as cursor:
        if db_params.backend == "postgresql":
            cursor.execute(f"CREATE ROLE \"{user}\" LOGIN PASSWORD 'pw'")
            cursor.execute(f'GRANT USAGE ON SCHEMA "{database}" TO "{user}"')
        else:
            cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'")
            cursor.execute(f"GRANT USAGE ON *.* TO '{user}'@'%'")
    try:
        from dj_core.connection import Connection

        limited = Connection(
            db_params.host,
            user,
            "pw",
            port=db_params.port,
            config=db_params.configure(Config.independent()),
        )
        try:
            with pytest.raises(errors.AccessError):
                limited.query(f"SELECT * FROM {parent}")
        finally:
            limited.close()
    finally:
        with db_admin.cursor() as cursor:
            if db_params.backend == "postgresql":
                cursor.execute(f'DROP OWNED BY "{user}"')
                cursor.execute(f'DROP ROLE "{user}"')
            else:
                cursor.execute(f"DROP USER '{user}'@'%'")


def test_lost_connection_is_reconnected_or_reported(connection, db_admin, backend):
    def kill(session: int) -> None:
        with db_admin.cursor() as cursor:
            if backend == "postgresql":
                cursor.execute("SELECT pg_terminate_backend(%s)", (session,))
            else:
                cursor.execute(f"KILL {int(session)}")

    # inside a transaction the loss cannot be hidden: it is reported as lost
    with pytest.raises(errors.LostConnectionError):
        with connection.transaction:
            kill(connection.connection_id)
            connection.query("SELECT 1")
    # outside one, the next statement reconnects
    victim = connection.connection_id
    kill(victim)
    assert connection.query("SELECT 1").fetchone() == (1,)
    assert connection.connection_id != victim


# PostgreSQL only by nature: MySQL's REPEATABLE READ lets the later update overwrite
@pytest.mark.postgresql_only
def test_concurrent_update_is_a_transaction_conflict(db_params, connection, tables):
    _, parent, _ = tables
    other = db_params.open_connection()
    try:
        connection.start_transaction()
        assert connection.query(f"SELECT name FROM {parent} WHERE p = 1").fetchone()[0] == "one"
        other.query(f"UPDATE {parent} SET name = 'other' WHERE p = 1")
        with pytest.raises(errors.TransactionConflictError, match="run it again"):
            connection.query(f"UPDATE {parent} SET name = 'mine' WHERE p = 1")
        connection.cancel_transaction()
        assert connection.query(f"SELECT name FROM {parent} WHERE p = 1").fetchone()[0] == "other"
    finally:
        other.close()
