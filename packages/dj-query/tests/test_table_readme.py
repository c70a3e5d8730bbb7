"""The README's table example runs as written (against a fresh database)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_table_example_runs(db_params, make_database, capsys, monkeypatch):
    for variable, value in db_params.env.items():  # the example reads the environment
        monkeypatch.setenv(variable, value)
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    [code] = [block for block in blocks if 'Schema("lab"' in block]
    database = make_database("readme_tables")
    code = code.replace('Schema("lab"', f'Schema("{database}"')
    exec(compile(code, str(README), "exec"), {"__name__": "readme_tables"})
    printed = capsys.readouterr().out
    assert "subject_id" in printed and "name" in printed
