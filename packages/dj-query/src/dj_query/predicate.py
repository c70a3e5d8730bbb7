"""Translated restrictions: a small immutable tree the compiler renders as SQL.

User conditions (dicts, strings, lists, queries, ...) are translated once, against the
heading of the query they restrict, into these nodes (`restriction.py`). Keeping them as
nodes rather than SQL text lets one compiler render them (values through the dialect's
literal escaping, subqueries with statement-local aliases) and lets a negation wrap a
whole conjunction, which DataJoint 0.14's string pasting got wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Predicate:
    """Base of translated conditions; `attributes` are the heading names it refers to."""

    __slots__ = ()

    @property
    def attributes(self) -> frozenset[str]:
        raise NotImplementedError


@dataclass(frozen=True)
class SQLText(Predicate):
    """A condition the user wrote in SQL; inserted verbatim (with `%` doubled)."""

    text: str
    names: frozenset[str]

    @property
    def attributes(self) -> frozenset[str]:
        return self.names


@dataclass(frozen=True)
class JSONPath:
    """`attr.path[:type]`: a value inside a json attribute, optionally cast to a type."""

    attribute: str
    path: str
    type: str | None = None


@dataclass(frozen=True)
class Equals(Predicate):
    """`name = value` (or `IS NULL` when value is None); `json` selects inside a json
    column, and `document` marks a value that is JSON text of an object or array."""

    name: str
    value: Any
    json: JSONPath | None = None
    document: bool = False

    @property
    def attributes(self) -> frozenset[str]:
        return frozenset((self.name,))


@dataclass(frozen=True)
class InValues(Predicate):
    """`(columns) IN ((v1, v2), ...)`: an OR of equalities on the same columns (many
    keys in one restriction), shorter to send and parse than the OR of ANDs."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    @property
    def attributes(self) -> frozenset[str]:
        return frozenset(self.columns)


@dataclass(frozen=True)
class AllOf(Predicate):
    """Conjunction of at least two predicates."""

    items: tuple[Predicate, ...]

    @property
    def attributes(self) -> frozenset[str]:
        return frozenset().union(*(item.attributes for item in self.items))


@dataclass(frozen=True)
class AnyOf(Predicate):
    """Disjunction of at least two predicates."""

    items: tuple[Predicate, ...]

    @property
    def attributes(self) -> frozenset[str]:
        return frozenset().union(*(item.attributes for item in self.items))


@dataclass(frozen=True)
class Negation(Predicate):
    """`NOT (item)`: always parenthesised as a whole."""

    item: Predicate

    @property
    def attributes(self) -> frozenset[str]:
        return self.item.attributes


@dataclass(frozen=True, eq=False)
class InQuery(Predicate):
    """Semijoin: `(columns) IN (SELECT columns FROM query)`."""

    columns: tuple[str, ...]
    query: Any  # a QueryExpression; compiled when the statement is

    @property
    def attributes(self) -> frozenset[str]:
        return frozenset(self.columns)


def negate(predicate: Predicate | bool) -> Predicate | bool:
    """The negation, cancelling a double negation."""
    if isinstance(predicate, bool):
        return not predicate
    if isinstance(predicate, Negation):
        return predicate.item
    return Negation(predicate)


def conjunction(items: list[Predicate | bool]) -> Predicate | bool:
    """AND of items: False wins, True items drop out, empty is True."""
    kept: list[Predicate] = []
    for item in items:
        if item is False:
            return False
        if item is not True:
            kept.append(item)
    if not kept:
        return True
    return kept[0] if len(kept) == 1 else AllOf(tuple(kept))


def disjunction(items: list[Predicate | bool]) -> Predicate | bool:
    """OR of items: True wins, False items drop out, empty is False."""
    kept: list[Predicate] = []
    for item in items:
        if item is True:
            return True
        if item is not False:
            kept.append(item)
    if not kept:
        return False
    if len(kept) == 1:
        return kept[0]
    return _value_list(kept) or AnyOf(tuple(kept))


def _equalities(predicate: Predicate) -> dict[str, Any] | None:
    """{column: value} of a plain equality or a conjunction of them; else None."""
    items = predicate.items if isinstance(predicate, AllOf) else (predicate,)
    if not all(
        isinstance(item, Equals) and item.json is None and item.value is not None for item in items
    ):
        return None
    pairs = {item.name: item.value for item in items}
    return pairs if len(pairs) == len(items) else None


def _value_list(items: list[Predicate]) -> InValues | None:
    """The OR of equalities on the same columns as one `IN` list, when it is one."""
    first = _equalities(items[0])
    if first is None:
        return None
    columns = tuple(first)
    rows = [tuple(first.values())]
    for item in items[1:]:
        pairs = _equalities(item)
        if pairs is None or pairs.keys() != first.keys():
            return None
        rows.append(tuple(pairs[name] for name in columns))
    return InValues(columns, tuple(rows))
