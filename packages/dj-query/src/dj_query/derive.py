"""Headings of derived queries: projection, join, new primary keys, subqueries.

dj-core's `Heading` holds attributes; this module applies the query algebra's rules
for what a derived query's heading is (query.md §4.3, §5.1, §8.2) and builds new
`Heading` objects from dj-core `Attribute`s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dj_core.heading import Attribute, Heading, default_attribute_properties


def _heading(attrs: Iterable[Attribute]) -> Heading:
    seen: dict[str, Attribute] = {}
    for attr in attrs:
        seen.setdefault(attr.name, attr)
    return Heading(list(seen.values()))


def select(
    heading: Heading,
    keep: Iterable[str],
    rename_map: Mapping[str, str],
    compute_map: Mapping[str, str],
) -> Heading:
    """Projection: kept attributes in their order, each renamed or duplicated attribute
    right after its source, computed attributes at the end, primary key first."""
    keep = set(keep)
    result: list[Attribute] = []
    for attr in heading.attributes.values():
        if attr.name in keep:
            result.append(attr)
        for new, old in rename_map.items():
            if old == attr.name:
                result.append(attr._replace(name=new, attribute_expression=quote_name(old)))
    for name, expression in compute_map.items():
        result.append(
            Attribute(
                **dict(default_attribute_properties, name=name, attribute_expression=expression)
            )
        )
    return _heading([a for a in result if a.in_key] + [a for a in result if not a.in_key])


def join(first: Heading, second: Heading) -> Heading:
    """Join: first's key, second's other key attributes, then first's and second's
    secondary attributes; a secondary attribute that is a key attribute of the other
    operand belongs to the key."""
    a, b = first.attributes, second.attributes
    key_a, key_b = set(first.primary_key), set(second.primary_key)
    return _heading(
        [a[n] for n in first.primary_key]
        + [b[n] for n in second.primary_key if n not in key_a]
        + [a[n] for n in first.secondary_attributes if n not in key_b]
        + [b[n] for n in second.secondary_attributes if n not in key_a]
    )


def set_primary_key(heading: Heading, primary_key: Iterable[str]) -> Heading:
    """The same attributes with `primary_key` (listed first, in that order)."""
    key = list(primary_key)
    attrs = heading.attributes
    return _heading(
        [attrs[n]._replace(in_key=True) for n in key]
        + [a._replace(in_key=False) for n, a in attrs.items() if n not in key]
    )


def subquery(heading: Heading) -> Heading:
    """Seen from outside a subquery, every attribute is a plain column."""
    return _heading(a._replace(attribute_expression=None) for a in heading.attributes.values())


def quote_name(name: str) -> str:
    """Backquoted column name, as stored in `attribute_expression` of renamed attributes
    (dj-core's `Attribute.original_name` reads it back)."""
    return f"`{name}`"
