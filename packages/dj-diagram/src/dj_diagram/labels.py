"""Class names for table nodes, found in the caller's namespace.

A diagram labels each table with the name the user writes in code (`Session`,
`ephys.Unit`, `Scan.Field`). One breadth-first walk through the namespace — and
through imported modules up to three levels deep — builds the whole map at once and
stops as soon as every wanted table is named, instead of one walk per table.
"""

from __future__ import annotations

import inspect
import types
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["find_classes"]

_SKIPPED_MODULES = ("datajoint", "dj_diagram")


def _full_table_name(member: Any) -> str | None:
    try:
        name = getattr(member, "full_table_name", None)
    except Exception:  # undecorated table classes raise on this property
        return None
    return name if isinstance(name, str) else None


def _skipped(module: types.ModuleType) -> bool:
    name = getattr(module, "__name__", "")
    return any(name == s or name.startswith(s + ".") for s in _SKIPPED_MODULES)


def find_classes(
    wanted: Iterable[str], context: Mapping[str, Any] | None, depth: int = 3
) -> dict[str, tuple[str, Any]]:
    """Map each wanted full table name found in `context` to (dotted label, class).

    Breadth first, so the shortest path wins (`Session` before `ephys.Session`); a part
    found as a nested class of its master is labelled `Master.Part`. Names starting with
    `_` are skipped (IPython's history variables, private helpers).
    """
    remaining = set(wanted)
    found: dict[str, tuple[str, Any]] = {}
    if not context or not remaining:
        return found
    queue: deque[tuple[Mapping[str, Any], str, int]] = deque([(context, "", depth)])
    seen_modules: set[int] = set()
    while queue and remaining:
        namespace, prefix, level = queue.popleft()
        for member_name, member in list(namespace.items()):
            if member_name.startswith("_"):
                continue
            if inspect.isclass(member):
                name = _full_table_name(member)
                if name is None:
                    continue
                path = prefix + member_name
                if name in remaining:
                    found[name] = (path, member)
                    remaining.discard(name)
                for part_name, part in list(vars(member).items()):
                    if not part_name[:1].isupper() or not inspect.isclass(part):
                        continue
                    part_table = _full_table_name(part)
                    if part_table in remaining:
                        found[part_table] = (f"{path}.{part_name}", part)
                        remaining.discard(part_table)
            elif (
                level > 0
                and isinstance(member, types.ModuleType)
                and id(member) not in seen_modules
                and not _skipped(member)
            ):
                seen_modules.add(id(member))
                queue.append((vars(member), f"{prefix}{member_name}.", level - 1))
            if not remaining:
                break
    return found
