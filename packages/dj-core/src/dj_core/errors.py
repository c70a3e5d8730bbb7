"""DataJoint's exception classes and feature switches (`datajoint.errors`).

The root `DataJointError` is defined in dj-blob (the lowest layer, so the codec can
raise it) and re-exported here; every other class is defined here. Each class:
- can be raised without arguments (upstream's test-suite raises every class it finds
  in this module inside `make()`);
- pickles through the module that defined it, even after the meta-package relabels
  `__module__` as ``datajoint.errors`` (the root's `__reduce__` does this; worker
  processes of `populate` unpickle errors without importing the meta-package).

Importing this module installs the root's cause hook: an error raised while an
unverified plug-in is installed gets a `PluginWarning` as `__cause__`, as in 0.14.
The hook reads `dj_core.plugin.connection_plugins` / `type_plugins` at raise time, so
tests that replace those dictionaries are obeyed.

Translation of server error codes into these classes is the dialect's job
(`dj_core.dialects`), never this module's.
"""

from __future__ import annotations

import os

from dj_blob.errors import DataJointError

from dj_core import plugin

__all__ = [
    "ADAPTED_TYPE_SWITCH",
    "FILEPATH_FEATURE_SWITCH",
    "AccessError",
    "BucketInaccessible",
    "ConnectionFailedError",
    "DataJointError",
    "DuplicateError",
    "IntegrityError",
    "LostConnectionError",
    "MissingAdapterError",
    "MissingAttributeError",
    "MissingDefinitionError",
    "MissingExternalFile",
    "MissingTableError",
    "PluginWarning",
    "QueryError",
    "QuerySyntaxError",
    "SchemaNotActivatedError",
    "TransactionConflictError",
    "UnboundTableError",
    "UnknownAttributeError",
    "ValueRejectedError",
]


def _rebuild_plugin_warning(args: tuple) -> PluginWarning:
    return PluginWarning(*args)


class PluginWarning(Exception):
    """Set as `__cause__` of DataJoint errors raised while an unverified plug-in is installed."""

    def __reduce__(self):
        # Through this module, whatever `__module__` says, so unpickling never needs the
        # meta-package.
        return _rebuild_plugin_warning, (self.args,)


class LostConnectionError(DataJointError):
    """The server connection dropped (and, inside a transaction, its work was rolled back)."""


class ConnectionFailedError(DataJointError):
    """The server refused or could not be reached when opening a connection.

    The dialect raises a subclass that also derives from the driver's own error class
    (PyMySQL's `OperationalError` for MySQL), so 0.14 code catching that still works."""


class QueryError(DataJointError):
    """The server refused a statement."""


class QuerySyntaxError(QueryError):
    """The server could not parse a statement (args: server message, SQL)."""


class AccessError(QueryError):
    """The database user lacks a privilege the statement needs."""


class DuplicateError(QueryError):
    """A row with the same primary key (or unique index value) already exists."""


class IntegrityError(QueryError):
    """A foreign-key constraint would be violated."""


class UnknownAttributeError(QueryError):
    """A statement names a column the table does not have."""


class MissingAttributeError(QueryError):
    """A required column (no default) was not given a value."""


class ValueRejectedError(QueryError):
    """The server refused a value for its column: out of range, too long, not one of an
    enum's values, not readable as the column's type, or NULL where NULL is not allowed.

    The dialect raises a subclass that also derives from the driver's own error class
    (PyMySQL's `DataError` for MySQL), so code catching that still works. Inserts and
    updates name the table, the attribute and the value (`table`, `attribute`, `value`)."""

    table: str | None = None
    attribute: str | None = None
    #: the row, counted from 1 within the statement, that the server named
    row: int | None = None
    value: object = None


class TransactionConflictError(QueryError):
    """The server rolled the transaction back because a concurrent one changed the same
    rows (a serialization failure or a deadlock). Nothing of it was kept: run it again."""


class MissingDefinitionError(DataJointError, NotImplementedError, AttributeError):
    """A table class has no `definition` string to declare its table from.

    Also a `NotImplementedError`, the class 0.14 raised here, so code catching either
    keeps working; and an `AttributeError`, so reading `definition` of a class that has
    none (the tier classes themselves) is what `hasattr`, `inspect.getmembers`, `help()`
    and Sphinx expect of a missing attribute."""


class MissingAdapterError(DataJointError, NotImplementedError):
    """An attribute's `<adapter>` is not in the schema's context, so its values can be
    neither stored nor read. Also a `NotImplementedError`, as 0.14 raised."""


class UnboundTableError(DataJointError, AttributeError):
    """A table class not yet decorated with a schema was used as a table.

    Also an `AttributeError`: the table attributes of an unbound class (its name,
    heading, connection) do not exist yet, so `hasattr`, `inspect.getmembers`,
    `help()`, IDEs and Sphinx skip them instead of failing."""


class SchemaNotActivatedError(DataJointError, AttributeError):
    """A deferred schema (`Schema()`) was used before `activate(name)`. Also an
    `AttributeError`, so `inspect` and IDEs skip the properties it has not got yet."""


class MissingTableError(DataJointError):
    """The table does not exist (it was never declared or has been dropped)."""


class MissingExternalFile(DataJointError):
    """An object referenced from an external store is missing from the store."""


class BucketInaccessible(DataJointError):
    """An S3 bucket does not exist or the credentials cannot reach it."""


def _plugin_warning_cause() -> BaseException | None:
    """`__cause__` for a new DataJoint error: a `PluginWarning` if any plug-in is unverified."""
    for plugins in (plugin.connection_plugins, plugin.type_plugins):
        if plugins and any(not entry.get("verified", False) for entry in plugins.values()):
            return PluginWarning("Unverified DataJoint plugin detected.")
    return None


DataJointError._cause_hook = _plugin_warning_cause


# --- feature switches: read from the environment at every check --------------------------

ADAPTED_TYPE_SWITCH = "DJ_SUPPORT_ADAPTED_TYPES"
FILEPATH_FEATURE_SWITCH = "DJ_SUPPORT_FILEPATH_MANAGEMENT"


def _switch(variable: str, on: bool) -> None:
    if on:
        os.environ[variable] = "TRUE"
    else:
        del os.environ[variable]  # KeyError when it was not set, as in 0.14


def _supported(variable: str) -> bool:
    return os.environ.get(variable, "FALSE").upper() == "TRUE"


def _switch_adapted_types(on: bool) -> None:
    """Turn `<adapter>` attribute types on (sets the variable) or off (deletes it)."""
    _switch(ADAPTED_TYPE_SWITCH, on)


def _support_adapted_types() -> bool:
    """True when DJ_SUPPORT_ADAPTED_TYPES is set to TRUE (any case)."""
    return _supported(ADAPTED_TYPE_SWITCH)


def _switch_filepath_types(on: bool) -> None:
    """Turn `filepath@store` on (sets the variable) or off (deletes it)."""
    _switch(FILEPATH_FEATURE_SWITCH, on)


def _support_filepath_types() -> bool:
    """True when DJ_SUPPORT_FILEPATH_MANAGEMENT is set to TRUE (any case)."""
    return _supported(FILEPATH_FEATURE_SWITCH)
