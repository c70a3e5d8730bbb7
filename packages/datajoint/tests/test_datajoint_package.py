"""The meta-package: version, exported names, and the aliasing contract (datajoint.<name> is the layer module itself)."""

import importlib
import os
import pickle
import subprocess
import sys
import textwrap
from unittest import mock

import datajoint as dj
import dj_blob.codec
import dj_core.errors
import dj_core.settings
import dj_core.utils
import pytest
from datajoint import _submodule_aliases


def test_version_continues_the_classic_line():
    assert dj.__version__.startswith("0.15.")
    assert len(dj.__version__) <= 10


def test_all_is_upstreams_35_names_and_each_exists():
    assert len(dj.__all__) == 35 == len(set(dj.__all__))
    for name in dj.__all__:
        assert hasattr(dj, name), name
    assert dj.Computed.__module__.startswith("dj_compute")
    assert dj.Manual.__module__.startswith("dj_query")
    assert dj.__author__ == "DataJoint Contributors"


def test_aliases_are_the_same_objects():
    assert dj.schema is dj.Schema
    assert dj.create_virtual_module is dj.VirtualModule
    assert dj.ERD is dj.Di is dj.Diagram
    assert dj.DataJointError is dj.errors.DataJointError is dj_core.errors.DataJointError


@pytest.mark.parametrize("name", sorted(_submodule_aliases.ALIASES))
def test_submodule_paths_are_the_layer_modules(name):
    module = importlib.import_module(f"datajoint.{name}")
    assert module is sys.modules[_submodule_aliases.ALIASES[name]]
    assert sys.modules[f"datajoint.{name}"] is module
    assert getattr(dj, name) is module


def test_from_import_of_an_alias_gives_the_layer_module():
    from datajoint import dependencies, diagram

    assert dependencies is sys.modules["dj_core.dependencies"]
    assert diagram is sys.modules["dj_diagram.diagram"]


def test_blob_switches_set_through_datajoint_reach_the_codec():
    import datajoint.blob

    assert datajoint.blob is dj_blob.codec
    with mock.patch.object(datajoint.blob, "bypass_serialization", True):
        assert dj_blob.codec.bypass_serialization is True


def test_patched_input_reaches_the_confirmation_prompt():
    with mock.patch.object(dj.utils, "input", create=True, return_value="yes"):
        assert dj_core.utils.user_choice("Proceed?") == "yes"


def test_settings_localconfig_is_read_at_call_time(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(dj.settings, "LOCALCONFIG", "renamed_conf.json")
    with dj.config(safemode=False):
        dj.config.save_local()
    assert (tmp_path / "renamed_conf.json").exists()
    assert not (tmp_path / "dj_local_conf.json").exists()


def test_errors_read_as_datajoint_errors_and_pickle():
    error = dj.errors.DuplicateError("duplicate entry")
    assert type(error).__module__ == "datajoint.errors"
    line = "".join(__import__("traceback").format_exception_only(type(error), error))
    assert line.startswith("datajoint.errors.DuplicateError: duplicate entry")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is dj.errors.DuplicateError and clone.args == error.args


def test_blob_failures_are_datajoint_errors():
    with pytest.raises(dj.DataJointError):
        dj.blob.unpack(b"mYm\0garbage")


def test_python_native_blob_switch_follows_the_live_config():
    value = {"a": (1, 2)}
    assert dj.blob.unpack(dj.blob.pack(value)) == value
    with dj.config(enable_python_native_blobs=False), pytest.raises(dj.DataJointError):
        dj.blob.pack(value)


def _run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_import_reads_no_settings_until_first_use(tmp_path):
    (tmp_path / "dj_local_conf.json").write_text('{"database.host": "from-file"}')
    code = """
import dj_core.settings as settings
import datajoint as dj
loaded_at_import = settings._loaded
print(loaded_at_import, dj.config["database.host"], settings._loaded)
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "DJ_HOST"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "from-file", "True"]


def test_environment_overrides_the_settings_file(tmp_path):
    (tmp_path / "dj_local_conf.json").write_text('{"database.host": "from-file"}')
    result = subprocess.run(
        [sys.executable, "-c", "import datajoint as dj; print(dj.config['database.host'])"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DJ_HOST": "from-env"},
        timeout=60,
    )
    assert result.stdout.strip() == "from-env", result.stderr


def test_import_loads_no_heavy_optional_library():
    result = _run(
        """
        import sys, datajoint
        heavy = {"pandas", "matplotlib", "pydot", "IPython", "pyparsing", "networkx", "minio"}
        heavy &= set(sys.modules)
        print(sorted(heavy))
        """
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_logger_is_the_datajoint_logger():
    assert dj.logger.name == "datajoint"


def test_expression_module_holds_the_query_classes():
    from datajoint.expression import Aggregation, QueryExpression, U, Union

    assert U is dj.U
    assert issubclass(Aggregation, QueryExpression) and issubclass(Union, QueryExpression)
