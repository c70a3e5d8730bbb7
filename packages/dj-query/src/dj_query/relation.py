"""Marker bases that let lower modules recognise query operands without importing them.

`restriction.py` must tell a query expression or a universal set from other conditions,
while `expression.py` builds on `restriction.py`; these empty bases break that cycle
without imports inside functions.
"""


class Relation:
    """Base of every query expression (tables included)."""

    __slots__ = ()


class UniversalSet:
    """Base of `dj.U`: a set of all value combinations of some attributes."""

    __slots__ = ()


def as_relation(operand: object) -> object:
    """Instantiate a table class used where an expression is expected; pass others."""
    if isinstance(operand, type) and issubclass(operand, (Relation, UniversalSet)):
        return operand()
    return operand
