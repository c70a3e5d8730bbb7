"""The README's standalone example runs as written (in a database of its own)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(make_database, db_params, monkeypatch):
    text = README.read_text()
    marker = "<!-- example: run by tests/test_readme.py -->"
    code = re.search(r"```python\n(.*?)```", text[text.index(marker) :], re.S).group(1)
    database = make_database("readme")
    for variable, value in db_params.env.items():
        monkeypatch.setenv(variable, value)
    namespace: dict = {"__name__": "readme_example"}
    exec(compile(code.replace('"compute_example"', repr(database)), str(README), "exec"), namespace)
    assert len(namespace["Stats"]()) == 5
    namespace["connection"].close()
