"""The client version written into `~log` rows.

The meta-package sets its own version (``set_client_version(datajoint.__version__)``)
when imported; dj-core used alone reports its own version. `~log` stores it as
``<version>py`` in a ``varchar(12)``, hence the 10-character limit.
"""

from __future__ import annotations

from dj_blob.errors import DataJointError

import dj_core

__all__ = ["client_version", "set_client_version"]

MAX_LENGTH = 10
_client_version: str | None = None


def set_client_version(version: str | None) -> None:
    """Set the version string reported to the server (None restores dj-core's own)."""
    global _client_version
    if version is not None and (not isinstance(version, str) or len(version) > MAX_LENGTH):
        raise DataJointError(
            f"Client version {version!r} must be a string of at most {MAX_LENGTH} characters "
            "(it is stored in ~log.version)."
        )
    _client_version = version


def client_version() -> str:
    """The version string for `~log` and connection messages."""
    return _client_version if _client_version is not None else dj_core.__version__
