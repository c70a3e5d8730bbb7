"""Decode fetched rows column by column through dj-core's attribute-type registry.

Rows arrive as tuples from the cursor. Plain columns (numbers, strings, dates) are used
as the driver returns them; each special column (blob, uuid, json, adapted, external
types) is decoded once, as a whole, by its registered handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dj_core.attribute_types import TypeContext, classify, get_handler


def is_special(attr: Any) -> bool:
    """Whether fetched values of `attr` need a handler (computed attributes never do)."""
    if attr.type == "expression" and attr.attribute_expression is not None:
        return False
    return bool(
        attr.is_blob
        or attr.uuid
        or attr.json
        or attr.adapter is not None
        or attr.is_attachment
        or attr.is_filepath
        or attr.is_external
    )


@dataclass(frozen=True)
class ColumnDecoder:
    """The handler and context for one special column of a result."""

    index: int
    handler: Any
    context: TypeContext

    def __call__(self, values: list[Any]) -> list[Any]:
        return self.handler.decode_column(values, self.context)


def column_decoders(
    heading: Any, names: list[str], connection: Any, squeeze: bool, download_path: str
) -> list[ColumnDecoder]:
    """Decoders for the special columns among `names` (in select-list order)."""
    decoders = []
    for index, name in enumerate(names):
        attr = heading[name]
        if not is_special(attr):
            continue
        handler = get_handler(classify(attr.type), purpose="fetch")
        context = TypeContext(
            attribute=attr,
            connection=connection,
            database=attr.database,
            extra={"squeeze": squeeze, "download_path": download_path},
        )
        decoders.append(ColumnDecoder(index, handler, context))
    return decoders
