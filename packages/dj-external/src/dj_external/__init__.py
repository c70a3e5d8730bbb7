"""DataJoint external stores (file, S3) and the blob@store, attach and filepath types.

Nothing is exported yet: this package's issue is not built.
"""

__version__ = "0.1.0"

__all__: list[str] = ["__version__"]
