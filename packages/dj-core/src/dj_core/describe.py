"""Reconstructing a table's definition from the server.

`describe` needs only the table's heading and the dependency graph, so it lives here:
dj-query's `Table.describe`, `schema.save()` and diagram tooltips all call it. The
result declares the same table again: foreign keys are written as `-> Parent` (or a
renaming projection) where their last attribute appears, with `unique`/`nullable`
taken from the index the server keeps on the foreign-key columns.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from dj_core.heading import Heading

__all__ = ["describe", "describe_table", "foreign_keys", "lookup_class_name"]


def lookup_class_name(name: str, context: Mapping[str, Any], depth: int = 3) -> str | None:
    """The dotted name under which a class of table `name` (full name) is reachable from
    `context`: breadth first, through nested part classes and modules up to `depth`."""
    nodes = [(context, "", depth)]
    while nodes:
        namespace, prefix, level = nodes.pop(0)
        for member_name, member in list(namespace.items()):
            if member_name.startswith("_"):
                continue
            if inspect.isclass(member):
                if _full_name(member) == name:
                    return f"{prefix}.{member_name}".lstrip(".")
                for part_name, part in list(vars(member).items()):
                    if (
                        part_name[:1].isupper()
                        and inspect.isclass(part)
                        and _full_name(part) == name
                    ):
                        return f"{prefix}.{member_name}.{part.__name__}".lstrip(".")
            elif level > 0 and inspect.ismodule(member) and member.__name__ != "datajoint":
                try:
                    members = dict(inspect.getmembers(member))
                except ImportError:
                    continue
                nodes.append((members, f"{prefix}.{member_name}", level - 1))
    return None


def _full_name(cls: type) -> str | None:
    try:
        name = cls.full_table_name  # type: ignore[attr-defined]
    except Exception:  # undecorated table classes raise; other classes lack it
        return None
    return name if isinstance(name, str) else None


def foreign_keys(dependencies: Any, full_table_name: str) -> list[tuple[str, dict[str, Any]]]:
    """(parent full name, edge properties) for every foreign key of the table, alias
    nodes replaced by the real parent (a parent referenced twice appears twice)."""
    if full_table_name not in dependencies:
        dependencies.load()
    result = []
    for parent, props in dependencies.parents(full_table_name).items():
        if parent.isdigit():
            parent = next(iter(dependencies.in_edges(parent)))[0]
        result.append((parent, props))
    return result


def describe(
    heading: Heading,
    full_table_name: str,
    dependencies: Any,
    context: Mapping[str, Any] | None = None,
) -> str:
    """The definition text of a stored table (see the module docstring)."""
    context = context or {}
    parents = foreign_keys(dependencies, full_table_name)
    status = heading.table_status or {}
    lines = [f"# {status['comment']}"] if status.get("comment") else []
    indexes = dict(heading.indexes)
    seen: set[str] = set()
    in_key = True
    for attr in heading.attributes.values():
        if in_key and not attr.in_key:
            lines.append("---")
            in_key = False
        seen.add(attr.name)
        covered = False
        for parent, props in parents:
            attr_map = props["attr_map"]
            if attr.name not in attr_map:
                continue
            covered = True
            if not seen.issuperset(attr_map) or attr.name != _last_of(attr_map, heading):
                continue
            options = ""
            index = indexes.pop(tuple(attr_map), None)
            flags = [k for k, v in (index or {}).items() if v]
            if flags:
                options = " [{}]".format(", ".join(flags))
            class_name = lookup_class_name(parent, context) or parent
            if props["aliased"]:
                renames = ",".join(f'{new}="{old}"' for new, old in attr_map.items() if new != old)
                class_name = f"{class_name}.proj({renames})"
            lines.append(f"->{options} {class_name}")
        if not covered:
            label = attr.name if attr.default is None else f"{attr.name}={attr.default}"
            type_ = attr.type + (" auto_increment" if attr.autoincrement else "")
            comment = f"# {attr.comment}" if attr.comment else ""
            lines.append(f"{label:<20} : {type_:<28} {comment}".rstrip())
    for columns, index in indexes.items():
        unique = "UNIQUE " if index["unique"] else ""
        lines.append(f"{unique}INDEX ({', '.join(columns)})")
    return "\n".join(lines) + "\n"


def _last_of(attr_map: Mapping[str, str], heading: Heading) -> str:
    """The foreign-key attribute that comes last in the heading."""
    order = heading.names
    return max(attr_map, key=order.index)


def describe_table(table: Any, context: Mapping[str, Any] | None = None) -> str:
    """`describe` for any object with `heading`, `full_table_name` and `connection`."""
    return describe(table.heading, table.full_table_name, table.connection.dependencies, context)
