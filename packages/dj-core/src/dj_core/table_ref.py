"""`TableRef`: an existing table addressed by its full name, with its heading.

The smallest object the definition language can reference (`-> TableRef(...)`, or a
renaming projection of one) and that `describe()` can describe. It reads; it does not
query rows — that is dj-query's `FreeTable`, which satisfies the same protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dj_core.errors import DataJointError
from dj_core.heading import Heading

__all__ = ["TableRef"]


class TableRef:
    """A stored table: `connection`, `full_table_name`, `heading`, `primary_key`, plus
    `support`/`restriction` as a foreign-key reference expects."""

    def __init__(
        self,
        connection: Any,
        full_table_name: str,
        context: Mapping[str, Any] | None = None,
        *,
        heading: Heading | None = None,
    ):
        self.connection = connection
        self.full_table_name = full_table_name
        self.database, self.table_name = connection.dialect.split_full_table_name(full_table_name)
        self.heading = heading or Heading.from_table(
            connection, self.database, self.table_name, context
        )
        self.restriction: list[Any] = []

    @property
    def support(self) -> list[str]:
        return [self.full_table_name]

    @property
    def primary_key(self) -> list[str]:
        return self.heading.primary_key

    def proj(self, **renames: str) -> TableRef:
        """The same table with attributes renamed (`new_name="old_name"`): all primary-key
        attributes are kept, renamed ones take their old place."""
        unknown = [old for old in renames.values() if old not in self.heading.names]
        if unknown:
            raise DataJointError(
                f"Cannot rename unknown attributes {unknown} of {self.full_table_name}."
            )
        keep = [name for name in self.heading.primary_key if name not in renames.values()]
        heading = self.heading.select(keep, rename_map=renames)
        return TableRef(self.connection, self.full_table_name, heading=heading)

    def __repr__(self) -> str:
        return f"TableRef({self.full_table_name})"
