"""A deep content hash of what `make_fetch` returned.

The three-part make fetches twice: once outside the transaction (then computes, which
may take hours), and again inside it, just before inserting. If the two fetches differ,
the inputs changed under the computation and its results must not be inserted. What
counts as "the same" follows DataJoint 0.14 (which used deepdiff): order-sensitive for
sequences, by content for numpy arrays, dicts and sets regardless of order, and aware of
types, so `1` and `"1"` differ.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import pickle
import uuid
from collections.abc import Mapping, Set
from typing import Any

import numpy as np

__all__ = ["fingerprint"]

_PLAIN = (
    str,
    bytes,
    bool,
    int,
    float,
    complex,
    type(None),
    decimal.Decimal,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    uuid.UUID,
)


def fingerprint(value: Any) -> str:
    """Hex digest that is equal for values equal in content (see the module docstring)."""
    digest = hashlib.blake2b(digest_size=20)
    _feed(digest, value)
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    kind = type(value)
    digest.update(kind.__qualname__.encode())
    if isinstance(value, _PLAIN):
        digest.update(repr(value).encode())
    elif isinstance(value, np.ndarray):
        digest.update(f"{value.dtype.str}{value.dtype.names}{value.shape}".encode())
        if value.dtype.hasobject:
            for item in value.ravel(order="C"):
                _feed(digest, item)
        else:
            digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, np.generic):
        digest.update(value.dtype.str.encode())
        digest.update(value.tobytes() if not value.dtype.hasobject else repr(value).encode())
    elif isinstance(value, Mapping):
        digest.update(b"{")
        for item in sorted(_sub(k) + _sub(v) for k, v in value.items()):
            digest.update(item.encode())
        digest.update(b"}")
    elif isinstance(value, Set):
        digest.update(b"<")
        for item in sorted(_sub(v) for v in value):
            digest.update(item.encode())
        digest.update(b">")
    elif isinstance(value, (list, tuple)):
        digest.update(b"[")
        for item in value:
            digest.update(_sub(item).encode())
        digest.update(b"]")
    else:
        try:
            digest.update(pickle.dumps(value, protocol=4))
        except Exception:  # not picklable: its text is the best content we have
            digest.update(repr(value).encode())


def _sub(value: Any) -> str:
    return fingerprint(value)
