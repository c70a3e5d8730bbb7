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
from dj_core.dialects import DIALECTS, Dialect
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
    if info is None and (database, table) in getattr(connection, "catalog", ()):
        info = cache[(database, table)] = connection.catalog[(database, table)]  # TextOnly
    if info is None:
        found = connection.dialect.table_catalog(connection, database, table)
        if table not in found:
            raise DataJointError(
                f"The table {connection.dialect.full_table_name(database, table)} is not "
                "defined: declare it first."
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
        dialect: Dialect | None = None,
    ):
        #: spells the SQL the heading writes (column lists, renamed sources)
        self.dialect = (
            dialect
            if dialect is not None
            else (table_info["conn"].dialect if table_info is not None else DIALECTS[0])
        )
        self.table_info = table_info
        self._table_status = table_status
        self._indexes = indexes
        self._attributes: dict[str, Attribute] | None = None
        self._visible: dict[str, Attribute] | None = None
        self._names: tuple[str, ...] = ()
        self._primary_key: tuple[str, ...] = ()
        if attributes is not None:
            self._set_attributes(
                [a if isinstance(a, Attribute) else Attribute(**a) for a in attributes]
            )

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

    def _set_attributes(self, attrs: Iterable[Attribute]) -> None:
        """Install the attributes once, with what every query asks of them precomputed.

        Query building reads `attributes`, `names` and `primary_key` many times per
        expression; rebuilding them on each access cost a fifth of its time. A heading's
        attributes never change after this (DDL makes the table owner build a new
        `Heading`), so the derived views are computed here, once."""
        self._attributes = {a.name: a for a in attrs}
        self._visible = {n: a for n, a in self._attributes.items() if not a.is_hidden}
        self._names = tuple(self._visible)
        self._primary_key = tuple(n for n, a in self._visible.items() if a.in_key)

    def _load(self) -> None:
        info = self.table_info
        assert info is not None
        rows = load_table_info(info["conn"], info["database"], info["table_name"])
        database = info["database"]
        attrs = [attribute_from_column(c, database, info.get("context")) for c in rows["columns"]]
        self._set_attributes(attrs)
        self._table_status = dict(rows["status"])
        self._indexes = _group_indexes(rows["indexes"], self._attributes)

    def _loaded(self) -> None:
        if self._visible is None:
            if self.table_info is None:
                self._set_attributes([])
            else:
                self._load()

    @property
    def _all(self) -> dict[str, Attribute]:
        """All attributes, hidden ones included."""
        if self._attributes is None:
            self._loaded()
        assert self._attributes is not None
        return self._attributes

    # -- contents --------------------------------------------------------------------

    @property
    def attributes(self) -> dict[str, Attribute]:
        """Visible attributes (hidden `_…` ones excluded), in order. The same dict on
        every access: read it, do not modify it."""
        visible = self._visible
        if visible is None:
            self._loaded()
            visible = self._visible
            assert visible is not None
        return visible

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
        if self._visible is None:
            self._loaded()
        return list(self._names)

    @property
    def primary_key(self) -> list[str]:
        if self._visible is None:
            self._loaded()
        return list(self._primary_key)

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
        quote = self.dialect.quote
        return ",".join(
            quote(name)
            if attrs[name].attribute_expression is None
            else attrs[name].attribute_expression
            + (f" as {quote(name)}" if include_aliases else "")
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
        """Projection: kept attributes in their order, each renamed or
        duplicated attribute (`rename_map`: new → old) right after its source with all
        its properties, computed ones (`compute_map`: name → SQL expression) at the end;
        primary-key attributes first."""
        selected = set(select_list)
        renamed_from: dict[str, list[str]] = {}
        for new_name, old_name in (rename_map or {}).items():
            renamed_from.setdefault(old_name, []).append(new_name)
        attrs: list[Attribute] = []
        for name, attr in self.attributes.items():
            if name in selected:
                attrs.append(attr)
            for new_name in renamed_from.get(name, ()):
                # the source column by name: a renamed attribute reads it back as
                # `original_name` (a derived source is wrapped in a subquery first)
                source = self.dialect.quote(name)
                attrs.append(attr._replace(name=new_name, attribute_expression=source))
        attrs += [
            Attribute(**dict(default_attribute_properties, name=name, attribute_expression=sql))
            for name, sql in (compute_map or {}).items()
        ]
        return _derived(
            [a for a in attrs if a.in_key] + [a for a in attrs if not a.in_key], self.dialect
        )

    def join(self, other: Heading) -> Heading:
        """Natural join: self's key, other's further key attributes, then
        self's and other's secondary attributes. A secondary attribute of one operand
        that is a key attribute of the other belongs to the key; a namesake secondary of
        both (a join without the semantic check) appears once, as self's."""
        mine, theirs = self.attributes, other.attributes
        my_key, their_key = self.primary_key, other.primary_key
        my_keys, their_keys = set(my_key), set(their_key)
        return _derived(
            [mine[n] for n in my_key]
            + [theirs[n] for n in their_key if n not in my_keys]
            + [a for n, a in mine.items() if not a.in_key and n not in their_keys]
            + [a for n, a in theirs.items() if not a.in_key and n not in my_keys],
            self.dialect,
        )

    def set_primary_key(self, primary_key: Iterable[str]) -> Heading:
        """The same attributes with a new primary key (listed first, in the given order)."""
        keys = list(primary_key)
        attrs = self.attributes
        key_set = set(keys)
        return _derived(
            [attrs[n]._replace(in_key=True) for n in keys]
            + [a._replace(in_key=False) for n, a in attrs.items() if n not in key_set],
            self.dialect,
        )

    def make_subquery_heading(self) -> Heading:
        """The heading seen from outside a subquery: computed/renamed become plain columns."""
        return _derived(
            (a._replace(attribute_expression=None) for a in self.attributes.values()),
            self.dialect,
        )


def _derived(attrs: Iterable[Attribute], dialect: Dialect) -> Heading:
    """A derived heading; an attribute listed twice keeps its first occurrence."""
    seen: dict[str, Attribute] = {}
    for attr in attrs:
        seen.setdefault(attr.name, attr)
    return Heading(list(seen.values()), dialect=dialect)


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
