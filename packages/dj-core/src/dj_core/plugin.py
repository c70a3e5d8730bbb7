"""Installed DataJoint plug-ins (`datajoint.plugin`).

`connection_plugins` and `type_plugins` are module attributes, each a dict
``name -> {"object": <entry point>, "verified": bool}``. They are discovered through
`importlib.metadata` on first access (entry-point groups ``datajoint_plugins.connection``
and ``datajoint_plugins.datatype``), not at import. Code reads them from this module at
call time, so assigning new dicts here (as upstream's tests do) takes effect at once.

Signature verification (0.14 used `otumat` against DataJoint's public key) is not
available, so every discovered plug-in is reported as unverified.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from dj_blob.errors import DataJointError

__all__ = ["connection_plugin", "connection_plugins", "type_plugin", "type_plugins"]  # noqa: F822

_GROUPS = {
    "connection_plugins": "datajoint_plugins.connection",
    "type_plugins": "datajoint_plugins.datatype",
}


def _discover(group: str) -> dict[str, dict[str, Any]]:
    return {ep.name: {"object": ep, "verified": False} for ep in entry_points(group=group)}


def __getattr__(name: str) -> Any:
    # Lazy discovery: the first read fills the module attribute; later reads (and any
    # assignment by a test) use the module global directly.
    if name in _GROUPS:
        plugins = _discover(_GROUPS[name])
        globals()[name] = plugins
        return plugins
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _load(category: str, attribute: str, name: str) -> Any:
    plugins = globals().get(attribute)
    if plugins is None:
        plugins = __getattr__(attribute)
    try:
        entry = plugins[name]
    except KeyError:
        raise DataJointError(
            f"{category} plugin '{name}' not found. Install the package that provides it "
            f"(entry-point group '{_GROUPS[attribute]}') or check the spelling."
        ) from None
    obj = entry["object"]
    return obj.load() if hasattr(obj, "load") else obj


def connection_plugin(name: str) -> Any:
    """The loaded object of connection plug-in `name` (the part before ``://`` in a host)."""
    return _load("Connection", "connection_plugins", name)


def type_plugin(name: str) -> Any:
    """The loaded object of attribute-type plug-in `name` (an `<adapter>` name)."""
    return _load("Type", "type_plugins", name)
