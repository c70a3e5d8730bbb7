"""DataJoint computation: populate, make, key_source and the jobs table.

Nothing is exported yet: this package's issue is not built.
"""

__version__ = "0.1.0"

__all__: list[str] = ["__version__"]
