"""Compatibility with upstream DataJoint 0.14, asked once: defaults, the error classes,
key hashes and settings files written by either side."""

from __future__ import annotations

import json

import pytest
from dj_core import errors, settings
from dj_core.hash import key_hash
from dj_core.settings import Config

# upstream 0.14 runs on MySQL only: interop is a MySQL question
pytestmark = pytest.mark.mysql_only

KEYS = [{"b": 2, "a": "x"}, {"name": "ünïcode", "n": 3}, {}]


@pytest.fixture(scope="module")
def oracle(upstream, tmp_path_factory):
    """Upstream's answers, from one run; it also loads a file we saved and saves one."""
    folder = tmp_path_factory.mktemp("oracle")
    ours, theirs = folder / "ours.json", folder / "theirs.json"
    config = Config.independent()
    config["stores"] = {"raw": {"protocol": "file", "location": "/data/raw"}}
    config["display.limit"] = 5
    config.get_store_spec("raw")  # writes subfolding (2, 2) into the spec
    config.save(ours)
    answers = upstream.run_json(
        f"""
        import inspect, json
        import datajoint as dj
        import datajoint.errors as e
        defaults = dict(dj.settings.default)
        classes = {{
            name: [base.__name__ for base in cls.__bases__]
            for name, cls in vars(e).items()
            if inspect.isclass(cls) and issubclass(cls, BaseException)
        }}
        hashes = [dj.key_hash(k) for k in {KEYS!r}]
        dj.config.load({str(ours)!r})
        spec = dj.config.get_store_spec("raw")
        dj.config["display.width"] = 21
        dj.config.save({str(theirs)!r})
        loaded = [dj.config["display.limit"], list(spec["subfolding"])]
        print(json.dumps(dict(defaults=defaults, classes=classes, hashes=hashes, loaded=loaded)))
        """
    )
    answers["theirs"] = theirs
    return answers


def test_defaults_match_upstream(oracle):
    assert settings.DEFAULTS == oracle["defaults"]


def test_error_hierarchy_matches_upstream(oracle):
    ours = {
        name: [base.__name__ for base in cls.__bases__]
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, BaseException)
    }
    for name, bases in oracle["classes"].items():
        assert ours.get(name) == bases, name
    # our additions: each also derives from the class 0.14 raised in its place
    assert set(ours) - set(oracle["classes"]) == {
        "ConnectionFailedError",
        "ValueRejectedError",
        "MissingDefinitionError",
        "MissingAdapterError",
        "UnboundTableError",
        "SchemaNotActivatedError",
        # PostgreSQL's serialization failures and deadlocks (0.14 has no such backend)
        "TransactionConflictError",
    }


def test_key_hash_matches_upstream(oracle):
    assert [key_hash(k) for k in KEYS] == oracle["hashes"]


def test_settings_files_are_exchangeable_with_upstream(oracle):
    assert oracle["loaded"] == [5, [2, 2]]
    fresh = Config.independent()
    fresh.load(oracle["theirs"])
    assert fresh["display.width"] == 21
    assert fresh["display.limit"] == 5
    assert fresh.get_store_spec("raw")["location"] == "/data/raw"
    assert json.loads(oracle["theirs"].read_text())["stores"]["raw"]["subfolding"] == [2, 2]
