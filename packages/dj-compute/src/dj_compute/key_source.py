"""`key_source`: which keys an auto-populated table computes.

By default the keys are the combinations of the table's *primary* parents — those whose
foreign key lies inside its primary key — each projected to its primary key (renamed as
the foreign key renames it). A class may override `key_source` with a query, a table
class or a property; `resolve` checks whatever it gives before populate relies on it.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from dj_core.errors import DataJointError
from dj_query import QueryExpression

__all__ = ["default_key_source", "resolve"]


def default_key_source(table: Any) -> QueryExpression:
    """The join of the table's primary parents, projected to their primary keys."""
    parents = table.target.parents(primary=True, as_objects=True, foreign_key_info=True)
    if not parents:
        raise DataJointError(
            f"A table must have dependencies from its primary key for auto-populate to work: "
            f"{table.class_name} has no foreign key in its primary key. Add one, or define "
            "`key_source`."
        )
    projected = [_projection(parent, props) for parent, props in parents]
    return reduce(lambda a, b: a * b, projected)


def _projection(parent: Any, props: dict[str, Any]) -> QueryExpression:
    if not props.get("aliased"):
        return parent.proj()
    renamed = {new: old for new, old in props["attr_map"].items() if new != old}
    return parent.proj(**renamed)


def resolve(table: Any) -> QueryExpression:
    """`table.key_source` as a query expression, checked against the target."""
    source = table.key_source
    if isinstance(source, type) and issubclass(source, QueryExpression):
        source = source()
    if not isinstance(source, QueryExpression):
        raise DataJointError(
            f"Invalid key_source value {source!r} in {table.class_name}: give a query "
            "expression, a table class, or a property returning a query expression."
        )
    names = set(table.target.heading.names)
    for attribute in source.primary_key:
        if attribute not in names:
            raise DataJointError(
                f"The populate target lacks attribute {attribute} from the primary key of "
                f"key_source: {table.class_name}.key_source must only use attributes of "
                f"{table.target.class_name}'s heading."
            )
    return source
