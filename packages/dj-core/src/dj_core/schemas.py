"""Schemas: a database bound to table classes.

`Schema` creates/activates the database, registers itself with the connection (which
scopes the dependency graph), and decorates table classes through the tier protocol
(`dj_core.tiers`): the binding of a class is dj-query's, so dj-core stays below it.
`log`, `jobs` and `external` come from the packages that own them through the schema
extension registry (`Schema.register_extension`).

Definitions are executed by `dj_core.declare_on_server.declare_table` (re-exported here).
"""

from __future__ import annotations

import inspect
import logging
import types
from collections.abc import Callable, Mapping
from typing import Any

from dj_core.connection import conn
from dj_core.declare_on_server import declare_table
from dj_core.errors import AccessError, DataJointError, SchemaNotActivatedError
from dj_core.heading import invalidate, preload_schema
from dj_core.log_table import declare_log_table, log_event
from dj_core.schema_code import schema_code
from dj_core.tiers import (
    MASTER_TIERS,
    class_binder,
    get_tier,
    master_of,
    registered_tier,
    tier_class,
)
from dj_core.utils import to_camel_case, user_choice

__all__ = ["Schema", "VirtualModule", "declare_table", "list_schemas"]

logger = logging.getLogger("datajoint")

# the package that registers each extension, named when it is missing
EXTENSION_PACKAGES = {"external": "dj_external", "jobs": "dj_compute", "log": "dj_query"}


def _default_connection(connection: Any) -> Any:
    return connection if connection is not None else conn()


def list_schemas(connection: Any = None) -> list[str]:
    """Names of all schemas visible to the user, except `information_schema`."""
    connection = _default_connection(connection)
    return connection.dialect.list_schemas(connection)


def _caller_locals(depth: int = 2) -> dict[str, Any]:
    frame = inspect.currentframe()
    for _ in range(depth):
        assert frame is not None
        frame = frame.f_back
    assert frame is not None
    return frame.f_locals


class Schema:
    """A database and the table classes bound to it.

    `Schema("name")` activates at once; `Schema()` is deferred: classes it decorates
    are queued until `activate("name")`.
    """

    _extensions: dict[str, Callable[[Schema], Any]] = {}

    def __init__(
        self,
        schema_name: str | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        connection: Any = None,
        create_schema: bool = True,
        create_tables: bool = True,
        add_objects: Mapping[str, Any] | None = None,
    ):
        self.connection = connection
        self.database: str | None = None
        self.context = context
        self.create_schema = create_schema
        self.create_tables = create_tables
        self.add_objects = add_objects
        self.declare_list: list[tuple[type, Mapping[str, Any] | None]] = []
        self._extension_objects: dict[str, Any] = {}
        if schema_name:
            self.activate(schema_name)

    # -- extension registry (P3) -------------------------------------------------------

    @classmethod
    def register_extension(cls, name: str, factory: Callable[[Schema], Any]) -> None:
        """Make `schema.<name>` the object `factory(schema)` (created once per schema)."""
        cls._extensions[name] = factory

    def extension(self, name: str) -> Any:
        """The schema's `name` extension object (`log`, `jobs`, `external`, ...)."""
        if name not in self._extension_objects:
            factory = self._extensions.get(name)
            if factory is None:
                package = EXTENSION_PACKAGES.get(name, "the package that provides it")
                raise DataJointError(
                    f"schema.{name} is provided by {package}: import {package} "
                    "(or datajoint) first."
                )
            self._assert_exists()
            self._extension_objects[name] = factory(self)
        return self._extension_objects[name]

    @property
    def log(self) -> Any:
        return self.extension("log")

    @property
    def jobs(self) -> Any:
        return self.extension("jobs")

    @property
    def external(self) -> Any:
        return self.extension("external")

    # -- activation ----------------------------------------------------------------------

    def is_activated(self) -> bool:
        return self.database is not None

    def activate(
        self,
        schema_name: str | None = None,
        *,
        connection: Any = None,
        create_schema: bool | None = None,
        create_tables: bool | None = None,
        add_objects: Mapping[str, Any] | None = None,
    ) -> None:
        """Bind to database `schema_name` (creating it if allowed) and declare queued classes."""
        if schema_name is None:
            if self.database is not None and self.exists:
                return
            raise DataJointError("Please provide a schema_name to activate the schema.")
        if self.database is not None and self.exists:
            if self.database == schema_name:
                return
            raise DataJointError(f"The schema is already activated for schema {self.database}.")
        if connection is not None:
            self.connection = connection
        self.connection = _default_connection(self.connection)
        self.database = schema_name
        if create_schema is not None:
            self.create_schema = create_schema
        if create_tables is not None:
            self.create_tables = create_tables
        if add_objects:
            self.add_objects = add_objects
        dialect = self.connection.dialect
        if len(self.database.encode()) > dialect.max_identifier_length:
            # PostgreSQL would cut the name silently and then not find the schema again
            raise DataJointError(
                f"Schema name `{self.database}` is longer than the server's "
                f"{dialect.max_identifier_length} characters: choose a shorter name."
            )
        if not self.exists:
            if not self.create_schema or not self.database:
                raise DataJointError(
                    f"Database `{self.database}` has not yet been declared. "
                    "Set argument create_schema=True to create it."
                )
            try:
                self.connection.query(dialect.create_schema_sql(self.database))
            except AccessError:
                raise DataJointError(
                    f"Schema `{self.database}` does not exist and could not be created. "
                    "Check permissions."
                ) from None
            declare_log_table(self.connection, self.database)
            log_event(self.connection, self.database, "created")
        self.connection.register(self)
        queued, self.declare_list = self.declare_list, []
        for cls, context in queued:
            self._bind(cls, self._with_added_objects(context))

    @property
    def exists(self) -> bool:
        """True when the database exists on the server."""
        self._assert_activated()
        return self.connection.dialect.schema_exists(self.connection, self.database)

    def _assert_activated(self) -> None:
        if self.database is None:
            raise SchemaNotActivatedError(
                "Schema must be activated first: call schema.activate(schema_name)."
            )

    def _assert_exists(self, message: str | None = None) -> None:
        self._assert_activated()
        if not self.exists:
            raise DataJointError(message or f"Schema `{self.database}` has not been created.")

    # -- decorating classes -----------------------------------------------------------

    def __call__(self, cls: type, *, context: Mapping[str, Any] | None = None) -> type:
        """Bind a table class to this schema (used as `@schema`)."""
        part = registered_tier("Part")
        if part is not None and isinstance(cls, type) and issubclass(cls, part.cls):
            raise DataJointError(
                "The schema decorator should not be applied to Part tables: they are bound "
                "through their master class."
            )
        if context is None:
            context = self.context if self.context is not None else _caller_locals()
        if self.database is None:
            self.declare_list.append((cls, context))
            return cls
        return self._bind(cls, self._with_added_objects(context))

    def _with_added_objects(self, context: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """The declaration context with `add_objects` laid over it: a new mapping, since
        the context is usually the caller's module namespace, which must keep its own
        names (a module's `schema` must not become the added virtual module's)."""
        if not self.add_objects:
            return context
        return {**(context or {}), **self.add_objects}

    def _bind(self, cls: type, context: Mapping[str, Any] | None, **options: Any) -> type:
        return class_binder()(self, cls, context, **options)

    def declare_table(
        self, full_table_name: str, definition: str, context: Mapping[str, Any] | None
    ) -> bool:
        """Declare a table of this schema (see `dj_core.schemas.declare_table`)."""
        return declare_table(self.connection, full_table_name, definition, context, schema=self)

    # -- contents ------------------------------------------------------------------------

    def list_tables(self) -> list[str]:
        """This schema's table names in topological order (hidden tables excluded)."""
        self._assert_exists()
        dependencies = self.connection.dependencies
        dependencies.load()
        prefix = self.connection.dialect.quote(self.database) + "."
        return [
            self.connection.dialect.split_full_table_name(name)[1]
            for name in dependencies.topo_sort()
            if name.startswith(prefix)
        ]

    @property
    def size_on_disk(self) -> int:
        self._assert_activated()
        return self.connection.dialect.schema_size(self.connection, self.database)

    def drop(self, force: bool = False) -> None:
        """Drop the database (asks first when `safemode` is on and not `force`)."""
        if self.database is None or not self.exists:
            logger.info("Schema named `%s` does not exist. Doing nothing.", self.database)
            return
        if (
            not force
            and self.connection.config.get("safemode", True)
            and user_choice(f"Proceed to delete entire schema `{self.database}`?", default="no")
            != "yes"
        ):
            return
        logger.debug("Dropping `%s`.", self.database)
        try:
            self.connection.query(self.connection.dialect.drop_schema_sql(self.database))
        except AccessError:
            raise AccessError(
                f"An attempt to drop schema `{self.database}` has failed. Check permissions."
            ) from None
        finally:
            invalidate(self.connection, self.database)
            self.connection.dependencies.clear()
        logger.debug("Schema `%s` was dropped.", self.database)

    # -- spawning classes (virtual modules) -------------------------------------------

    def spawn_missing_classes(self, context: dict[str, Any] | None = None) -> None:
        """Create a class for every table that has none in `context` (default: the
        schema's context, else the caller's locals)."""
        self._assert_exists(f"Database named `{self.database}` was not defined.")
        if context is None:
            context = self.context if self.context is not None else _caller_locals()
        assert context is not None
        dialect = self.connection.dialect
        preload_schema(self.connection, self.database)
        known = set(_full_names_in(context))
        masters: dict[str, type] = {}
        parts: list[str] = []
        for table_name in dialect.list_tables(self.connection, self.database):
            if dialect.full_table_name(self.database, table_name) in known:
                continue
            tier = get_tier(table_name)
            if tier in MASTER_TIERS:
                class_name = to_camel_case(table_name)
                if class_name in context:
                    continue
                base = tier_class(tier)
                cls = type(class_name, (base,), {})
                context[class_name] = self._bind(cls, context, spawned=True)
                masters[table_name] = context[class_name]
            elif tier == "Part":
                parts.append(table_name)
        part_base = tier_class("Part") if parts else None
        for table_name in parts:
            master_name = master_of(table_name)
            assert master_name is not None
            master = masters.get(master_name) or context.get(to_camel_case(master_name))
            if master is None:
                raise DataJointError(
                    f"The table {table_name} does not follow DataJoint naming conventions: "
                    f"its master {master_name} has no class."
                )
            class_name = to_camel_case(table_name[len(master_name) + 2 :])
            part_cls = type(class_name, (part_base,), {"_master": master})
            setattr(master, class_name, self._bind(part_cls, context, spawned=True))

    @property
    def code(self) -> str:
        """Python source recreating this schema's table classes."""
        self._assert_exists()
        return schema_code(self.connection, self.database)

    def save(self, python_filename: str | None = None) -> str:
        """The `code` text; written to `python_filename` when given."""
        text = self.code
        if python_filename is not None:
            with open(python_filename, "w") as f:
                f.write(text)
        return text

    def __repr__(self) -> str:
        return f"Schema `{self.database}`\n"


def _full_names_in(context: Mapping[str, Any]) -> list[str]:
    """Full table names of the classes (and their nested part classes) in `context`."""
    names = []
    for value in list(context.values()):
        if not isinstance(value, type):
            continue
        for cls in [value, *(v for v in vars(value).values() if isinstance(v, type))]:
            try:
                name = cls.full_table_name
            except Exception:  # undecorated classes raise; others have no such attribute
                continue
            if isinstance(name, str):
                names.append(name)
    return names


class VirtualModule(types.ModuleType):
    """A module whose namespace holds `schema` and a class for every table of an
    existing schema (parts nested in their masters)."""

    def __init__(
        self,
        module_name: str,
        schema_name: str,
        *,
        create_schema: bool = False,
        create_tables: bool = False,
        connection: Any = None,
        add_objects: Mapping[str, Any] | None = None,
    ):
        super().__init__(name=module_name)
        schema = Schema(
            schema_name,
            create_schema=create_schema,
            create_tables=create_tables,
            connection=connection,
        )
        if add_objects:
            self.__dict__.update(add_objects)
        self.__dict__["schema"] = schema
        schema.spawn_missing_classes(context=self.__dict__)
