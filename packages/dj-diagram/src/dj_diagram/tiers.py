"""Tiers recognised from table names, and the node kinds a diagram draws.

A diagram never sees table classes' identities (dj-query and dj-compute sit beside or
above it), so the tier comes from the MySQL table name, whose prefix encodes it
(`#` Lookup, `_` Imported, `__` Computed, `master__part` Part). Alias nodes of renamed
foreign keys are named by decimal numbers.
"""

from __future__ import annotations

import enum
import re

__all__ = ["Tier", "bare_table_name", "is_alias", "master_name", "tier_of"]

_WORDS = r"[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*"
_MASTERS = {
    "Manual": re.compile(_WORDS),
    "Lookup": re.compile("#" + _WORDS),
    "Computed": re.compile("__" + _WORDS),
    "Imported": re.compile("_" + _WORDS),
}
_PART = re.compile(rf"(?P<master>(?:#|__|_)?{_WORDS})__(?P<part>{_WORDS})")


class Tier(str, enum.Enum):
    """The kind of a drawn node; a `str` so that `node_type == "Manual"` reads naturally."""

    MANUAL = "Manual"
    LOOKUP = "Lookup"
    IMPORTED = "Imported"
    COMPUTED = "Computed"
    PART = "Part"
    ALIAS = "alias"
    NONE = "none"

    def __str__(self) -> str:
        return self.value


def is_alias(node: str) -> bool:
    """Alias nodes (renamed foreign keys) are named "0", "1", ... in the dependency graph."""
    return node.isdigit()


def bare_table_name(full_name: str) -> str:
    """`` `db`.`tbl` `` → ``tbl`` (the text after the last ``.`` without backticks)."""
    return full_name.rsplit(".", 1)[-1].strip("`")


def _tier_of_bare(name: str) -> Tier:
    for tier, pattern in _MASTERS.items():
        if pattern.fullmatch(name):
            return Tier(tier)
    if _PART.fullmatch(name):
        return Tier.PART
    return Tier.NONE


def tier_of(node: str) -> Tier:
    """The tier of a dependency-graph node (a full table name or an alias number)."""
    if is_alias(node):
        return Tier.ALIAS
    return _tier_of_bare(bare_table_name(node))


def master_name(full_name: str) -> str | None:
    """The master's full name of a part table's full name, else None."""
    bare = bare_table_name(full_name)
    if _tier_of_bare(bare) is not Tier.PART:
        return None
    match = _PART.fullmatch(bare)
    assert match is not None
    database = full_name.rsplit(".", 1)[0]
    return f"{database}.`{match.group('master')}`"
