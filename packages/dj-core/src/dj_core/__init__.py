"""DataJoint core: configuration, connection, SQL dialect, errors, schemas, definition language, headings, dependency graph.

Nothing is exported yet: this package's issue is not built.
"""

__version__ = "0.1.0"

# configuration, connection, dialect, errors (issue 4, part A)
from dj_core import errors
from dj_core.admin import kill, kill_quick, set_password
from dj_core.connection import Connection, conn
from dj_core.errors import DataJointError
from dj_core.hash import key_hash
from dj_core.logging import logger, setup_logging
from dj_core.settings import Config, config
from dj_core.version import client_version, set_client_version

__all__: list[str] = [
    # configuration, connection, dialect, errors (issue 4, part A)
    "Config",
    "Connection",
    "DataJointError",
    "__version__",
    "client_version",
    "config",
    "conn",
    "errors",
    "key_hash",
    "kill",
    "kill_quick",
    "logger",
    "set_client_version",
    "set_password",
    "setup_logging",
]
