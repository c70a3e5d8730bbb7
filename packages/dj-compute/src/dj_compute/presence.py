"""`key in target`, asked once per key inside its transaction.

Another worker may have computed a key since the work set was fetched; populate then
skips it. This is on the path of every key, so for the common case — a stored table and
keys of plain attributes — the question is one prepared `SELECT ... LIMIT 1` built once
per populate call; anything else goes through the query algebra, which knows every
attribute type.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Presence"]

# key attribute types compared exactly by `=` with a bound parameter
_EXACT_TYPE = re.compile(
    r"^(tiny|small|medium|big)?int|^decimal|^numeric|^(var)?char|^enum|^date|^datetime"
    r"|^timestamp|^time",
    re.I,
)


class Presence:
    """`key in target` for the keys of one populate call.

    For a stored table and keys of plain attributes (integers, decimals, strings, dates,
    times) one prepared `SELECT` per key; anything else is asked through the query
    algebra (`bool(target & key)`), which knows every attribute type."""

    def __init__(self, target: Any) -> None:
        self.target = target
        support = getattr(target, "support", ())
        self.plain = (
            not target.restriction
            and len(support) == 1
            and isinstance(support[0], str)
            and support[0] == getattr(target, "full_table_name", None)
        )
        # per set of key names: the statement (None: ask the algebra) and the names used
        self.statements: dict[tuple[str, ...], tuple[str | None, list[str]]] = {}
        self.connection = target.connection

    def __call__(self, key: dict[str, Any]) -> bool:
        if self.plain:
            names = tuple(key)
            known = self.statements.get(names)
            statement, used = known if known is not None else self._prepare(names)
            if statement is not None:
                args = [key[used[0]]] if len(used) == 1 else [key[name] for name in used]
                found = self.connection.query(statement, args, prepare=True).fetchone()
                return found is not None
        return bool(self.target & key)

    def _statement(self, names: tuple[str, ...]) -> str | None:
        """The prepared `SELECT` for keys of these names (None: ask the algebra)."""
        known = self.statements.get(names)
        return (known if known is not None else self._prepare(names))[0]

    def _prepare(self, names: tuple[str, ...]) -> tuple[str | None, list[str]]:
        heading = self.target.heading
        used = [name for name in names if name in heading.names]
        exact = used and all(_exact(heading[name]) for name in used)
        dialect = self.connection.dialect
        quote = dialect.quote
        statement = (
            f"SELECT 1 FROM {self.target.full_table_name} WHERE "
            + " AND ".join(f"{quote(name)}=%s" for name in used)
            + dialect.offset_sql(1, None)
            if exact
            else None
        )
        self.statements[names] = (statement, used)
        return statement, used


def _exact(attribute: Any) -> bool:
    special = (
        attribute.uuid
        or attribute.json
        or attribute.is_blob
        or attribute.is_attachment
        or attribute.is_filepath
        or attribute.adapter is not None
        or attribute.attribute_expression is not None
    )
    return not special and bool(_EXACT_TYPE.match(attribute.type))
