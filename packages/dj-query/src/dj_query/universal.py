"""`dj.U(*attributes)`: the set of all combinations of values of some attributes.

Not a query by itself; it turns queries into new ones: `U('a') & q` gives the distinct
values of `a` in `q`, `U('a') * q` adds `a` to `q`'s primary key, and
`U('a').aggr(q, n='count(*)')` aggregates `q` per distinct `a`.
"""

from __future__ import annotations

from typing import Any

from dj_query.errors import DataJointError
from dj_query.expression import Aggregation, QueryExpression
from dj_query.relation import UniversalSet, as_relation

__all__ = ["U"]


class U(UniversalSet):
    """Universal set over `attributes`, all of them primary."""

    def __init__(self, *primary_key: str) -> None:
        self._primary_key = primary_key

    @property
    def primary_key(self) -> tuple[str, ...]:
        return self._primary_key

    def __repr__(self) -> str:
        return f"U({', '.join(map(repr, self._primary_key))})"

    def _operand(self, other: Any, verb: str) -> QueryExpression:
        other = as_relation(other)
        if isinstance(other, UniversalSet):
            raise DataJointError(f"Cannot {verb} a universal set with another universal set.")
        if not isinstance(other, QueryExpression):
            raise DataJointError(
                f"A universal set can only be {verb}ed with a query expression, not {other!r}."
            )
        missing = [name for name in self._primary_key if name not in set(other.heading.names)]
        if missing:
            raise DataJointError(
                f"Attribute `{missing[0]}` of the universal set is not found in the query."
            )
        return other

    def __and__(self, other: Any) -> QueryExpression:
        """The distinct combinations of the attributes occurring in `other`."""
        other = self._operand(other, "restrict")
        if other._kind != "select" or other._top is not None or other._distinct:
            other = other.make_subquery()
        heading = other.heading.set_primary_key(self._primary_key)
        result = QueryExpression()
        result._connection = other.connection
        result._support = other.support
        result._left = other._left
        result._restriction = other._restriction
        result._restriction_attributes = other._restriction_attributes
        result._original_heading = other.original_heading
        result._heading = heading
        result._distinct = True
        return result.proj()

    def join(self, other: Any, left: bool = False) -> QueryExpression:
        """`other` with the attributes added to the end of its primary key."""
        other = self._operand(other, "join")
        key = list(other.primary_key) + [k for k in self._primary_key if k not in other.primary_key]
        return other._derive(heading=other.heading.set_primary_key(key))

    def __mul__(self, other: Any) -> QueryExpression:
        return self.join(other)

    def __rmul__(self, other: Any) -> QueryExpression:
        return self.join(other)

    def aggr(self, group: Any, **named_attributes: Any) -> QueryExpression:
        """One row per distinct combination of the attributes in `group`, with
        aggregate computations over its matching rows."""
        if named_attributes.pop("keep_all_rows", False):
            raise DataJointError(
                "Cannot set keep_all_rows=True when aggregating on a universal set."
            )
        group = as_relation(group)
        return Aggregation.create(self, group, keep_all_rows=False).proj(**named_attributes)

    aggregate = aggr
