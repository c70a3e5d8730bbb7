"""The table definition language: splitting a definition into lines and parsing each line.

This module only parses; it knows nothing of SQL. `parse_definition` returns the table
comment and one parsed item per meaningful line, each carrying its line number and text
so that later stages (declaration) can name the line in their errors too.

Line kinds, tested in this order: comment/empty, divider (`---`/`___`),
foreign key (`->` with no quote or `#` before it), index (`[unique] index(...)`),
attribute (`name [= default] : type [# comment]`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from dj_core.errors import DataJointError

if TYPE_CHECKING:
    import pyparsing as pp

__all__ = [
    "AttributeLine",
    "Definition",
    "DividerLine",
    "ForeignKeyLine",
    "IndexLine",
    "parse_attribute",
    "parse_definition",
    "parse_foreign_key",
    "parse_index",
    "split_index_items",
]


@dataclass(frozen=True)
class AttributeLine:
    name: str
    default: str | None  # text as written, None when absent
    type: str
    comment: str
    line: str = ""
    lineno: int = 0


@dataclass(frozen=True)
class ForeignKeyLine:
    options: tuple[str, ...]  # as written (case kept)
    reference: str  # Python expression, evaluated later in the declaration context
    line: str = ""
    lineno: int = 0


@dataclass(frozen=True)
class IndexLine:
    unique: bool
    items: tuple[str, ...]  # stripped items, split on commas outside parentheses
    line: str = ""
    lineno: int = 0


@dataclass(frozen=True)
class DividerLine:
    line: str = ""
    lineno: int = 0


@dataclass(frozen=True)
class Definition:
    comment: str
    items: tuple[AttributeLine | ForeignKeyLine | IndexLine | DividerLine, ...]


def _build_attribute_parser() -> pp.ParserElement:
    import pyparsing as pp

    quoted = pp.QuotedString('"', esc_char="\\", unquote_results=False) | pp.QuotedString(
        "'", esc_char="\\", unquote_results=False
    )
    name = pp.Regex(r"[a-z][a-z0-9_]*").set_name("attribute name (lowercase)")
    # a default runs up to the ":" before the type; a ":" inside quotes does not end it
    default = pp.Combine(pp.OneOrMore(quoted | pp.Regex(r"[^:\"']+"))).set_name("default value")
    adapted = pp.Regex(r"<[^<>#]+>").set_name("<adapter>")
    sql_type = pp.Combine(
        pp.Regex(r"[a-zA-Z]") + pp.ZeroOrMore(quoted | pp.Regex(r"[^#\"']+"))
    ).set_name("type")
    comment = pp.Regex(r".*").set_name("comment")
    return (
        name("name")
        + pp.Optional(pp.Suppress("=") + default("default"))
        + pp.Suppress(":").set_name('":" before the type')
        + (adapted | sql_type)("type")
        + pp.Optional(pp.Suppress("#") + comment("comment"))
        + pp.StringEnd().set_name("end of line")
    )


def _build_foreign_key_parser() -> pp.ParserElement:
    import pyparsing as pp

    option = pp.Regex(r"\w+").set_name("option")
    options = (
        pp.Suppress("[")
        - pp.Optional(pp.DelimitedList(option))("options")
        + pp.Suppress("]").set_name('"]"')
    )
    reference = pp.Regex(r"[^\s\[].*").set_name("referenced table")
    return (
        pp.Suppress(pp.Literal("->").set_name('"->" at the start of the line'))
        + pp.Optional(options)
        + reference("reference")
    )


def _build_index_parser() -> pp.ParserElement:
    import pyparsing as pp

    unique = pp.CaselessKeyword("unique")
    index = pp.CaselessKeyword("index")
    return (
        pp.Optional(unique)("unique")
        + index
        + pp.Suppress(pp.Literal("(").set_name('"("'))
        + pp.Regex(r".*(?=\))")("items").set_name('an attribute list closed by ")"')
        + pp.Suppress(")").set_name('")"')
        + pp.StringEnd().set_name("end of line")
    )


@cache
def _parser(kind: str) -> pp.ParserElement:
    """The parser of one line kind, built on first use: importing pyparsing and building
    the grammar costs tens of milliseconds that `import datajoint` should not pay."""
    builders = {
        "attribute": _build_attribute_parser,
        "foreign key": _build_foreign_key_parser,
        "index": _build_index_parser,
    }
    return builders[kind]()


def _parse_errors() -> type[Exception]:
    import pyparsing as pp

    return pp.ParseBaseException


_INDEX_LINE = re.compile(r"^(unique\s+)?index", re.I)


def _syntax_error(
    error: pp.ParseBaseException, line: str, lineno: int, kind: str
) -> DataJointError:
    where = f"line {lineno} " if lineno else ""
    found = line[error.loc :] or "end of line"
    expected = str(error.msg).removeprefix("Expected ")
    return DataJointError(
        f'Table definition syntax error in {where}"{line}": this {kind} line expects '
        f"{expected} at position {error.loc + 1}, found {found!r}. "
        f"Attribute lines read `name [= default] : type [# comment]`, foreign keys "
        f"`-> [options] Table`, indexes `[unique] index(attr, ...)`."
    )


def parse_attribute(line: str, lineno: int = 0) -> AttributeLine:
    try:
        result = _parser("attribute").parse_string(line, parse_all=True)
    except _parse_errors() as error:
        raise _syntax_error(error, line, lineno, "attribute") from None
    default = result.get("default")
    return AttributeLine(
        name=result["name"],
        default=default.strip() if default is not None else None,
        type=result["type"].strip(),
        comment=(result.get("comment") or "").strip(),
        line=line,
        lineno=lineno,
    )


def parse_foreign_key(line: str, lineno: int = 0) -> ForeignKeyLine:
    try:
        result = _parser("foreign key").parse_string(line, parse_all=True)
    except _parse_errors() as error:
        if not line.lstrip().startswith("->"):
            raise DataJointError(
                f'Table definition syntax error in line {lineno} "{line}": a foreign key line '
                "must start with `->` (renaming attributes before the arrow is not supported; "
                "use `-> Table.proj(new_name='old_name')`)."
            ) from None
        raise _syntax_error(error, line, lineno, "foreign key") from None
    return ForeignKeyLine(
        options=tuple(result.get("options", ())),
        reference=result["reference"].strip(),
        line=line,
        lineno=lineno,
    )


def split_index_items(text: str) -> tuple[str, ...]:
    """Split on commas that are not inside parentheses."""
    items = re.findall(r"(?:[^,(]|\([^)]*\))+", text)
    return tuple(item.strip() for item in items if item.strip())


def parse_index(line: str, lineno: int = 0) -> IndexLine:
    try:
        result = _parser("index").parse_string(line, parse_all=True)
    except _parse_errors() as error:
        found = _syntax_error(error, line, lineno, "index")
        if ":" in line:
            found = DataJointError(
                found.args[0] + " Lines starting with 'index' are read as indexes, so an "
                "attribute name cannot begin with 'index'."
            )
        raise found from None
    items = split_index_items(result["items"])
    if not items:
        raise DataJointError(
            f'Table definition syntax error in line {lineno} "{line}": an index needs at '
            "least one attribute, as in `index(attr1, attr2)`."
        )
    return IndexLine(unique=bool(result.get("unique")), items=items, line=line, lineno=lineno)


def _is_foreign_key(line: str) -> bool:
    """`->` present with no quote or `#` before it."""
    arrow = line.find("->")
    return arrow >= 0 and not any(c in "\"'#" for c in line[:arrow])


def parse_definition(definition: str) -> Definition:
    """Split `definition` into its table comment and parsed lines."""
    if not isinstance(definition, str):
        raise DataJointError(
            f"A table definition must be a string, not {type(definition).__name__}."
        )
    lines = [line.strip() for line in definition.strip().split("\n")]
    comment = ""
    start = 0
    if lines and lines[0].startswith("#"):
        comment = lines[0][1:].strip()
        start = 1
        if comment.startswith(":"):
            raise DataJointError(
                f'Table comment "{comment}" must not start with a colon ":" '
                "(colons mark special types in comments)."
            )
    items: list[AttributeLine | ForeignKeyLine | IndexLine | DividerLine] = []
    for offset, line in enumerate(lines[start:], start=start + 1):
        if not line or line.startswith("#"):
            continue
        if line.startswith("---") or line.startswith("___"):
            items.append(DividerLine(line, offset))
        elif _is_foreign_key(line):
            items.append(parse_foreign_key(line, offset))
        elif _INDEX_LINE.match(line):
            items.append(parse_index(line, offset))
        else:
            items.append(parse_attribute(line, offset))
    return Definition(comment, tuple(items))
