"""`update1`: the corrective update of one existing row, with the value
encoding of insert."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from dj_core.attribute_types import EXTERNAL_TYPES
from dj_core.errors import DataJointError, ValueRejectedError

from dj_query.compiler import compile_where
from dj_query.insert import attribute_category, encode_column, rejected_value

__all__ = ["update1"]


def update1(table: Any, row: Mapping[str, Any]) -> None:
    """Set the secondary attributes given in `row` on the row with `row`'s key.
    `None` resets an attribute to its default (NULL when nullable)."""
    if not isinstance(row, Mapping):
        raise DataJointError("The argument of update1 must be a dict-like row.")
    heading = table.heading
    key_names = table.primary_key
    missing = [name for name in key_names if name not in row]
    if missing:
        raise DataJointError(
            f"update1 needs every primary-key attribute; `{missing[0]}` is missing."
        )
    unknown = [name for name in row if name not in heading.names]
    if unknown:
        raise DataJointError(f"Attribute `{unknown[0]}` is not in {table.full_table_name}.")
    if table.restriction:
        raise DataJointError(
            "update1 cannot be applied to a restricted table: give the key in the row."
        )
    fields = [name for name in heading.names if name in row and name not in key_names]
    if not fields:
        raise DataJointError(
            "update1 was given only primary-key attributes: name at least one secondary "
            "attribute to change (None resets it to its default)."
        )
    key = {name: row[name] for name in key_names}
    target = table & key
    if len(target) != 1:
        raise DataJointError(
            f"update1 applies to exactly one existing row; {key} matches {len(target)}."
        )
    connection = table.connection
    external = any(attribute_category(heading[name]) in EXTERNAL_TYPES for name in fields)
    # external values write tracking rows while encoding: one transaction holds both
    own = external and not connection.transaction_open
    with connection.transaction if own else contextlib.nullcontext():
        quote = connection.dialect.quote
        assignments = ",".join(
            f"{quote(name)}={encode_column(table, heading[name], [row[name]])[0]}"
            for name in fields
        )
        sql = f"UPDATE {table.full_table_name} SET {assignments}{compile_where(target)}"
        try:
            connection.query(sql)
        except ValueRejectedError as error:
            raise rejected_value(table, error, fields, [[row[name]] for name in fields]) from None
