"""The error classes dj-query raises (all from DataJoint's one hierarchy)."""

from dj_blob.errors import DataJointError

__all__ = ["DataJointError"]
