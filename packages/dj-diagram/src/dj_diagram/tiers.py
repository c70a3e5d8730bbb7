"""Tiers recognised from table names, and the node kinds a diagram draws.

A diagram never sees table classes' identities (dj-query and dj-compute sit beside or
above it), so the tier comes from the MySQL table name, whose prefix encodes it
(`#` Lookup, `_` Imported, `__` Computed, `master__part` Part) — dj-core's name-based
detection, the same that spawns classes for virtual modules. Alias nodes of renamed
foreign keys are named by decimal numbers.
"""

from __future__ import annotations

import enum

from dj_core.table_names import master_of_full_name, parse
from dj_core.tiers import get_tier, master_of

__all__ = ["Tier", "bare_table_name", "is_alias", "master_name", "tier_of"]


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


_TIERS = {tier.value: tier for tier in Tier}


def is_alias(node: str) -> bool:
    """Alias nodes (renamed foreign keys) are named "0", "1", ... in the dependency graph."""
    return node.isdigit()


def bare_table_name(full_name: str) -> str:
    """`` `db`.`tbl` `` → ``tbl`` (unquoted; a bare name is returned as it is)."""
    parsed = parse(full_name)
    return parsed[1] if parsed is not None else full_name.rsplit(".", 1)[-1]


def tier_of(node: str) -> Tier:
    """The tier of a dependency-graph node (a full table name or an alias number); hidden
    `~` tables and names outside the naming convention have none."""
    if is_alias(node):
        return Tier.ALIAS
    return _TIERS.get(get_tier(bare_table_name(node)) or "", Tier.NONE)


def master_name(full_name: str) -> str | None:
    """The master's full name of a part table's full name, else None."""
    if is_alias(full_name):
        return None
    if master_of(bare_table_name(full_name)) is None:
        return None  # not a part by the tier rules
    return master_of_full_name(full_name)
