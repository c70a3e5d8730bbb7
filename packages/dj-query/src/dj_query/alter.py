"""`Table.alter`: change a declared table to match its class's current definition
(secondary attributes and the table comment). dj-core plans the ALTER clauses in the
connection's dialect; this module asks, runs the statement, refreshes the heading and
logs."""

from __future__ import annotations

import logging
from typing import Any

from dj_core import utils
from dj_core.alter import alter as alter_clauses
from dj_core.alter import alter_table_sql
from dj_core.attribute_types import get_handler
from dj_core.errors import AccessError, DataJointError
from dj_core.log_table import log_event

__all__ = ["alter"]

logger = logging.getLogger("datajoint")


def alter(table: Any, *, prompt: bool, context: dict[str, Any]) -> None:
    connection = table.connection
    if connection.in_transaction:
        raise DataJointError(
            "Cannot alter a table inside a transaction: commit or cancel it first."
        )
    old_definition = table.describe(context=context)
    clauses, stores = alter_clauses(table.definition, old_definition, context, connection.dialect)
    if not clauses:
        logger.warning("Nothing to alter: %s already matches its definition.", table.class_name)
        return
    sql = alter_table_sql(table.full_table_name, clauses, connection.dialect)
    if prompt and utils.user_choice(sql + "\nExecute?", default="no") != "yes":
        return
    schema = connection.schemas.get(table.database)
    for store in stores:
        get_handler("EXTERNAL_BLOB", purpose="declare").before_declare(schema, f"blob@{store}")
    try:
        connection.query(sql)
    except AccessError as error:
        logger.warning("Could not alter %s: %s", table.full_table_name, error)
        return
    finally:
        table._reset_heading()
        connection.dependencies.clear()
    log_event(connection, table.database, f"Altered {table.full_table_name}")
    if prompt:
        logger.info("Table altered.")
