"""Initializers for spawned test worker processes (they must be importable there)."""

from __future__ import annotations

import os
import sys


def hide_module(name: str) -> None:
    """Make `import name` fail in this process, as if the package were not installed."""
    sys.modules[name] = None  # type: ignore[assignment]


def point_at(host: str) -> None:
    """Connections opened from the environment in this process go to `host`."""
    os.environ["DJ_HOST"] = host
