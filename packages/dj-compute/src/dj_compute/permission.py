"""Who may insert into an auto-populated table: only its own `make`, during populate
(or a caller that passes `allow_direct_insert=True`).

dj-query's `insert` asks the table (`_allows_direct_insert`). Imported
and Computed answer from a context variable that `populate` sets around each make call,
so the permission belongs to the thread (and asyncio task) running that make: another
thread inserting into the same class at the same moment is still refused — unlike
DataJoint 0.14, which flipped a class attribute for everybody.
"""

from __future__ import annotations

from contextvars import ContextVar

__all__ = ["inserts_allowed", "may_insert"]

# full table names whose make is running in this context
_allowed: ContextVar[frozenset[str]] = ContextVar("dj_compute_inserts_allowed", default=frozenset())


class inserts_allowed:
    """Within the block, this context may insert into `full_table_name`. (A class
    rather than a generator context manager: it is entered once per populated key.)"""

    __slots__ = ("full_table_name", "names", "token")

    def __init__(self, full_table_name: str) -> None:
        self.full_table_name = full_table_name
        self.names = frozenset((full_table_name,))

    def __enter__(self) -> None:
        current = _allowed.get()
        self.token = _allowed.set(current | self.names if current else self.names)

    def __exit__(self, *exc: object) -> None:
        _allowed.reset(self.token)


def may_insert(full_table_name: str) -> bool:
    """True inside `inserts_allowed(full_table_name)` in this context."""
    return full_table_name in _allowed.get()
