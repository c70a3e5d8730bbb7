"""The definition language's parser: line kinds, attribute/foreign-key/index lines, errors."""

from __future__ import annotations

import pytest
from dj_core.errors import DataJointError
from dj_core.grammar import (
    AttributeLine,
    DividerLine,
    ForeignKeyLine,
    IndexLine,
    parse_attribute,
    parse_definition,
    parse_foreign_key,
    parse_index,
    split_index_items,
)


@pytest.mark.parametrize(
    ("line", "name", "default", "type_", "comment"),
    [
        ("mouse_id : int unsigned  # lab id", "mouse_id", None, "int unsigned", "lab id"),
        ('notes = "" : varchar(1000)', "notes", '""', "varchar(1000)", ""),
        ("weight = null : float  # grams", "weight", "null", "float", "grams"),
        (
            "start = CURRENT_TIMESTAMP : timestamp(3)",
            "start",
            "CURRENT_TIMESTAMP",
            "timestamp(3)",
            "",
        ),
        ("id : int auto_increment", "id", None, "int auto_increment", ""),
        ("graph = null : <graph_adapter>", "graph", "null", "<graph_adapter>", ""),
        ("x=0:int", "x", "0", "int", ""),
        ('t = "a:b" : varchar(8) # colon: inside', "t", '"a:b"', "varchar(8)", "colon: inside"),
        ("e : enum('a#', 'b')  # hash in quotes", "e", None, "enum('a#', 'b')", "hash in quotes"),
        ("raw = null : blob@raw  # external", "raw", "null", "blob@raw", "external"),
        ("c : decimal(7,3)#no space", "c", None, "decimal(7,3)", "no space"),
        ("a2_b : longblob   #   padded   ", "a2_b", None, "longblob", "padded"),
    ],
)
def test_attribute_lines(line, name, default, type_, comment):
    parsed = parse_attribute(line)
    assert (parsed.name, parsed.default, parsed.type, parsed.comment) == (
        name,
        default,
        type_,
        comment,
    )


def test_foreign_key_lines():
    fk = parse_foreign_key("-> [nullable, Unique] Parent.proj(a='b')  # note")
    assert fk.options == ("nullable", "Unique")
    assert fk.reference.startswith("Parent.proj(a='b')")
    assert parse_foreign_key("->master.Other").reference == "master.Other"
    assert parse_foreign_key("-> [] Parent").options == ()


def test_index_lines():
    assert parse_index("index(a)") == IndexLine(False, ("a",), "index(a)")
    unique = parse_index("UNIQUE INDEX (a, b)")
    assert unique.unique and unique.items == ("a", "b")
    assert parse_index("index (j.x.y:decimal(4,1), k)").items == ("j.x.y:decimal(4,1)", "k")
    assert split_index_items("a, (b + c), d") == ("a", "(b + c)", "d")


def test_definition_structure_and_line_numbers():
    definition = """
    # the table comment
    a : int   # key
    -> Parent
    ---
    # just a comment
    b = 1 : int
    index(b)

    unique index(b, a)
    ___
    """
    parsed = parse_definition(definition)
    assert parsed.comment == "the table comment"
    kinds = [type(item) for item in parsed.items]
    assert kinds == [
        AttributeLine,
        ForeignKeyLine,
        DividerLine,
        AttributeLine,
        IndexLine,
        IndexLine,
        DividerLine,
    ]
    assert [item.lineno for item in parsed.items] == [2, 3, 4, 6, 7, 9, 10]


def test_arrow_after_quote_or_hash_is_not_a_foreign_key():
    parsed = parse_definition('a = "->" : varchar(4)\nb : int # -> not a reference')
    assert [type(i) for i in parsed.items] == [AttributeLine, AttributeLine]
    assert parsed.items[1].comment == "-> not a reference"


MALFORMED = [
    ("Mouse : int", "attribute name"),  # uppercase names do not parse
    ("mouse int", '":" before the type'),
    ("mouse :", "type"),
    ("mouse : # comment", "type"),
    ("mouse = : int", "default"),
    ("1mouse : int", "attribute name"),
    ("mouse_id : 5int", "type"),
    ("mouse = 'unclosed : int", '":" before the type'),
    ("index(a", "index"),
    ("index a", '"("'),
    ("unique index", '"("'),
    ("index()", "at least one attribute"),
    ("indexed_value : int", "index"),  # QUIRK kept: lines starting with "index" are indexes
    ("index : int", "index"),
    ("->", "referenced table"),
    ("-> [nullable", '"]"'),
    ("-> [nullable]", "referenced table"),
    ("(a) -> Parent", "must start with `->`"),
    ("a : int extra # comment ?", None),  # a type may hold spaces: parses (rejected later)
    ("just some words", '":" before the type'),
    ("mouse := int", "default"),
    ("mouse : int # ok\nsecond line : int", '":" before the type'),
]


@pytest.mark.parametrize(("line", "expected"), MALFORMED)
def test_malformed_lines_name_the_line_and_the_expectation(line, expected):
    definition = "# table\nkey : int\n---\n" + line
    if expected is None:
        parse_definition(definition)
        return
    with pytest.raises(DataJointError) as info:
        parse_definition(definition)
    message = str(info.value)
    assert "line 4" in message or "line 5" in message
    assert expected in message


def test_table_comment_must_not_start_with_colon():
    with pytest.raises(DataJointError, match="colon"):
        parse_definition("# :uuid: not allowed\na : int")


def test_definition_must_be_a_string():
    with pytest.raises(DataJointError, match="must be a string"):
        parse_definition(None)  # type: ignore[arg-type]
