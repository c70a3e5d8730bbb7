"""Headings: the attributes of a table (or of a query), read from the server's catalog.

A stored table's heading comes from the dialect's catalog reading (two statements for
one table, or for a whole schema with `preload_schema`), returned as plain rows. The
rows are cached per connection and dropped by `invalidate` whenever DDL changes a
table; `attribute.attribute_from_column` turns each column row into an `Attribute`.

The query algebra (dj-query) derives headings for projections and joins with
`select`, `join`, `set_primary_key` and `make_subquery_heading`.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from dj_core.attribute import Attribute, attribute_from_column, default_attribute_properties
from dj_core.errors import DataJointError

__all__ = [
    "Attribute",
    "Heading",
    "attribute_from_column",
    "default_attribute_properties",
    "invalidate",
    "is_cached",
    "load_table_info",
    "preload_schema",
]

# --- the per-connection cache of catalog rows ----------------------------------------

_cache: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _connection_cache(connection: Any) -> dict[tuple[str, str], dict[str, Any]]:
    try:
        return _cache.setdefault(connection, {})
    except TypeError:  # an object that cannot be weakly referenced: no caching
        return {}


def is_cached(connection: Any, database: str, table: str) -> bool:
    """True when the catalog rows of the table are cached (no query needed to load its
    heading): lets callers decide whether one `preload_schema` round is worth it."""
    return (database, table) in _connection_cache(connection)


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
        # primary-key attributes precede the others in every derived heading
        return Heading([a for a in attrs if a["in_key"]] + [a for a in attrs if not a["in_key"]])

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
