"""`Table`: a stored table as a query expression, with the operations that change it.

A table class is bound to its database by the schema decorator (`bind.py`), which sets
the class attributes `_connection`, `_database`, `_full_table_name`, `_support` and
`_heading`. Instances carry no state of their own: `Session()` reads the class, and the
operators of the algebra copy the instance (keeping its class) when they restrict it, so
`(Session & key).delete()` deletes the restricted rows.

The metaclass gives table *classes* the familiar class-level use: `Session & key`,
`Session * Subject`, `Session.fetch()`, `Session.insert1(row)`. Names in
`TableMeta.forwarded` are looked up on a fresh instance; higher packages add theirs
(dj-compute: `populate`, `progress`, `key_source`) with `forward_class_attributes`.

The operations live in one module each (`insert.py`, `delete.py`, `drop.py`,
`alter.py`, `update.py`, `lineage.py`); this module only wires them to the class.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from dj_core.describe import describe
from dj_core.errors import MissingDefinitionError, UnboundTableError
from dj_core.heading import Heading, invalidate
from dj_core.schemas import declare_table
from dj_core.tiers import split_full_table_name

from dj_query import alter as _alter
from dj_query import delete as _delete
from dj_query import drop as _drop
from dj_query import insert as _insert
from dj_query import lineage as _lineage
from dj_query import update as _update
from dj_query.condition import Not
from dj_query.expression import QueryExpression

__all__ = ["Table", "TableMeta", "class_property", "forward_class_attributes"]

logger = logging.getLogger("datajoint")


class class_property:
    """A read-only attribute computed from the class, reachable from the class and from
    its instances alike. Not a data descriptor, so an instance may shadow it (a
    `FreeTable` stores its own `table_name`)."""

    def __init__(self, fget: Callable[[Any], Any]) -> None:
        self.fget = fget
        self.__doc__ = fget.__doc__

    def __get__(self, obj: Any, owner: type) -> Any:
        return self.fget(owner if obj is None else obj)


class TableMeta(type):
    """Metaclass of tables: class-level operators and forwarded members."""

    #: members that, read on a table class, are read on a fresh instance (api P8)
    forwarded: set[str] = {
        "key_source",
        "describe",
        "alter",
        "heading",
        "populate",
        "progress",
        "primary_key",
        "proj",
        "aggr",
        "join",
        "fetch",
        "fetch1",
        "head",
        "tail",
        "descendants",
        "ancestors",
        "parts",
        "parents",
        "children",
        "insert",
        "insert1",
        "update1",
        "drop",
        "drop_quick",
        "delete",
        "delete_quick",
        "restrict",
        "make_sql",
        "cursor",
    }

    def __getattribute__(cls, name: str) -> Any:
        if (
            name in TableMeta.forwarded
            and not name.startswith("__")
            and super().__getattribute__("_class_level_use")
        ):
            return getattr(cls(), name)
        return super().__getattribute__(name)

    def __and__(cls, restriction: Any) -> QueryExpression:
        return cls() & restriction

    def __xor__(cls, restriction: Any) -> QueryExpression:
        return cls() ^ restriction

    def __sub__(cls, restriction: Any) -> QueryExpression:
        return cls() - restriction

    def __neg__(cls) -> Not:
        return -cls()

    def __mul__(cls, other: Any) -> QueryExpression:
        return cls() * other

    def __matmul__(cls, other: Any) -> QueryExpression:
        return cls() @ other

    def __add__(cls, other: Any) -> QueryExpression:
        return cls() + other

    def __iter__(cls) -> Any:
        return iter(cls())


def forward_class_attributes(*names: str) -> None:
    """Make `names` usable on table classes without instantiating (`Cls.populate()`).

    dj-compute calls this for `populate`, `progress` and `key_source`."""
    TableMeta.forwarded.update(names)


def _not_bound(owner: Any) -> UnboundTableError:
    name = owner.__name__ if isinstance(owner, type) else type(owner).__name__
    return UnboundTableError(
        f"Class {name} is not associated with a schema: decorate it with a schema "
        "(`@schema`) before using it as a table."
    )


class _bound_member:
    """A `class_property` that reads attribute `slot` of the class or instance, refused
    (`UnboundTableError`) while the table is not bound to a schema (None). One call per
    read instead of two: a populate reads these for every key."""

    __slots__ = ("slot",)

    def __init__(self, slot: str) -> None:
        self.slot = slot

    def __get__(self, obj: Any, owner: type) -> Any:
        value = getattr(owner if obj is None else obj, self.slot)
        if value is None:
            raise _not_bound(owner if obj is None else obj)
        return value


class Table(QueryExpression, metaclass=TableMeta):
    """Base of every stored table: the query operators plus insert, delete, drop,
    alter, update1, describe and the table's place in the dependency graph."""

    _full_table_name: str | None = None
    #: False for classes whose instances need arguments (FreeTable): their forwarded
    #: members stay plain methods on the class, so `help()` and `inspect` can read them
    _class_level_use: bool = True
    #: the class of the table objects returned for other tables (`as_objects=True`,
    #: cascades): `FreeTable` once free_table.py is imported
    _relative_class: type | None = None
    _database: str | None = None
    declaration_context: dict[str, Any] | None = None

    full_table_name = _bound_member("_full_table_name")
    connection = _bound_member("_connection")
    heading = _bound_member("_heading")
    database = class_property(lambda owner: owner._database)

    @class_property
    def table_name(owner: Any) -> str:
        """The table's name in its database (without backquotes)."""
        return split_full_table_name(owner.full_table_name)[1]

    @class_property
    def class_name(owner: Any) -> str:
        return owner.__name__ if isinstance(owner, type) else type(owner).__name__

    @class_property
    def definition(owner: Any) -> str:
        raise MissingDefinitionError(
            f"{owner.class_name} has no `definition`: subclasses of Table must define one."
        )

    def _relative(self, full_table_name: str) -> Table:
        """A table object for another stored table on the same connection."""
        cls = Table._relative_class
        assert cls is not None, "dj_query.free_table registers FreeTable"
        return cls(self.connection, full_table_name)

    # --- state of the stored table -------------------------------------------------------

    @class_property
    def is_declared(owner: Any) -> bool:
        """True when the table exists on the server."""
        return owner.connection.dialect.table_exists(
            owner.connection, owner.database, owner.table_name
        )

    @class_property
    def size_on_disk(owner: Any) -> int:
        """Bytes of data and indexes the server reports for this table."""
        return _lineage.table_size(owner)

    def declare(self, context: dict[str, Any] | None = None) -> None:
        """Create the table from its `definition` (used by the schema decorator)."""
        if context is None:
            context = self.declaration_context or {}
        declare_table(
            self.connection,
            self.full_table_name,
            self.definition,
            context,
            schema=self.connection.schemas.get(self.database),
        )
        self._reset_heading()

    def _reset_heading(self) -> None:
        """Forget the cached heading after DDL changed the table."""
        invalidate(self.connection, self.database, self.table_name)
        heading = Heading.from_table(
            self.connection, self.database, self.table_name, self.declaration_context
        )
        if "_heading" in vars(self):
            self._heading = heading
        else:
            type(self)._heading = heading

    def describe(self, context: dict[str, Any] | None = None, printout: bool = False) -> str:
        """The definition text reconstructed from the server (declares the same table)."""
        if context is None:
            context = self._caller_context(inspect.currentframe())
        self.connection.dependencies.load(force=False)
        text = describe(self.heading, self.full_table_name, self.connection.dependencies, context)
        if printout:
            logger.info("\n" + text)
        return text

    @property
    def external(self) -> Any:
        """The schema's external stores (`schema.external`, provided by dj-external)."""
        return self.connection.schemas[self.database].external

    # --- the dependency graph ------------------------------------------------------------

    def parents(
        self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False
    ) -> list[Any]:
        """Tables this one references (a table referenced twice appears twice)."""
        return _lineage.neighbours(self, "parents", primary, as_objects, foreign_key_info)

    def children(
        self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False
    ) -> list[Any]:
        """Tables that reference this one."""
        return _lineage.neighbours(self, "children", primary, as_objects, foreign_key_info)

    def descendants(self, as_objects: bool = False) -> list[Any]:
        """This table, then every table depending on it, in topological order."""
        return _lineage.descendants(self, as_objects)

    def ancestors(self, as_objects: bool = False) -> list[Any]:
        """This table, then every table it depends on, nearest first."""
        return _lineage.ancestors(self, as_objects)

    def parts(self, as_objects: bool = False) -> list[Any]:
        """The part tables of this (master) table."""
        return _lineage.parts(self, as_objects)

    # --- changing rows -------------------------------------------------------------------

    def _allows_direct_insert(self) -> bool:
        """Hook: may rows be inserted outside the table's own
        computation? dj-compute's Imported/Computed answer False outside `make()`."""
        return True

    def insert(
        self,
        rows: Any,
        replace: bool = False,
        skip_duplicates: bool = False,
        ignore_extra_fields: bool = False,
        allow_direct_insert: bool | None = None,
    ) -> None:
        """Insert rows (dicts, sequences, numpy records, a DataFrame, a CSV path, or a
        query) in one transaction: all of them or none."""
        _insert.insert(
            self,
            rows,
            replace=replace,
            skip_duplicates=skip_duplicates,
            ignore_extra_fields=ignore_extra_fields,
            allow_direct_insert=allow_direct_insert,
        )

    def insert1(self, row: Any, **kwargs: Any) -> None:
        """Insert one row (a dict, sequence or numpy record)."""
        self.insert((row,), **kwargs)

    def update1(self, row: dict[str, Any]) -> None:
        """Change secondary attributes of one existing row, identified by its key."""
        _update.update1(self, row)

    def delete_quick(self, get_count: bool = False) -> int | None:
        """Delete the rows of this (restricted) table without cascading or asking."""
        return _delete.delete_quick(self, get_count)

    def delete(
        self,
        transaction: bool = True,
        safemode: bool | None = None,
        force_parts: bool = False,
        force_masters: bool = False,
    ) -> int:
        """Delete these rows and, in one transaction, every row that depends on them."""
        return _delete.delete(
            self,
            transaction=transaction,
            safemode=safemode,
            force_parts=force_parts,
            force_masters=force_masters,
        )

    def drop_quick(self) -> None:
        """Drop this table alone (no dependents, no question)."""
        _drop.drop_quick(self)

    def drop(self) -> None:
        """Drop this table and every table depending on it (asks in safemode)."""
        _drop.drop(self)

    def alter(self, prompt: bool = True, context: dict[str, Any] | None = None) -> None:
        """Change the stored table's secondary attributes and comment to match the
        class's current `definition`."""
        if context is None:
            context = self._caller_context(inspect.currentframe())
        _alter.alter(self, prompt=prompt, context=context)

    def _caller_context(self, frame: Any) -> dict[str, Any]:
        """The names `describe` and `alter` resolve table references with, when the caller
        gives none: the context the class was declared in, overridden by the namespace of
        the method's caller (its globals, then its locals) — a name the caller sees is the
        one they mean. `frame` is the method's own frame."""
        caller = frame.f_back if frame is not None else None
        context = dict(self.declaration_context or {})
        if caller is not None:
            context.update(caller.f_globals)
            context.update(caller.f_locals)
        return context
