"""`insert`: rows of every DataJoint 0.14 form into one table, all or none.

The rows are first turned into columns (`rows.py`), because everything after
that works a column at a time: each special attribute type's handler encodes a whole
column (`encode_column`, so dj-external uploads the objects of one insert as a batch),
and the dialect's `insert_literals` renders a column of plain values with one
comprehension. The rendered rows are then cut into `INSERT` statements that fit the
server's statement size (`Dialect.max_statement_size`); several statements (or any external-type column) run inside one
transaction — opened before encoding, so tracking rows written by the handlers belong
to it — and a failure anywhere leaves no row behind.

Inserting a query runs `INSERT ... SELECT` on the server. Duplicates are an error,
skipped or replaced, as the dialect's `insert_sql` spells it.
"""

from __future__ import annotations

import functools
import logging
import os
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dj_core.attribute_types import (
    EXTERNAL_TYPES,
    AttributeType,
    TypeContext,
    classify,
    get_handler,
)
from dj_core.attribute_types import HANDLER_PACKAGES as _SPECIAL
from dj_core.errors import (
    DataJointError,
    DuplicateError,
    UnknownAttributeError,
    ValueRejectedError,
)

from dj_query.expression import QueryExpression
from dj_query.rows import known_fields, rows_to_columns

__all__ = [
    "attribute_category",
    "encode_column",
    "insert",
    "insert_sql_prefix",
    "rejected_value",
    "verbatim_rows",
]

logger = logging.getLogger("datajoint")

# leave room for the statement's head and the protocol framing
_PACKET_MARGIN = 64 * 1024
# above this, more bytes per statement stop paying off and cost client memory
_STATEMENT_CAP = 16 * 1024 * 1024

# id(connection) -> (a weak reference to it, its largest statement in bytes)
_packet_sizes: dict[int, tuple[weakref.ref, int]] = {}


def insert(
    table: Any,
    rows: Any,
    *,
    replace: bool = False,
    skip_duplicates: bool = False,
    ignore_extra_fields: bool = False,
    allow_direct_insert: bool | None = None,
) -> None:
    """Insert `rows` into `table` (see the module docstring)."""
    if allow_direct_insert is not True and not table._allows_direct_insert():
        raise DataJointError(
            f"Rows of {table.class_name} are inserted by its make() during populate(); "
            "to insert directly, pass allow_direct_insert=True."
        )
    if (
        type(rows) in _ONE_ROW_CONTAINERS
        and len(rows) == 1
        and type(rows[0]) is dict
        and _sent_one_row(table, rows[0], replace, skip_duplicates, ignore_extra_fields)
    ):
        return
    if isinstance(rows, type) and issubclass(rows, QueryExpression):
        rows = rows()
    if isinstance(rows, QueryExpression):
        _insert_query(table, rows, replace, skip_duplicates, ignore_extra_fields)
        return
    heading = table.heading
    fields, columns = rows_to_columns(rows, heading, ignore_extra_fields)
    if not columns or not columns[0]:
        return
    connection = table.connection
    attributes, external, prefix, suffix = _plan(table, heading, fields, replace, skip_duplicates)
    own = not connection.transaction_open
    if own and external:
        # tracking rows written while encoding belong to it; an insert reads nothing, so no
        # snapshot: concurrent writers of the same tracking row wait instead of failing
        connection.start_transaction(snapshot=False)
    try:
        statement = (prefix, suffix, replace or skip_duplicates)
        if not external and _sent_whole(table, rows, fields, columns, attributes, *statement):
            return
        packet = _max_packet(connection)
        chunks = _chunks(attributes, columns, external)
        if len(chunks) > 1:
            if own and not external:
                connection.start_transaction(snapshot=False)
            statements: Iterable[tuple[str | bytes, int]] = _pipelined(
                table, attributes, columns, chunks, prefix, suffix, packet
            )
        else:
            rendered = [
                encode_column(table, attr, column) for attr, column in zip(attributes, columns)
            ]
            statements = _statements(packet, prefix, suffix, rendered)
            if own and not external and len(statements) > 1:
                connection.start_transaction(snapshot=False)
        for statement, first_row in statements:
            try:
                _execute(connection, statement)
            except ValueRejectedError as error:
                raise rejected_value(table, error, fields, columns, first_row) from None
        if connection.transaction_open and own:
            connection.commit_transaction()
    except BaseException:
        if own and connection.transaction_open:
            connection.cancel_transaction()
        raise


# --- one row ----------------------------------------------------------------------------
#
# `make()` inserts one dict per key, thousands of times with the same fields: turning the
# row into columns, cutting chunks and statements cost more client time than sending the
# statement. One dict row skips those steps and goes through the same pieces as the
# general path (`_plan`, `_sent_bound`, `encode_column`); a row with an external type, or
# too large for one statement, is left to that path.

_ONE_ROW_CONTAINERS = (tuple, list)

# per heading: for a dict row with these keys (and the insert's options, table and
# dialect), its fields in heading order with their `_plan`, or None when `known_fields`
# refuses them (the general path raises its error) or an attribute is external
_one_row_plans: weakref.WeakKeyDictionary[Any, dict[tuple, tuple | None]] = (
    weakref.WeakKeyDictionary()
)


def _sent_one_row(
    table: Any, row: dict, replace: bool, skip_duplicates: bool, ignore_extra: bool
) -> bool:
    """Insert `row` as one statement (values bound on the server where the dialect
    can); False when nothing was sent and the general path must take the row."""
    heading = table.heading
    connection = table.connection
    dialect = connection.dialect
    known = _one_row_plans.get(heading)
    if known is None:
        known = _one_row_plans[heading] = {}
    given = (tuple(row), ignore_extra, replace, skip_duplicates, table.full_table_name, dialect)
    try:
        planned = known[given]
    except KeyError:
        planned = known[given] = _one_row_plan(
            table, heading, row, ignore_extra, replace, skip_duplicates
        )
    if planned is None:
        return False
    fields, attributes, prefix, suffix = planned
    columns = [[row[name]] for name in fields]
    # (one row never takes the bulk-load path: only binding can send it whole)
    if dialect.prepared_cursor is not None and _sent_bound(
        table, fields, columns, attributes, prefix, suffix
    ):
        return True
    render = dialect.insert_literals
    literals = [
        encode_column(table, attr, column, threads=False, render=render)[0]
        for attr, column in zip(attributes, columns)
    ]
    statement = f"{prefix} VALUES ({','.join(literals)}){suffix}"
    size = len(statement) if statement.isascii() else len(statement.encode())
    if size > min(_max_packet(connection) - _PACKET_MARGIN, _STATEMENT_CAP):
        return False  # the general path names the row that fits no statement
    try:
        # (the same text for every key only where the values repeat, but the
        # connection's reused cursor saves opening one per insert)
        _execute(connection, statement, args=())
    except ValueRejectedError as error:
        raise rejected_value(table, error, fields, columns) from None
    return True


def _one_row_plan(
    table: Any, heading: Any, row: dict, ignore_extra: bool, replace: bool, skip: bool
) -> tuple | None:
    try:
        fields = known_fields(list(row), heading.names, ignore_extra)
    except (KeyError, DataJointError):
        return None
    attributes, external, prefix, suffix = _plan(table, heading, fields, replace, skip)
    return None if external else (fields, attributes, prefix, suffix)


# per heading (a table's heading object is replaced when its definition changes): the
# attributes, whether any is external and the statement's head and tail, per set of
# fields and duplicate handling — an insert of one row per make() builds them once
_plans: weakref.WeakKeyDictionary[Any, dict[tuple, tuple]] = weakref.WeakKeyDictionary()


def _plan(
    table: Any, heading: Any, fields: Sequence[str], replace: bool, skip_duplicates: bool
) -> tuple[list[Any], bool, str, str]:
    plans = _plans.get(heading)
    if plans is None:
        plans = _plans[heading] = {}
    key = (table.full_table_name, table.connection.dialect, tuple(fields), replace, skip_duplicates)
    plan = plans.get(key)
    if plan is None:
        attributes = [heading[name] for name in fields]
        external = any(attribute_category(attr) in EXTERNAL_TYPES for attr in attributes)
        prefix, suffix = _insert_sql(table, fields, replace, skip_duplicates)
        plan = plans[key] = (attributes, external, prefix, suffix)
    return plan


def insert_sql_prefix(table: Any, fields: Sequence[str], replace: bool) -> str:
    """The statement's head up to the rows: ``INSERT INTO t (a,b)`` or its replacing form."""
    return _insert_sql(table, fields, replace, False)[0]


def _insert_sql(
    table: Any,
    fields: Sequence[str],
    replace: bool,
    skip_duplicates: bool,
    *,
    from_query: bool = False,
) -> tuple[str, str]:
    duplicates = "replace" if replace else "skip" if skip_duplicates else "error"
    return table.connection.dialect.insert_sql(
        table.full_table_name,
        fields,
        duplicates=duplicates,
        primary_key=table.primary_key or table.heading.names,
        from_query=from_query,
    )


def _execute(
    connection: Any,
    statement: str | bytes,
    *,
    load: tuple[list[str], Any] | None = None,
    args: list[Any] | None = None,
) -> None:
    """Run one INSERT `statement` (with `args`: one row's values, bound on the server
    where the dialect can), or with `load` (fields, rows) bulk-load the rows into the
    table `statement` names; the server's refusals restated for inserts."""
    try:
        if args is not None:
            connection.query(statement, args, prepare=True)
        elif load is None:
            connection.query(statement)
        else:
            connection.load_rows(statement, *load)
    except DuplicateError as error:
        raise error.suggest(
            "To ignore duplicate entries in insert, set skip_duplicates=True"
        ) from None
    except UnknownAttributeError as error:
        raise error.suggest(
            "To ignore extra fields in insert, set ignore_extra_fields=True"
        ) from None


def rejected_value(
    table: Any,
    error: ValueRejectedError,
    fields: Sequence[str] = (),
    columns: Sequence[Sequence[Any]] = (),
    first_row: int = 0,
) -> ValueRejectedError:
    """`error` (the server refused a value) restated with the table, the attribute and
    the value as given, which the dialect finds among the statement's values (`fields`,
    `columns`; the statement sent the rows from `first_row` on)."""
    attribute = error.attribute
    value: Any = None
    known = False
    if fields:
        heading = table.heading
        # values of adapted types are sent as the adapter made them: not judged by type
        types = [None if heading[name].adapter else heading[name].type for name in fields]
        cell = table.connection.dialect.refused_cell(error, fields, types, columns, first_row)
        if cell is not None:
            attribute, value, known = fields[cell[0]], columns[cell[0]][cell[1]], True
    shown = _shown(value) if known else "a value"
    where = f"attribute `{attribute}`" if attribute else "an attribute"
    server = error.args[0] if error.args else "refused"
    message = (
        f"The server refused {shown} for {where} of {table.full_table_name} ({server}): "
        "give a value the attribute's type admits."
    )
    restated = type(error)(message, *error.args[1:])
    restated.__dict__.update(error.__dict__)
    restated.table = table.full_table_name
    restated.attribute = attribute
    restated.value = value if known else None
    return restated


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _sent_whole(
    table: Any,
    given: Any,
    fields: list[str],
    columns: list[list[Any]],
    attributes: list[Any],
    prefix: str,
    suffix: str,
    duplicates: bool,
) -> bool:
    """Send the rows without rendering their values into statement text, where the
    dialect can and it has the literals' very effect: two rows or more by its bulk-load
    path (PostgreSQL's COPY; not when duplicates are skipped or replaced), one row with
    its values bound on the server. False: nothing was sent, the rows go as INSERT
    statements. Runs no transaction of its own: each way is one statement."""
    if len(columns[0]) == 1:
        return _sent_bound(table, fields, columns, attributes, prefix, suffix)
    loaded = None if duplicates else _bulk_loaded(table, attributes, columns)
    if loaded is None:
        return False
    rows = _rows_of(given, table.heading, fields, loaded, columns)
    try:
        _execute(table.connection, table.full_table_name, load=(fields, rows))
    except ValueRejectedError as error:
        raise rejected_value(table, error, fields, loaded) from None
    return True


def _sent_bound(
    table: Any,
    fields: list[str],
    columns: list[list[Any]],
    attributes: list[Any],
    prefix: str,
    suffix: str,
) -> bool:
    """One row sent with its values bound on the server (see `_bound_row`); False when
    they cannot be, and nothing was sent."""
    bound = _bound_row(table, attributes, columns)
    if bound is None:
        return False
    try:
        _execute(table.connection, _bound_statement(prefix, suffix, len(bound)), args=bound)
    except ValueRejectedError as error:
        raise rejected_value(table, error, fields, [[value] for value in bound]) from None
    return True


@functools.lru_cache(maxsize=256)
def _bound_statement(prefix: str, suffix: str, count: int) -> str:
    return f"{prefix} VALUES ({','.join(['%s'] * count)}){suffix}"


def _bulk_loaded(
    table: Any, attributes: list[Any], columns: list[list[Any]]
) -> list[list[Any]] | None:
    """The columns to bulk-load, when the dialect has a bulk-load path, the insert is
    large enough for it and every column loads with its INSERT's very effect
    (`Dialect.loadable`); else None, and the rows go as INSERT statements."""
    dialect = table.connection.dialect
    least = dialect.bulk_load_rows
    if least is None or len(columns[0]) < least:
        return None
    values = []
    for attr, column in zip(attributes, columns):
        category = attribute_category(attr)
        if attr.adapter is not None or category in _SPECIAL:
            return None
        if attr.numeric:
            column = _numeric_defaults(column)
        if not dialect.loadable(column, category=category, nullable=attr.nullable):
            return None
        values.append(column)
    return values


def _rows_of(
    given: Any,
    heading: Any,
    fields: list[str],
    loaded: list[list[Any]],
    columns: list[list[Any]],
) -> list[tuple]:
    """The rows to bulk-load: the caller's own list of tuples when it holds every
    attribute in heading order and no value was replaced while checking (saves turning
    the columns back into rows), else the rows of the checked columns."""
    if (
        type(given) is list
        and fields == heading.names
        and all(a is b for a, b in zip(loaded, columns))
        and set(map(type, given)) == {tuple}
    ):
        return given
    return list(zip(*loaded))


def _bound_row(table: Any, attributes: list[Any], columns: list[list[Any]]) -> list[Any] | None:
    """One row's encoded values to send as parameters, bound on the server, which then
    plans the statement of a make()'s insert once for all keys; None where the dialect
    cannot bind values (`Dialect.prepared_cursor`) or a value would not have its
    literal's effect (`Dialect.bindable`), and the row goes as literals."""
    dialect = table.connection.dialect
    if dialect.prepared_cursor is None:
        return None
    values = []
    for attr, column in zip(attributes, columns):
        category = attribute_category(attr)
        if attr.adapter is not None:
            return None
        if category in _BOUND_SERIALIZED:
            column = encode_column(table, attr, column, threads=False, render=_as_given)
            if len(column[0] or b"") > _STATEMENT_CAP:  # the statement path's size checks
                return None
        elif category in _SPECIAL:
            return None
        elif attr.numeric and str in map(type, column):  # (a call only when needed)
            column = _numeric_defaults(column)
        if not dialect.bindable(column, category=category, nullable=attr.nullable):
            return None
        values.append(column[0])
    return values


# serialized in the client, sent as their bytes
_BOUND_SERIALIZED = frozenset({"INTERNAL_BLOB"})


def _as_given(values: Sequence[Any], name: str) -> list[Any]:
    return list(values)


# --- from a query -------------------------------------------------------------------


def _insert_query(
    table: Any, query: QueryExpression, replace: bool, skip_duplicates: bool, ignore_extra: bool
) -> None:
    target = set(table.heading.names)
    extra = [name for name in query.heading.names if name not in target]
    if extra and not ignore_extra:
        raise DataJointError(
            f"Attribute `{extra[0]}` of the query is not in {table.full_table_name}: project it "
            "away or set ignore_extra_fields=True."
        )
    fields = [name for name in query.heading.names if name in target]
    if not fields:
        raise DataJointError("The query has no attribute of the target table to insert.")
    head, tail = _insert_sql(table, fields, replace, skip_duplicates, from_query=True)
    try:
        _execute(table.connection, f"{head} {query.make_sql(fields)}{tail}")
    except ValueRejectedError as error:
        raise rejected_value(table, error) from None


# --- encoding -----------------------------------------------------------------------


def attribute_category(attr: Any) -> str:
    """The type category whose handler encodes `attr` (the underlying one for adapters)."""
    if attr.adapter is not None:
        return classify(attr.adapter.attribute_type)
    if attr.uuid:
        return "UUID"
    return classify(attr.type)


def encode_column(
    table: Any,
    attr: Any,
    values: list[Any],
    threads: bool = True,
    render: Callable[[Sequence[Any], str], list[Any]] | None = None,
) -> list[Any]:
    """SQL literals of one column: adapter, DEFAULT for missing values, the type's
    handler, then rendering (default: the dialect's `insert_literals`, str; its
    `insert_literals_verbatim` gives bytes)."""
    if render is None:
        render = table.connection.dialect.insert_literals
    if attr.adapter is not None:
        put = attr.adapter.put
        values = [put(value) for value in values]
    category = attribute_category(attr)
    if attr.numeric and str in map(type, values):  # (a call only when needed)
        values = _numeric_defaults(values)
    if category not in _SPECIAL:
        return render(values, attr.name)
    handler = get_handler(category, purpose="insert")
    ctx = TypeContext(
        attribute=attr, connection=table.connection, database=table.database, table=table
    )
    present = [i for i, value in enumerate(values) if value is not None]
    given = [values[i] for i in present]
    batch = getattr(handler, "encode_column", None)
    overridden = batch is not None and type(handler).encode_column is not _BASE_ENCODE_COLUMN
    if overridden:
        encoded = list(batch(given, ctx))
    elif threads and category in _PARALLEL_SAFE and len(given) >= _PARALLEL_MIN and _WORKERS > 1:
        encoded = _encode_in_threads(handler, given, ctx)
    else:
        encode = handler.encode
        encoded = [encode(value, ctx) for value in given]
    if len(present) == len(values):
        return render(encoded, attr.name)
    literals = render([None], attr.name) * len(values)  # DEFAULT
    for index, literal in zip(present, render(encoded, attr.name)):
        literals[index] = literal
    return literals


# serializing blobs is CPU work that mostly releases the GIL (zlib): spread over cores
_PARALLEL_SAFE = frozenset({"INTERNAL_BLOB"})
_PARALLEL_MIN = 16
_BASE_ENCODE_COLUMN = getattr(AttributeType, "encode_column", None)
_WORKERS = min(8, os.cpu_count() or 1)


def _encode_in_threads(handler: Any, values: list[Any], ctx: TypeContext) -> list[Any]:
    encode = handler.encode
    step = max(1, len(values) // (_WORKERS * 4))
    chunks = [values[i : i + step] for i in range(0, len(values), step)]
    with ThreadPoolExecutor(_WORKERS) as pool:
        parts = pool.map(lambda chunk: [encode(value, ctx) for value in chunk], chunks)
        return [item for part in parts for item in part]


def _numeric_defaults(values: list[Any]) -> list[Any]:
    """Numeric attributes: "" means the default; other strings must read as numbers
    (0.14 raised ValueError for them, and so does this)."""
    if str not in map(type, values):
        return values
    result = []
    for value in values:
        if isinstance(value, str):
            if value == "":
                value = None
            else:
                float(value)
        result.append(value)
    return result


# --- statements ---------------------------------------------------------------------


def _max_packet(connection: Any) -> int:
    # by identity: a connection compares equal to another one with its settings, which
    # a weak-keyed lookup would ask on every insert
    known = _packet_sizes.get(id(connection))
    if known is not None and known[0]() is connection:
        return known[1]
    size = connection.dialect.max_statement_size(connection)
    _packet_sizes[id(connection)] = (weakref.ref(connection), size)
    return size


# Rows of serialized (blob) columns are encoded in chunks cut by bytes, not by rows: at
# least two chunks per core when there is enough data, each between these sizes (input
# bytes), so a batch of 50 blobs is spread over the cores as well as 2,000 are, and the
# first statements are sent while the cores deflate the following chunks.
_CHUNK_BYTES_MIN = 256 * 1024
_CHUNK_BYTES_MAX = 4 * 1024 * 1024
_ROW_OVERHEAD = 64  # bytes of statement per row besides its blob values


def _chunks(attributes: list[Any], columns: list[list[Any]], external: bool) -> list[slice]:
    """Row ranges to encode one after the other: several only for inserts with blob
    columns and no external ones (whose handlers use the connection while encoding)."""
    count = len(columns[0])
    heavy = [
        column
        for attr, column in zip(attributes, columns)
        if attribute_category(attr) in _PARALLEL_SAFE
    ]
    if external or not heavy or count < 2:
        return [slice(0, count)]
    weights = [_ROW_OVERHEAD] * count
    for column in heavy:
        for index, value in enumerate(column):
            weights[index] += _size(value)
    total = sum(weights)
    target = min(max(total // (_WORKERS * 2), _CHUNK_BYTES_MIN), _CHUNK_BYTES_MAX)
    chunks, start, size = [], 0, 0
    for index, weight in enumerate(weights):
        size += weight
        if size >= target:
            chunks.append(slice(start, index + 1))
            start, size = index + 1, 0
    if start < count:
        chunks.append(slice(start, count))
    return chunks


def _size(value: Any) -> int:
    """Bytes a value serializes from, roughly (exact for arrays, bytes and text)."""
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    if isinstance(value, (bytes, bytearray, str)):
        return len(value)
    if isinstance(value, (list, tuple, dict)):
        return 64 * len(value)
    return 16


def _pipelined(
    table: Any,
    attributes: list[Any],
    columns: list[list[Any]],
    chunks: list[slice],
    prefix: str,
    suffix: str,
    packet: int,
) -> Iterator[tuple[bytes, int]]:
    """Statements of each chunk, in order, built as bytes (sent as they are). Worker
    threads encode the following chunks meanwhile, one per core: compressing releases
    the GIL, so the cores deflate in parallel while the main thread waits for the
    server. At most `_WORKERS + 1` chunks are encoded ahead, which bounds the memory
    held."""

    head, tail = (prefix + " VALUES ").encode(), suffix.encode()
    verbatim = table.connection.dialect.insert_literals_verbatim

    def build(rows: slice) -> list[tuple[bytes, int]]:
        rendered = [
            encode_column(table, attr, column[rows], threads=False, render=verbatim)
            for attr, column in zip(attributes, columns)
        ]
        statements = _verbatim_statements(packet, head, tail, rendered)
        return [(statement, rows.start + first) for statement, first in statements]

    ahead = _WORKERS + 1
    with ThreadPoolExecutor(_WORKERS) as pool:
        pending = deque(pool.submit(build, rows) for rows in chunks[:ahead])
        following = iter(chunks[ahead:])
        try:
            while pending:
                statements = pending.popleft().result()
                rows = next(following, None)
                if rows is not None:
                    pending.append(pool.submit(build, rows))
                yield from statements
        finally:
            for future in pending:
                future.cancel()


def _statements(
    packet: int, prefix: str, suffix: str, columns: list[list[str]]
) -> list[tuple[str, int]]:
    """The rows, rendered and cut into statements that each fit `max_allowed_packet`
    (measured in encoded bytes: text may hold multibyte characters); each statement
    with the index of its first row, to name the value of a row the server refuses."""
    template = "(" + ",".join(["%s"] * len(columns)) + ")"
    rows = [template % row for row in zip(*columns)]
    head = prefix + " VALUES "
    lengths = [len(row) if row.isascii() else len(row.encode()) for row in rows]
    groups = _groups(packet, len(head.encode()) + len(suffix), lengths)
    return [(head + ",".join(rows[group]) + suffix, group.start) for group in groups]


def _verbatim_statements(
    packet: int, head: bytes, tail: bytes, columns: list[list[bytes | tuple[bytes, ...]]]
) -> list[tuple[bytes, int]]:
    """Like `_statements`, from `render_column_verbatim`'s pieces: each statement is one
    join of all its pieces, the only copy of the values."""
    rows = verbatim_rows(columns)
    lengths = [sum(map(len, pieces)) for pieces in rows]
    statements = []
    for group in _groups(packet, len(head) + len(tail), lengths):
        joined = [head]
        for pieces in rows[group]:
            joined.extend(pieces)
            joined.append(b",")
        joined[-1] = tail
        statements.append((b"".join(joined), group.start))
    return statements


def verbatim_rows(columns: Sequence[Sequence[bytes | tuple[bytes, ...]]]) -> list[list[bytes]]:
    """The pieces of each row's `(v1,v2,...)`, from columns of the dialect's
    `insert_literals_verbatim` (a literal is bytes, or a tuple of pieces), left to join."""
    rows = []
    for cells in zip(*columns):
        pieces = [b"("]
        for cell in cells:
            if type(cell) is tuple:
                pieces.extend(cell)
            else:
                pieces.append(cell)
            pieces.append(b",")
        pieces[-1] = b")"
        rows.append(pieces)
    return rows


def _groups(packet: int, overhead: int, lengths: list[int]) -> list[slice]:
    """Consecutive rows whose statement (overhead + rows + separating commas) fits
    `packet` less a margin; one row too large for any statement is an error."""
    limit = min(packet - _PACKET_MARGIN, _STATEMENT_CAP) - overhead
    groups = []
    start, size = 0, 0
    for index, length in enumerate(lengths):
        length += 1  # the comma
        if size + length > limit:
            if length > packet - _PACKET_MARGIN:
                raise DataJointError(
                    f"A row of {length} bytes exceeds the server's max_allowed_packet "
                    f"({packet} bytes): raise max_allowed_packet on the server or store large "
                    "values externally (blob@store)."
                )
            if index > start:
                groups.append(slice(start, index))
                start, size = index, 0
        size += length
    groups.append(slice(start, len(lengths)))
    return groups
