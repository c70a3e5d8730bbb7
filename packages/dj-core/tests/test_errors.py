"""The errors module: 0.14 names and hierarchy, no-argument construction, pickling,
the plug-in cause hook and the feature switches."""

from __future__ import annotations

import inspect
import os
import pickle
import subprocess
import sys

import dj_blob.errors
import pytest
from dj_core import errors, plugin

HIERARCHY = {
    "DataJointError": Exception,
    "PluginWarning": Exception,
    "LostConnectionError": errors.DataJointError,
    "QueryError": errors.DataJointError,
    "QuerySyntaxError": errors.QueryError,
    "AccessError": errors.QueryError,
    "DuplicateError": errors.QueryError,
    "IntegrityError": errors.QueryError,
    "UnknownAttributeError": errors.QueryError,
    "MissingAttributeError": errors.QueryError,
    "MissingTableError": errors.DataJointError,
    "MissingExternalFile": errors.DataJointError,
    "BucketInaccessible": errors.DataJointError,
}


def exception_classes():
    return [
        value
        for value in vars(errors).values()
        if inspect.isclass(value) and issubclass(value, BaseException)
    ]


def test_root_is_dj_blobs():
    assert errors.DataJointError is dj_blob.errors.DataJointError


@pytest.mark.parametrize("name", sorted(HIERARCHY))
def test_names_and_direct_bases(name):
    cls = getattr(errors, name)
    assert HIERARCHY[name] in cls.__bases__


def test_missing_table_error_is_not_a_query_error():
    assert not issubclass(errors.MissingTableError, errors.QueryError)
    assert not issubclass(errors.PluginWarning, errors.DataJointError)


@pytest.mark.parametrize("cls", exception_classes(), ids=lambda cls: cls.__name__)
def test_every_class_raises_without_arguments(cls):
    assert not issubclass(cls, (SystemExit, KeyboardInterrupt))
    with pytest.raises(cls):
        raise cls()


@pytest.mark.parametrize("cls", exception_classes(), ids=lambda cls: cls.__name__)
def test_every_class_pickles(cls):
    error = cls("message", 7)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert copy.args == ("message", 7)


@pytest.mark.parametrize("cls", exception_classes(), ids=lambda cls: cls.__name__)
def test_every_class_pickles_when_labelled_as_datajoint_errors(cls, monkeypatch):
    monkeypatch.setattr(cls, "__module__", "datajoint.errors")
    error = cls("labelled")
    error.extra = "state"
    data = pickle.dumps(error)
    copy = pickle.loads(data)
    assert type(copy) is cls
    assert copy.args == ("labelled",)
    if isinstance(error, errors.DataJointError):
        assert copy.extra == "state"


def test_labelled_errors_unpickle_in_a_process_without_the_meta_package(monkeypatch):
    classes = exception_classes()
    for cls in classes:
        monkeypatch.setattr(cls, "__module__", "datajoint.errors")
    data = pickle.dumps([cls("sent") for cls in classes])
    script = (
        "import pickle, sys\n"
        "loaded = pickle.loads(sys.stdin.buffer.read())\n"
        "assert 'datajoint' not in sys.modules, 'the meta-package was imported'\n"
        "print(' '.join(type(e).__name__ + ':' + e.args[0] for e in loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], input=data, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().split() == [f"{cls.__name__}:sent" for cls in classes]


def test_suggest_appends_hints_and_keeps_the_class():
    error = errors.DuplicateError("duplicate entry")
    hinted = error.suggest("Use skip_duplicates=True.")
    assert type(hinted) is errors.DuplicateError
    assert hinted.args == ("duplicate entry", "Use skip_duplicates=True.")


def test_formatted_line_uses_the_label(monkeypatch):
    import traceback

    monkeypatch.setattr(errors.DataJointError, "__module__", "datajoint.errors")
    line = traceback.format_exception_only(errors.DataJointError, errors.DataJointError("x"))[-1]
    assert line.startswith("datajoint.errors.DataJointError: x")


@pytest.mark.parametrize("attribute", ["connection_plugins", "type_plugins"])
def test_unverified_plugin_becomes_the_cause(attribute, monkeypatch):
    monkeypatch.setattr(plugin, attribute, {})
    assert errors.DataJointError("clean").__cause__ is None
    monkeypatch.setattr(plugin, attribute, {"test_plugin_id": {"verified": False, "plugin": "x"}})
    with pytest.raises(errors.DuplicateError) as caught:
        raise errors.DuplicateError("hello")
    assert isinstance(caught.value.__cause__, errors.PluginWarning)
    monkeypatch.setattr(plugin, attribute, {"test_plugin_id": {"verified": True, "plugin": "x"}})
    assert errors.DataJointError("verified").__cause__ is None


@pytest.mark.parametrize(
    ("switch", "support", "variable"),
    [
        (errors._switch_adapted_types, errors._support_adapted_types, errors.ADAPTED_TYPE_SWITCH),
        (
            errors._switch_filepath_types,
            errors._support_filepath_types,
            errors.FILEPATH_FEATURE_SWITCH,
        ),
    ],
)
def test_feature_switches(switch, support, variable, monkeypatch):
    monkeypatch.delenv(variable, raising=False)
    assert not support()
    switch(True)
    assert os.environ[variable] == "TRUE"
    assert support()
    switch(False)
    assert variable not in os.environ
    with pytest.raises(KeyError):
        switch(False)
    for value, expected in [("true", True), ("True", True), ("1", False), ("yes", False)]:
        monkeypatch.setenv(variable, value)
        assert support() is expected


def test_switch_names():
    assert errors.ADAPTED_TYPE_SWITCH == "DJ_SUPPORT_ADAPTED_TYPES"
    assert errors.FILEPATH_FEATURE_SWITCH == "DJ_SUPPORT_FILEPATH_MANAGEMENT"
