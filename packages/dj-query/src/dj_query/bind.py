"""Binding user table classes to a schema: dj-query's side of dj-core's tier protocol.

dj-core's `Schema` decorates classes and spawns them for virtual modules through the
tier registry (`dj_core.tiers`); `register()` (run when dj_query is imported) registers
the Manual, Lookup and Part classes there, installs `bind_table_class` as the class
binder, and provides `schema.log`.

Binding a class sets the class attributes a `Table` reads (`_connection`, `_database`,
`_full_table_name`, `_support`, `_heading`, `declaration_context`), declares the table
when it is missing, binds the nested part classes and inserts a Lookup's `contents`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from dj_core.errors import DataJointError, MissingDefinitionError
from dj_core.heading import Heading
from dj_core.log_table import declare_log_table, log_event
from dj_core.schemas import Schema
from dj_core.tiers import register_class_binder, register_tier

from dj_query.free_table import FreeTable
from dj_query.user_tables import Lookup, Manual, Part

__all__ = ["Log", "bind_table_class", "register"]

logger = logging.getLogger("datajoint")


def bind_table_class(
    schema: Any, cls: type, context: Mapping[str, Any] | None, *, spawned: bool = False
) -> type:
    """Bind `cls` (and its nested parts) to `schema`; declare missing tables unless
    `spawned` (classes made for existing tables). Returns the class."""
    context = dict(context or {})
    if isinstance(cls, type) and issubclass(cls, Part):
        if cls._master is None:
            raise DataJointError(
                f"Part table {cls.__name__} is bound through its master class: decorate the master."
            )
        master = cls._master
        _bind(
            schema,
            cls,
            {**context, "master": master, "self": cls, master.__name__: master},
            spawned,
        )
        return cls
    context = {**context, cls.__name__: cls, "self": cls}
    _bind(schema, cls, context, spawned)
    for member in _own_parts(cls):
        member._master = cls
        part_context = {**context, "master": cls, "self": member}
        _bind(schema, member, part_context, spawned)
    return cls


def _own_parts(cls: type) -> list[type]:
    """The part classes of master `cls`, in the order they were written, base classes'
    first. A part inherited from a base class (a template master, e.g. `class D(B)` with
    `B.H`) is replaced on `cls` by a subclass of its own, so binding `cls` declares its
    own part table and leaves the base's part, and any other subclass's, untouched."""
    parts: dict[str, type] = {}
    for owner in reversed(cls.__mro__):
        for name, member in vars(owner).items():
            if name[:1].isupper() and isinstance(member, type) and issubclass(member, Part):
                parts[name] = member
    own = []
    for name, member in parts.items():
        if name not in vars(cls):
            copy = type(
                member.__name__,
                (member,),
                {
                    "__module__": cls.__module__,
                    "__qualname__": f"{cls.__qualname__}.{member.__name__}",
                    "__doc__": member.__doc__,
                    "_master": cls,
                },
            )
            setattr(cls, name, copy)
            member = copy
        own.append(member)
    return own


def _definition(cls: type) -> str | None:
    try:
        definition = cls.definition
    except NotImplementedError:  # MissingDefinitionError, or a user's own property
        return None
    return definition if isinstance(definition, str) else None


def _bind(schema: Any, cls: Any, context: dict[str, Any], spawned: bool) -> None:
    connection = schema.connection
    table_name = cls.table_name
    limit = connection.dialect.max_identifier_length
    if len(table_name) > limit:
        raise DataJointError(
            f"Table name `{table_name}` of {cls.__name__} exceeds the {limit}-character "
            "limit of the database server: choose a shorter class name."
        )
    full_name = connection.dialect.full_table_name(schema.database, table_name)
    cls._connection = connection
    cls._database = schema.database
    cls._full_table_name = full_name
    cls._support = (full_name,)
    cls.declaration_context = context
    cls._heading = Heading.from_table(connection, schema.database, table_name, context)
    if spawned:
        return
    definition = _definition(cls)
    if definition is not None and definition not in (cls.__doc__ or ""):
        cls.__doc__ = (cls.__doc__ or "") + "\nTable definition:\n\n" + definition
    declared = connection.dialect.table_exists(connection, schema.database, table_name)
    if not declared and schema.create_tables:
        if definition is None:
            raise MissingDefinitionError(
                f"Cannot declare {cls.__name__}: it has no `definition` string; give the "
                "class one (the table's attributes in the definition language)."
            )
        declared = schema.declare_table(full_name, definition, context)
        cls._heading = Heading.from_table(connection, schema.database, table_name, context)
    if declared and issubclass(cls, Lookup):
        _insert_contents(cls)


def _insert_contents(cls: Any) -> None:
    """Insert the rows of `contents` missing from the table."""
    table = cls()
    contents = getattr(table, "contents", None)
    if contents is None:
        return
    rows = list(contents)
    if len(rows) <= len(table):
        return
    if table.heading.has_autoincrement:
        logger.warning(
            "Contents of %s were not inserted: the table has an auto_increment attribute, "
            "so rows already present cannot be recognised.",
            cls.__name__,
        )
        return
    table.insert(rows, skip_duplicates=True)


class Log(FreeTable):
    """`schema.log`: the schema's `~log` table; calling it records an event."""

    def __init__(self, connection: Any, database: str) -> None:
        declare_log_table(connection, database)
        super().__init__(connection, connection.dialect.full_table_name(database, "~log"))

    def __call__(self, event: str) -> None:
        log_event(self.connection, self.database, event)


def register() -> None:
    """Register dj-query's tiers, class binder and `schema.log` with dj-core."""
    register_tier("Manual", Manual, prefix="")
    register_tier("Lookup", Lookup, prefix="#")
    register_tier("Part", Part, is_part=True)
    register_class_binder(bind_table_class)
    Schema.register_extension("log", lambda schema: Log(schema.connection, schema.database))
