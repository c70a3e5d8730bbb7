"""The attribute-type registry: recognising DataJoint types and dispatching their behaviour.

Recognition stays here so any heading loads, whatever packages are imported: the
patterns of a declared type (`int unsigned`, `blob@raw`, `<graph>`), the `:type:`
markers stored in column comments, and the flags a heading derives from them.

Behaviour (the column SQL, preparing the schema before a declaration, encoding on
insert, decoding on fetch) comes from handlers that higher packages register:
dj-query registers native blobs, uuid, json and adapted types; dj-external registers
`blob@store`, `attach`, `attach@store` and `filepath@store`. Ordinary SQL types
(numbers, strings, temporals, enum, bool) need no handler. Declaring, inserting or
fetching a type whose handler is missing raises a `DataJointError` naming the package.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dj_core.dialects.mysql import MySQLDialect
from dj_core.errors import DataJointError

__all__ = [
    "EXTERNAL_TYPES",
    "HANDLER_PACKAGES",
    "NATIVE_TYPES",
    "SERIALIZED_TYPES",
    "SPECIAL_TYPES",
    "TYPE_PATTERNS",
    "AttributeType",
    "TypeContext",
    "classify",
    "get_handler",
    "has_handler",
    "match_type",
    "register_type",
    "registered_types",
    "store_of",
    "unregister_type",
]

_STORE = r"(?P<store>[a-z][\-\w]*)"

# category → pattern, in the order they are tried. Every pattern is anchored at both
# ends: 0.14 left INTEGER open at the end, so a misspelt `tinyinteger` passed as an
# integer and only the server refused it.
TYPE_PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "INTEGER": r"(((tiny|small|medium|big|)int|int[12348]|middleint|integer)"
        r"(\s*\(.+\))?(\s+unsigned)?(\s+zerofill)?(\s+auto_increment)?|serial)$",
        "DECIMAL": r"(decimal|numeric)(\s*\(.+\))?(\s+unsigned)?$",
        "FLOAT": r"(double|float|real)(\s*\(.+\))?(\s+unsigned)?$",
        "STRING": r"(var)?char\s*\(.+\)$",
        "JSON": r"json$",
        "ENUM": r"enum\s*\(.+\)$",
        "BOOL": r"bool(ean)?$",
        "TEMPORAL": r"(date|datetime|time|timestamp|year)(\s*\(.+\))?$",
        "INTERNAL_BLOB": r"(tiny|small|medium|long|)blob$",
        "EXTERNAL_BLOB": rf"blob@{_STORE}$",
        "INTERNAL_ATTACH": r"attach$",
        "EXTERNAL_ATTACH": rf"attach@{_STORE}$",
        "FILEPATH": rf"filepath@{_STORE}$",
        "UUID": r"uuid$",
        "ADAPTED": r"<.+>$",
    }.items()
}

# types whose stored column comment carries the `:type:` marker
SPECIAL_TYPES = frozenset(
    {"UUID", "INTERNAL_ATTACH", "EXTERNAL_ATTACH", "EXTERNAL_BLOB", "FILEPATH", "ADAPTED"}
)
NATIVE_TYPES = frozenset(TYPE_PATTERNS) - SPECIAL_TYPES
EXTERNAL_TYPES = frozenset({"EXTERNAL_ATTACH", "EXTERNAL_BLOB", "FILEPATH"})
# types that hold serialized bytes: only NULL may be their default
SERIALIZED_TYPES = frozenset(
    {"EXTERNAL_ATTACH", "INTERNAL_ATTACH", "EXTERNAL_BLOB", "INTERNAL_BLOB"}
)
# types that cannot be part of a primary key
NON_KEY_TYPES = SERIALIZED_TYPES | {"FILEPATH", "JSON"}

# categories that need a registered handler, and the package that registers it
HANDLER_PACKAGES: dict[str, str] = {
    "INTERNAL_BLOB": "dj_query",
    "UUID": "dj_query",
    "JSON": "dj_query",
    "ADAPTED": "dj_query",
    "EXTERNAL_BLOB": "dj_external",
    "INTERNAL_ATTACH": "dj_external",
    "EXTERNAL_ATTACH": "dj_external",
    "FILEPATH": "dj_external",
}


def match_type(type_text: str) -> tuple[str, re.Match[str]]:
    """(category, match) of a declared type; `DataJointError` for an unsupported type."""
    text = type_text.strip()
    for category, pattern in TYPE_PATTERNS.items():
        match = pattern.match(text)
        if match:
            return category, match
    raise DataJointError(
        f'Unsupported attribute type "{type_text}": use one of the DataJoint types '
        "(integer, decimal, float, char(n)/varchar(n), enum, bool, date/time types, json, "
        "blob types, uuid, attach, blob@store, attach@store, filepath@store, <adapter>)."
    )


@functools.lru_cache(maxsize=4096)
def classify(type_text: str) -> str:
    """The category of a declared type (e.g. "INTEGER", "EXTERNAL_BLOB"). Cached: every
    insert asks it for every column (a populate's `make` inserting one row per key asked
    it with a dozen regular expressions per column per key)."""
    return match_type(type_text)[0]


def store_of(type_text: str) -> str | None:
    """The store name of an external type (`blob@raw` → "raw"), else None."""
    category, match = match_type(type_text)
    return match.group("store") if category in EXTERNAL_TYPES else None


@dataclass
class TypeContext:
    """What a handler may need besides the value: the attribute, where it lives, and
    free-form extras (e.g. `download_path`, the declaration context for adapters).
    """

    attribute: Any = None
    connection: Any = None
    database: str | None = None
    table: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class AttributeType:
    """Base class of a type handler. Subclasses set `category` and override what they need.

    * `declare_sql(type_text, dialect)` → the SQL column type (default: the dialect's
      mapping: uuid/external → `binary(16)`, attach → `longblob`, others as written).
    * `before_declare(schema, type_text)`: prepare the schema before `CREATE TABLE`
      (dj-external creates `~external_<store>` here, which the column's FK needs).
    * `encode(value, ctx)` → the value sent to the server on insert.
    * `encode_column(values, ctx)` → the encoded values of a whole inserted column (None
      never reaches it: it becomes DEFAULT); insert calls this once per column. The
      default maps `encode`; override it to batch (e.g. upload all external objects of
      one insert together).
    * `decode(raw, ctx)` → the Python value of one fetched cell.
    * `decode_column(values, ctx)` → a whole fetched column; fetch calls this once per
      column. The default maps `decode`; override it to batch (e.g. one query for the
      external tracking rows of a column).
    """

    category: str = ""

    def declare_sql(self, type_text: str, dialect: Any = None) -> str:
        dialect = dialect if dialect is not None else _DEFAULT_DIALECT
        return dialect.column_type(self.category, type_text)

    def before_declare(self, schema: Any, type_text: str) -> None:
        return None

    def encode(self, value: Any, ctx: TypeContext) -> Any:
        return value

    def encode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        encode = self.encode
        return [encode(value, ctx) for value in values]

    def decode(self, raw: Any, ctx: TypeContext) -> Any:
        return raw

    def decode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        decode = self.decode
        return [decode(value, ctx) for value in values]


_DEFAULT_DIALECT = MySQLDialect()
_handlers: dict[str, AttributeType] = {}


def register_type(handler: AttributeType) -> None:
    """Register (or replace) the handler of `handler.category`."""
    if handler.category not in TYPE_PATTERNS:
        raise DataJointError(
            f"Cannot register a handler for unknown type category {handler.category!r}; "
            f"categories are {', '.join(TYPE_PATTERNS)}."
        )
    _handlers[handler.category] = handler


def unregister_type(category: str) -> None:
    _handlers.pop(category, None)


@contextmanager
def registered_types(*handlers: AttributeType) -> Iterator[None]:
    """Temporarily register handlers (restoring the previous ones afterwards)."""
    saved = {h.category: _handlers.get(h.category) for h in handlers}
    for handler in handlers:
        register_type(handler)
    try:
        yield
    finally:
        for category, previous in saved.items():
            if previous is None:
                _handlers.pop(category, None)
            else:
                _handlers[category] = previous


def has_handler(category: str) -> bool:
    return category in _handlers or category not in HANDLER_PACKAGES


_PLAIN = AttributeType()


def get_handler(category: str, *, purpose: str = "use") -> AttributeType:
    """The handler of `category`. Plain SQL types get a pass-through handler; a special
    type whose package has not registered its handler raises a `DataJointError`."""
    handler = _handlers.get(category)
    if handler is not None:
        return handler
    package = HANDLER_PACKAGES.get(category)
    if package is None:
        return _PLAIN
    readable = category.lower().replace("_", " ")
    raise DataJointError(
        f"Cannot {purpose} an attribute of type {readable}: no handler is registered for it. "
        f"Import {package} (or datajoint) first."
    )
