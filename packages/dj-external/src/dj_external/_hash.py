"""MD5-as-UUID hashing: dj-core's `dj_core.hash` when present (external.md §3).

The local definitions are a transitional stand-in with the same contract, used only until
dj-core's module lands; they are removed then.
"""

from __future__ import annotations

try:
    from dj_core.hash import uuid_from_buffer, uuid_from_file
except ImportError:  # pragma: no cover - transitional
    import hashlib
    import os
    import uuid

    def uuid_from_buffer(buffer: bytes = b"", *, init_string: str = "") -> uuid.UUID:
        digest = hashlib.md5(init_string.encode())
        digest.update(buffer)
        return uuid.UUID(bytes=digest.digest())

    def uuid_from_file(filepath: str | os.PathLike[str], *, init_string: str = "") -> uuid.UUID:
        digest = hashlib.md5(init_string.encode())
        with open(filepath, "rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
        return uuid.UUID(bytes=digest.digest())


__all__ = ["uuid_from_buffer", "uuid_from_file"]
