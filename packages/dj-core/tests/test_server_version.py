"""The server version: asked once per session, asked again after a reconnect."""

from __future__ import annotations

import pickle

import pytest
from dj_core.heading import Heading, invalidate
from dj_core.schemas import Schema, declare_table


@pytest.fixture
def sent(connection, monkeypatch):
    """The statements the connection sends from now on."""
    statements: list[str] = []
    original = connection.query

    def recording(sql, *args, **kwargs):
        statements.append(sql)
        return original(sql, *args, **kwargs)

    monkeypatch.setattr(connection, "query", recording)
    return statements


def _asked(sent, backend) -> int:
    """How many times the server's version was asked (its statement per backend)."""
    return sent.count("SHOW server_version" if backend == "postgresql" else "SELECT VERSION()")


def test_version_is_read_once_per_session(connection, sent, db_admin, backend):
    version = connection.server_version
    assert connection.dialect.server_version(connection) is version
    assert connection.server_version is version
    assert _asked(sent, backend) == 1
    with db_admin.cursor() as cursor:
        cursor.execute("SHOW server_version" if backend == "postgresql" else "SELECT VERSION()")
        assert version.text == cursor.fetchone()[0]


def test_version_is_read_again_after_a_reconnect(connection, sent, backend):
    first = connection.server_version
    session = connection.connection_id
    connection.connect()
    assert connection.connection_id != session
    second = connection.server_version
    assert second == first and second is not first  # asked the new session
    assert _asked(sent, backend) == 2
    assert connection.server_version is second


def test_loading_headings_does_not_ask_for_the_version(connection, make_database, sent, backend):
    db = make_database()
    Schema(db, connection=connection)
    for name in ("a", "b", "c"):
        declare_table(
            connection,
            connection.dialect.full_table_name(db, name),
            "k : int\n---\nv : int",
            {},
        )
    invalidate(connection)
    for name in ("a", "b", "c"):
        assert Heading.from_table(connection, db, name).primary_key == ["k"]
    assert _asked(sent, backend) <= 1


def test_a_copy_in_another_process_asks_its_own_session(connection):
    connection.server_version  # noqa: B018 - cached here
    copy = pickle.loads(pickle.dumps(connection))
    assert copy._server_version is None
    assert copy.server_version == connection.server_version
    copy.close()
