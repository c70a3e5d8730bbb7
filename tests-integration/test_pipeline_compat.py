"""What real pipelines, everyday tools and DataJoint 0.14 code do with tables, done the way
they do it: a module with a deferred schema activated with `add_objects`, `help()` and
`inspect` on table classes, template masters with parts, the exception classes 0.14
code catches, `tier_regexp`, prompts answered through `builtins.input`, values the
server refuses and `bigint unsigned` beyond 2**63."""

from __future__ import annotations

import builtins
import importlib.util
import inspect
import pydoc
import re
import sys
import textwrap

import datajoint as dj
import numpy as np
import pytest


@pytest.fixture
def connect(db_params):
    """The process-wide `dj.conn()` as 0.14 code uses it, pointed at the backend; the
    settings it changes are put back afterwards."""
    keys = ("database.backend", "database.name", "database.driver", "safemode")
    saved = {key: dj.config.get(key) for key in keys}
    dj.config["database.driver"] = None  # the backend's default driver
    db_params.configure(dj.config)
    dj.config["safemode"] = False
    yield dj.conn(reset=True)
    dj.conn().close()
    dj.conn.connection = None
    for key, value in saved.items():
        dj.config[key] = value


@pytest.fixture
def schema(connect, make_database):
    return dj.Schema(make_database("compat"))


# --- a deferred schema activated with add_objects ----------------------------------

REPORT_MODULE = '''
import datajoint as dj

schema = dj.Schema()
up = None


def activate(schema_name, upstream_schema_name):
    global up
    up = dj.VirtualModule("up", upstream_schema_name)
    schema.activate(schema_name, add_objects=up.__dict__)


@schema
class Report(dj.Manual):
    definition = """
    -> up.Thing
    report : int
    """
'''


def _import_file(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_add_objects_leave_the_module_namespace_alone(connect, make_database, tmp_path):
    upstream_name, report_name = make_database("up"), make_database("report")
    upstream = dj.Schema(upstream_name)

    @upstream
    class Thing(dj.Manual):
        definition = "thing : int"

    Thing.insert1({"thing": 1})
    (tmp_path / "compat_report.py").write_text(REPORT_MODULE)
    report = _import_file(tmp_path / "compat_report.py", "compat_report")
    try:
        report.activate(report_name, upstream_name)
        assert report.schema.database == report_name  # not the virtual module's schema
        assert report.Report.database == report_name
        assert report.Report.parents() == [Thing.full_table_name]
        assert "Report" not in vars(report.up)  # nothing leaked the other way either
        report.Report.insert1({"thing": 1, "report": 7})
        report.schema.drop(force=True)  # the dependent schema first, as a user would
        upstream.drop(force=True)
        assert report_name not in dj.list_schemas() and upstream_name not in dj.list_schemas()
    finally:
        sys.modules.pop("compat_report", None)


def test_add_objects_of_an_activated_schema_reach_later_classes(connect, make_database):
    extra = {"Named": type("Named", (dj.Lookup,), {"definition": "name : varchar(8)"})}
    first = dj.Schema(make_database("first"))
    first(extra["Named"])
    second = dj.Schema(make_database("second"), add_objects=extra)
    namespace = {"dj": dj}

    class Uses(dj.Manual):
        definition = """
        -> Named
        n : int
        """

    second(Uses, context=namespace)
    assert Uses.parents() == [extra["Named"].full_table_name]
    assert "Named" not in namespace  # the caller's namespace is not written into


# --- help() and inspect on table classes -----------------------------------------


TIERS = [dj.Manual, dj.Lookup, dj.Imported, dj.Computed, dj.Part, dj.Table]


@pytest.mark.parametrize("tier", TIERS, ids=lambda tier: tier.__name__)
def test_help_and_inspect_walk_the_tier_classes(tier, capsys):
    help(tier)
    assert tier.__name__ in capsys.readouterr().out
    members = dict(inspect.getmembers(tier))
    assert "insert" in members and "fetch" in members
    # an unbound class has no table yet: inspect lists the descriptor itself
    assert not isinstance(members["full_table_name"], str)
    assert not hasattr(tier, "full_table_name") and not hasattr(tier, "definition")


def test_free_tables_and_deferred_schemas_are_inspectable(capsys):
    members = dict(inspect.getmembers(dj.FreeTable))  # its instances need arguments
    assert members["insert"] is vars(dj.Table)["insert"]  # the plain function
    deferred = dj.Schema()
    inspect.getmembers(deferred)
    help(deferred)
    assert "Schema" in capsys.readouterr().out
    assert not hasattr(deferred, "exists")
    with pytest.raises(dj.DataJointError, match="activate"):
        deferred.jobs  # noqa: B018


def test_unbound_user_classes_are_inspectable_and_still_say_what_to_do():
    class Draft(dj.Manual):
        """A table not decorated yet."""

        definition = "draft : int"

        class Line(dj.Part):
            definition = """
            -> master
            line : int
            """

    text = pydoc.render_doc(Draft)
    assert "A table not decorated yet." in text
    assert dict(inspect.getmembers(Draft))["definition"] == "draft : int"
    inspect.getmembers(Draft.Line)
    with pytest.raises(dj.DataJointError, match="not associated with a schema"):
        Draft.full_table_name  # noqa: B018
    with pytest.raises(dj.DataJointError, match="decorate"):
        Draft().fetch()


def test_a_foreign_key_to_an_unbound_class_says_so(schema):
    class Unbound(dj.Manual):
        definition = "unbound : int"

    class Child(dj.Manual):
        definition = """
        -> Unbound
        child : int
        """

    with pytest.raises(dj.DataJointError, match="not decorated with a schema"):
        schema(Child, context={"Unbound": Unbound})


def test_a_bound_tables_doc_includes_its_definition(schema, capsys):
    @schema
    class Animal(dj.Manual):
        """Animals of the lab."""

        definition = """
        animal : int
        """

        class Leg(dj.Part):
            definition = """
            -> master
            leg : int
            """

    @schema
    class Plain(dj.Manual):
        definition = "plain : int"

    for table in (Animal, Animal(), Animal.Leg, Plain, Plain()):
        assert table.definition in table.__doc__
    assert Animal.__doc__.startswith("Animals of the lab.")
    help(Animal)
    out = capsys.readouterr().out
    assert "animal : int" in out
    members = dict(inspect.getmembers(Animal))
    assert members["full_table_name"] == Animal.full_table_name


# --- a template master with parts, subclassed per source ----------------------------


def test_a_subclassed_template_master_gets_its_own_parts(schema):
    @schema
    class Source(dj.Manual):
        definition = "source_id : int"

    @schema
    class OtherSource(dj.Manual):
        definition = "other_id : int"

    class Template(dj.Manual):  # unbound: a template for several concrete tables
        definition = """
        -> self.source
        """

        class H(dj.Part):
            definition = """
            -> master
            h : int
            """

        class C(dj.Part):
            definition = """
            -> master.H
            c : int
            """

    @schema
    class D(Template):
        source = Source

    @schema
    class E(Template):
        source = OtherSource

    assert D.H is not Template.H and issubclass(D.H, Template.H) and D.H.master is D
    assert E.C.master is E and Template.H.master is None  # the template is unchanged
    database = schema.database
    assert D.C.full_table_name == schema.connection.dialect.full_table_name(database, "d__c")
    assert D.C.parents() == [D.H.full_table_name]
    assert E.H.parents() == [E.full_table_name]
    assert E.parents() == [OtherSource.full_table_name]
    Source.insert1({"source_id": 1})
    D.insert1({"source_id": 1})
    D.H.insert1({"source_id": 1, "h": 2})
    D.C.insert1({"source_id": 1, "h": 2, "c": 3})
    assert D.C.fetch1() == {"source_id": 1, "h": 2, "c": 3}
    assert set(D.parts()) == {D.H.full_table_name, D.C.full_table_name}


# --- the exception classes 0.14 code catches ----------------------------------------


@pytest.fixture
def pairs(schema):
    @schema
    class Pair(dj.Manual):
        definition = """
        a : int
        ---
        b = null : int
        """

    return Pair


@pytest.mark.parametrize(
    "rows",
    [
        [{"a": 1, "b": 2}, {"a": 2, "c": 3}],  # 0.14: DataJointError (ours was KeyError)
        [{"a": 1}, {"a": 2, "b": 3}],
        [{"a": 1, "b": 2}, {"a": 2}],
    ],
)
def test_rows_with_different_fields_are_a_datajoint_error(pairs, rows):
    with pytest.raises(dj.DataJointError, match="different fields"):
        pairs.insert(rows)
    assert len(pairs()) == 0


def test_an_unknown_field_is_a_key_error(pairs):
    with pytest.raises(KeyError, match="zz"):
        pairs.insert1({"a": 1, "zz": 2})
    with pytest.raises(KeyError, match="zz"):
        pairs.insert([{"a": 1, "b": 2}, {"a": 2, "b": 3, "zz": 4}])
    assert len(pairs()) == 0


def test_binding_a_class_without_definition(schema):
    class NoDefinition(dj.Manual):
        pass

    with pytest.raises(NotImplementedError) as caught:  # 0.14's class
        schema(NoDefinition)
    assert isinstance(caught.value, dj.DataJointError)
    assert "NoDefinition" in str(caught.value) and "definition" in str(caught.value)
    assert "no_definition" not in schema.list_tables()


def test_an_unknown_type_is_refused_before_any_sql(schema, monkeypatch):
    sent = []
    query = type(schema.connection).query

    def recording(self, sql, *args, **kwargs):
        sent.append(str(sql))
        return query(self, sql, *args, **kwargs)

    monkeypatch.setattr(type(schema.connection), "query", recording)

    class Misspelt(dj.Manual):
        definition = """
        misspelt_id : int
        ---
        count : tinyinteger
        """

    with pytest.raises(dj.DataJointError, match=r"`count`.*tinyinteger") as caught:
        schema(Misspelt)
    assert not isinstance(caught.value, dj.errors.QueryError)  # not the server's refusal
    assert not any("CREATE TABLE" in sql for sql in sent)


# --- names 0.14 code reaches ------------------------------------------------------


def test_tier_regexp_matches_upstream(upstream):
    theirs = upstream.run_json(
        """
        import json
        import datajoint as dj
        tiers = (dj.Manual, dj.Lookup, dj.Imported, dj.Computed, dj.Part)
        print(json.dumps({tier.__name__: tier.tier_regexp for tier in tiers}))
        """
    )
    for tier in (dj.Manual, dj.Lookup, dj.Imported, dj.Computed, dj.Part):
        for name in ("subject", "#lookup_type", "_raw_scan", "__spike_rate", "session__trial"):
            ours = re.fullmatch(tier.tier_regexp, name) is not None
            assert ours == (re.fullmatch(theirs[tier.__name__], name) is not None), (tier, name)
    assert re.fullmatch(dj.Computed.tier_regexp, "__spike_rate")
    assert not re.fullmatch(dj.Imported.tier_regexp, "subject")


def test_module_names_0_14_code_reads():
    assert dj.settings.default["database.port"] == 3306
    assert dj.settings.default is dj.settings.DEFAULTS


def test_restrict_in_place(pairs):
    pairs.insert([{"a": 1}, {"a": 2}])
    query = pairs()
    query.restrict_in_place({"a": 2})
    assert query.fetch1("a") == 2 and len(pairs()) == 2


def test_every_prompt_answers_through_builtins_input(schema, monkeypatch):
    dj.config["safemode"] = True
    asked = []

    def answer(prompt=""):
        asked.append(prompt)
        return "yes"

    monkeypatch.setattr(builtins, "input", answer)

    @schema
    class Prompted(dj.Manual):
        definition = "prompted : int"

    Prompted.insert1({"prompted": 1})
    Prompted.delete()
    assert len(Prompted()) == 0
    Prompted.drop()
    assert "prompted" not in schema.list_tables()
    assert dj.utils.user_choice("Proceed?") == "yes"
    schema.drop()
    assert not schema.exists
    assert len(asked) == 4
    assert all("[yes, No]" in prompt or "[yes, no]" in prompt for prompt in asked)


def test_the_kill_prompt_answers_through_builtins_input(connect, monkeypatch, capsys):
    monkeypatch.setattr(builtins, "input", lambda prompt="": "q")
    dj.kill()
    assert "ID" in capsys.readouterr().out  # the process list was shown, then "q" quit


# --- the types a heading reports: MySQL's spelling, on either server ------------------

SPELLED = """
# every attribute written as users write them
reading : int unsigned
---
speed = 'Fast' : enum('Fast', 'slow',  'Very Slow')  # spaces and mixed case
mode : ENUM("On" , "off")
label = "none" : varchar( 12 )
price = 1.50 : decimal(6, 2)
cost = null : decimal(8, 3) unsigned
small = 3 : tinyint unsigned
big : bigint unsigned
medium : mediumint unsigned
count : integer
stamp = CURRENT_TIMESTAMP(3) : datetime(3)
made = CURRENT_TIMESTAMP : timestamp
day = "2024-01-31" : date
ratio = null : float
"""


def test_headings_report_types_as_mysql_spells_them(schema):
    """0.14 code compares these strings: PostgreSQL reports what MySQL does."""

    @schema
    class Spelled(dj.Manual):
        definition = SPELLED

    attributes = Spelled.heading.attributes
    assert {name: (a.type, a.default) for name, a in attributes.items()} == {
        "reading": ("int unsigned", None),
        "speed": ("enum('Fast','slow','Very Slow')", '"Fast"'),
        "mode": ("enum('On','off')", None),
        "label": ("varchar(12)", '"none"'),
        "price": ("decimal(6,2)", "1.50"),
        "cost": ("decimal(8,3) unsigned", "null"),
        "small": ("tinyint unsigned", "3"),
        "big": ("bigint unsigned", None),
        "medium": ("mediumint unsigned", None),
        "count": ("int", None),
        "stamp": ("datetime(3)", "CURRENT_TIMESTAMP(3)"),
        "made": ("timestamp", "CURRENT_TIMESTAMP"),
        "day": ("date", '"2024-01-31"'),
        "ratio": ("float", "null"),
    }
    assert Spelled.describe(printout=False).splitlines() == [
        "# every attribute written as users write them",
        "reading              : int unsigned",
        "---",
        "speed=\"Fast\"         : enum('Fast','slow','Very Slow') # spaces and mixed case",
        "mode                 : enum('On','off')",
        'label="none"         : varchar(12)',
        "price=1.50           : decimal(6,2)",
        "cost=null            : decimal(8,3) unsigned",
        "small=3              : tinyint unsigned",
        "big                  : bigint unsigned",
        "medium               : mediumint unsigned",
        "count                : int",
        "stamp=CURRENT_TIMESTAMP(3) : datetime(3)",
        "made=CURRENT_TIMESTAMP : timestamp",
        'day="2024-01-31"     : date',
        "ratio=null           : float",
    ]


# --- do better than 0.14 -----------------------------------------------------------


@pytest.fixture
def values(schema):
    @schema
    class Reading(dj.Manual):
        definition = """
        reading : int
        ---
        kind : enum('fast', 'slow')
        level : tinyint unsigned
        label : varchar(4)
        """

    return Reading


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("kind", "medium"), ("level", 256), ("label", "toolong")],
)
def test_a_refused_value_names_table_attribute_and_value(values, attribute, value):
    good = {"kind": "fast", "level": 1, "label": "ok"}
    rows = [{"reading": i, **good} for i in range(5)]
    rows[3][attribute] = value
    with pytest.raises(dj.errors.ValueRejectedError) as caught:
        values.insert(rows)
    error = caught.value
    assert isinstance(error, dj.DataJointError)
    driver = values.connection.dialect.driver  # PyMySQL, or mysqlclient when DJ_DRIVER says
    assert isinstance(error, driver.DataError)  # what 0.14 let escape, still caught
    message = str(error)
    assert values.full_table_name in message and f"`{attribute}`" in message
    assert repr(value) in message
    assert (error.table, error.attribute, error.value) == (
        values.full_table_name,
        attribute,
        value,
    )
    assert len(values()) == 0  # nothing of the insert is kept


def test_a_refused_value_in_a_later_statement_is_named(values, monkeypatch):
    import dj_query.insert

    monkeypatch.setattr(dj_query.insert, "_STATEMENT_CAP", 300)  # a few rows per statement
    rows = [{"reading": i, "kind": "slow", "level": i % 200, "label": "x"} for i in range(60)]
    rows[47]["level"] = 300
    with pytest.raises(dj.errors.ValueRejectedError) as caught:
        values.insert(rows)
    assert caught.value.value == 300 and caught.value.attribute == "level"
    assert len(values()) == 0


def test_inserting_a_query_names_the_table_of_a_refused_value(values, schema):
    @schema
    class Wide(dj.Manual):
        definition = """
        reading : int
        ---
        kind : varchar(10)
        level : int
        label : varchar(20)
        """

    Wide.insert1({"reading": 1, "kind": "fast", "level": 1000, "label": "ok"})
    with pytest.raises(dj.errors.ValueRejectedError, match="`level`") as caught:
        values.insert(Wide)
    assert caught.value.table == values.full_table_name
    assert values.full_table_name in str(caught.value)
    assert len(values()) == 0


def test_update1_names_a_refused_value(values):
    values.insert1({"reading": 1, "kind": "fast", "level": 1, "label": "ok"})
    with pytest.raises(dj.errors.ValueRejectedError, match="'sideways'") as caught:
        values.update1({"reading": 1, "kind": "sideways"})
    assert caught.value.attribute == "kind"
    assert values.fetch1("kind") == "fast"


def test_bigint_unsigned_above_2_63_is_fetched(schema):
    @schema
    class Counter(dj.Manual):
        definition = """
        counter : bigint unsigned
        ---
        total : bigint unsigned
        maybe = null : bigint unsigned
        """

    big = [2**64 - 1, 2**63 + 5]
    Counter.insert([{"counter": v, "total": v - 1} for v in big])
    array = Counter.fetch(order_by="counter")
    assert array.dtype["counter"] == np.uint64 and array.dtype["total"] == np.uint64
    assert array["counter"].tolist() == sorted(big)
    assert sorted(Counter.fetch("total").tolist()) == sorted(v - 1 for v in big)
    assert (Counter & {"counter": 2**64 - 1}).fetch1("total") == 2**64 - 2
    assert (Counter & {"counter": 2**63 + 5}).fetch1() == {
        "counter": 2**63 + 5,
        "total": 2**63 + 4,
        "maybe": None,
    }
    frame = Counter.fetch(format="frame")
    assert frame["total"].max() == 2**64 - 2


def test_the_upstream_failures_we_improve_on_are_real(upstream, db_params, make_database):
    """The oracle: 0.14 lets the driver's DataError escape and overflows on arrays."""
    name = make_database("oracle")
    result = upstream.run_json(
        textwrap.dedent(
            f"""
            import json
            import datajoint as dj
            dj.config["database.host"] = {f"{db_params.host}:{db_params.port}"!r}
            dj.config["database.user"] = {db_params.user!r}
            dj.config["database.password"] = {db_params.password!r}
            schema = dj.Schema({name!r})

            @schema
            class Counter(dj.Manual):
                definition = "counter : bigint unsigned"

            Counter.insert1({{"counter": 2**64 - 1}})
            out = {{}}
            try:
                Counter.fetch()
            except Exception as error:
                out["array"] = type(error).__name__
            try:
                Counter.insert1({{"counter": -1}})
            except Exception as error:
                out["refused"] = [cls.__name__ for cls in type(error).__mro__]
            print(json.dumps(out))
            """
        )
    )
    assert result["array"] == "OverflowError"
    assert "DataError" in result["refused"] and "DataJointError" not in result["refused"]
