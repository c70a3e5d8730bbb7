"""Configuration: keys and defaults, shared state, validation, overrides, files, stores,
the loader slot and the standard loader."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap

import pytest
from dj_core import errors, settings
from dj_core.settings import Config

SECRET = "Secret-pw-981"


@pytest.fixture
def config():
    return Config.independent()


@pytest.fixture
def process_wide(monkeypatch):
    """Isolate the process-wide state (and its loader slot) for one test."""
    monkeypatch.setattr(settings, "_process_state", settings._State())
    monkeypatch.setattr(settings, "_loader", None)
    monkeypatch.setattr(settings, "_loaded", False)
    return Config()


@pytest.fixture
def clean_environment(monkeypatch, tmp_path):
    """No DJ_* variables, an empty home, and a current directory without settings files."""
    for variable in settings.ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    return home, work


def file_mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --- keys and defaults ---------------------------------------------------------------------


def test_independent_config_starts_from_defaults(config):
    assert dict(config) == settings.DEFAULTS
    assert config["database.port"] == 3306
    assert config["safemode"] is True
    assert len(config) == len(settings.DEFAULTS) == len(config._conf)
    assert "database.host" in config
    assert config.get("stores") is None
    with pytest.raises(KeyError):
        config["no.such.key"]


def test_module_file_names():
    assert settings.LOCALCONFIG == "dj_local_conf.json"
    assert settings.GLOBALCONFIG == ".datajoint_config.json"


# --- shared state --------------------------------------------------------------------------


def test_new_config_objects_share_the_process_wide_state(process_wide):
    assert Config() == process_wide
    assert Config() == settings.DEFAULTS
    other = Config(**{"arbitrary.stuff": 5})
    assert process_wide["arbitrary.stuff"] == 5
    process_wide["safemode"] = False
    assert other["safemode"] is False
    assert Config() == process_wide


def test_constructor_merges_without_validation(process_wide):
    Config({"database.port": "not-an-int"})
    assert process_wide["database.port"] == "not-an-int"


def test_independent_config_shares_nothing(process_wide, config):
    config["safemode"] = False
    config["only.here"] = 1
    assert process_wide["safemode"] is True
    assert "only.here" not in process_wide
    assert config != process_wide


# --- mapping behaviour and validation ------------------------------------------------------


def test_mapping_protocol(config):
    config["arbitrary.stuff"] = [1, 2]
    assert config["arbitrary.stuff"] == [1, 2]
    assert "arbitrary.stuff" in list(config)
    config.update({"display.limit": 7})
    assert config["display.limit"] == 7
    del config["arbitrary.stuff"]
    assert "arbitrary.stuff" not in config


def test_port_must_be_an_int(config):
    with pytest.raises(errors.DataJointError, match=r"database\.port"):
        config["database.port"] = "3306"
    assert config["database.port"] == 3306
    config["database.port"] = 3307
    assert config["database.port"] == 3307


def test_loglevel_is_validated_and_sets_the_logger(config):
    logger = logging.getLogger("datajoint")
    saved = logger.level
    try:
        with pytest.raises(ValueError, match="loglevel"):
            config["loglevel"] = "LOUD"
        config["loglevel"] = "ERROR"
        assert logger.level == logging.ERROR
        config["loglevel"] = "DEBUG"
        assert logger.level == logging.DEBUG
    finally:
        logger.setLevel(saved)


def test_repr_is_a_pretty_dict_without_secrets(config):
    config["database.password"] = SECRET
    config["stores"] = {"s": {"protocol": "s3", "secret_key": SECRET, "access_key": "AK"}}
    config["external.aws_secret_access_key"] = SECRET
    text = repr(config)
    assert SECRET not in text
    assert SECRET not in str(config)
    assert "'database.host': 'localhost'" in text
    assert "AK" in text
    assert config["database.password"] == SECRET


# --- temporary overrides -------------------------------------------------------------------


def test_overrides_apply_inside_and_restore_after(config):
    config["arbitrary.value"] = 1
    with config(
        arbitrary__value=2, fetch_format="frame", database__host="h", added__key=3
    ) as inside:
        assert inside is config
        assert config["arbitrary.value"] == 2
        assert config["fetch_format"] == "frame"
        assert config["database.host"] == "h"
        assert config["added.key"] == 3
    assert config["arbitrary.value"] == 1
    assert config["fetch_format"] == "array"
    assert config["database.host"] == "localhost"
    assert "added.key" not in config


def test_overrides_restore_after_an_error_and_bypass_validators(config):
    config["stores"] = {"a": {"protocol": "file", "location": "/x"}}
    with pytest.raises(RuntimeError):
        with config(database__port="text", safemode=False):
            assert config["database.port"] == "text"
            config["stores"]["a"]["location"] = "/changed"
            config["new.inside"] = 1
            raise RuntimeError
    assert config["database.port"] == 3306
    assert config["safemode"] is True
    assert config["stores"]["a"]["location"] == "/x"
    assert "new.inside" not in config


def test_overrides_keep_uncopyable_values(config):
    import threading

    lock = threading.Lock()  # cannot be deep-copied
    config["odd.object"] = lock
    with config(safemode=False):
        pass
    assert config["odd.object"] is lock


def test_process_wide_overrides(process_wide):
    with settings.config(safemode=False):
        assert Config()["safemode"] is False
    assert settings.config["safemode"] is True


# --- files ---------------------------------------------------------------------------------


def test_save_and_load_round_trip(config, tmp_path):
    config["stores"] = {"raw": {"protocol": "file", "location": "/data", "subfolding": (1, 1)}}
    config["display.limit"] = 20
    path = tmp_path / "conf.json"
    config.save(path)
    saved = json.loads(path.read_text())
    assert saved["display.limit"] == 20
    assert saved["database.host"] == "localhost"
    assert path.read_text().startswith('{\n    "')
    fresh = Config.independent()
    fresh.load(path)
    assert fresh["display.limit"] == 20
    assert fresh["stores"]["raw"]["subfolding"] == [1, 1]
    assert fresh.get_store_spec("raw")["subfolding"] == [1, 1]


def test_file_with_a_password_is_private(config, tmp_path):
    config["database.password"] = SECRET
    path = tmp_path / "private.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    config.save(path)
    assert file_mode(path) == 0o600
    assert json.loads(path.read_text())["database.password"] == SECRET


def test_file_with_a_store_secret_is_private(config, tmp_path):
    config["stores"] = {"s": {"protocol": "s3", "secret_key": SECRET}}
    path = tmp_path / "store.json"
    config.save(path)
    assert file_mode(path) == 0o600


def test_file_without_secrets_follows_the_umask(config, tmp_path):
    path = tmp_path / "plain.json"
    umask = os.umask(0o022)
    try:
        config.save(path)
    finally:
        os.umask(umask)
    assert file_mode(path) == 0o644


def test_save_local_and_load_read_the_file_name_at_call_time(
    config, clean_environment, monkeypatch
):
    _, work = clean_environment
    monkeypatch.setattr(settings, "LOCALCONFIG", "renamed_conf.json")
    config["display.width"] = 33
    config.save_local()
    assert (work / "renamed_conf.json").is_file()
    assert not (work / "dj_local_conf.json").exists()
    fresh = Config.independent()
    fresh.load()
    assert fresh["display.width"] == 33


def test_save_global_writes_to_the_home_directory(config, clean_environment, monkeypatch):
    home, _ = clean_environment
    config["database.password"] = SECRET
    config.save_global(verbose=True)
    path = home / ".datajoint_config.json"
    assert json.loads(path.read_text())["database.password"] == SECRET
    assert file_mode(path) == 0o600


def test_save_refuses_values_json_cannot_hold(config, tmp_path):
    config["odd.object"] = object()
    with pytest.raises(errors.DataJointError, match="Cannot save the settings as JSON"):
        config.save(tmp_path / "odd.json")
    assert not (tmp_path / "odd.json").exists()


def test_load_rejects_invalid_files(config, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(errors.DataJointError, match="not valid JSON"):
        config.load(broken)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    with pytest.raises(errors.DataJointError, match="JSON object"):
        config.load(listed)


# --- store specs ---------------------------------------------------------------------------


def test_store_spec_defaults_subfolding_in_place(config):
    config["stores"] = {"raw": {"protocol": "file", "location": "/data"}}
    spec = config.get_store_spec("raw")
    assert spec["subfolding"] == (2, 2)
    assert config["stores"]["raw"] is spec


def test_complete_s3_spec_is_accepted(config):
    config["stores"] = {
        "cloud": {
            "protocol": "S3",
            "endpoint": "127.0.0.1:9000",
            "bucket": "b",
            "access_key": "a",
            "secret_key": "s",
            "location": "",
            "secure": False,
            "proxy_server": None,
            "stage": "/tmp",
        }
    }
    assert config.get_store_spec("cloud")["bucket"] == "b"


@pytest.mark.parametrize(
    ("stores", "message"),
    [
        (None, "Storage raw is requested but not configured"),
        ({"other": {}}, "Storage raw is requested but not configured"),
        (
            {"raw": {"location": "/x"}},
            'Missing or invalid protocol in dj.config\\["stores"\\]\\["raw"\\]',
        ),
        ({"raw": {"protocol": "ftp", "location": "/x"}}, "Missing or invalid protocol"),
        ({"raw": {"protocol": "file"}}, 'is missing "location"'),
        ({"raw": {"protocol": "file", "LOCATION": "/x"}}, 'is missing "location"'),
        ({"raw": {"protocol": "s3", "location": "", "endpoint": "e"}}, 'is missing "bucket"'),
        ({"raw": {"protocol": "file", "location": "/x", "bucket": "b"}}, 'Invalid key "bucket"'),
        ({"raw": {"protocol": "file", "location": "/x", "colour": 1}}, 'Invalid key "colour"'),
    ],
)
def test_store_spec_validation(config, stores, message):
    if stores is not None:
        config["stores"] = stores
    with pytest.raises(errors.DataJointError, match=message):
        config.get_store_spec("raw")


# --- loading -------------------------------------------------------------------------------


def test_loader_runs_once_on_first_use(process_wide):
    calls = []

    def loader(target):
        calls.append(target)
        target["loaded.by"] = "loader"
        assert target["database.host"] == "localhost"  # reading inside does not recurse

    settings.set_loader(loader)
    assert calls == []
    assert process_wide["loaded.by"] == "loader"
    assert Config()["loaded.by"] == "loader"
    process_wide["x"] = 1
    assert len(calls) == 1
    assert calls[0] == process_wide


def test_loader_runs_on_first_write_and_for_config_calls(process_wide):
    calls = []
    settings.set_loader(calls.append)
    Config(**{"a.b": 1})
    assert len(calls) == 1


def test_independent_configs_run_no_loader(process_wide):
    calls = []
    settings.set_loader(calls.append)
    config = Config.independent()
    config["x"] = 1
    assert config["database.host"] == "localhost"
    assert calls == []


def test_standard_loader_reads_the_local_file_then_the_environment(
    config, clean_environment, monkeypatch
):
    home, work = clean_environment
    (work / "dj_local_conf.json").write_text(
        json.dumps({"database.host": "local-host", "database.user": "local", "display.limit": 3})
    )
    (home / ".datajoint_config.json").write_text(json.dumps({"display.width": 99}))
    monkeypatch.setenv("DJ_USER", "env-user")
    monkeypatch.setenv("DJ_PASS", SECRET)
    monkeypatch.setenv("DJ_AWS_ACCESS_KEY_ID", "AKID")
    monkeypatch.setenv("DJ_AWS_SECRET_ACCESS_KEY", "SAK")
    settings.load_settings(config)
    assert config["database.host"] == "local-host"
    assert config["database.user"] == "env-user"
    assert config["database.password"] == SECRET
    assert config["display.limit"] == 3
    assert config["display.width"] == 14  # the global file is not merged
    assert config["external.aws_access_key_id"] == "AKID"
    assert config["external.aws_secret_access_key"] == "SAK"


def test_standard_loader_falls_back_to_the_global_file(config, clean_environment, monkeypatch):
    home, _ = clean_environment
    (home / ".datajoint_config.json").write_text(json.dumps({"display.width": 99}))
    monkeypatch.setenv("DJ_HOST", "env-host:3307")
    settings.load_settings(config)
    assert config["display.width"] == 99
    assert config["database.host"] == "env-host:3307"


def test_standard_loader_accepts_any_case_log_level(config, clean_environment, monkeypatch):
    logger = logging.getLogger("datajoint")
    saved = logger.level
    monkeypatch.setenv("DJ_LOG_LEVEL", "warning")
    try:
        settings.load_settings(config)
        assert config["loglevel"] == "WARNING"
        assert logger.level == logging.WARNING
    finally:
        logger.setLevel(saved)


def test_nothing_is_read_at_import(tmp_path):
    (tmp_path / "dj_local_conf.json").write_text(json.dumps({"database.host": "from-file"}))
    env = {k: v for k, v in os.environ.items() if k not in settings.ENVIRONMENT}
    env["DJ_USER"] = "from-env"
    env["HOME"] = str(tmp_path)
    script = textwrap.dedent(
        """
        import dj_core
        from dj_core import settings
        before = (settings.config["database.host"], settings.config["database.user"])
        settings.set_loader(settings.load_settings)
        after = (settings.config["database.host"], settings.config["database.user"])
        print(before, after)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "('localhost', None) ('from-file', 'from-env')"
