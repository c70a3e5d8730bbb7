"""Attributes: one column of a heading, and how a catalog row becomes one.

`Attribute` keeps DataJoint 0.14's field names (user code and upstream's tests read
them). `attribute_from_column` turns one normalised catalog row into an attribute:
display widths dropped from integer and float types, `:type:` markers in comments
turned back into DataJoint types (uuid, attach, blob@store, <adapter>, ...), string
defaults quoted, numpy dtypes for record arrays.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Mapping
from typing import Any

import numpy as np

from dj_core.attribute_adapter import AttributeAdapter, MissingAdapter, get_adapter
from dj_core.attribute_types import EXTERNAL_TYPES, SPECIAL_TYPES, TYPE_PATTERNS, match_type
from dj_core.errors import DataJointError, _support_filepath_types

__all__ = ["Attribute", "attribute_from_column", "default_attribute_properties"]

default_attribute_properties: dict[str, Any] = dict(
    name=None,
    type="expression",
    in_key=False,
    nullable=False,
    default=None,
    comment="calculated attribute",
    autoincrement=False,
    numeric=None,
    string=None,
    uuid=False,
    json=None,
    is_blob=False,
    is_attachment=False,
    is_filepath=False,
    is_external=False,
    is_hidden=False,
    adapter=None,
    store=None,
    unsupported=False,
    attribute_expression=None,
    database=None,
    dtype=object,
    # not in 0.14: the server's column type, used to copy a column into a child table
    column_type=None,
)

_SQL_LITERALS = ("CURRENT_TIMESTAMP",)
_TIMESTAMP_DEFAULT = re.compile(r"CURRENT_TIMESTAMP\(\d\)")


class Attribute(namedtuple("_Attribute", default_attribute_properties)):
    """One attribute of a heading, with 0.14's field names (plus `column_type`)."""

    __slots__ = ()

    def todict(self) -> dict[str, Any]:
        return dict(zip(self._fields, self))

    @property
    def sql_type(self) -> str:
        """The column type to use when the attribute is copied into a child table."""
        if self.uuid:
            return "binary(16)"
        if self.adapter is not None and self.column_type:
            return self.column_type
        return self.type

    @property
    def sql_comment(self) -> str:
        """The column comment when copied, with the `:type:` marker restored."""
        if self.uuid:
            return ":uuid:" + self.comment
        if self.adapter is not None:
            return f":{self.type}:{self.comment}"
        return self.comment

    @property
    def sql(self) -> str:
        """Column SQL (the default dialect's) for this attribute inherited through a
        foreign key; `declare` asks the connection's dialect itself."""
        from dj_core.dialects import DIALECTS

        return DIALECTS[0].column_sql(self.name, self.sql_type, comment=self.sql_comment)

    @property
    def original_name(self) -> str:
        """The source column of a renamed attribute (its own name otherwise)."""
        if self.attribute_expression is None:
            return self.name
        from dj_core.table_names import unquote

        return unquote(self.attribute_expression)


# --- catalog rows → attributes ------------------------------------------------------

_SPECIAL_MARKER = re.compile(r":(?P<type>[^:]+):(?P<comment>.*)", re.S)
_DTYPES = {"INTEGER": np.dtype("int64"), "FLOAT": np.dtype("float64")}
_UNSIGNED_BIGINT = re.compile(r"bigint(\s*\(\d+\))?\s+unsigned", re.I)


def _category(type_text: str) -> str | None:
    for category, pattern in TYPE_PATTERNS.items():
        if pattern.match(type_text):
            return category
    return None


def attribute_from_column(
    column: Mapping[str, Any], database: str, context: Mapping[str, Any] | None
) -> Attribute:
    """Build an Attribute from one normalised catalog row (see `Dialect.table_catalog`)."""
    name = column["name"]
    column_type = column["type"]
    server_type = "json" if column.get("json") else column_type
    category = _category(server_type)
    if category in ("INTEGER", "FLOAT"):
        server_type = re.sub(r"\(\d+\)", "", server_type, count=1)
    comment = column["comment"] or ""
    attr: dict[str, Any] = dict(default_attribute_properties)
    attr.update(
        name=name,
        type=server_type,
        in_key=column["in_key"],
        nullable=column["nullable"],
        default=column["default"],
        comment=comment,
        autoincrement=bool(re.search("auto_increment", column.get("extra") or "", re.I)),
        numeric=category in ("INTEGER", "DECIMAL", "FLOAT"),
        string=category in ("ENUM", "TEMPORAL", "STRING"),
        json=category == "JSON",
        is_blob=category == "INTERNAL_BLOB",
        # 0.14 marks every native type that is neither numeric nor a blob "unsupported"
        # (strings and dates included); kept so headings read the same.
        unsupported=category not in ("INTEGER", "DECIMAL", "FLOAT", "INTERNAL_BLOB"),
        is_hidden=name.startswith("_"),
        database=database,
        column_type=column_type,
    )
    special = _SPECIAL_MARKER.match(comment)
    adapter_name = None
    if special:
        marker_type = special.group("type")
        attr.update(type=marker_type, comment=special.group("comment"))
        if marker_type.startswith("external"):
            raise DataJointError(
                f"Legacy datatype `{marker_type}` in column `{name}`: migrate your external "
                "stores to DataJoint 0.12 or later (see the DataJoint migration guide)."
            )
        marker_category = _category(marker_type)
        if marker_category not in SPECIAL_TYPES:
            raise DataJointError(f"Unknown attribute type `{marker_type}` in column `{name}`.")
        effective = marker_type
        if marker_category == "ADAPTED":
            adapter_name = marker_type
            adapter: AttributeAdapter
            try:
                adapter = get_adapter(context, marker_type)
            except DataJointError:
                adapter = MissingAdapter(marker_type.strip("<>"), column_type)
            attr["adapter"] = adapter
            effective = adapter.attribute_type
            marker_category = _category(effective)
            attr.update(
                numeric=marker_category in ("INTEGER", "DECIMAL", "FLOAT"),
                string=marker_category in ("ENUM", "TEMPORAL", "STRING"),
                json=marker_category == "JSON",
                is_blob=marker_category == "INTERNAL_BLOB",
                unsupported=marker_category not in ("INTEGER", "DECIMAL", "FLOAT", "INTERNAL_BLOB"),
            )
        if marker_category in SPECIAL_TYPES:
            if marker_category == "FILEPATH" and not _support_filepath_types():
                raise DataJointError(
                    "The filepath data type is disabled: set the environment variable "
                    "DJ_SUPPORT_FILEPATH_MANAGEMENT=TRUE to enable it."
                )
            store = None
            if marker_category in EXTERNAL_TYPES:
                store = match_type(effective)[1].group("store")
            attr.update(
                is_attachment=marker_category in ("INTERNAL_ATTACH", "EXTERNAL_ATTACH"),
                is_filepath=marker_category == "FILEPATH",
                is_blob=marker_category in ("INTERNAL_BLOB", "EXTERNAL_BLOB"),
                uuid=marker_category == "UUID",
                is_external=marker_category in EXTERNAL_TYPES,
                store=store,
                string=False,
                numeric=False,
                unsupported=False,
            )
        category = marker_category
    if attr["in_key"] and (
        attr["is_blob"] or attr["is_attachment"] or attr["is_filepath"] or attr["json"]
    ):
        raise DataJointError(
            f"Column `{name}`: json, blob, attachment and filepath attributes are not "
            "allowed in the primary key."
        )
    default = attr["default"]
    if (
        attr["string"]
        and default is not None
        and default not in _SQL_LITERALS
        # CURRENT_TIMESTAMP(n) too (0.14 quoted it, so such a table did not round-trip)
        and not _TIMESTAMP_DEFAULT.fullmatch(default)
    ):
        attr["default"] = f'"{default}"'
    if attr["nullable"]:
        attr["default"] = "null"
    if category in _DTYPES and (category == "FLOAT" or not attr["nullable"]):
        attr["dtype"] = _DTYPES[category]
        if _UNSIGNED_BIGINT.match(server_type):
            # values above 2**63 - 1 do not fit int64 (0.14 overflowed building arrays)
            attr["dtype"] = np.dtype("uint64")
    if adapter_name is not None:
        attr["type"] = adapter_name
    return Attribute(**attr)
