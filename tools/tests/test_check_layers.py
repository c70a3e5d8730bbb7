"""The layer check: a package imports only the packages below it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_layers", TOOLS / "check_layers.py")
layers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(layers)


def test_imports_from_below_pass_and_from_above_or_beside_fail():
    assert layers.violations("import dj_blob\nfrom dj_core.errors import X\n", "dj_query") == []
    assert layers.violations("from dj_query import Table\n", "dj_core") == [(1, "dj_query")]
    assert layers.violations("import numpy\n\nimport dj_compute\n", "dj_external") == [
        (3, "dj_compute")
    ]
    assert layers.violations("from . import sibling\n", "dj_core") == []


def test_the_command_reports_a_violation(tmp_path, capsys):
    source = tmp_path / "packages/dj-core/src/dj_core"
    source.mkdir(parents=True)
    (source / "bad.py").write_text("from dj_query import Table\n")
    assert layers.main(["check_layers.py", str(tmp_path)]) == 1
    assert (
        "packages/dj-core/src/dj_core/bad.py:1: dj_core imports dj_query" in capsys.readouterr().out
    )
    (source / "bad.py").write_text("from dj_blob import pack\n")
    assert layers.main(["check_layers.py", str(tmp_path)]) == 0


def test_an_empty_tree_fails():
    assert layers.main(["check_layers.py", "/nonexistent-folder"]) == 1


def test_the_repository_passes():
    files, problems = layers.check_tree(TOOLS.parent)
    assert files > 100
    assert problems == []
