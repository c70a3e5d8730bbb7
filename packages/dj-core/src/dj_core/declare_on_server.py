"""Executing a definition on the server: `declare_table`.

The one place a `CREATE TABLE` from the definition language is run: it refuses open
transactions, checks what the server can express, lets type handlers prepare the schema
(`before_declare`: dj-external creates `~external_<store>` there), runs the statement,
drops cached headings and the dependency graph, and writes `Declared <name>` to `~log`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from dj_core.attribute_types import get_handler
from dj_core.declare import compile_definition
from dj_core.errors import AccessError, DataJointError
from dj_core.heading import invalidate
from dj_core.log_table import log_event

__all__ = ["declare_table"]

logger = logging.getLogger("datajoint")


def declare_table(
    connection: Any,
    full_table_name: str,
    definition: str,
    context: Mapping[str, Any] | None,
    *,
    schema: Any = None,
) -> bool:
    """Declare a table on the server. Returns False when the server denied `CREATE`
    (the declaration is skipped; the table fails when used), True otherwise."""
    if connection.in_transaction:
        raise DataJointError(
            f"Cannot declare {full_table_name} inside a transaction (e.g. inside make()): "
            "declare tables before starting transactions."
        )
    database, table_name = connection.dialect.split_full_table_name(full_table_name)
    declaration = compile_definition(
        full_table_name,
        definition,
        context,
        add_hidden_timestamp=bool(connection.config.get("add_hidden_timestamp", False)),
        dialect=connection.dialect,
    )
    if declaration.functional_indexes:
        server = connection.dialect.server_version(connection)
        if server.flavour == "mariadb":
            raise DataJointError(
                f"Cannot declare {full_table_name}: its index on a JSON path needs a "
                f"functional index, which {server.text} (MariaDB) does not support. "
                "Use MySQL 8 or index a regular column."
            )
    if schema is None:
        schema = connection.schemas.get(database)
    for category, type_text in declaration.special_types:
        get_handler(category, purpose="declare").before_declare(schema, type_text)
    try:
        for statement in declaration.statements:
            # DDL text is plain SQL: a `%` in a comment or default is doubled for
            # `query`'s %-interpolation (0.14 failed on such a definition)
            connection.query(statement.replace("%", "%%"))
    except AccessError as error:
        logger.warning("Could not declare %s: %s", full_table_name, error)
        return False
    finally:
        invalidate(connection, database, table_name)
        connection.dependencies.clear()
    if not table_name.startswith("~"):
        log_event(connection, database, f"Declared {full_table_name}")
    return True
