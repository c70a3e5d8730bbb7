"""`datajoint.user_tables`: the user-facing table tiers, gathered from dj-query and dj-compute."""

from __future__ import annotations

import dj_compute as _compute
import dj_query as _query

_NAMES = ("UserTable", "Manual", "Lookup", "Part", "Imported", "Computed")

for _name in _NAMES:
    _value = getattr(_query, _name, None) or getattr(_compute, _name, None)
    if _value is not None:
        globals()[_name] = _value

__all__ = [name for name in _NAMES if name in globals()]
