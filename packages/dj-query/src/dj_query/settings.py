"""Display and fetch settings, read from the configuration of the query's connection."""

from __future__ import annotations

from typing import Any

from dj_core import settings as core_settings


def setting(expr: Any, key: str, default: Any) -> Any:
    """`key` from the configuration the query's connection uses (dj-core `Config`),
    else from the process-wide one."""
    config = getattr(expr.connection, "config", None)
    if config is None:
        config = core_settings.config
    try:
        return config[key]
    except KeyError:
        return default
