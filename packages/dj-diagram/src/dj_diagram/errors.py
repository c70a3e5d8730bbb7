"""The diagram's error classes, under DataJoint's root error (re-exported by dj-core) so
that `except dj.DataJointError` catches them."""

from __future__ import annotations

from dj_core.errors import DataJointError

__all__ = ["DataJointError", "DiagramError", "MissingExtraError"]


class DiagramError(DataJointError):
    """A Diagram cannot be built or rendered from what it was given."""


class MissingExtraError(DiagramError, ImportError):
    """An optional library (pydot, matplotlib) needed by one output method is missing."""
