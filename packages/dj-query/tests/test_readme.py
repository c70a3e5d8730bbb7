"""The README's standalone example runs as written (against a fresh database)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def example_code() -> str:
    text = README.read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if 'DB = "shop"' in b]
    assert len(blocks) == 1
    return blocks[0]


def test_readme_example_runs(db_params, make_database, capsys, monkeypatch):
    for variable, value in db_params.env.items():  # the example reads the environment
        monkeypatch.setenv(variable, value)
    code = example_code()
    assert 'DB = "shop"' in code
    database = make_database("readme")
    code = code.replace('DB = "shop"', f'DB = "{database}"')
    exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    assert "*customer_id" in printed
    assert "Total: 2" in printed


def test_readme_lists_differences():
    text = README.read_text()
    assert "## Differences from DataJoint 0.14" in text
    assert "Negated conjunctions" in text
