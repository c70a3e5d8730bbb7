#!/usr/bin/env python3
"""Check that MySQL spelling stays inside the MySQL dialect.

Every piece of server-specific SQL belongs to `dj_core.dialects.<server>`, so that a new
backend is one new module there. This check reads the string literals (not docstrings, not
comments) of every module under ``packages/*/src`` outside ``dj_core/dialects/`` and fails
on MySQL-only spelling: backtick-quoted identifiers, ``ON DUPLICATE KEY``, ``REPLACE INTO``,
``INSERT IGNORE``, ``SHOW ...``, ``ENGINE=``, ``@@variables``, ``NOW() - INTERVAL``,
``X'...'`` byte literals, ``PROCESSLIST``, ``CONSISTENT SNAPSHOT``, inline ``COMMENT`` in
DDL, ``AUTO_INCREMENT`` as a DDL keyword, and imports of a MySQL driver (pymysql, MySQLdb).

A string that must stay (data, such as 0.14's exact `~jobs` table comment) is named in
`ALLOWED` below as ``(path, text found in the line)`` with the reason.

Usage: check_dialect.py [REPO_ROOT]   (default: current directory)
Exit 0 when nothing is found; 1 and the list of findings otherwise.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

# A backtick is MySQL's identifier quote in SQL, but also Markdown-style quoting in
# messages ("Attribute `x` not found"). It counts as SQL when the string is a quoting
# fragment (nothing but quoted names, placeholders and punctuation, or a regular
# expression) or carries an upper-case SQL keyword.
_BACKTICK_SPAN = re.compile(r"`[^`]*`")
_SQL_KEYWORD = re.compile(
    r"\b(?:SELECT|FROM|WHERE|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|TABLE|REFERENCES|"
    r"FOREIGN|PRIMARY|INDEX|SET|JOIN|AND|OR|AS|IN|IS|NOT|NULL|LIMIT|ORDER|GROUP|HAVING|"
    r"CHANGE|MODIFY|AFTER|ADD|DEFAULT|COMMENT|DUPLICATE|VALUES|CONCAT)\b"
)


def _backtick_sql(text: str) -> bool:
    if "`" not in text:
        return False
    if "[^`]" in text or "`\\" in text or "\\`" in text or "\\.`" in text:
        return True  # a regular expression reading quoted names
    rest = _BACKTICK_SPAN.sub("", text).replace("{}", "")
    if not re.search(r"[A-Za-z]", rest):  # a fragment: `name`, `db`.`t`, `a`,`b`
        return True
    return bool(_SQL_KEYWORD.search(text))


class _Backticks:
    """`re.Pattern`-like: `search` says whether a string is backtick-quoted SQL."""

    @staticmethod
    def search(text: str) -> bool:
        return _backtick_sql(text)


#: (rule name, pattern) searched in every string literal outside the dialects
RULES: tuple[tuple[str, Any], ...] = (
    ("backtick-quoted identifier", _Backticks()),
    ("ON DUPLICATE KEY", re.compile(r"\bON\s+DUPLICATE\s+KEY\b", re.I)),
    ("REPLACE INTO", re.compile(r"(?i:\bREPLACE\s+INTO\b)|^\s*REPLACE\s*$")),
    ("INSERT IGNORE", re.compile(r"\bINSERT\s+IGNORE\b", re.I)),
    ("SHOW statement", re.compile(r"^\s*SHOW\s+[A-Z]")),
    ("ENGINE=", re.compile(r"\bENGINE\s*=")),
    ("@@variable", re.compile(r"@@\w")),
    ("NOW() - INTERVAL", re.compile(r"\bINTERVAL\s+(?:%s|\{|\d)", re.I)),
    ("X'...' byte literal", re.compile(r"(?<![\w'])[xX]'(?:[0-9A-Fa-f]|\{|$)")),
    ("PROCESSLIST", re.compile(r"\bPROCESSLIST\b", re.I)),
    ("CONSISTENT SNAPSHOT", re.compile(r"\bCONSISTENT\s+SNAPSHOT\b", re.I)),
    ("inline COMMENT DDL", re.compile(r"\bCOMMENT\s*(?:=\s*)?[\"'{]|\bCOMMENT\s+%s")),
    ("AUTO_INCREMENT DDL", re.compile(r"\bAUTO_INCREMENT\b")),
)
DRIVERS = {"pymysql", "MySQLdb"}

#: (path relative to the root, text the finding's line contains): reason. At most five.
ALLOWED: dict[tuple[str, str], str] = {}


def _docstring_nodes(tree: ast.AST) -> set[int]:
    """ids of the Constant nodes that are docstrings (module, class, function)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _strings(tree: ast.AST):
    """(line, text) of every string or bytes literal that is not a docstring; an
    f-string is read with ``{}`` standing for each interpolated value."""
    docstrings = _docstring_nodes(tree)
    inside_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                inside_fstring.add(id(value))
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    parts.append("{}")
            yield node.lineno, "".join(parts)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (str, bytes))
            and id(node) not in docstrings
            and id(node) not in inside_fstring
        ):
            value = node.value
            yield node.lineno, value if isinstance(value, str) else value.decode("latin-1")


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def in_dialects(relative: Path) -> bool:
    """True for the modules that are allowed to spell a server's SQL."""
    parts = relative.parts
    return "dialects" in parts and parts[parts.index("dialects") - 1] == "dj_core"


def check_source(text: str, name: str = "<source>") -> list[tuple[int, str, str]]:
    """(line, rule, snippet) of every finding in one module's source."""
    tree = ast.parse(text, name)
    findings = []
    for line, value in _strings(tree):
        for rule, pattern in RULES:
            if pattern.search(value) or any(pattern.search(part) for part in value.splitlines()):
                findings.append(
                    (line, rule, value.strip().splitlines()[0][:80] if value.strip() else "")
                )
    for line, top in _imports(tree):
        if top in DRIVERS:
            findings.append((line, "MySQL driver import", top))
    return sorted(set(findings))


def check_tree(root: Path) -> tuple[int, list[str]]:
    """(files read, findings as ``path:line: rule: snippet``) for a repository."""
    problems: list[str] = []
    files = 0
    for path in sorted(root.glob("packages/*/src/**/*.py")):
        relative = path.relative_to(root)
        if in_dialects(relative):
            continue
        files += 1
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for line, rule, snippet in check_source(text, str(relative)):
            source_line = lines[line - 1] if line <= len(lines) else ""
            if any(
                str(relative) == allowed_path and needle in source_line
                for allowed_path, needle in ALLOWED
            ):
                continue
            problems.append(f"{relative}:{line}: {rule}: {snippet}")
    return files, problems


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".").resolve()
    files, problems = check_tree(root)
    for problem in problems:
        print(problem)
    print(f"dialect: {files} files read, {len(problems)} findings outside dj_core/dialects")
    return 1 if problems or files == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
