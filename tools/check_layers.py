#!/usr/bin/env python3
"""Check the layer rule: a package imports only the packages below it.

    dj-blob < dj-core < dj-query < dj-external, dj-compute, dj-diagram < datajoint

dj-external, dj-compute and dj-diagram are siblings and never import one another; only
the meta-package `datajoint` sees them all. Third-party imports are not checked.

Usage: check_layers.py [REPO_ROOT]   (default: current directory)
Exit 0 when every import respects the rule; 1 and the list of violations otherwise.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

#: what each package may import besides itself
ALLOWED: dict[str, set[str]] = {
    "dj_blob": set(),
    "dj_core": {"dj_blob"},
    "dj_query": {"dj_blob", "dj_core"},
    "dj_external": {"dj_blob", "dj_core", "dj_query"},
    "dj_compute": {"dj_blob", "dj_core", "dj_query"},
    "dj_diagram": {"dj_blob", "dj_core", "dj_query"},
    "datajoint": {"dj_blob", "dj_core", "dj_query", "dj_external", "dj_compute", "dj_diagram"},
}


def imported_packages(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.partition(".")[0]


def package_of(relative: Path) -> str | None:
    """The import name of the package a source file (``packages/*/src/<name>/...``)
    belongs to, or None for files outside the packages' sources."""
    parts = relative.parts
    if len(parts) > 3 and parts[0] == "packages" and parts[2] == "src" and parts[3] in ALLOWED:
        return parts[3]
    return None


def violations(source: str, package: str, name: str = "<source>") -> list[tuple[int, str]]:
    """(line, imported package) of every import of `source` that breaks the rule."""
    tree = ast.parse(source, name)
    return [
        (line, top)
        for line, top in imported_packages(tree)
        if top in ALLOWED and top != package and top not in ALLOWED[package]
    ]


def check_tree(root: Path) -> tuple[int, list[str]]:
    """(files read, violations as ``path:line: package imports other``)."""
    problems: list[str] = []
    files = 0
    for path in sorted(root.glob("packages/*/src/**/*.py")):
        relative = path.relative_to(root)
        package = package_of(relative)
        if package is None:
            continue
        files += 1
        try:
            found = violations(path.read_text(encoding="utf-8"), package, str(relative))
        except SyntaxError as error:
            problems.append(f"{relative}: cannot parse: {error}")
            continue
        problems += [f"{relative}:{line}: {package} imports {top}" for line, top in found]
    return files, problems


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".").resolve()
    files, problems = check_tree(root)
    for problem in problems:
        print(problem)
    print(f"layers: {files} files read, {len(problems)} violations")
    return 1 if problems or files == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
