"""DDL generation: the CREATE TABLE text of definitions, and its errors.

Parents are in-memory headings (the duck-typed protocol of foreign-key references), so these
tests need no server; test_compat_upstream.py checks the same DDL on the server.
"""

from __future__ import annotations

import hashlib

import pytest
from dj_core import attribute_types
from dj_core.attribute_adapter import AttributeAdapter
from dj_core.attribute_types import HANDLER_PACKAGES, AttributeType, registered_types
from dj_core.declare import compile_definition, declare
from dj_core.errors import DataJointError
from dj_core.heading import Heading, default_attribute_properties


class Plain(AttributeType):
    def __init__(self, category: str):
        self.category = category


@pytest.fixture
def handlers():
    with registered_types(*(Plain(c) for c in HANDLER_PACKAGES)):
        yield


class Parent:
    """A stored table as the definition language sees it: heading + full name."""

    def __init__(self, full_table_name, *attrs, restriction=None):
        self.full_table_name = full_table_name
        self.restriction = restriction or []
        self.heading = Heading(
            dict(
                default_attribute_properties, name=n, type=t, in_key=k, comment=c, uuid=t == "uuid"
            )
            for n, t, k, c in attrs
        )

    @property
    def primary_key(self):
        return self.heading.primary_key

    def proj(self, **renames):
        projected = Parent.__new__(Parent)
        projected.full_table_name = self.full_table_name
        projected.restriction = []
        keep = [n for n in self.primary_key if n not in renames.values()]
        projected.heading = self.heading.select(keep, rename_map=renames)
        return projected


ANIMAL = Parent("`lab`.`animal`", ("animal_id", "int", True, "animal number"))
RIG = Parent("`lab`.`#rig`", ("rig", "varchar(8)", True, ""))
CELL = Parent(
    "`lab`.`cell`",
    ("animal_id", "int", True, "animal number"),
    ("cell_id", "smallint", True, ""),
    ("depth", "float", False, ""),
)
KEYED = Parent("`lab`.`keyed`", ("key_id", "uuid", True, "the key"))
CONTEXT = {"Animal": ANIMAL, "Rig": RIG, "Cell": CELL, "Keyed": KEYED}


def test_worked_example_of_the_spec(handlers):
    definition = """
    # recording sessions
    -> Animal
    session : smallint        # session number
    ---
    -> [nullable] Rig
    start = CURRENT_TIMESTAMP : timestamp
    notes = "" : varchar(255) # free "text"
    raw = null : blob@raw
    key_uuid : uuid
    index (start)
    """
    sql, stores = declare("`lab`.`session`", definition, CONTEXT)
    assert stores == ["raw"]
    assert sql == (
        "CREATE TABLE IF NOT EXISTS `lab`.`session` (\n"
        '`animal_id` int NOT NULL COMMENT "animal number",\n'
        '`session` smallint NOT NULL COMMENT "session number",\n'
        '`rig` varchar(8) COMMENT "",\n'
        "`start` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
        '`notes` varchar(255) NOT NULL DEFAULT "" COMMENT "free \\"text\\"",\n'
        '`raw` binary(16) DEFAULT NULL COMMENT ":blob@raw:",\n'
        '`key_uuid` binary(16) NOT NULL COMMENT ":uuid:",\n'
        "PRIMARY KEY (`animal_id`,`session`),\n"
        "FOREIGN KEY (`animal_id`) REFERENCES `lab`.`animal` (`animal_id`) "
        "ON UPDATE CASCADE ON DELETE RESTRICT,\n"
        "FOREIGN KEY (`rig`) REFERENCES `lab`.`#rig` (`rig`) ON UPDATE CASCADE ON DELETE RESTRICT,\n"
        "FOREIGN KEY (`raw`) REFERENCES `lab`.`~external_raw` (`hash`) "
        "ON UPDATE RESTRICT ON DELETE RESTRICT,\n"
        "index (`start`)\n"
        ') ENGINE=InnoDB, COMMENT "recording sessions"'
    )


def _columns(definition, context=None, **kwargs):
    sql, _ = declare("`db`.`t`", definition, context or CONTEXT, **kwargs)
    return [line.rstrip(",") for line in sql.split("\n")[1:-1]]


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("x : int", "`x` int NOT NULL"),
        ("x = null : int", "`x` int DEFAULT NULL"),
        ("x = NULL : int", "`x` int DEFAULT NULL"),
        ("x = 0 : int", '`x` int NOT NULL DEFAULT "0"'),
        ("x = 1.5 : float", '`x` float NOT NULL DEFAULT "1.5"'),
        ("x = 'a' : varchar(4)", "`x` varchar(4) NOT NULL DEFAULT 'a'"),
        ('x = "a:b" : varchar(4)', '`x` varchar(4) NOT NULL DEFAULT "a:b"'),
        ("x = abc : varchar(4)", '`x` varchar(4) NOT NULL DEFAULT "abc"'),
        (
            "x = CURRENT_TIMESTAMP(3) : timestamp(3)",
            "`x` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)",
        ),
        ("x = current_timestamp : datetime", "`x` datetime NOT NULL DEFAULT current_timestamp"),
        ("x : int unsigned auto_increment", "`x` int unsigned auto_increment NOT NULL"),
        ("x : bool # flag", '`x` bool NOT NULL COMMENT "flag"'),
        ("x : enum('M','F') # sex", "`x` enum('M','F') NOT NULL COMMENT \"sex\""),
        ("x : decimal(7,3)", "`x` decimal(7,3) NOT NULL"),
        ("x : json", "`x` json NOT NULL"),
        ("x = null : longblob", "`x` longblob DEFAULT NULL"),
        ("x : attach # file", '`x` longblob NOT NULL COMMENT ":attach:file"'),
        ("x : attach@s3 # obj", '`x` binary(16) NOT NULL COMMENT ":attach@s3:obj"'),
        ("x : uuid # id", '`x` binary(16) NOT NULL COMMENT ":uuid:id"'),
        ("x : int # {braces} ok", '`x` int NOT NULL COMMENT "{braces} ok"'),
        ("x : int # back\\slash", '`x` int NOT NULL COMMENT "back\\\\slash"'),
    ],
)
def test_attribute_sql(handlers, line, column):
    assert _columns(f"k : int\n---\n{line}")[1] == column


def test_filepath_needs_its_switch(handlers, monkeypatch):
    monkeypatch.delenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", raising=False)
    with pytest.raises(DataJointError, match="DJ_SUPPORT_FILEPATH_MANAGEMENT"):
        _columns("k : int\n---\nf : filepath@data")
    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "true")
    sql, stores = declare("`db`.`t`", "k : int\n---\nf : filepath@data", {})
    assert stores == ["data"]
    assert '`f` binary(16) NOT NULL COMMENT ":filepath@data:"' in sql
    assert "REFERENCES `db`.`~external_data` (`hash`)" in sql


class Graph(AttributeAdapter):
    attribute_type = "longblob"


class LabId(AttributeAdapter):
    attribute_type = "varchar(16)"


class StoredGraph(AttributeAdapter):
    attribute_type = "blob@store"


def test_adapted_types(handlers, monkeypatch):
    monkeypatch.setenv("DJ_SUPPORT_ADAPTED_TYPES", "TRUE")
    context = {"graph": Graph(), "lab_id": LabId(), "stored": StoredGraph()}
    columns = _columns("k : <lab_id>  # lab\n---\ng = null : <graph> # net\ns : <stored>", context)
    assert columns[0] == '`k` varchar(16) NOT NULL COMMENT ":<lab_id>:lab"'
    assert columns[1] == '`g` longblob DEFAULT NULL COMMENT ":<graph>:net"'
    assert columns[2] == '`s` binary(16) NOT NULL COMMENT ":<stored>:"'
    assert "REFERENCES `db`.`~external_store` (`hash`)" in columns[4]


def test_adapter_errors(handlers, monkeypatch):
    monkeypatch.delenv("DJ_SUPPORT_ADAPTED_TYPES", raising=False)
    with pytest.raises(DataJointError, match="DJ_SUPPORT_ADAPTED_TYPES"):
        _columns("k : int\n---\ng : <graph>", {"graph": Graph()})
    monkeypatch.setenv("DJ_SUPPORT_ADAPTED_TYPES", "TRUE")
    with pytest.raises(DataJointError, match="Attribute adapter 'graph' is not defined"):
        _columns("k : int\n---\ng : <graph>", {})
    with pytest.raises(DataJointError, match=r"instance of dj\.AttributeAdapter"):
        _columns("k : int\n---\ng : <graph>", {"graph": Graph})


def test_foreign_keys(handlers):
    sql, _ = declare(
        "`lab`.`synapse`",
        """
        -> Cell.proj(pre='cell_id')
        -> Cell.proj(post='cell_id')
        ---
        -> [nullable, unique] Rig
        -> Keyed
        """,
        CONTEXT,
    )
    lines = sql.split("\n")
    assert lines[1:6] == [
        '`animal_id` int NOT NULL COMMENT "animal number",',
        '`pre` smallint NOT NULL COMMENT "",',
        '`post` smallint NOT NULL COMMENT "",',
        '`rig` varchar(8) COMMENT "",',
        '`key_id` binary(16) NOT NULL COMMENT ":uuid:the key",',
    ]
    assert "PRIMARY KEY (`animal_id`,`pre`,`post`)," in lines
    assert (
        "FOREIGN KEY (`animal_id`,`pre`) REFERENCES `lab`.`cell` (`animal_id`,`cell_id`) "
        "ON UPDATE CASCADE ON DELETE RESTRICT," in lines
    )
    assert (
        "FOREIGN KEY (`animal_id`,`post`) REFERENCES `lab`.`cell` (`animal_id`,`cell_id`) "
        "ON UPDATE CASCADE ON DELETE RESTRICT," in lines
    )
    assert "UNIQUE INDEX (`rig`)" in lines


def test_classes_are_instantiated_and_declared_names_reused(handlers):
    class AnimalClass:
        def __init__(self):
            self.__dict__.update(vars(ANIMAL))

        primary_key = property(lambda self: self.heading.primary_key)

    sql, _ = declare(
        "`db`.`t`", "animal_id : int # mine\n-> AnimalClass", {"AnimalClass": AnimalClass}
    )
    assert sql.count("`animal_id` int") == 1
    assert '`animal_id` int NOT NULL COMMENT "mine"' in sql
    assert "FOREIGN KEY (`animal_id`) REFERENCES `lab`.`animal`" in sql


def test_indexes(handlers):
    sql, _ = declare(
        "`db`.`t`",
        "k : int\n---\na : int\nb : json\nindex(a)\nUNIQUE INDEX (a, k)\n"
        "index(b.name.first:varchar(20), a)",
        {},
    )
    lines = sql.split("\n")
    assert "index (`a`)," in lines
    assert "unique index (`a`,`k`)," in lines
    assert "index ((json_value(`b`, _utf8mb4'$.name.first' returning varchar(20))),`a`)" in lines


def test_hidden_timestamp(handlers):
    declaration = compile_definition("`db`.`t`", "k : int", {}, add_hidden_timestamp=True)
    digest = hashlib.sha1(b"db.t").hexdigest()
    assert f"`_{digest}_timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP" in declaration.sql


def test_table_comment_is_escaped(handlers):
    sql, _ = declare("`db`.`t`", '# a "quoted" comment\nk : int', {})
    assert sql.endswith('COMMENT "a \\"quoted\\" comment"')


def test_missing_handler_names_the_package(monkeypatch):
    monkeypatch.setattr(attribute_types, "_handlers", {})  # as if dj_query were not imported
    with pytest.raises(DataJointError, match="dj_query"):
        declare("`db`.`t`", "k : int\n---\nb : longblob", {})
    with pytest.raises(DataJointError, match="dj_external"):
        declare("`db`.`t`", "k : int\n---\nb : blob@raw", {})
    declare("`db`.`t`", "k : int\n---\nb : varchar(3)", {})  # plain types need no handler


DECLARATION_ERRORS = [
    ("k : text", "Unsupported attribute type"),
    ("k : varchar", "Unsupported attribute type"),
    ("k : binary(16)", "Unsupported attribute type"),
    ("k : bit(3)", "Unsupported attribute type"),
    ("k : int # :colon", "must not start with a colon"),
    ("k = null : int", "cannot be nullable"),
    ("---\nk : int", "must have a primary key"),
    ("-> [nullable] Animal", "cannot be nullable"),
    ("-> [wrong] Animal", 'Invalid foreign key option "WRONG"'),
    ("-> Missing", "Missing could not be resolved"),
    ("-> Restricted", "only a base table or its projection"),
    ("-> NotATable", "only a base table or its projection"),
    ("k : int\n---\nb = 'x' : longblob", "can only be NULL"),
    ("k : int\n---\nb = 0 : blob@raw", "can only be NULL"),
    ("b : longblob", "cannot be in the primary key"),
    ("j : json", "cannot be in the primary key"),
    ("a : attach", "cannot be in the primary key"),
    ("k : int\n---\nx : <nope>", "Adapt"),
]


@pytest.mark.parametrize(("definition", "message"), DECLARATION_ERRORS)
def test_declaration_errors(handlers, definition, message):
    context = dict(
        CONTEXT,
        Restricted=Parent("`lab`.`r`", ("r", "int", True, ""), restriction=["r > 1"]),
        NotATable=42,
    )
    with pytest.raises(DataJointError, match=message):
        declare("`db`.`t`", definition, context)


def test_table_name_length_limit():
    name = "x" * 65
    with pytest.raises(DataJointError, match="64"):
        declare(f"`db`.`{name}`", "k : int", {})
    declare(f"`db`.`{'x' * 64}`", "k : int", {})
