"""Translate what users write after `&` and `-` into predicates over a query's heading.

The rules are DataJoint's: a mapping is an AND of equalities (keys outside the heading
are ignored), a list is an OR, an `AndList` an AND, a string is SQL, another query is a
semijoin, `Not` negates. Translation happens once, when the restriction is applied, so
that every later compilation of the query sees the same predicates.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from dj_core.dialects import DIALECTS
from dj_core.jsonpath import parse_json_attribute

from dj_query.condition import AndList, Not
from dj_query.errors import DataJointError
from dj_query.predicate import (
    Equals,
    InQuery,
    InValues,
    JSONPath,
    Predicate,
    SQLText,
    conjunction,
    disjunction,
    negate,
)
from dj_query.relation import Relation, UniversalSet, as_relation
from dj_query.top import Top
from dj_query.types import uuid_bytes

# lowercase words in SQL conditions that are operators or keywords, not attribute names
_SQL_WORDS = frozenset(
    "is in between like and or null not interval second minute hour day month week year "
    "true false regexp rlike case when then else end div mod xor escape unknown "
    "microsecond quarter".split()
)


def invalid(restriction: Any) -> DataJointError:
    """The error for something that cannot restrict (the wording is DataJoint's)."""
    return DataJointError(f"Invalid restriction type {restriction!r}")


_LOWER_NAME = re.compile(r"[a-z][a-z_0-9]*")
_SUBQUERY_START = re.compile(r"\(\s*select\b", re.IGNORECASE)


def _without_subqueries(text: str) -> str:
    """`text` with each parenthesized `(select ...)` removed: its words name columns of
    other tables (`id not in (select id from information_schema.processlist)`)."""
    while match := _SUBQUERY_START.search(text):
        depth, end = 0, len(text)
        for position in range(match.start(), len(text)):
            depth += {"(": 1, ")": -1}.get(text[position], 0)
            if depth == 0:
                end = position + 1
                break
        text = f"{text[: match.start()]} () {text[end:]}"
    return text


def names_in_sql(text: str, dialect: Any = None) -> set[str]:
    """The attribute names a user-written SQL condition presumably refers to.

    Quoted literals are dropped, quoted names (in `dialect`'s quoting; the default
    dialect's when None) are taken, words followed by `(` are
    functions, subqueries `(select ...)` are skipped, and the remaining lowercase words
    are names unless they are SQL keywords.
    Words with capitals are left alone, so `TRUE` or `Rig` never trip the check.
    """
    pattern = (dialect if dialect is not None else DIALECTS[0]).quoted_identifier_pattern()
    text = re.sub(r"\\[\"']", "", text)
    # quoted literals: '...', and "..." unless double quotes are the dialect's identifiers
    text = re.sub(r"'[^']*'" if pattern.startswith('"') else r"'[^']*'|\"[^\"]*\"", "", text)
    text = _without_subqueries(text)
    quoted = re.compile(pattern)
    names = {
        match["name"] for match in quoted.finditer(text) if _LOWER_NAME.fullmatch(match["name"])
    }
    text = quoted.sub(" ", text)
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
    return _translate(_Snapshot(heading), restriction, semantic_check)


class _Snapshot:
    """The heading facts translation reads, computed once per restriction (a list of
    100,000 keys reads them 100,000 times)."""

    def __init__(self, heading: Any) -> None:
        self.attributes = heading.attributes
        self.names = list(self.attributes)
        self.name_set = set(self.names)
        self.secondary_attributes = [n for n, a in self.attributes.items() if not a.in_key]
        self.dialect = getattr(heading, "dialect", None) or DIALECTS[0]


def _translate(heading: _Snapshot, restriction: Any, semantic_check: bool) -> Predicate | bool:
    restriction = as_relation(restriction)
    if isinstance(restriction, Not):
        return negate(_translate(heading, restriction.restriction, semantic_check))
    if isinstance(restriction, UniversalSet):
        return True
    if isinstance(restriction, (bool, np.bool_)):
        return bool(restriction)
    if isinstance(restriction, Predicate):
        return restriction
    if isinstance(restriction, str):
        text = restriction.strip()
        return SQLText(text, frozenset(names_in_sql(text, heading.dialect)))
    if isinstance(restriction, AndList):
        return conjunction([_translate(heading, item, semantic_check) for item in restriction])
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
        items = restriction if isinstance(restriction, (list, tuple)) else list(restriction)
        fast = _key_list(heading, items)
        if fast is not None:
            return fast
        return disjunction([_translate(heading, item, semantic_check) for item in items])
    raise invalid(restriction)


def _key_list(heading: _Snapshot, items: list | tuple) -> Predicate | None:
    """A list of dicts with the same plain keys and int/str values (fetched keys, the
    usual way to restrict by many rows) as one IN list, without translating each dict;
    None when the list is anything else (the general translation then applies)."""
    if len(items) < 2 or type(items[0]) is not dict:
        return None
    keys = tuple(items[0])
    attributes = heading.attributes
    columns = tuple(k for k in keys if k in heading.name_set)
    if not columns or any(
        attributes[c].uuid or attributes[c].json or _bulky(attributes[c]) for c in columns
    ):
        return None
    rows = []
    for item in items:
        if type(item) is not dict or tuple(item) != keys:
            return None
        row = tuple(item[c] for c in columns)
        if not all(type(v) in _PLAIN for v in row):
            return None
        rows.append(row)
    return InValues(columns, tuple(rows))


def _bulky(attr: Any) -> bool:
    return bool(attr.is_blob or attr.is_attachment or attr.is_filepath)


def _is_dataframe(obj: Any) -> bool:
    # pandas is optional: recognise a DataFrame without importing it
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "to_records")


def _mapping(heading: _Snapshot, mapping: Mapping) -> Predicate | bool:
    names = heading.name_set
    equalities: list[Predicate | bool] = []
    attributes = heading.attributes
    for key, value in mapping.items():
        if key in names:  # the common case: a plain attribute name
            name, path = key, None
        else:
            parsed = parse_json_attribute(key) if isinstance(key, str) else None
            if parsed is None or parsed.attribute not in names:
                continue
            name = parsed.attribute
            path = JSONPath(name, parsed.path, parsed.type) if parsed.path else None
        attr = attributes[name]
        if value is not None and _bulky(attr):
            # stored bytes are not compared: a fetched record restricts by its other fields
            continue
        equalities.append(_equality(attr, name, path, value, heading.dialect))
    return conjunction(equalities)


_PLAIN = frozenset({int, str})


def _equality(attr: Any, name: str, path: Any, value: Any, dialect: Any) -> Predicate:
    if path is not None:
        if isinstance(value, (dict, list)) and attr.json:
            return Equals(name, json.dumps(value), path, document=True)
        return Equals(name, value, path)
    if value is None:
        return Equals(name, None)
    if type(value) in _PLAIN and not (attr.uuid or attr.json):
        return Equals(name, value)  # the common case, kept cheap for long key lists
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        if math.isnan(value):
            # a NULL float fetched into an array reads back as nan; match it as NULL
            return Equals(name, None)
        raise DataJointError(
            f"Cannot restrict `{name}` by the non-finite number {value!r}: the database "
            "stores no infinity."
        )
    if attr.uuid:
        # the server's form of a uuid (MySQL: 16 bytes; PostgreSQL: a uuid)
        return Equals(name, dialect.uuid_value(_uuid_bytes(value, name)))
    if attr.json and isinstance(value, (dict, list)):
        value = json.dumps(value)
    return Equals(name, value)


def _uuid_bytes(value: Any, name: str) -> bytes:
    raw = uuid_bytes(value)
    if raw is None:
        raise DataJointError(
            f"Badly formed UUID {value!r} in restriction by `{name}`: give a uuid.UUID or its "
            "string form."
        )
    return raw


def _semijoin(heading: _Snapshot, other: Any, semantic_check: bool) -> Predicate | bool:
    if semantic_check:
        check_join_compatibility(_HeadingOnly(heading), other)
    common = tuple(name for name in other.heading.names if name in heading.name_set)
    if not common:
        # without shared attributes, any row of a non-empty set matches everything
        return bool(other)
    return InQuery(common, other)


class _HeadingOnly:
    """Lets the compatibility check see a heading as an operand."""

    def __init__(self, heading: Any) -> None:
        self.heading = heading
