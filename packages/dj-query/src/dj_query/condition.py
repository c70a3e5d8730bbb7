"""The restriction vocabulary users write: `AndList`, `Not`, and the `dj.key` marker.

A plain list means OR, an `AndList` means AND, `Not` negates anything that can restrict.
How these become SQL is `restriction.py`'s job (translation) and `compiler.py`'s
(rendering); these classes only hold what the user wrote.
"""

from __future__ import annotations

from typing import Any

from dj_query.top import Top

__all__ = ["AndList", "Not", "Top", "is_key", "key"]


class AndList(list):
    """Conditions that must all hold (a plain list means any of them).

    Appending another `AndList` adds its items rather than nesting it, so conditions
    gathered from several places stay one flat conjunction.
    """

    def append(self, restriction: Any) -> None:
        if isinstance(restriction, AndList):
            self.extend(restriction)
        else:
            super().append(restriction)

    def __repr__(self) -> str:
        return f"AndList({list.__repr__(self)})"


class Not:
    """The negation of a restriction: `q & Not(c)` is `q - c`."""

    def __init__(self, restriction: Any) -> None:
        self.restriction = restriction

    def __repr__(self) -> str:
        return f"Not({self.restriction!r})"


class key:
    """Marker for the primary key in `fetch`: `q.fetch(dj.key)` is `q.fetch("KEY")`."""


def is_key(name: Any) -> bool:
    """True for the `"KEY"` string and the `dj.key` marker."""
    return name is key or (isinstance(name, str) and name == "KEY")
