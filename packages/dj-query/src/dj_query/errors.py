"""The error classes dj-query raises: dj-core's, one hierarchy for all of DataJoint."""

from dj_core.errors import DataJointError

__all__ = ["DataJointError"]
