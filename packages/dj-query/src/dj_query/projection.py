"""Parse the arguments of `proj`: which attributes to keep, rename, duplicate, compute."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dj_query.errors import DataJointError

_RENAME = re.compile(r"^\s*(?!(?:NULL|CURRENT_TIMESTAMP)\s*$)(?P<name>[a-zA-Z_]\w*)\s*$", re.I)
_DUPLICATE = re.compile(
    r"^\s*\(\s*(?!(?:NULL|CURRENT_TIMESTAMP)\s*\))(?P<name>[a-zA-Z_]\w*)\s*\)\s*$", re.I
)


@dataclass
class Projection:
    """What a `proj` call asks for, checked against the operand's heading."""

    keep: list[str] = field(default_factory=list)
    rename_map: dict[str, str] = field(default_factory=dict)  # new -> old (incl. duplicates)
    compute_map: dict[str, str] = field(default_factory=dict)  # new -> SQL expression

    @property
    def sources(self) -> set[str]:
        return set(self.rename_map.values())


def parse(heading: Any, attributes: tuple, named: dict[str, Any]) -> Projection:
    """Interpret positional names (`...`, `'-name'`) and keyword renames/computations."""
    result = Projection()
    renamed: set[str] = set()
    for new, source in named.items():
        if not isinstance(source, str):
            raise DataJointError(
                f"proj({new}=...) needs a string: an attribute name, '(name)' or an SQL "
                f"expression, not {source!r}."
            )
        if match := _DUPLICATE.match(source):
            result.rename_map[new] = match["name"]
        elif match := _RENAME.match(source):
            result.rename_map[new] = match["name"]
            renamed.add(match["name"])
        else:
            result.compute_map[new] = source
    for item in attributes:
        if item is not Ellipsis and not isinstance(item, str):
            raise DataJointError(
                f"{item!r} is not a valid attribute name in .proj(): give attribute names "
                "as strings, or ... for all secondary attributes."
            )
    excluded = {a[1:].strip() for a in attributes if isinstance(a, str) and a.startswith("-")}
    bad = [name for name in heading.primary_key if name in excluded]
    if bad:
        raise DataJointError(
            f"Cannot exclude primary key attribute `{bad[0]}` in .proj(): the primary key is "
            "always kept."
        )
    keep = [name for name in heading.primary_key if name not in renamed]
    for item in attributes:
        if isinstance(item, str) and not item.startswith("-") and item not in keep:
            keep.append(item)
    if Ellipsis in attributes:
        keep.extend(
            name
            for name in heading.secondary_attributes
            if name not in keep and name not in renamed and name not in excluded
        )
    names = set(heading.names)
    for name in [*keep, *result.rename_map.values()]:
        if name not in names:
            raise DataJointError(
                f"Attribute `{name}` not found: .proj() can use only "
                f"{', '.join(heading.names) or 'no attributes'}."
            )
    result.keep = [name for name in keep if name not in excluded]
    taken = set(result.keep)
    for name in [*result.rename_map, *result.compute_map]:
        if name in taken:
            raise DataJointError(
                f"Attribute `{name}` already exists in the result of .proj(): choose another name."
            )
        taken.add(name)
    return result
