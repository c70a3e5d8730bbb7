"""The seam between query building and the dialect: `%` escaping and JSON paths.

Every value a query carries (dict restrictions, records) becomes SQL text in the
connection's dialect (`value_literal`, `insert_literals`; identifiers with `quote`).
Statements later pass through the driver's `%`-interpolation (dj-core's
`Connection.query` contract), so every `%` that must reach the server is written `%%`.

JSON paths are the dialect's text (`json_value_sql`, `json_equals_sql`: MySQL's
`RETURNING`, MariaDB's casts); the helpers here only pass the server version and double
`%`.
"""

from __future__ import annotations

from typing import Any


def escape_percent(text: str) -> str:
    """Double `%` so that text written by the user reaches the server unchanged."""
    return text.replace("%", "%%")


def json_value(connection: Any, attribute: str, path: str, type_: str | None) -> str:
    """SQL for the value at `$.path` inside json `attribute`, optionally as `type_` (the
    dialect's text for this server, `%` doubled)."""
    dialect = connection.dialect
    return escape_percent(
        dialect.json_value_sql(attribute, path, type_, server=dialect.server_version(connection))
    )


def json_document_equals(connection: Any, attribute: str, path: str, document: str) -> str:
    """Whether the object or array at `$.path` equals the JSON text `document` (the
    dialect's text for this server, `%` doubled)."""
    dialect = connection.dialect
    return escape_percent(
        dialect.json_equals_sql(
            attribute, path, document, server=dialect.server_version(connection)
        )
    )
