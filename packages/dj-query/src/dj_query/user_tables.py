"""The user table tiers of dj-query: `Manual`, `Lookup` and `Part`.

A tier is a class whose table name follows from the class name: a prefix plus the
snake_case of the class name (`#` for Lookup), or, for a part, its master's table name
and `__`. dj-compute adds `Imported` (`_`) and `Computed` (`__`) as further subclasses
of `UserTable`.
"""

from __future__ import annotations

import re
from typing import Any

from dj_core.errors import DataJointError, UnboundTableError
from dj_core.tiers import BASE_NAME, MASTER_TIERS
from dj_core.utils import from_camel_case

from dj_query import drop as _drop
from dj_query.table import Table, class_property

__all__ = ["Lookup", "Manual", "Part", "UserTable"]


def _owner_class(owner: Any) -> type:
    return owner if isinstance(owner, type) else type(owner)


class UserTable(Table):
    """Base of the table classes users declare: the table name comes from the class."""

    #: the tier's table-name prefix
    _prefix: str = ""
    #: the pattern the tier's table names match (None here: set by each tier, as in 0.14)
    tier_regexp: str | None = None

    @class_property
    def table_name(owner: Any) -> str:
        cls = _owner_class(owner)
        return cls._prefix + from_camel_case(cls.__name__)


class Manual(UserTable):
    """Rows entered by people or by scripts, outside any computation."""

    _prefix = ""
    #: full-match pattern of the table names of this tier (as 0.14's)
    tier_regexp = rf"(?P<manual>{BASE_NAME})"


class Lookup(UserTable):
    """Small reference tables; rows listed in `contents` are inserted when the class is
    decorated."""

    _prefix = "#"
    tier_regexp = rf"(?P<lookup>#{BASE_NAME})"


class Part(UserTable):
    """A table whose rows belong to a row of its master (a nested class of the master).

    Parts are filled together with their master and are deleted through it: `delete`
    and `drop` on a part need `force=True`."""

    _master: type | None = None
    _ANY_MASTER = "|".join(
        rf"(?P<{tier.lower()}>{re.escape(prefix)}{BASE_NAME})"
        for tier, prefix in MASTER_TIERS.items()
    )
    tier_regexp = rf"(?P<master>{_ANY_MASTER}){{1,1}}__(?P<part>{BASE_NAME})"

    @class_property
    def master(owner: Any) -> type | None:
        return _owner_class(owner)._master

    @class_property
    def table_name(owner: Any) -> str:
        cls = _owner_class(owner)
        if cls._master is None:
            raise UnboundTableError(
                f"Part table {cls.__name__} has no master: declare it as a nested class of "
                "its master and decorate the master."
            )
        return cls._master.table_name + "__" + from_camel_case(cls.__name__)

    def delete(self, force: bool = False, **kwargs: Any) -> int:  # type: ignore[override]
        """Delete part rows: only with `force=True` (otherwise delete from the master)."""
        if not force:
            raise DataJointError(
                "Cannot delete from a Part table directly: delete from its master instead, "
                "or use force=True."
            )
        kwargs.setdefault("force_parts", True)
        return super().delete(**kwargs)

    def drop(self, force: bool = False) -> None:  # type: ignore[override]
        """Drop the part table: only with `force=True` (otherwise drop the master)."""
        if not force:
            raise DataJointError(
                "Cannot drop a Part table directly: drop its master instead, or use force=True."
            )
        _drop.drop(self, part_ok=True)
