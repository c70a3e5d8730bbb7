"""`FreeTable(connection, full_table_name)`: query any existing table without a class.

Works for tables DataJoint declared and for plain MySQL tables alike: the heading is
read from the catalog on first use.
"""

from __future__ import annotations

from typing import Any

from dj_core.heading import Heading

from dj_query.errors import DataJointError
from dj_query.table import Table

__all__ = ["FreeTable"]


class FreeTable(Table):
    """A stored table addressed by its name, `` `database`.`table` `` (or `database.table`)."""

    _class_level_use = False  # an instance needs a connection and a name

    def __init__(self, conn: Any, full_table_name: str) -> None:
        dialect = conn.dialect
        try:
            database, table = dialect.split_full_table_name(full_table_name)
        except DataJointError:
            parts = full_table_name.split(".")
            if len(parts) != 2 or not all(parts):
                raise
            database, table = (dialect.unquote(part) for part in parts)
        self.database = database
        self.table_name = table
        self._connection = conn
        self._support = (dialect.full_table_name(database, table),)
        self._full_table_name = self._support[0]
        self._heading = Heading.from_table(conn, database, table)

    def __repr__(self) -> str:
        return f"FreeTable({self.full_table_name})\n" + super().__repr__()


Table._relative_class = FreeTable
