"""`dj.Top`: keep the first rows of a query in a given order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: the limit an offset without a limit implies, as `Top.limit` shows it (as in 0.14)
UNLIMITED = 999999999999


@dataclass(frozen=True)
class Top:
    """Restrict a query to `limit` rows in `order_by` order, after skipping `offset` rows.

    `q & Top(5, "born desc")` keeps the five youngest; the order entries are attribute
    names with an optional `asc`/`desc`, and `"KEY"` stands for the primary key.
    """

    limit: int | None = 1
    order_by: str | Sequence[str] | None = "KEY"
    offset: int = 0

    def __post_init__(self) -> None:
        order_by = self.order_by or ["KEY"]
        offset = 0 if self.offset is None else self.offset
        if self.limit is not None and not isinstance(self.limit, int):
            raise TypeError("Top limit must be an integer")
        if not isinstance(order_by, (str, Sequence)) or not all(
            isinstance(entry, str) for entry in order_by
        ):
            raise TypeError("Top order_by attributes must all be strings")
        if not isinstance(offset, int):
            raise TypeError("The offset argument must be an integer")
        object.__setattr__(
            self, "order_by", [order_by] if isinstance(order_by, str) else list(order_by)
        )
        object.__setattr__(self, "offset", offset)
        if offset and self.limit is None:
            object.__setattr__(self, "limit", UNLIMITED)

    def __hash__(self) -> int:
        return hash((self.limit, tuple(self.order_by), self.offset))
