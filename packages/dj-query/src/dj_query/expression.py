"""Query expressions: immutable values that the operators combine into new expressions.

An expression is a heading (the result's attributes), a FROM list of tables and nested
expressions (`support`, natural-joined, some as left joins), translated restrictions
(ANDed), and an optional `Top` (order/limit/offset) and DISTINCT. Operators never modify
an operand: each copies it (keeping the class, so `(Session & key).delete()` works on a
table) and sets the changed parts. Which operand must become a subquery follows
DataJoint's rules, refined so that a subquery appears only where the
semantics need one. SQL text comes from `compiler.py` alone; fetching lives in
`fetch.py`, previews in `preview.py`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, ClassVar

from dj_core.jsonpath import parse_json_attribute

from dj_query import compiler, fetch, preview, projection
from dj_query._sql import json_value
from dj_query.condition import AndList, Not
from dj_query.errors import DataJointError
from dj_query.predicate import AllOf, AnyOf, Negation, Predicate, SQLText
from dj_query.relation import Relation, UniversalSet, as_relation
from dj_query.restriction import check_join_compatibility, names_in_sql, translate
from dj_query.top import Top

__all__ = ["Aggregation", "QueryExpression", "Union"]


class QueryExpression(Relation):
    """A query: restrict with `&`/`-`/`^`, join with `*`/`@`, project with `proj`,
    aggregate with `aggr`, unite with `+`; read with `fetch`/`fetch1`, `len`, iteration.

    Instances are never modified after construction; subclasses (tables) provide the
    heading, support and connection of a stored table.
    """

    #: how the compiler renders this node: "select", "aggregation" or "union"
    _kind: ClassVar[str] = "select"

    _connection: Any = None
    _heading: Any = None
    _support: tuple = ()
    _left: tuple[bool, ...] = ()
    _restriction: tuple[Predicate, ...] = ()
    _restriction_attributes: frozenset[str] = frozenset()
    _top: Top | None = None
    _distinct: bool = False
    _original_heading: Any = None

    # --- state -------------------------------------------------------------------------

    @property
    def connection(self) -> Any:
        """The connection every operand of this query shares."""
        return self._connection

    @property
    def heading(self) -> Any:
        """The result's attributes (a dj-core `Heading`)."""
        return self._heading

    @property
    def support(self) -> tuple:
        """FROM items: full table names (`` `db`.`tbl` ``) and nested expressions."""
        return self._support

    @property
    def restriction(self) -> AndList:
        """The translated conditions, combined with AND. Each item is itself a valid
        restriction, so `other & q.restriction` applies the same conditions."""
        return AndList(self._restriction)

    @property
    def restriction_attributes(self) -> set[str]:
        """Names the restrictions refer to."""
        return set(self._restriction_attributes)

    @property
    def original_heading(self) -> Any:
        """The heading before projections: the column names available in FROM."""
        return self._original_heading if self._original_heading is not None else self.heading

    @property
    def primary_key(self) -> list[str]:
        return list(self.heading.primary_key)

    def _derive(self, **state: Any) -> QueryExpression:
        """A copy with some state replaced: the one way operators build results."""
        result = copy.copy(self)
        for name, value in state.items():
            setattr(result, "_" + name, value)
        return result

    def make_subquery(self) -> QueryExpression:
        """This query as the single FROM item of a new one (all attributes plain)."""
        result = QueryExpression()
        result._connection = self.connection
        result._support = (self,)
        result._heading = self.heading.make_subquery_heading()
        return result

    @property
    def _derived_names(self) -> set[str]:
        return set(self.heading.new_attributes)

    # --- restriction -------------------------------------------------------------------

    def restrict(self, restriction: Any, semantic_check: bool = True) -> QueryExpression:
        """Rows satisfying `restriction`: any DataJoint condition form, or a `Top`.
        `semantic_check=False` skips the join-compatibility check for query conditions."""
        if isinstance(restriction, Top):
            outer = self.make_subquery() if self._top not in (None, restriction) else self
            return outer._derive(top=restriction)
        predicate = translate(self.heading, restriction, semantic_check=semantic_check)
        if predicate is True:
            return self
        names = predicate.attributes if isinstance(predicate, Predicate) else frozenset()
        known = set(self.heading.names)
        missing = sorted(name for name in names if name not in known)
        if missing:
            raise DataJointError(
                f"Attribute `{missing[0]}` is not found in query: its attributes are "
                f"{', '.join(self.heading.names) or '(none)'}. Check the spelling, or "
                "backquote names that are SQL words."
            )
        result = self._restriction_operand(predicate, names)
        return result._derive(
            restriction=(*result._restriction, predicate),
            restriction_attributes=result._restriction_attributes | names,
        )

    def restrict_in_place(self, restriction: Any) -> None:
        """Restrict this very object (0.14 code calls this name); `q & r` leaves `q` as
        it is and is usually what you want."""
        restricted = self.restrict(restriction)
        if type(restricted) is not type(self):  # restricting needed a subquery
            raise DataJointError(
                "This query cannot be restricted in place: use `query & restriction`, "
                "which returns the restricted query."
            )
        vars(self).update(vars(restricted))

    def _restriction_operand(self, predicate: Any, names: frozenset[str]) -> QueryExpression:
        """Self, or self as a subquery when the WHERE clause could not see the restricted
        rows or attributes: after a Top, or when the condition uses a renamed or computed
        attribute (for SQL text, whose names are only guessed: when any is derived)."""
        if self._top is not None or self._kind == "union":
            return self.make_subquery()
        derived = self._derived_names
        if not derived:
            return self
        if _has_sql_text(predicate) or derived & names:
            return self.make_subquery()
        return self

    def __and__(self, restriction: Any) -> QueryExpression:
        return self.restrict(restriction)

    def __sub__(self, restriction: Any) -> QueryExpression:
        return self.restrict(Not(restriction))

    def __xor__(self, restriction: Any) -> QueryExpression:
        return self.restrict(restriction, semantic_check=False)

    def __neg__(self) -> Not:
        return Not(self)

    # --- projection --------------------------------------------------------------------

    def proj(self, *attributes: Any, **named_attributes: str) -> QueryExpression:
        """Keep, rename (`new='old'`), duplicate (`new='(old)'`) and compute
        (`new='<sql>'`) attributes; `...` keeps all secondary attributes, `'-name'`
        drops one. The primary key is always kept (renamed if asked)."""
        spec = projection.parse(self.heading, attributes, named_attributes)
        compute_map = {
            name: self._json_expression(expression) for name, expression in spec.compute_map.items()
        }
        dialect = self.connection.dialect
        used = spec.sources.union(*(names_in_sql(e, dialect) for e in spec.compute_map.values()))
        derived = self._derived_names
        need_subquery = (
            self._kind == "union"
            or bool(used & derived)
            or bool(derived & self._restriction_attributes)
            or bool((derived - set(spec.keep)) & self._order_names)
        )
        source = self.make_subquery() if need_subquery else self
        heading = source.heading.select(spec.keep, spec.rename_map, compute_map)
        return source._derive(heading=heading, original_heading=source.original_heading)

    @property
    def _order_names(self) -> set[str]:
        """Attribute names the Top's ORDER BY uses (they must stay visible to it)."""
        if self._top is None:
            return set()
        words = {w for entry in self._top.order_by for w in entry.split()}
        return {w for w in words if w.upper() not in ("KEY", "ASC", "DESC")}

    def _json_expression(self, expression: str) -> str:
        parsed = parse_json_attribute(expression)
        if parsed is None or parsed.path is None:
            return expression
        return json_value(self.connection, parsed.attribute, parsed.path, parsed.type)

    # --- join --------------------------------------------------------------------------

    def join(self, other: Any, semantic_check: bool = True, left: bool = False) -> QueryExpression:
        """Natural join: combinations of rows agreeing on all namesake attributes.
        `left=True` also keeps rows of this query without a match."""
        other = as_relation(other)
        if isinstance(other, UniversalSet):
            return other.join(self)
        if not isinstance(other, QueryExpression):
            raise DataJointError(
                f"Cannot join with {other!r}: give a query expression or a table class."
            )
        if semantic_check:
            check_join_compatibility(self, other)
        if other.connection != self.connection:
            raise DataJointError("Cannot join queries that use different connections.")
        shared = [name for name in self.heading.names if name in set(other.heading.names)]
        overlap = bool(
            (set(self.original_heading.names) & set(other.original_heading.names)) - set(shared)
        )
        first = self._join_operand(shared, overlap)
        second = other._join_operand(shared, overlap, right_of=("left" if left else "inner"))
        result = QueryExpression()
        result._connection = self.connection
        result._support = (*first.support, *second.support)
        result._left = (*first._left, left, *second._left)
        result._heading = first.heading.join(second.heading)
        result._restriction = (*first._restriction, *second._restriction)
        result._restriction_attributes = (
            first._restriction_attributes | second._restriction_attributes
        )
        result._original_heading = first.original_heading.join(second.original_heading)
        return result

    def _join_operand(
        self, shared: list[str], overlap: bool, right_of: str | None = None
    ) -> QueryExpression:
        """Self, or self as a subquery when merging its FROM and WHERE into the join would
        change the meaning: namesake columns beyond the join attributes, a derived join
        attribute, grouping, union, DISTINCT, a Top (DataJoint 0.14 dropped it). On the
        right of a join the FROM list is read left-associatively, so the right operand is
        kept whole when it contains left joins, and, on the right of a left join, when it
        has its own conditions (they would discard unmatched rows) or several tables."""
        need = (
            overlap
            or self._kind != "select"
            or self._distinct
            or self._top is not None
            or not self._derived_names.isdisjoint(shared)
            or (right_of is not None and any(self._left))
            or (right_of == "left" and bool(self._restriction or len(self.support) > 1))
        )
        return self.make_subquery() if need else self

    def __mul__(self, other: Any) -> QueryExpression:
        return self.join(other)

    def __matmul__(self, other: Any) -> QueryExpression:
        return self.join(other, semantic_check=False)

    # --- aggregation and union ---------------------------------------------------------

    def aggr(
        self, group: Any, *attributes: Any, keep_all_rows: bool = False, **named_attributes: str
    ) -> QueryExpression:
        """One row per row of this query, with `named_attributes` computed (SQL aggregate
        functions) over the matching rows of `group`; `keep_all_rows=True` keeps rows of
        this query without matches."""
        if Ellipsis in attributes:
            attributes = tuple(a for a in attributes if a is not Ellipsis) + tuple(
                a for a in self.heading.secondary_attributes if a not in attributes
            )
        return Aggregation.create(self, group, keep_all_rows=keep_all_rows).proj(
            *attributes, **named_attributes
        )

    aggregate = aggr

    def __add__(self, other: Any) -> QueryExpression:
        return Union.create(self, other)

    # --- running the query -------------------------------------------------------------

    def make_sql(self, fields: list[str] | None = None) -> str:
        """The SELECT statement of this query (`fields` narrows the select list)."""
        return compiler.compile_select(self, fields)

    def cursor(self, as_dict: bool = False) -> Any:
        """Run the query and return the raw driver cursor (no decoding)."""
        return self.connection.query(self.make_sql(), as_dict=as_dict)

    @property
    def fetch(self) -> fetch.Fetch:
        """`fetch(*attrs, offset=None, limit=None, order_by=None, format=None,
        as_dict=None, squeeze=False, download_path=".", chunk_size=None)`."""
        return fetch.Fetch(self)

    @property
    def fetch1(self) -> fetch.Fetch1:
        """`fetch1(*attrs, squeeze=False, download_path=".")`: exactly one row."""
        return fetch.Fetch1(self)

    # the names DataJoint 2.x uses, so code written for either API reads naturally;
    # each takes fetch's keywords (order_by, limit, offset, squeeze, chunk_size, ...)

    def to_dicts(self, **fetch_kwargs: Any) -> Any:
        """The rows as a list of dicts: `fetch(as_dict=True)`."""
        return self.fetch(as_dict=True, **fetch_kwargs)

    def to_pandas(self, **fetch_kwargs: Any) -> Any:
        """A pandas DataFrame indexed by the primary key: `fetch(format="frame")`."""
        return self.fetch(format="frame", **fetch_kwargs)

    def to_arrow(self, **fetch_kwargs: Any) -> Any:
        """A `pyarrow.Table`: `fetch(format="arrow")` (needs pyarrow)."""
        return self.fetch(format="arrow", **fetch_kwargs)

    def to_polars(self, **fetch_kwargs: Any) -> Any:
        """A `polars.DataFrame`: `fetch(format="polars")` (needs polars)."""
        return self.fetch(format="polars", **fetch_kwargs)

    def head(self, limit: int = 25, **fetch_kwargs: Any) -> Any:
        """The first `limit` rows in primary-key order."""
        return self.fetch(order_by="KEY", limit=limit, **fetch_kwargs)

    def tail(self, limit: int = 25, **fetch_kwargs: Any) -> Any:
        """The last `limit` rows, returned in ascending primary-key order."""
        return self.fetch(order_by="KEY DESC", limit=limit, **fetch_kwargs)[::-1]

    def __len__(self) -> int:
        return self.connection.query(compiler.compile_count(self)).fetchone()[0]

    def __bool__(self) -> bool:
        return bool(self.connection.query(compiler.compile_exists(self)).fetchone()[0])

    def __contains__(self, restriction: Any) -> bool:
        return bool(self & restriction)

    def __iter__(self) -> Iterator[dict]:
        return fetch.iterate(self)

    def preview(self, limit: int | None = None, width: int | None = None) -> str:
        return preview.text_preview(self, limit, width)

    def _repr_html_(self) -> str:
        return preview.html_preview(self)

    def __repr__(self) -> str:
        return preview.representation(self)


class Aggregation(QueryExpression):
    """`q.aggr(g, ...)`: rows of `q` with computations over matching rows of `g`.

    The conditions of `q` and `g` go to WHERE (before grouping); later restrictions go
    to HAVING, so they may use the computed attributes.
    """

    _kind: ClassVar[str] = "aggregation"
    _where: tuple[Predicate, ...] = ()
    #: column names (in the joined FROM) the rows are grouped by: `q`'s primary key
    _grouping: tuple[str, ...] = ()
    #: further columns of `q` (functionally dependent on its key) the SELECT may use;
    #: grouped by too, so the statement is valid under MariaDB's ONLY_FULL_GROUP_BY
    #: (which, unlike MySQL, does not detect functional dependence). Blob-like columns
    #: are grouped by only when selected.
    _dependent: tuple[str, ...] = ()
    _dependent_bulky: tuple[str, ...] = ()

    @classmethod
    def create(cls, arg: Any, group: Any, keep_all_rows: bool = False) -> Aggregation:
        group = as_relation(group)
        if not isinstance(group, QueryExpression):
            raise DataJointError(
                f"Cannot aggregate over {group!r}: give a query expression or a table class."
            )
        if (
            group.heading.new_attributes
            or (keep_all_rows and len(group.support) > 1)
            or group._kind != "select"
            or group._top is not None
            or group._distinct
        ):
            group = group.make_subquery()
        joined = arg.join(group, left=keep_all_rows)
        result = cls()
        result._connection = joined.connection
        result._heading = joined.heading.set_primary_key(arg.primary_key)
        result._support = joined.support
        result._left = joined._left
        result._where = joined._restriction
        result._original_heading = joined.original_heading
        result._grouping = tuple(arg.primary_key)
        available = set(joined.heading.names)
        arg_heading = arg.heading if isinstance(arg, QueryExpression) else None
        secondary = [
            n for n in (arg_heading.secondary_attributes if arg_heading else []) if n in available
        ]
        bulky = {n for n in secondary if _is_bulky(arg_heading[n])}
        result._dependent = tuple(n for n in secondary if n not in bulky)
        result._dependent_bulky = tuple(n for n in secondary if n in bulky)
        return result

    def _restriction_operand(self, predicate: Any, names: frozenset[str]) -> QueryExpression:
        return self.make_subquery() if self._top is not None else self


class Union(QueryExpression):
    """`q1 + q2`: every key of either operand, each side's secondary attributes from
    that side (NULL where the key is missing there)."""

    _kind: ClassVar[str] = "union"

    @classmethod
    def create(cls, arg1: Any, arg2: Any) -> Union:
        arg2 = as_relation(arg2)
        if not isinstance(arg2, QueryExpression):
            raise DataJointError(
                f"Cannot unite with {arg2!r}: a union needs two query expressions."
            )
        if arg1.connection != arg2.connection:
            raise DataJointError("Cannot unite queries that use different connections.")
        if set(arg1.primary_key) != set(arg2.primary_key):
            raise DataJointError(
                "The operands of a union must have the same primary key: "
                f"{arg1.primary_key} vs {arg2.primary_key}."
            )
        common = set(arg1.heading.secondary_attributes) & set(arg2.heading.secondary_attributes)
        if common:
            raise DataJointError(
                f"The operands of a union must not share secondary attributes ({sorted(common)}): "
                "restrict by a list of conditions instead, or project the attributes away."
            )
        result = cls()
        result._connection = arg1.connection
        result._heading = arg1.heading.join(arg2.heading)
        result._support = (arg1, arg2)
        return result


def _is_bulky(attr: Any) -> bool:
    return bool(attr.is_blob or attr.is_attachment or attr.is_filepath or attr.json)


def _has_sql_text(predicate: Any) -> bool:
    if isinstance(predicate, SQLText):
        return True
    if isinstance(predicate, Negation):
        return _has_sql_text(predicate.item)
    if isinstance(predicate, (AllOf, AnyOf)):
        return any(_has_sql_text(item) for item in predicate.items)
    return False
