"""The `~log` table of a schema: its definition and the writer of its rows.

dj-core writes the rows itself (one parameterized INSERT), so schema creation logs
without the query layer; dj-query's declare, alter, delete and drop call `log_event`.
The queryable `schema.log` table object comes from dj-query through the schema
extension registry.
"""

from __future__ import annotations

import logging
import platform
from typing import Any

from dj_core.declare import compile_definition
from dj_core.errors import DataJointError, MissingTableError
from dj_core.version import client_version

__all__ = ["LOG_TABLE", "declare_log_table", "log_definition", "log_event"]

logger = logging.getLogger("datajoint")

LOG_TABLE = "~log"
EVENT_LENGTH = 255


def log_definition(database: str) -> str:
    """The 0.14 definition of `~log` for `database`."""
    return f"""# event logging table for `{database}`
    id       : int unsigned auto_increment     # event order id
    ---
    timestamp = CURRENT_TIMESTAMP : timestamp  # event timestamp
    version  : varchar(12)                     # datajoint version
    user     : varchar(255)                    # user@host
    host=""  : varchar(255)                    # system hostname
    event="" : varchar(255)                    # event message
    """


def declare_log_table(connection: Any, database: str) -> None:
    """Create `~log` in `database` if it is missing."""
    full_name = connection.dialect.full_table_name(database, LOG_TABLE)
    declaration = compile_definition(
        full_name, log_definition(database), {}, dialect=connection.dialect
    )
    for statement in declaration.statements:
        connection.query(statement)


def log_event(connection: Any, database: str, event: str) -> None:
    """Append one event to `database`'s `~log` (creating the table when missing).

    Logging never breaks the operation it records: failures are logged and swallowed.
    """
    full_name = connection.dialect.full_table_name(database, LOG_TABLE)
    dialect = connection.dialect
    head, _ = dialect.insert_sql(full_name, ["version", "user", "host", "event"])
    sql = f"{head} VALUES (%s, {dialect.current_user_sql()}, %s, %s)"
    args = (client_version() + "py", platform.uname().node, event[:EVENT_LENGTH])
    try:
        try:
            connection.query(sql, args)
        except MissingTableError:
            declare_log_table(connection, database)
            connection.query(sql, args)
    except DataJointError as error:
        logger.debug("could not write %r to %s: %s", event, full_name, error)
