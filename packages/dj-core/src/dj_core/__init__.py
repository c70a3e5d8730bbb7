"""DataJoint core: configuration, connection, SQL dialect, errors, schemas, definition language, headings, dependency graph.

The public names are listed in `__all__`; the modules hold the rest.
"""

__version__ = "0.1.0"

from dj_core import errors
from dj_core.admin import kill, kill_quick, set_password
from dj_core.attribute_adapter import AttributeAdapter
from dj_core.attribute_types import AttributeType, TypeContext, register_type
from dj_core.connection import Connection, conn
from dj_core.declare import declare
from dj_core.declare_on_server import declare_table
from dj_core.describe import describe
from dj_core.errors import DataJointError
from dj_core.hash import key_hash
from dj_core.heading import Attribute, Heading
from dj_core.log_table import log_event
from dj_core.logging import logger, setup_logging
from dj_core.schemas import Schema, VirtualModule, list_schemas
from dj_core.settings import Config, config
from dj_core.table_ref import TableRef
from dj_core.tiers import get_tier, register_class_binder, register_tier
from dj_core.version import client_version, set_client_version


def __getattr__(name: str):
    """`Dependencies` and `topo_sort` load networkx, so they load on first access."""
    if name in ("Dependencies", "topo_sort"):
        from dj_core import dependencies

        return getattr(dependencies, name)
    raise AttributeError(f"module 'dj_core' has no attribute {name!r}")


__all__: list[str] = [
    "Attribute",
    "AttributeAdapter",
    "AttributeType",
    "Config",
    "Connection",
    "DataJointError",
    "Dependencies",
    "Heading",
    "Schema",
    "TableRef",
    "TypeContext",
    "VirtualModule",
    "__version__",
    "client_version",
    "config",
    "conn",
    "declare",
    "declare_table",
    "describe",
    "errors",
    "get_tier",
    "key_hash",
    "kill",
    "kill_quick",
    "list_schemas",
    "log_event",
    "logger",
    "register_class_binder",
    "register_tier",
    "register_type",
    "set_client_version",
    "set_password",
    "setup_logging",
    "topo_sort",
]
