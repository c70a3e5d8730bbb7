"""Translate what users write after `&` and `-` into predicates over a query's heading.

The rules are DataJoint's: a mapping is an AND of equalities (keys outside the heading
are ignored), a list is an OR, an `AndList` an AND, a string is SQL, another query is a
semijoin, `Not` negates. Translation happens once, when the restriction is applied, so
that every later compilation of the query sees the same predicates.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from dj_core.jsonpath import parse_json_attribute

from dj_query.condition import AndList, Not
from dj_query.errors import DataJointError
from dj_query.predicate import (
    Equals,
    InQuery,
    JSONPath,
    Predicate,
    SQLText,
    conjunction,
    disjunction,
    negate,
)
from dj_query.relation import Relation, UniversalSet, as_relation
from dj_query.top import Top

# lowercase words in SQL conditions that are operators or keywords, not attribute names
_SQL_WORDS = frozenset(
    "is in between like and or null not interval second minute hour day month week year "
    "true false regexp rlike case when then else end div mod xor escape unknown "
    "microsecond quarter".split()
)


def invalid(restriction: Any) -> DataJointError:
    """The error for something that cannot restrict (the wording is DataJoint's)."""
    return DataJointError(f"Invalid restriction type {restriction!r}")


def names_in_sql(text: str) -> set[str]:
    """The attribute names a user-written SQL condition presumably refers to.

    Quoted literals are dropped, backquoted names are taken, words followed by `(` are
    functions, and the remaining lowercase words are names unless they are SQL keywords.
    Words with capitals are left alone, so `TRUE` or `Rig` never trip the check.
    """
    text = re.sub(r"\\[\"']", "", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "", text)
    names = set(re.findall(r"`([a-z][a-z_0-9]*)`", text))
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\b[a-z][a-z_0-9]*\s*\(", "(", text)
    words = set(re.findall(r"\b[a-z][a-z_0-9]*\b", text))
    return names | (words - _SQL_WORDS)


def check_join_compatibility(left: Any, right: Any) -> None:
    """Namesakes must be primary in at least one operand (secondary-secondary is an error)."""
    if isinstance(left, UniversalSet) or isinstance(right, UniversalSet):
        return
    shared = [
        name
        for name in left.heading.secondary_attributes
        if name in set(right.heading.secondary_attributes)
    ]
    if shared:
        raise DataJointError(
            f"Cannot join query expressions on dependent attribute `{shared[0]}`: it is a "
            "secondary attribute in both operands. Project it away or rename it with .proj(), "
            "or use @ to skip this check."
        )


def translate(heading: Any, restriction: Any, *, semantic_check: bool = True) -> Predicate | bool:
    """Translate a restriction into a predicate, or True/False when it is constant."""
    restriction = as_relation(restriction)
    if isinstance(restriction, Not):
        return negate(translate(heading, restriction.restriction, semantic_check=semantic_check))
    if isinstance(restriction, UniversalSet):
        return True
    if isinstance(restriction, (bool, np.bool_)):
        return bool(restriction)
    if isinstance(restriction, Predicate):
        return restriction
    if isinstance(restriction, str):
        text = restriction.strip()
        return SQLText(text, frozenset(names_in_sql(text)))
    if isinstance(restriction, AndList):
        return conjunction(
            [translate(heading, item, semantic_check=semantic_check) for item in restriction]
        )
    if isinstance(restriction, Top):
        raise invalid(restriction)
    if isinstance(restriction, Mapping):
        return _mapping(heading, restriction)
    if isinstance(restriction, np.void):
        return _mapping(heading, {name: restriction[name] for name in restriction.dtype.names})
    if isinstance(restriction, Relation):
        return _semijoin(heading, restriction, semantic_check)
    if _is_dataframe(restriction):
        restriction = restriction.to_records()
    if isinstance(restriction, Iterable) and not isinstance(restriction, (bytes, bytearray)):
        return disjunction(
            [translate(heading, item, semantic_check=semantic_check) for item in restriction]
        )
    raise invalid(restriction)


def _is_dataframe(obj: Any) -> bool:
    # pandas is optional: recognise a DataFrame without importing it
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "to_records")


def _mapping(heading: Any, mapping: Mapping) -> Predicate | bool:
    names = set(heading.names)
    equalities: list[Predicate | bool] = []
    for key, value in mapping.items():
        parsed = parse_json_attribute(key) if isinstance(key, str) else None
        if parsed is None or parsed.attribute not in names:
            continue
        attr = heading[parsed.attribute]
        if value is not None and (attr.is_blob or attr.is_attachment or attr.is_filepath):
            # stored bytes are not compared: a fetched record restricts by its other fields
            continue
        path = JSONPath(parsed.attribute, parsed.path, parsed.type) if parsed.path else None
        equalities.append(_equality(attr, parsed.attribute, path, value))
    return conjunction(equalities)


def _equality(attr: Any, name: str, path: Any, value: Any) -> Predicate:
    if path is not None:
        if isinstance(value, (dict, list)) and attr.json:
            return Equals(name, json.dumps(value), path, document=True)
        return Equals(name, value, path)
    if value is None:
        return Equals(name, None)
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        if np.isnan(value):
            # a NULL float fetched into an array reads back as nan; match it as NULL
            return Equals(name, None)
        raise DataJointError(
            f"Cannot restrict `{name}` by the non-finite number {value!r}: the database "
            "stores no infinity."
        )
    if attr.uuid:
        return Equals(name, _uuid_bytes(value, name))
    if attr.json and isinstance(value, (dict, list)):
        value = json.dumps(value)
    return Equals(name, value)


def _uuid_bytes(value: Any, name: str) -> bytes:
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, (bytes, bytearray)) and len(value) == 16:
        return bytes(value)
    try:
        return uuid.UUID(value).bytes
    except (AttributeError, TypeError, ValueError):
        raise DataJointError(
            f"Badly formed UUID {value!r} in restriction by `{name}`: give a uuid.UUID or its "
            "string form."
        ) from None


def _semijoin(heading: Any, other: Any, semantic_check: bool) -> Predicate | bool:
    if semantic_check:
        check_join_compatibility(_HeadingOnly(heading), other)
    common = tuple(name for name in other.heading.names if name in set(heading.names))
    if not common:
        # without shared attributes, any row of a non-empty set matches everything
        return bool(other)
    return InQuery(common, other)


class _HeadingOnly:
    """Lets the compatibility check see a heading as an operand."""

    def __init__(self, heading: Any) -> None:
        self.heading = heading
