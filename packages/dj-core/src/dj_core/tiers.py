"""Table tiers: name-based tier detection and the tier protocol.

A table's tier is written into its name (a prefix, or `master__` for parts), so
anything that only has names — the dependency graph, diagrams, `schema.save()`,
spawning classes for a virtual module — can tell tiers apart with the regular
expressions here, without importing the packages that define the tier classes.

The classes themselves live higher up (Manual, Lookup and Part in dj-query; Imported
and Computed in dj-compute). They register here when imported (`register_tier`), and
dj-query registers the function that binds a user class to a schema
(`register_class_binder`). dj-core's `Schema` calls only this protocol.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dj_core.errors import DataJointError

__all__ = [
    "MASTER_TIERS",
    "TIER_PACKAGES",
    "TierSpec",
    "class_binder",
    "get_tier",
    "is_part_name",
    "master_of",
    "register_class_binder",
    "register_tier",
    "registered_tier",
    "split_full_table_name",
    "temporary_tiers",
    "tier_class",
]

BASE_NAME = r"[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*"

# master tiers, in the order names are tested when spawning classes
MASTER_TIERS: dict[str, str] = {
    "Lookup": "#",
    "Manual": "",
    "Imported": "_",
    "Computed": "__",
}

# the package that registers each tier's class, named in errors when it is missing
TIER_PACKAGES: dict[str, str] = {
    "Lookup": "dj_query",
    "Manual": "dj_query",
    "Part": "dj_query",
    "Imported": "dj_compute",
    "Computed": "dj_compute",
}

_MASTER_PATTERNS: dict[str, re.Pattern[str]] = {
    tier: re.compile(re.escape(prefix) + BASE_NAME) for tier, prefix in MASTER_TIERS.items()
}
_ANY_MASTER = "|".join(f"{re.escape(prefix)}{BASE_NAME}" for prefix in MASTER_TIERS.values())
_PART_PATTERN = re.compile(rf"(?P<master>{_ANY_MASTER})__(?P<part>{BASE_NAME})")


def get_tier(table_name: str) -> str | None:
    """The tier of a bare table name ("Manual", "Lookup", "Imported", "Computed", "Part"),
    "Hidden" for `~` system tables, or None when the name follows no convention.

    A name that matches a master pattern is a master (`__spike_rate` is Computed, not a
    part of `_`); only otherwise is it tried as a part.
    """
    if table_name.startswith("~"):
        return "Hidden"
    for tier, pattern in _MASTER_PATTERNS.items():
        if pattern.fullmatch(table_name):
            return tier
    if _PART_PATTERN.fullmatch(table_name):
        return "Part"
    return None


def is_part_name(table_name: str) -> bool:
    return get_tier(table_name) == "Part"


def master_of(table_name: str) -> str | None:
    """The master's bare table name of a part table name, else None."""
    if get_tier(table_name) != "Part":
        return None
    match = _PART_PATTERN.fullmatch(table_name)
    assert match is not None
    return match.group("master")


def split_full_table_name(full_table_name: str) -> tuple[str, str]:
    """`` `db`.`tbl` `` → ("db", "tbl") (`dj_core.table_names` reads every dialect's form)."""
    from dj_core.table_names import split_full_table_name as split

    return split(full_table_name)


@dataclass(frozen=True)
class TierSpec:
    """One registered tier: its class, name prefix and whether it is a part tier."""

    name: str
    cls: type
    prefix: str
    is_part: bool = False


_tiers: dict[str, TierSpec] = {}
_binder: list[Callable[..., Any]] = []


def register_tier(name: str, cls: type, *, prefix: str = "", is_part: bool = False) -> None:
    """Make `cls` the class used for tier `name` when spawning classes.

    Called by the package that defines the tier (dj-query: Manual, Lookup, Part;
    dj-compute: Imported, Computed) when it is imported. Re-registering replaces.
    """
    if name not in TIER_PACKAGES:
        raise DataJointError(f"Unknown tier {name!r}; tiers are {', '.join(TIER_PACKAGES)}.")
    _tiers[name] = TierSpec(name, cls, prefix, is_part)


def registered_tier(name: str) -> TierSpec | None:
    return _tiers.get(name)


def tier_class(name: str) -> type:
    """The registered class of tier `name`; a clear error naming the package otherwise."""
    spec = _tiers.get(name)
    if spec is None:
        package = TIER_PACKAGES.get(name, "a tier package")
        raise DataJointError(
            f"No table class is registered for the {name} tier: import {package} "
            f"(or datajoint) before spawning or declaring {name} tables."
        )
    return spec.cls


def register_class_binder(binder: Callable[..., Any]) -> None:
    """Install the function that binds a user table class to a schema.

    `binder(schema, cls, context)` is called by `Schema.__call__` for every decorated
    class (and by spawning); it sets the class attributes, declares the table when
    missing, processes part classes and returns the class. dj-query installs it.
    """
    _binder[:] = [binder]


def class_binder() -> Callable[..., Any]:
    if not _binder:
        raise DataJointError(
            "Decorating table classes needs dj_query: import dj_query (or datajoint) first."
        )
    return _binder[0]


@contextmanager
def temporary_tiers(*, clear: bool = False) -> Iterator[None]:
    """Registrations made inside the block (tiers and the class binder) are undone at
    its end, restoring the previous ones: for tests that register their own tiers.
    `clear=True` starts the block with nothing registered."""
    saved_tiers, saved_binder = dict(_tiers), list(_binder)
    if clear:
        _tiers.clear()
        _binder.clear()
    try:
        yield
    finally:
        _tiers.clear()
        _tiers.update(saved_tiers)
        _binder[:] = saved_binder
