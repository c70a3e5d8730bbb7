"""The dialect check finds MySQL spelling outside the MySQL dialect, and only there."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1]
REPO = TOOLS.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _load("check_dialect")


def rules(source: str) -> set[str]:
    return {rule for _, rule, _ in check.check_source(textwrap.dedent(source))}


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ('sql = f"SELECT `a` FROM {t}"', "backtick-quoted identifier"),
        ('names = ",".join(f"`{n}`" for n in names)', "backtick-quoted identifier"),
        ('pattern = r"`((?:[^`]|``)+)`"', "backtick-quoted identifier"),
        ('tail = " ON DUPLICATE KEY UPDATE a=a"', "ON DUPLICATE KEY"),
        ('head = "REPLACE INTO t (a) VALUES (%s)"', "REPLACE INTO"),
        ('verb = "REPLACE"', "REPLACE INTO"),
        ('head = "insert ignore into t"', "INSERT IGNORE"),
        ('sql = "SHOW TABLE STATUS"', "SHOW statement"),
        ('sql = ") ENGINE=InnoDB"', "ENGINE="),
        ('sql = "SELECT @@max_allowed_packet"', "@@variable"),
        ('sql = f"timestamp < NOW() - INTERVAL {s} SECOND"', "NOW() - INTERVAL"),
        ('value = "X\'" + data.hex() + "\'"', "X'...' byte literal"),
        ('piece = b"X\'"', "X'...' byte literal"),
        ('sql = "SELECT id FROM information_schema.processlist"', "PROCESSLIST"),
        ('sql = "START TRANSACTION WITH CONSISTENT SNAPSHOT"', "CONSISTENT SNAPSHOT"),
        ("sql = f'a int COMMENT \"{comment}\"'", "inline COMMENT DDL"),
        ('sql = "id int AUTO_INCREMENT"', "AUTO_INCREMENT DDL"),
        ("import pymysql", "MySQL driver import"),
        ("from MySQLdb import cursors", "MySQL driver import"),
    ],
)
def test_each_mysql_spelling_is_found(source, rule):
    assert rule in rules(source)


@pytest.mark.parametrize(
    "source",
    [
        '"""A docstring may say `db`.`table`, REPLACE INTO and SHOW TABLES."""',
        "# a comment: ON DUPLICATE KEY UPDATE",
        'message = f"Attribute `{name}` is not in the table: check the spelling."',
        "message = \"use engine='builtin' to draw without graphviz\"",
        'choice = "replace"',
        'definition = "id : int auto_increment  # the id"',
        'sql = dialect.quote(name) + " IS NOT NULL"',
    ],
)
def test_prose_docstrings_and_dialect_calls_pass(source):
    assert rules(source) == set()


def test_the_dialects_may_spell_mysql(tmp_path):
    dialects = tmp_path / "packages/dj-core/src/dj_core/dialects"
    dialects.mkdir(parents=True)
    (dialects / "mysql.py").write_text('SQL = "REPLACE INTO `a`.`b` (x) VALUES (1)"\n')
    elsewhere = tmp_path / "packages/dj-query/src/dj_query"
    elsewhere.mkdir(parents=True)
    (elsewhere / "insert.py").write_text('SQL = "REPLACE INTO t (x) VALUES (1)"\n')
    files, problems = check.check_tree(tmp_path)
    assert files == 1
    assert problems == [
        "packages/dj-query/src/dj_query/insert.py:1: REPLACE INTO: REPLACE INTO t (x) VALUES (1)"
    ]


def test_the_command_fails_on_findings_and_passes_on_a_clean_tree(tmp_path, capsys):
    source = tmp_path / "packages/dj-query/src/dj_query"
    source.mkdir(parents=True)
    module = source / "delete.py"
    module.write_text('SQL = "DELETE FROM t WHERE `a` IN (1)"\n')
    assert check.main(["check_dialect.py", str(tmp_path)]) == 1
    assert "1 findings" in capsys.readouterr().out
    module.write_text("SQL = dialect.delete_in_sql(t, key, subquery)\n")
    assert check.main(["check_dialect.py", str(tmp_path)]) == 0


def test_the_allow_list_is_short_and_gives_reasons():
    assert len(check.ALLOWED) <= 5
    assert all(reason.strip() for reason in check.ALLOWED.values())


def test_the_repository_passes():
    files, problems = check.check_tree(REPO)
    assert files > 100
    assert problems == []
