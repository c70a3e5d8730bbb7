"""Administrative helpers (`datajoint.admin`): change the password, kill server processes.

`getpass` is looked up in this module at call time (tests replace
``datajoint.admin.getpass``); the kill prompt reads `input` from this module the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from getpass import getpass

from dj_core import utils
from dj_core.connection import Connection, conn

__all__ = ["getpass", "kill", "kill_quick", "set_password"]

logger = logging.getLogger("datajoint")

input = utils.input  # calls the built-in `input` looked up at call time (patches apply)

_COLUMNS = ("ID", "USER", "HOST", "STATE", "TIME", "INFO")


def set_password(
    new_password: str | None = None,
    connection: Connection | None = None,
    update_config: bool | None = None,
) -> None:
    """Change the current user's server password.

    Without `new_password` it is asked twice (hidden); a mismatch logs a warning and
    changes nothing. Afterwards the password is stored in the connection's configuration
    and saved to the local settings file (written private, mode 0600) when
    `update_config` is true, or — when it is None — if the user answers "yes"."""
    connection = conn() if connection is None else connection
    if new_password is None:
        new_password = getpass("New password: ")
        confirm_password = getpass("Confirm password: ")
        if new_password != confirm_password:
            logger.warning("Failed to confirm the password.")
            return
    dialect = connection.dialect
    connection.query(dialect.set_password_sql(dialect.server_version(connection)), (new_password,))
    logger.info("Password updated.")
    if update_config or (
        update_config is None and utils.user_choice("Update local setting?") == "yes"
    ):
        connection.config["database.password"] = new_password
        connection.config.save_local(verbose=True)


def _format_processes(processes: list[dict]) -> str:
    lines = ["  ID USER         HOST          STATE         TIME    INFO"]
    lines.append("+--+ +----------+ +-----------+ +-----------+ +-----+")
    for process in processes:
        row = {key: ("" if process.get(key) is None else process[key]) for key in _COLUMNS}
        lines.append(
            "{ID:>4d} {USER:<12s} {HOST:<12s} {STATE:<12s} {TIME:>7d}  {INFO}".format(**row)
            if isinstance(row["ID"], int) and isinstance(row["TIME"], int)
            else " ".join(str(row[key]) for key in _COLUMNS)
        )
    return "\n".join(lines)


def kill(
    restriction: str | None = None,
    connection: Connection | None = None,
    order_by: str | Sequence[str] | None = None,
) -> None:
    """Interactively list the server's other processes and kill them by id; ``q`` quits.

    `restriction`: an SQL condition over ``ID, USER, HOST, DB, COMMAND, TIME, STATE,
    INFO``; `order_by`: one or more of those columns (default ``id``). The table is
    printed to stdout: this function is interactive by design."""
    connection = conn() if connection is None else connection
    dialect = connection.dialect
    while True:
        print(_format_processes(dialect.processes(connection, restriction, order_by)))
        response = input('process to kill or "q" to quit > ').strip()
        if response == "q":
            break
        if not response:
            continue
        try:
            process_id = int(response)
        except ValueError:
            continue  # not an id: show the list again
        try:
            connection.query(dialect.kill_sql(process_id))
        except Exception as error:  # the process may have ended meanwhile
            logger.warning("Process %s was not killed: %s", process_id, error)


def kill_quick(restriction: str | None = None, connection: Connection | None = None) -> int:
    """Kill every other server process matching `restriction` without asking.

    Returns the number of processes killed."""
    connection = conn() if connection is None else connection
    dialect = connection.dialect
    killed = 0
    for process in dialect.processes(connection, restriction):
        try:
            connection.query(dialect.kill_sql(process["ID"]))
        except Exception as error:  # ended meanwhile
            logger.warning("Process %s was not killed: %s", process["ID"], error)
            continue
        killed += 1
    return killed
