"""The diagram's error classes.

They derive from DataJoint's root error so `except dj.DataJointError` catches them. The
root lives in dj-blob and dj-core re-exports it (the same class either way); dj-core's
module is preferred so its cause hook and future subclasses apply.
"""

from __future__ import annotations

try:  # dj-core re-exports the root class once it is installed
    from dj_core.errors import DataJointError
except ImportError:  # pragma: no cover - only while dj-core has no errors module
    from dj_blob.errors import DataJointError

__all__ = ["DataJointError", "DiagramError", "MissingExtraError"]


class DiagramError(DataJointError):
    """A Diagram cannot be built or rendered from what it was given."""


class MissingExtraError(DiagramError, ImportError):
    """An optional library (pydot, matplotlib) needed by one output method is missing."""
