"""DataJoint for Python, assembled from the layered dj-* packages.

`import datajoint as dj` gives the familiar API: `dj.config`, `dj.conn()`, `dj.Schema`,
the table tiers, the query helpers, `dj.Diagram`... each provided by its layer
(dj-blob, dj-core, dj-query, dj-external, dj-compute, dj-diagram). Importing reads no
file and opens no connection: the configuration loads on first use.
"""

from datajoint import _layer_defaults, _submodule_aliases, _top_level_names
from datajoint.version import __version__

__author__ = "DataJoint Contributors"
__date__ = "November 7, 2020"

_layer_defaults.install(__version__)
_submodule_aliases.install(__name__)

from datajoint import user_tables  # noqa: E402, F401  (datajoint.user_tables, as upstream)
from datajoint.cli import cli  # noqa: E402, F401  (dj.cli is the function)

_UPSTREAM_ALL = (
    "__author__", "__version__", "config", "conn", "Connection", "Schema", "schema",
    "VirtualModule", "create_virtual_module", "list_schemas", "Table", "FreeTable",
    "Manual", "Lookup", "Imported", "Computed", "Part", "Not", "AndList", "Top", "U",
    "Diagram", "Di", "ERD", "set_password", "kill", "MatCell", "MatStruct",
    "AttributeAdapter", "errors", "DataJointError", "key", "key_hash", "logger", "cli",
)  # fmt: skip
__all__ = list(_UPSTREAM_ALL)


def __getattr__(name: str):
    """Top-level names and submodule aliases load their layer on first access."""
    if name in _top_level_names.HOMES:
        value = globals()[name] = _top_level_names.resolve(name)
        return value
    if name in _submodule_aliases.ALIASES:
        return _submodule_aliases.resolve(__name__, name)  # the import binds it as an attribute
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_top_level_names.HOMES) | set(_submodule_aliases.ALIASES))
