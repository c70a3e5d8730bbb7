"""Admin helpers against the real server: set_password, kill, kill_quick."""

from __future__ import annotations

import json
import logging
import os
import stat
import time
import uuid

import pymysql
import pytest
from dj_core import admin, settings, utils
from dj_core.connection import Connection

pytestmark = pytest.mark.pending_postgresql


@pytest.fixture
def account(db_admin):
    name = f"djtest_{uuid.uuid4().hex[:10]}"
    password = f"Old-{uuid.uuid4().hex[:12]}"
    with db_admin.cursor() as cursor:
        cursor.execute(f"CREATE USER '{name}'@'%%' IDENTIFIED BY %s", (password,))
    yield {"user": name, "password": password}
    with db_admin.cursor() as cursor:
        cursor.execute(f"DROP USER IF EXISTS '{name}'@'%'")


@pytest.fixture
def account_connection(db_params, account):
    connection = Connection(
        db_params.host,
        account["user"],
        account["password"],
        port=db_params.port,
        config=settings.Config.independent(),
    )
    yield connection
    connection.close()


@pytest.fixture
def root_connection(db_params):
    connection = Connection(
        db_params.host,
        db_params.user,
        db_params.password,
        port=db_params.port,
        config=settings.Config.independent(),
    )
    yield connection
    connection.close()


def can_connect(db_params, user, password) -> bool:
    try:
        pymysql.connect(
            host=db_params.host, port=db_params.port, user=user, password=password
        ).close()
    except pymysql.err.OperationalError:
        return False
    return True


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
    assert account_connection.config["database.password"] is None
    assert not (tmp_path / settings.LOCALCONFIG).exists()


def wait_until_gone(db_admin, thread_id: int) -> bool:
    for _ in range(50):
        with db_admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.processlist WHERE id = %s", (thread_id,)
            )
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.02)
    return False


def test_kill_quick_kills_matching_processes(db_params, db_admin, root_connection):
    victim = db_params.connect()
    victim_id = victim.thread_id()
    assert admin.kill_quick("ID = -1", connection=root_connection) == 0
    assert admin.kill_quick(f"ID = {victim_id}", connection=root_connection) == 1
    assert wait_until_gone(db_admin, victim_id)
    with pytest.raises(pymysql.err.Error):
        victim.cursor().execute("SELECT 1")


def test_kill_lists_processes_and_kills_by_id(
    db_params, db_admin, root_connection, monkeypatch, capsys
):
    victim = db_params.connect()
    victim_id = victim.thread_id()
    answers = iter(["not-a-number", str(victim_id), "q"])
    monkeypatch.setattr(admin, "input", lambda prompt: next(answers))
    admin.kill(f"ID = {victim_id}", connection=root_connection, order_by="id")
    shown = capsys.readouterr().out
    assert str(victim_id) in shown
    assert "STATE" in shown
    assert wait_until_gone(db_admin, victim_id)
    victim.close()
