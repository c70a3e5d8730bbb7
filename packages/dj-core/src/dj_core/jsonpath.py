"""JSON paths on json attributes: `attr.path[:type]`.

Recognising the notation is portable and lives here; the SQL that extracts the value is
the dialect's (`Dialect.json_value_sql`). dj-query uses both for restrictions and
projections, declaration uses them for functional index parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dj_core.dialects.mysql import MySQLDialect

__all__ = ["JsonAttribute", "parse_json_attribute", "render_json_value"]

_JSON_ATTRIBUTE = re.compile(
    r"^(?P<attribute>\w+)(\.(?P<path>[\w.*\[\]]+))?(:(?P<type>[\w(,\s)]+))?$"
)


@dataclass(frozen=True)
class JsonAttribute:
    """`attribute` with an optional JSON `path` (without the leading `$.`) and SQL `type`."""

    attribute: str
    path: str | None = None
    type: str | None = None


def parse_json_attribute(text: str) -> JsonAttribute | None:
    """Parse `attr`, `attr.a.b[0]` or `attr.a:decimal(4,1)`; None for anything else."""
    match = _JSON_ATTRIBUTE.match(text.strip())
    if match is None:
        return None
    type_ = match.group("type")
    return JsonAttribute(match.group("attribute"), match.group("path"), type_ and type_.strip())


def render_json_value(parsed: JsonAttribute, dialect: Any = None) -> str:
    """SQL extracting the value at `parsed.path` (the dialect's text; MySQL by default)."""
    if dialect is None:
        dialect = MySQLDialect()
    return dialect.json_value_sql(parsed.attribute, parsed.path or "", parsed.type)
