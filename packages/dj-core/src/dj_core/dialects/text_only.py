"""`TextOnly`: what SQL text builders need of a connection, without a server.

The query compiler and the DDL ask a connection for two things only: its dialect and the
server's version (a few spellings differ between MySQL and MariaDB). `TextOnly` holds
those two, plus catalog rows given by hand, so the SQL of a query or a declaration can be
produced — and snapshot-tested, or shown — with no server at all. Anything that would
need the server raises `DataJointError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dj_core.dialects.base import Dialect, ServerVersion
from dj_core.errors import DataJointError

__all__ = ["TextOnly"]


class TextOnly:
    """A connection stand-in for building SQL text: ``TextOnly(MySQLDialect(), version)``.

    `catalog` maps ``(database, table)`` to rows in the shape of
    `Dialect.table_catalog` (``status``, ``columns``, ``indexes``); headings of those
    tables are read from it."""

    def __init__(
        self,
        dialect: Dialect,
        server_version: ServerVersion,
        catalog: Mapping[tuple[str, str], dict[str, Any]] | None = None,
    ) -> None:
        self.dialect = dialect
        self.server_version = server_version
        self.catalog = dict(catalog or {})
        self.in_transaction = False
        self.transaction_open = False

    def query(self, sql: Any, args: Any = (), **_: Any) -> Any:
        raise DataJointError(
            "This is a text-only connection: it builds SQL but cannot run it "
            f"({str(sql)[:60]!r}). Use a Connection to a server."
        )

    def __repr__(self) -> str:
        return f"TextOnly({self.dialect.name}, {self.server_version.text})"
