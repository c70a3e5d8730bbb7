"""Compiling table definitions: `declare(full_table_name, definition, context)`.

Parsing is `grammar`'s job; this module turns parsed lines into the parts of a table —
columns with their types and `:type:` comment markers, defaults, the primary key,
unnamed foreign keys (updates cascade, deletes are restricted), unique and secondary
indexes, the table comment — and asks the connection's dialect to spell each part and
the statement creating the table. The MySQL dialect spells them exactly as DataJoint
0.14 does, so tables declared here and by 0.14 are the same on the server.

Foreign-key references are Python expressions evaluated in `context` and resolved by
duck typing: the object must expose `heading`, `primary_key` and
`full_table_name` (or `support`), and have no `restriction`. A class is instantiated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dj_core.attribute_adapter import get_adapter
from dj_core.attribute_types import (
    EXTERNAL_TYPES,
    NON_KEY_TYPES,
    SERIALIZED_TYPES,
    SPECIAL_TYPES,
    get_handler,
    match_type,
)
from dj_core.dialects import DIALECTS, Dialect
from dj_core.errors import DataJointError, UnboundTableError, _support_filepath_types
from dj_core.grammar import (
    AttributeLine,
    DividerLine,
    ForeignKeyLine,
    IndexLine,
    parse_definition,
)
from dj_core.jsonpath import parse_json_attribute, render_json_value
from dj_core.table_names import split_full_table_name

__all__ = ["MAX_TABLE_NAME_LENGTH", "Declaration", "compile_definition", "declare"]

#: the default dialect's limit (a connection's dialect may have another)
MAX_TABLE_NAME_LENGTH = DIALECTS[0].max_identifier_length


@dataclass
class Declaration:
    """Everything `compile_definition` found: the statement and what it depends on."""

    sql: str
    table_comment: str
    primary_key: list[str]
    attributes: list[str]
    external_stores: list[str]
    # (category, type as written) of every column needing a type handler, in order
    special_types: list[tuple[str, str]] = field(default_factory=list)
    # full table names of the referenced (parent) tables
    parents: list[str] = field(default_factory=list)
    # the statement's parts, in order (used by `alter`)
    column_sql: list[str] = field(default_factory=list)
    foreign_key_sql: list[str] = field(default_factory=list)
    index_sql: list[str] = field(default_factory=list)
    # the definition has functional (JSON-path) index parts
    functional_indexes: bool = False
    # every statement creating the table, in order (`sql` is the first)
    statements: list[str] = field(default_factory=list)


class _Builder:
    """Accumulates the parts of one CREATE TABLE statement."""

    def __init__(self, database: str, context: Mapping[str, Any] | None, dialect: Dialect):
        self.database = database
        self.dialect = dialect
        self.context = context if context is not None else {}
        self.attributes: list[str] = []
        self.primary_key: list[str] = []
        self.column_sql: list[str] = []
        self.foreign_key_sql: list[str] = []
        self.index_sql: list[str] = []
        self.external_stores: list[str] = []
        self.special_types: list[tuple[str, str]] = []
        self.parents: list[str] = []
        self.functional_indexes = False

    # -- attributes --------------------------------------------------------------------

    def add_attribute(self, line: AttributeLine, in_key: bool) -> None:
        where = f'in line {line.lineno} "{line.line}"'
        if line.comment.startswith(":"):
            raise DataJointError(
                f'An attribute comment must not start with a colon ":" {where} '
                "(colons mark special types in comments)."
            )
        comment = line.comment
        nullable, default = False, None
        if line.default is None or line.default == "":
            pass
        elif line.default.upper() == "NULL":
            if in_key:
                raise DataJointError(
                    f"Primary key attributes cannot be nullable {where}: remove the null "
                    "default or move the attribute below the --- divider."
                )
            nullable, default = True, "NULL"
        else:
            default = self.dialect.default_sql(line.default)

        try:
            category, match = match_type(line.type)
        except DataJointError as error:
            raise DataJointError(
                f"Attribute `{line.name}` has an unknown type {where}. {error}"
            ) from None
        sql_type = line.type
        if category in SPECIAL_TYPES:
            comment = f":{line.type}:{comment}"
        if category in NON_KEY_TYPES and in_key:
            raise DataJointError(
                f"An attribute of type {line.type} cannot be in the primary key {where}: "
                "blob, attach, filepath and json attributes go below the --- divider."
            )
        if category == "ADAPTED":
            adapter = get_adapter(self.context, line.type)
            get_handler("ADAPTED", purpose="declare")
            self.special_types.append((category, line.type))
            inner_type = adapter.attribute_type.strip()
            category, match = match_type(inner_type)
            if category == "ADAPTED":
                raise DataJointError(
                    f"Attribute adapter {line.type} maps to another adapter ({inner_type}) "
                    f"{where}: an adapter's attribute_type must be a DataJoint type."
                )
            sql_type = inner_type
            if category in NON_KEY_TYPES and in_key:
                raise DataJointError(
                    f"Adapted type {line.type} stores {inner_type}, which cannot be in the "
                    f"primary key {where}."
                )
        if category == "FILEPATH" and not _support_filepath_types():
            raise DataJointError(
                "The filepath data type is disabled: set the environment variable "
                "DJ_SUPPORT_FILEPATH_MANAGEMENT=TRUE to enable it."
            )
        handler = get_handler(category, purpose="declare")
        if category in SPECIAL_TYPES or category in ("INTERNAL_BLOB", "JSON"):
            self.special_types.append((category, sql_type))
            sql_type = handler.declare_sql(sql_type, self.dialect)
        else:  # the column type of every definition-language type is the dialect's choice
            sql_type = self.dialect.column_type(category, sql_type)
        if category in EXTERNAL_TYPES:
            store = match.group("store")
            self.external_stores.append(store)
            tracking = self.dialect.full_table_name(self.database, f"~external_{store}")
            self.foreign_key_sql.append(
                self.dialect.foreign_key_sql([line.name], tracking, ["hash"], cascade_updates=False)
            )
        if (category in SERIALIZED_TYPES or category in EXTERNAL_TYPES) and (
            default is not None and not nullable
        ):
            raise DataJointError(
                f"The default value of blob, attachment and external attributes can only be "
                f"NULL {where}."
            )
        sql = self.dialect.column_sql(
            line.name, sql_type, nullable=nullable, default=default, comment=comment or None
        )
        if in_key and line.name not in self.primary_key:
            self.primary_key.append(line.name)
        if line.name not in self.attributes:
            self.attributes.append(line.name)
            self.column_sql.append(sql)

    # -- foreign keys ------------------------------------------------------------------

    def add_foreign_key(self, line: ForeignKeyLine, in_key: bool) -> None:
        where = f'in line {line.lineno} "{line.line}"'
        options = [option.upper() for option in line.options]
        for option in options:
            if option not in ("NULLABLE", "UNIQUE"):
                raise DataJointError(
                    f'Invalid foreign key option "{option}" {where}: allowed options are '
                    "nullable and unique."
                )
        nullable = "NULLABLE" in options
        if nullable and in_key:
            raise DataJointError(
                f"Primary dependencies cannot be nullable {where}: move the foreign key "
                "below the --- divider or drop the nullable option."
            )
        ref = resolve_reference(line.reference, self.context, where)
        heading = ref.heading
        primary_key = list(ref.primary_key)
        for name in primary_key:
            if name not in self.attributes:
                self.attributes.append(name)
                if in_key:
                    self.primary_key.append(name)
                attribute = heading[name]
                self.column_sql.append(
                    self.dialect.column_sql(
                        name, attribute.sql_type, nullable=nullable, comment=attribute.sql_comment
                    )
                )
            elif in_key and name not in self.primary_key:
                self.primary_key.append(name)
        parent = _support_of(ref)
        self.parents.append(parent)
        originals = [heading[name].original_name for name in primary_key]
        self.foreign_key_sql.append(self.dialect.foreign_key_sql(primary_key, parent, originals))
        if "UNIQUE" in options:
            self.index_sql.append(
                self.dialect.index_sql(
                    [self.dialect.quote(name) for name in primary_key],
                    unique=True,
                    from_foreign_key=True,
                )
            )

    # -- indexes -----------------------------------------------------------------------

    def add_index(self, line: IndexLine) -> None:
        parts = []
        for item in line.items:
            parsed = parse_json_attribute(item)
            if parsed is None:
                parts.append(item)
            elif parsed.path is None:
                parts.append(self.dialect.quote(parsed.attribute))
            else:
                self.functional_indexes = True
                parts.append(f"({render_json_value(parsed, self.dialect)})")
        self.index_sql.append(self.dialect.index_sql(parts, unique=line.unique))


def _support_of(ref: Any) -> str:
    support = getattr(ref, "support", None)
    if support is None:
        support = [ref.full_table_name]
    return support[0]


def resolve_reference(text: str, context: Mapping[str, Any], where: str = "") -> Any:
    """Evaluate a foreign-key reference and check it is a table or a projection of one."""
    try:
        ref = eval(text, {}, dict(context))  # the definition language's references
    except Exception as error:
        raise DataJointError(
            f"Foreign key reference {text} could not be resolved {where}: {error}. "
            "Make sure the referenced class is defined or imported where the schema "
            "decorates this class (or pass it in the schema's context)."
        ) from None
    if isinstance(ref, type):
        try:
            ref = ref()
        except TypeError as error:
            raise DataJointError(
                f"Foreign key reference {text} {where} is a class that cannot be "
                f"instantiated without arguments: {error}."
            ) from None
    try:
        ref.heading  # noqa: B018
    except UnboundTableError as error:  # also an AttributeError: say so before hasattr
        raise DataJointError(
            f"Foreign key reference {text} {where} names a table class that is not "
            f"decorated with a schema yet: {error}"
        ) from None
    except AttributeError:
        pass  # not a query: refused below
    missing = [name for name in ("heading", "primary_key") if not hasattr(ref, name)]
    support = getattr(ref, "support", None)
    if support is None and hasattr(ref, "full_table_name"):
        support = [ref.full_table_name]
    if (
        missing
        or not support
        or len(support) != 1
        or not isinstance(support[0], str)
        or getattr(ref, "restriction", None)
    ):
        raise DataJointError(
            f'Dependency "{text}" {where} is not supported: only a base table or its '
            "projection may be referenced (no restrictions, joins or other queries)."
        )
    return ref


def compile_definition(
    full_table_name: str,
    definition: str,
    context: Mapping[str, Any] | None,
    *,
    add_hidden_timestamp: bool = False,
    dialect: Dialect | None = None,
) -> Declaration:
    """Parse `definition` and build the statements creating `full_table_name` (in
    `dialect`'s SQL; the default dialect's when None — the text alone needs no server)."""
    dialect = dialect if dialect is not None else DIALECTS[0]
    database, table_name = split_full_table_name(full_table_name)
    # the servers count bytes (PostgreSQL: 63, MySQL: 64); DataJoint's names are ASCII
    if len(table_name.encode()) > dialect.max_identifier_length:
        raise DataJointError(
            f"Table name `{table_name}` exceeds the max length of "
            f"{dialect.max_identifier_length} characters: shorten the class name."
        )
    parsed = parse_definition(definition)
    builder = _Builder(database, context, dialect)
    in_key = True
    for item in parsed.items:
        if isinstance(item, DividerLine):
            in_key = False
        elif isinstance(item, ForeignKeyLine):
            builder.add_foreign_key(item, in_key)
        elif isinstance(item, IndexLine):
            builder.add_index(item)
        else:
            builder.add_attribute(item, in_key)
    too_long = [
        name for name in builder.attributes if len(name.encode()) > dialect.max_identifier_length
    ]
    if too_long:
        raise DataJointError(
            f"Attribute `{too_long[0]}` of {full_table_name} is "
            f"{len(too_long[0].encode())} characters long; the server's names hold at most "
            f"{dialect.max_identifier_length}: shorten it (or rename it in the foreign key's "
            "projection)."
        )
    if not builder.primary_key:
        raise DataJointError(
            f"Table {full_table_name} must have a primary key: declare at least one "
            "attribute or foreign key above the --- divider."
        )
    if add_hidden_timestamp:
        digest = hashlib.sha1(f"{database}.{table_name}".encode()).hexdigest()
        builder.column_sql.append(
            dialect.column_sql(f"_{digest}_timestamp", "timestamp", default="CURRENT_TIMESTAMP")
        )
    clauses = [
        *builder.column_sql,
        dialect.primary_key_sql(builder.primary_key),
        *builder.foreign_key_sql,
        *builder.index_sql,
    ]
    statements = dialect.create_table_sql(full_table_name, clauses, parsed.comment)
    return Declaration(
        sql=statements[0],
        statements=statements,
        table_comment=parsed.comment,
        primary_key=builder.primary_key,
        attributes=builder.attributes,
        external_stores=builder.external_stores,
        special_types=builder.special_types,
        parents=builder.parents,
        column_sql=builder.column_sql,
        foreign_key_sql=builder.foreign_key_sql,
        index_sql=builder.index_sql,
        functional_indexes=builder.functional_indexes,
    )


def declare(
    full_table_name: str,
    definition: str,
    context: Mapping[str, Any] | None,
    *,
    add_hidden_timestamp: bool = False,
    dialect: Dialect | None = None,
) -> tuple[str, list[str]]:
    """`(create_table_sql, external_stores)` for a definition (0.14's `declare`)."""
    declaration = compile_definition(
        full_table_name,
        definition,
        context,
        add_hidden_timestamp=add_hidden_timestamp,
        dialect=dialect,
    )
    return declaration.sql, declaration.external_stores
