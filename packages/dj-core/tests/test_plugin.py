"""Plug-in registries: lazy discovery, replacement by assignment, connection plug-ins."""

from __future__ import annotations

import pytest
from dj_core import errors, plugin, settings
from dj_core.connection import Connection


def test_registries_are_dicts_of_entries():
    for registry in (plugin.connection_plugins, plugin.type_plugins):
        assert isinstance(registry, dict)
        for entry in registry.values():
            assert set(entry) >= {"object", "verified"}


def test_unknown_type_plugin_names_the_group(monkeypatch):
    monkeypatch.setattr(plugin, "type_plugins", {})
    with pytest.raises(errors.DataJointError, match=r"datajoint_plugins\.datatype"):
        plugin.type_plugin("graph")


def test_connection_plugin_translates_the_host(db_params, monkeypatch):
    seen = []

    class FakeHostPlugin:
        @staticmethod
        def get_host(host):
            seen.append(host)
            return f"{db_params.host}:{db_params.port}"

    class FakeEntryPoint:
        def load(self):
            return FakeHostPlugin

    monkeypatch.setattr(
        plugin, "connection_plugins", {"fake": {"object": FakeEntryPoint(), "verified": True}}
    )
    connection = Connection(
        "fake://cluster-7",
        db_params.user,
        db_params.password,
        config=db_params.configure(settings.Config.independent()),
    )
    assert seen == ["fake://cluster-7"]
    assert connection.conn_info["host_input"] == "fake://cluster-7"
    assert connection.conn_info["port"] == db_params.port
    assert connection.query("SELECT 1").fetchone() == (1,)
    connection.close()
