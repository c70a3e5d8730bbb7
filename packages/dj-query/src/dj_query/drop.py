"""Dropping tables: `drop_quick` (one table) and `drop` (the table
and everything that depends on it, children first, after a confirmation in safemode)."""

from __future__ import annotations

import logging
from typing import Any

from dj_core import utils
from dj_core.errors import DataJointError
from dj_core.heading import invalidate
from dj_core.log_table import log_event

from dj_query.delete import dependency_graph

__all__ = ["drop", "drop_quick"]

logger = logging.getLogger("datajoint")


def drop_quick(table: Any) -> None:
    """Drop the table if it exists; no dependents, no question."""
    connection = table.connection
    name = table.full_table_name
    if not table.is_declared:
        logger.info("Nothing to drop: the table %s is not declared.", name)
        return
    sql = f"DROP TABLE {name}"
    try:
        connection.query(sql)
    finally:
        invalidate(connection, table.database, table.table_name)
        connection.dependencies.clear()
    if not table.table_name.startswith("~"):
        log_event(connection, table.database, sql)
    logger.info("Dropped table %s.", name)


def drop(table: Any, *, part_ok: bool = False) -> None:
    """Drop the table and all its dependents (asks first in safemode).

    `part_ok`: the table is a part dropped with `force=True` (its master stays)."""
    if table.restriction:
        raise DataJointError(
            "A table with an applied restriction cannot be dropped: call drop() on the "
            "unrestricted table."
        )
    connection = table.connection
    connection.dependencies.load()
    top = table.full_table_name
    graph = dependency_graph(connection, top)  # dependents in other schemas included
    names = [n for n in graph.descendants(top) if not n.isdigit()] if top in graph else [top]
    for name in names:
        master = utils.get_master(name)
        if master and master not in names and not (part_ok and name == top):
            raise DataJointError(
                f"Attempt to drop part table {name} before dropping its master: drop "
                f"{master} first."
            )
    tables = [table._relative(name) for name in names]
    if connection.config.get("safemode", True):
        listing = "\n".join(f"  {t.full_table_name} ({len(t)} rows)" for t in tables)
        if utils.user_choice(f"About to drop:\n{listing}\nProceed?", default="no") != "yes":
            logger.info("Drop cancelled.")
            return
    for item in reversed(tables):
        drop_quick(item)
    logger.info("Tables dropped. Restart kernel.")
