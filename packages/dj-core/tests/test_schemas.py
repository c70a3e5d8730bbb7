"""Schemas on the real server: creation, ~log, the tier protocol, spawning, extensions."""

from __future__ import annotations

import pytest
from dj_core import tiers
from dj_core.connection import Connection
from dj_core.errors import DataJointError
from dj_core.heading import Heading
from dj_core.schemas import Schema, VirtualModule, declare_table, list_schemas
from dj_core.settings import Config
from dj_core.utils import from_camel_case
from dj_core.version import set_client_version


class TierBase:
    """A minimal tier for these tests: what dj-query's tiers do when bound."""

    prefix = ""
    definition: str | None = None
    database: str | None = None
    table_name: str | None = None
    full_table_name: str | None = None
    _connection = None

    @property
    def heading(self):
        return Heading.from_table(self._connection, self.database, self.table_name)

    @property
    def primary_key(self):
        return self.heading.primary_key


class Manual(TierBase):
    pass


class Lookup(TierBase):
    prefix = "#"


class Computed(TierBase):
    prefix = "__"


class Part(TierBase):
    _master: type | None = None


bound: list[tuple[str, bool]] = []


def bind(schema, cls, context, *, spawned=False):
    """The class binder of the tier protocol, as a test double of dj-query's."""
    if issubclass(cls, Part):
        master = cls._master
        cls.table_name = f"{master.table_name}__{from_camel_case(cls.__name__)}"
    else:
        cls.table_name = cls.prefix + from_camel_case(cls.__name__)
    cls.database = schema.database
    cls._connection = schema.connection
    cls.full_table_name = schema.connection.dialect.full_table_name(schema.database, cls.table_name)
    bound.append((cls.full_table_name, spawned))
    if not spawned and isinstance(cls.definition, str):
        ctx = dict(context or {}, self=cls)
        if issubclass(cls, Part):
            ctx["master"] = cls._master
        schema.declare_table(cls.full_table_name, cls.definition, ctx)
    if not issubclass(cls, Part):
        for name, member in list(vars(cls).items()):
            if name[:1].isupper() and isinstance(member, type) and issubclass(member, Part):
                member._master = cls
                bind(schema, member, dict(context or {}, master=cls), spawned=spawned)
    return cls


@pytest.fixture
def tiers_registered():
    with tiers.temporary_tiers(clear=True):
        tiers.register_tier("Manual", Manual)
        tiers.register_tier("Lookup", Lookup, prefix="#")
        tiers.register_tier("Part", Part, is_part=True)
        tiers.register_class_binder(bind)
        bound.clear()
        yield


def test_create_activate_exists_and_log(connection, make_database):
    name = make_database("schema")
    assert name not in list_schemas(connection)
    set_client_version("0.15.0")
    try:
        schema = Schema(name, connection=connection)
    finally:
        set_client_version(None)
    assert schema.exists and schema.is_activated()
    assert connection.schemas[name] is schema
    assert name in list_schemas(connection)
    assert repr(schema) == f"Schema `{name}`\n"
    log = connection.dialect.full_table_name(name, "~log")
    user = connection.dialect.quote("user")  # unquoted, PostgreSQL reads the keyword USER
    rows = connection.query(f"SELECT version, {user}, event FROM {log}", as_dict=True).fetchall()
    assert [(r["version"], r["event"]) for r in rows] == [("0.15.0py", "created")]
    assert rows[0]["user"] == connection.get_user()
    schema.activate(name)  # same name: no-op
    with pytest.raises(DataJointError, match="already activated"):
        schema.activate(name + "_other")
    assert schema.list_tables() == []
    assert schema.size_on_disk > 0


def test_missing_database_without_create_schema(connection, make_database):
    name = make_database()
    with pytest.raises(DataJointError, match="has not yet been declared"):
        Schema(name, connection=connection, create_schema=False)
    with pytest.raises(DataJointError, match="schema_name"):
        Schema(connection=connection).activate()
    with pytest.raises(DataJointError, match="activated first"):
        Schema(connection=connection).exists  # noqa: B018


def test_drop(connection, make_database):
    name = make_database()
    schema = Schema(name, connection=connection)
    with connection.config(safemode=False):
        schema.drop()
    assert not schema.exists
    schema.drop()  # missing: nothing happens


def test_declaring_inside_a_transaction_is_refused(connection, make_database):
    name = make_database()
    Schema(name, connection=connection)
    with connection.transaction:
        with pytest.raises(DataJointError, match="inside a transaction"):
            declare_table(connection, connection.dialect.full_table_name(name, "t"), "k : int", {})
    assert "t" not in connection.dialect.list_tables(connection, name)


def test_decorating_binds_declares_and_logs(connection, make_database, tiers_registered):
    name = make_database()
    schema = Schema(name, connection=connection)

    @schema
    class Animal(Manual):
        definition = "animal_id : int  # id"

    @schema
    class Trial(Manual):
        definition = """
        -> Animal
        trial : smallint
        """

        class Event(Part):
            definition = """
            -> master
            event : int
            """

    assert Animal.full_table_name == connection.dialect.full_table_name(name, "animal")
    assert Trial.Event.full_table_name == connection.dialect.full_table_name(name, "trial__event")
    assert schema.list_tables() == ["animal", "trial", "trial__event"]
    graph = connection.dependencies
    assert set(graph.parents(Trial.Event.full_table_name)) == {Trial.full_table_name}
    events = [
        row[0]
        for row in connection.query(
            f"SELECT event FROM {connection.dialect.full_table_name(name, '~log')} ORDER BY id"
        )
    ]
    assert events == [
        "created",
        f"Declared {connection.dialect.full_table_name(name, 'animal')}",
        f"Declared {connection.dialect.full_table_name(name, 'trial')}",
        f"Declared {connection.dialect.full_table_name(name, 'trial__event')}",
    ]
    with pytest.raises(DataJointError, match="Part tables"):
        schema(Trial.Event)


def test_deferred_schema_queues_classes(connection, make_database, tiers_registered):
    name = make_database()
    schema = Schema(connection=connection)

    @schema
    class Thing(Lookup):
        definition = "thing : varchar(8)"

    assert Thing.full_table_name is None  # queued, not bound
    schema.activate(name)
    assert Thing.full_table_name == connection.dialect.full_table_name(name, "#thing")
    assert schema.list_tables() == ["#thing"]


def test_decorating_without_binder_names_dj_query(connection, make_database):
    name = make_database()
    schema = Schema(name, connection=connection)
    with tiers.temporary_tiers(clear=True):

        class Anything:
            definition = "k : int"

        with pytest.raises(DataJointError, match="dj_query"):
            schema(Anything)


def test_spawn_missing_classes_and_virtual_module(connection, make_database, tiers_registered):
    name = make_database()
    connection.query(connection.dialect.create_schema_sql(name))
    for table, definition in [
        ("subject", "subject_id : int"),
        ("#species", "species : varchar(8)"),
        ("subject__note", "-> Subject\nnote : int"),
    ]:
        context = {"Subject": _ref(connection, name, "subject")}
        declare_table(
            connection, connection.dialect.full_table_name(name, table), definition, context
        )
    module = VirtualModule("lab", name, connection=connection, add_objects={"extra": 1})
    assert module.__name__ == "lab" and module.extra == 1
    assert module.schema.database == name
    assert issubclass(module.Subject, Manual) and issubclass(module.Species, Lookup)
    assert issubclass(module.Subject.Note, Part)
    assert module.Subject.Note.full_table_name == connection.dialect.full_table_name(
        name, "subject__note"
    )
    assert all(spawned for _, spawned in bound)
    # spawning again adds nothing: every table has its class
    bound.clear()
    module.schema.spawn_missing_classes(context=vars(module))
    assert bound == []


def test_spawning_a_tier_without_class_names_the_package(
    connection, make_database, tiers_registered
):
    name = make_database()
    connection.query(connection.dialect.create_schema_sql(name))
    declare_table(connection, connection.dialect.full_table_name(name, "__rate"), "r : int", {})
    with pytest.raises(DataJointError, match="dj_compute"):
        VirtualModule("m", name, connection=connection)


def _ref(connection, database, table):
    from dj_core.table_ref import TableRef

    return TableRef(connection, connection.dialect.full_table_name(database, table))


def test_extension_registry(connection, make_database, monkeypatch):
    monkeypatch.setattr(Schema, "_extensions", {})
    name = make_database()
    schema = Schema(name, connection=connection)
    for attribute, package in [
        ("log", "dj_query"),
        ("jobs", "dj_compute"),
        ("external", "dj_external"),
    ]:
        with pytest.raises(DataJointError, match=package):
            getattr(schema, attribute)
    made = []
    Schema.register_extension("jobs", lambda s: made.append(s) or f"jobs of {s.database}")
    assert schema.jobs == f"jobs of {name}"
    assert schema.jobs == f"jobs of {name}"
    assert made == [schema]  # created once per schema
    Schema.register_extension("custom", lambda s: 42)
    assert schema.extension("custom") == 42


def test_tier_names():
    cases = {
        "subject": "Manual",
        "#trial_type": "Lookup",
        "_raw_scan": "Imported",
        "__spike_rate": "Computed",
        "__spike_rate__unit": "Part",
        "session__channel_map": "Part",
        "~log": "Hidden",
        "Bad": None,
        "a__": None,
    }
    assert {name: tiers.get_tier(name) for name in cases} == cases
    assert tiers.master_of("#a__b") == "#a"
    assert tiers.master_of("a") is None
    with pytest.raises(DataJointError, match="Unknown tier"):
        tiers.register_tier("Nope", object)


def test_denied_create_is_skipped(db_params, db_admin, make_database):
    """A server refusing CREATE skips the declaration (the table fails when used)."""
    name = make_database("denied")
    user = f"dj_{name[-12:]}"
    with db_admin.cursor() as cursor:
        if db_params.backend == "postgresql":  # may use the schema, not create in it
            cursor.execute(f'CREATE SCHEMA "{name}"')
            cursor.execute(f"CREATE ROLE \"{user}\" LOGIN PASSWORD 'pw'")
            cursor.execute(f'GRANT USAGE ON SCHEMA "{name}" TO "{user}"')
        else:
            cursor.execute(f"CREATE DATABASE `{name}`")
            cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'")
            cursor.execute(f"GRANT SELECT, INSERT ON `{name}`.* TO '{user}'@'%'")
    try:
        limited = Connection(
            db_params.host,
            user,
            "pw",
            port=db_params.port,
            config=db_params.configure(Config.independent()),
        )
        schema = Schema(name, connection=limited, create_schema=False)
        full = limited.dialect.full_table_name(name, "t")
        assert schema.declare_table(full, "k : int", {}) is False
        assert "t" not in limited.dialect.list_tables(limited, name)
        limited.close()
    finally:
        with db_admin.cursor() as cursor:
            if db_params.backend == "postgresql":
                cursor.execute(f'DROP OWNED BY "{user}"')
                cursor.execute(f'DROP ROLE "{user}"')
            else:
                cursor.execute(f"DROP USER '{user}'@'%'")
