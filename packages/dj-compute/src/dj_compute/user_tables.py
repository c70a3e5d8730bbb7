"""The auto-populated tiers: `Imported` (table names prefixed `_`) and `Computed` (`__`).

Both are dj-query user tables with the `AutoPopulate` mix-in; they differ only by
convention (an Imported table reads files outside the database) and name prefix.
`register()` tells dj-core about them (tier protocol: decorating, spawning classes of
existing `_…`/`__…` tables), adds `schema.jobs`, and makes `populate`, `progress` and
`key_source` reachable on the classes.
"""

from __future__ import annotations

from dj_core.schemas import Schema
from dj_core.tiers import BASE_NAME, register_tier
from dj_query import UserTable, forward_class_attributes

from dj_compute.autopopulate import AutoPopulate
from dj_compute.jobs import JobTable

__all__ = ["Computed", "Imported", "register"]


class Imported(AutoPopulate, UserTable):
    """A table filled by `populate()` from data outside the database (files,
    instruments), one key of its key source at a time."""

    _prefix = "_"
    #: full-match pattern of the table names of this tier (as 0.14's)
    tier_regexp = rf"(?P<imported>_{BASE_NAME})"


class Computed(AutoPopulate, UserTable):
    """A table filled by `populate()` with results computed from other tables."""

    _prefix = "__"
    tier_regexp = rf"(?P<computed>__{BASE_NAME})"


def register() -> None:
    """Fill dj-core's and dj-query's extension points with this package's pieces."""
    register_tier("Imported", Imported, prefix="_")
    register_tier("Computed", Computed, prefix="__")
    Schema.register_extension("jobs", lambda schema: JobTable(schema.connection, schema.database))
    forward_class_attributes("populate", "progress", "key_source")
