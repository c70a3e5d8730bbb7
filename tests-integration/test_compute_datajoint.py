"""dj-compute as users meet it through `import datajoint as dj`: names and module paths,
spawned classes, and every `dj.errors` class raised in a make."""

from __future__ import annotations

import inspect

import datajoint as dj
import dj_compute
import pytest


@pytest.fixture
def schema(make_database, db_params):
    """On a connection of its own (an independent config pointed at the backend): the
    process-wide `dj.config` stays as the other tests expect it."""
    connection = db_params.open_connection()
    connection.config["safemode"] = False
    with dj.config(safemode=False):
        yield dj.Schema(make_database("djcompute"), connection=connection)
    connection.close()


def test_names_and_module_paths():
    import datajoint.autopopulate
    import datajoint.jobs

    assert dj.Computed is dj_compute.Computed and dj.Imported is dj_compute.Imported
    assert datajoint.autopopulate.AutoPopulate is dj_compute.AutoPopulate
    assert datajoint.jobs.ERROR_MESSAGE_LENGTH == 2047
    assert datajoint.jobs.TRUNCATION_APPENDIX == "...truncated"
    assert "Computed" in dj.__all__ and "Imported" in dj.__all__
    # 0.14's parameters in 0.14's order; ours (executor, tasks, clear_stale) follow,
    # keyword-only like the rest
    assert list(inspect.signature(dj.Computed.populate).parameters)[:11] == [
        "restrictions",
        "keys",
        "suppress_errors",
        "return_exception_objects",
        "reserve_jobs",
        "order",
        "limit",
        "max_calls",
        "display_progress",
        "processes",
        "make_kwargs",
    ]
    assert list(inspect.signature(dj.Computed.populate).parameters)[11:] == [
        "executor",
        "tasks",
        "clear_stale",
    ]


def test_spawned_classes_are_computed_and_populate(schema):
    @schema
    class Number(dj.Lookup):
        definition = "n : int"
        contents = [(i,) for i in range(5)]

    @schema
    class Square(dj.Computed):
        definition = """
        -> Number
        ---
        square : int
        """

        def make(self, key):
            self.insert1(dict(key, square=key["n"] ** 2))

    Square.populate()
    module = dj.VirtualModule("spawned", schema.database, connection=schema.connection)
    assert module.Square.__base__ is dj.Computed
    assert len(module.Square()) == 5
    assert module.Square.progress() == (0, 5)


def test_every_error_class_becomes_one_error_row(schema):
    classes = [
        cls
        for cls in vars(dj.errors).values()
        if isinstance(cls, type)
        and issubclass(cls, Exception)
        and cls.__module__.endswith("errors")
    ]
    assert dj.DataJointError in classes

    @schema
    class ErrorClass(dj.Lookup):
        definition = "class_name : varchar(64)"
        contents = [(cls.__name__,) for cls in classes]

    by_name = {cls.__name__: cls for cls in classes}

    @schema
    class Raiser(dj.Computed):
        definition = "-> ErrorClass"

        def make(self, key):
            raise by_name[key["class_name"]]()

    result = Raiser.populate(reserve_jobs=True, suppress_errors=True)
    assert result["success_count"] == 0
    assert len(result["error_list"]) == len(classes)
    messages = set((schema.jobs & {"status": "error"}).fetch("error_message"))
    assert len(schema.jobs) == len(classes)
    assert "DuplicateError" in messages
