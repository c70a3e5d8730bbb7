"""Headings: the attributes of a table (or of a query), read from the server's catalog.

A stored table's heading comes from three catalog readings (table status, columns,
indexes) that the dialect returns as plain rows. They are cached per connection — one
set of queries per table, or per schema when `preload_schema` is used — and dropped by
`invalidate` whenever DDL changes a table. Building a `Heading` from the cached rows
applies DataJoint's rules (core.md §9.1): `:type:` markers in comments, display widths
removed from integer types, quoted string defaults, numpy dtypes.

The query algebra (dj-query) derives headings for projections and joins with
`select`, `join`, `set_primary_key` and `make_subquery_heading`.
"""

from __future__ import annotations

import re
import weakref
from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from dj_core.attribute_adapter import AttributeAdapter, MissingAdapter, get_adapter
from dj_core.attribute_types import EXTERNAL_TYPES, SPECIAL_TYPES, TYPE_PATTERNS, match_type
from dj_core.errors import DataJointError, _support_filepath_types

__all__ = [
    "Attribute",
    "Heading",
    "default_attribute_properties",
    "invalidate",
    "load_table_info",
    "preload_schema",
]

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
        """Column SQL for this attribute inherited through a foreign key."""
        comment = self.sql_comment.replace("\\", "\\\\").replace('"', '\\"')
        return f'`{self.name}` {self.sql_type} NOT NULL COMMENT "{comment}"'

    @property
    def original_name(self) -> str:
        """The source column of a renamed attribute (its own name otherwise)."""
        if self.attribute_expression is None:
            return self.name
        assert self.attribute_expression.startswith("`")
        return self.attribute_expression.strip("`")


# --- catalog rows → attributes ------------------------------------------------------

_SPECIAL_MARKER = re.compile(r":(?P<type>[^:]+):(?P<comment>.*)", re.S)
_DTYPES = {"INTEGER": np.dtype("int64"), "FLOAT": np.dtype("float64")}


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
    if attr["string"] and default is not None and default not in _SQL_LITERALS:
        attr["default"] = f'"{default}"'
    if attr["nullable"]:
        attr["default"] = "null"
    if category in _DTYPES and (category == "FLOAT" or not attr["nullable"]):
        attr["dtype"] = _DTYPES[category]
    if adapter_name is not None:
        attr["type"] = adapter_name
    return Attribute(**attr)


# --- the per-connection cache of catalog rows ----------------------------------------

_cache: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _connection_cache(connection: Any) -> dict[tuple[str, str], dict[str, Any]]:
    try:
        return _cache.setdefault(connection, {})
    except TypeError:  # an object that cannot be weakly referenced: no caching
        return {}


def preload_schema(connection: Any, database: str) -> None:
    """Read the catalog of every table of `database` in one round of queries."""
    tables = connection.dialect.table_catalog(connection, database)
    cache = _connection_cache(connection)
    for table, info in tables.items():
        cache[(database, table)] = info


def load_table_info(connection: Any, database: str, table: str) -> dict[str, Any]:
    """The catalog rows of one table (cached): keys `status`, `columns`, `indexes`."""
    cache = _connection_cache(connection)
    info = cache.get((database, table))
    if info is None:
        found = connection.dialect.table_catalog(connection, database, table)
        if table not in found:
            raise DataJointError(
                f"The table `{database}`.`{table}` is not defined: declare it first."
            )
        info = cache[(database, table)] = found[table]
    return info


def invalidate(connection: Any, database: str | None = None, table: str | None = None) -> None:
    """Forget cached catalog rows: of one table, of one database, or all (after DDL)."""
    cache = _cache.get(connection)
    if not cache:
        return
    if database is None:
        cache.clear()
        return
    for key in [k for k in cache if k[0] == database and (table is None or k[1] == table)]:
        del cache[key]


# --- Heading -------------------------------------------------------------------------


class Heading:
    """An ordered set of attributes, plus table status and indexes for stored tables.

    Built from a list of attributes, or lazily from the catalog
    (`Heading.from_table(connection, database, table, context)`), in which case nothing
    is read until an attribute is first needed.
    """

    def __init__(
        self,
        attributes: Iterable[Attribute | Mapping[str, Any]] | None = None,
        *,
        table_status: dict[str, Any] | None = None,
        indexes: dict[tuple[str, ...], dict[str, bool]] | None = None,
        table_info: dict[str, Any] | None = None,
    ):
        self.table_info = table_info
        self._table_status = table_status
        self._indexes = indexes
        self._attributes: dict[str, Attribute] | None = None
        if attributes is not None:
            attrs = [a if isinstance(a, Attribute) else Attribute(**a) for a in attributes]
            self._attributes = {a.name: a for a in attrs}

    @classmethod
    def from_table(
        cls,
        connection: Any,
        database: str,
        table_name: str,
        context: Mapping[str, Any] | None = None,
    ) -> Heading:
        return cls(
            table_info=dict(
                conn=connection, database=database, table_name=table_name, context=context
            )
        )

    def _load(self) -> None:
        info = self.table_info
        assert info is not None
        rows = load_table_info(info["conn"], info["database"], info["table_name"])
        database = info["database"]
        attrs = [attribute_from_column(c, database, info.get("context")) for c in rows["columns"]]
        self._attributes = {a.name: a for a in attrs}
        self._table_status = dict(rows["status"])
        self._indexes = _group_indexes(rows["indexes"], self._attributes)

    @property
    def _all(self) -> dict[str, Attribute]:
        if self._attributes is None:
            if self.table_info is None:
                self._attributes = {}
            else:
                self._load()
        assert self._attributes is not None
        return self._attributes

    # -- contents --------------------------------------------------------------------

    @property
    def attributes(self) -> dict[str, Attribute]:
        """Visible attributes (hidden `_…` ones excluded), in order."""
        return {name: a for name, a in self._all.items() if not a.is_hidden}

    @property
    def table_status(self) -> dict[str, Any] | None:
        self._all  # noqa: B018 - loads
        return self._table_status

    @property
    def indexes(self) -> dict[tuple[str, ...], dict[str, bool]]:
        self._all  # noqa: B018 - loads
        return self._indexes or {}

    @property
    def names(self) -> list[str]:
        return list(self.attributes)

    @property
    def primary_key(self) -> list[str]:
        return [name for name, a in self.attributes.items() if a.in_key]

    @property
    def secondary_attributes(self) -> list[str]:
        return [name for name, a in self.attributes.items() if not a.in_key]

    @property
    def blobs(self) -> list[str]:
        return [name for name, a in self.attributes.items() if a.is_blob]

    @property
    def non_blobs(self) -> list[str]:
        return [
            name
            for name, a in self.attributes.items()
            if not (a.is_blob or a.is_attachment or a.is_filepath or a.json)
        ]

    @property
    def new_attributes(self) -> list[str]:
        return [name for name, a in self.attributes.items() if a.attribute_expression is not None]

    @property
    def has_autoincrement(self) -> bool:
        return any(a.autoincrement for a in self.attributes.values())

    @property
    def as_dtype(self) -> np.dtype:
        return np.dtype(
            {"names": self.names, "formats": [a.dtype for a in self.attributes.values()]}
        )

    def as_sql(self, fields: Iterable[str], include_aliases: bool = True) -> str:
        """The SELECT list for `fields`: computed/renamed ones as `expression as `name``."""
        attrs = self.attributes
        return ",".join(
            f"`{name}`"
            if attrs[name].attribute_expression is None
            else attrs[name].attribute_expression + (f" as `{name}`" if include_aliases else "")
            for name in fields
        )

    def __getitem__(self, name: str) -> Attribute:
        return self.attributes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.attributes)

    def __len__(self) -> int:
        return len(self.attributes)

    def __bool__(self) -> bool:
        return self._attributes is not None or self.table_info is not None

    def __contains__(self, name: object) -> bool:
        return name in self.attributes

    def __repr__(self) -> str:
        in_key = True
        lines = []
        status = self.table_status if self.table_info is not None else None
        if status and status.get("comment"):
            lines.append("# " + status["comment"])
        for a in self.attributes.values():
            if in_key and not a.in_key:
                lines.append("---")
                in_key = False
            label = a.name if a.default is None else f"{a.name}={a.default}"
            text = f"{label:<20} : {a.type:<28}"
            lines.append((text + (f" # {a.comment}" if a.comment else "")).rstrip())
        return "\n".join(lines) + "\n"

    # -- derived headings (query algebra) --------------------------------------------

    def select(
        self,
        select_list: Iterable[str],
        rename_map: Mapping[str, str] | None = None,
        compute_map: Mapping[str, str] | None = None,
    ) -> Heading:
        """A heading with the selected attributes; renamed ones (new → old) take the old
        attribute's place, computed ones (name → SQL expression) come last."""
        selected = set(select_list)
        rename_map = dict(rename_map or {})
        attrs = []
        for name, attr in self.attributes.items():
            if name in selected:
                attrs.append(attr.todict())
            for new_name, old_name in rename_map.items():
                if old_name == name:
                    expression = attr.attribute_expression or f"`{old_name}`"
                    attrs.append(
                        dict(attr.todict(), name=new_name, attribute_expression=expression)
                    )
        attrs += [
            dict(default_attribute_properties, name=name, attribute_expression=expression)
            for name, expression in (compute_map or {}).items()
        ]
        return Heading(attrs)

    def join(self, other: Heading) -> Heading:
        """Joined heading: self's key, other's further key attributes, then self's and
        other's secondary attributes (an attribute appears once)."""
        mine, theirs = self.attributes, other.attributes
        key = self.primary_key
        return Heading(
            [mine[n].todict() for n in key]
            + [theirs[n].todict() for n in other.primary_key if n not in key]
            + [mine[n].todict() for n in mine if n not in key]
            + [theirs[n].todict() for n in theirs if n not in key and n not in mine]
        )

    def set_primary_key(self, primary_key: Iterable[str]) -> Heading:
        """The same attributes with a new primary key (listed first, in the given order)."""
        keys = list(primary_key)
        attrs = self.attributes
        ordered = [dict(attrs[n].todict(), in_key=True) for n in keys] + [
            dict(a.todict(), in_key=False) for n, a in attrs.items() if n not in keys
        ]
        return Heading(ordered)

    def make_subquery_heading(self) -> Heading:
        """The heading seen from outside a subquery: computed/renamed become plain columns."""
        return Heading(
            dict(a.todict(), attribute_expression=None) for a in self.attributes.values()
        )


def _group_indexes(
    rows: Iterable[Mapping[str, Any]], attributes: Mapping[str, Attribute]
) -> dict[tuple[str, ...], dict[str, bool]]:
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row["index_name"] != "PRIMARY":
            grouped.setdefault(row["index_name"], []).append(row)
    result: dict[tuple[str, ...], dict[str, bool]] = {}
    for parts in grouped.values():
        parts = sorted(parts, key=lambda r: r["seq"])
        names = tuple(
            r["column"] if r["column"] is not None else f"({r['expression']})" for r in parts
        )
        result[names] = dict(
            unique=not parts[0]["non_unique"],
            nullable=any(
                r["column"] in attributes and attributes[r["column"]].nullable for r in parts
            ),
        )
    return result
