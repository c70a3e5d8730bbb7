"""Admin helpers against the real server: set_password, kill, kill_quick."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import stat
import time
import uuid

import pytest
from dj_core import admin, settings, utils
from dj_core.connection import Connection


@pytest.fixture
def account(db_params, db_admin):
    name = f"djtest_{uuid.uuid4().hex[:10]}"
    password = f"Old-{uuid.uuid4().hex[:12]}"
    with db_admin.cursor() as cursor:
        if db_params.backend == "postgresql":
            # DDL takes no server-side parameters; the password is letters and hex
            cursor.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
        else:
            cursor.execute(f"CREATE USER '{name}'@'%%' IDENTIFIED BY %s", (password,))
    yield {"user": name, "password": password}
    with db_admin.cursor() as cursor:
        if db_params.backend == "postgresql":
            cursor.execute(f'DROP ROLE IF EXISTS "{name}"')
        else:
            cursor.execute(f"DROP USER IF EXISTS '{name}'@'%'")


@pytest.fixture
def account_connection(db_params, account):
    connection = Connection(
        db_params.host,
        account["user"],
        account["password"],
        port=db_params.port,
        config=db_params.configure(settings.Config.independent()),
    )
    yield connection
    connection.close()


@pytest.fixture
def root_connection(db_params):
    connection = db_params.open_connection()
    yield connection
    connection.close()


def _scram_matches(verifier: str, password: str) -> bool:
    """Whether a PostgreSQL SCRAM-SHA-256 verifier (pg_authid.rolpassword) was made
    from `password` (RFC 5802: StoredKey = H(HMAC(SaltedPassword, "Client Key")))."""
    method, rest = verifier.split("$", 1)
    assert method == "SCRAM-SHA-256"
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = base64.b64decode(keys.split(":")[0])
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return hashlib.sha256(client_key).digest() == stored_key


def can_connect(db_params, user, password) -> bool:
    """Whether `user` logs in with `password`. The test PostgreSQL server trusts local
    connections (any password logs in), so there the stored verifier is checked."""
    if db_params.backend == "postgresql":
        with db_params.connect() as admin_connection:
            row = admin_connection.execute(
                "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (user,)
            ).fetchone()
        return row is not None and row[0] is not None and _scram_matches(row[0], password)
    import pymysql

    try:
        pymysql.connect(
            host=db_params.host, port=db_params.port, user=user, password=password
        ).close()
    except pymysql.err.OperationalError:
        return False
    return True


def thread_id(db_params, raw) -> int:
    """The server's id of a plain driver connection."""
    return raw.info.backend_pid if db_params.backend == "postgresql" else raw.thread_id()


def test_set_password_changes_it_and_saves_a_private_local_file(
    db_params, account, account_connection, tmp_path, monkeypatch, caplog
):
    monkeypatch.chdir(tmp_path)
    new = f"New-{uuid.uuid4().hex[:12]}"
    prompts = iter([new, new])
    monkeypatch.setattr(admin, "getpass", lambda prompt="": next(prompts))
    with caplog.at_level(logging.DEBUG, logger="datajoint"):
        admin.set_password(connection=account_connection, update_config=True)
    assert can_connect(db_params, account["user"], new)
    assert not can_connect(db_params, account["user"], account["password"])
    assert account_connection.config["database.password"] == new
    saved = tmp_path / settings.LOCALCONFIG
    assert json.loads(saved.read_text())["database.password"] == new
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    assert new not in caplog.text


def test_set_password_mismatch_changes_nothing(
    db_params, account, account_connection, monkeypatch, caplog
):
    prompts = iter(["one-password", "another-password"])
    monkeypatch.setattr(admin, "getpass", lambda prompt="": next(prompts))
    with caplog.at_level(logging.WARNING, logger="datajoint"):
        admin.set_password(connection=account_connection)
    assert "Failed to confirm the password." in caplog.text
    assert can_connect(db_params, account["user"], account["password"])


def test_set_password_asks_before_updating_the_configuration(
    db_params, account, account_connection, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(utils, "input", lambda prompt: "no")
    new = f"New-{uuid.uuid4().hex[:12]}"
    admin.set_password(new, connection=account_connection)
    assert can_connect(db_params, account["user"], new)
    assert account_connection.config["database.password"] != new
    assert not (tmp_path / settings.LOCALCONFIG).exists()


def wait_until_gone(db_params, db_admin, thread_id: int) -> bool:
    processes = (
        "SELECT count(*) FROM pg_stat_activity WHERE pid = %s"
        if db_params.backend == "postgresql"
        else "SELECT count(*) FROM information_schema.processlist WHERE id = %s"
    )
    for _ in range(50):
        with db_admin.cursor() as cursor:
            cursor.execute(processes, (thread_id,))
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.02)
    return False


def test_kill_quick_kills_matching_processes(db_params, db_admin, root_connection):
    victim = db_params.connect()
    victim_id = thread_id(db_params, victim)
    assert admin.kill_quick("ID = -1", connection=root_connection) == 0
    assert admin.kill_quick(f"ID = {victim_id}", connection=root_connection) == 1
    assert wait_until_gone(db_params, db_admin, victim_id)
    with pytest.raises(Exception) as raised:
        victim.cursor().execute("SELECT 1")
    assert type(raised.value).__module__.split(".")[0] in ("pymysql", "psycopg")


def test_kill_lists_processes_and_kills_by_id(
    db_params, db_admin, root_connection, monkeypatch, capsys
):
    victim = db_params.connect()
    victim_id = thread_id(db_params, victim)
    answers = iter(["not-a-number", str(victim_id), "q"])
    monkeypatch.setattr(admin, "input", lambda prompt: next(answers))
    admin.kill(f"ID = {victim_id}", connection=root_connection, order_by="id")
    shown = capsys.readouterr().out
    assert str(victim_id) in shown
    assert "STATE" in shown
    assert wait_until_gone(db_params, db_admin, victim_id)
    victim.close()
