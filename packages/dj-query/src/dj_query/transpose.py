"""Driver rows (tuples) into dicts or columns with no Python bytecode run per value.

A fetch of 100,000 rows spends as much time shaping the rows as the driver spends
parsing them unless the shaping stays in C. Two helpers do:

- `dicts_of(names)`: a function turning rows into dicts. It is a list comprehension
  written out for these names and compiled once per heading (cached): unpacking a tuple
  and building a dict from constant keys are one bytecode instruction each, half the
  instructions of ``dict(zip(names, row))`` per row.
- `column(rows, index)`: an iterator over one field of every row (`operator.itemgetter`
  mapped over the rows). Unlike ``zip(*rows)`` it creates no iterator per row, so the
  garbage collector is not woken up by 100,000 new objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

__all__ = ["column", "dicts_of"]


@lru_cache(maxsize=512)
def dicts_of(names: tuple[str, ...]) -> Callable[[Sequence[Sequence[Any]]], list[dict]]:
    """A function: rows of len(names) values -> one dict per row keyed by `names`."""
    if not names:
        return lambda rows: [{} for _ in rows]
    values = [f"v{i}" for i in range(len(names))]
    # repr() of a str is a literal of the same str: any column name is safe here
    items = ", ".join(f"{name!r}: {value}" for name, value in zip(names, values))
    source = f"lambda rows: [{{{items}}} for {', '.join(values)}, in rows]"
    return eval(source, {"__builtins__": {}})


def column(rows: Sequence[Sequence[Any]], index: int) -> Iterator[Any]:
    """The `index`-th value of every row, in order."""
    return map(itemgetter(index), rows)
