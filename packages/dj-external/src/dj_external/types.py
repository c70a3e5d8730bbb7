"""The handlers of `blob@store`, `attach`, `attach@store` and `filepath@store`.

dj-core recognises these types; `register()` (run when dj_external is imported) gives
them behaviour: declaring the `~external_<store>` table before a table that uses the store
(its foreign key needs it), and encoding/decoding whole columns at once so that one insert
or fetch moves all its objects concurrently. Adapted types (`<adapter>` over one of these)
reach the same handlers through dj-query, with the adapter applied around them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from dj_core.attribute_types import AttributeType, TypeContext, register_type, store_of
from dj_core.errors import DataJointError
from dj_query import FreeTable

from dj_external import blobs, files
from dj_external.external import as_uuid, external_table

__all__ = [
    "AttachType",
    "ExternalAttachType",
    "ExternalBlobType",
    "FilepathType",
    "register",
]


def _table(ctx: TypeContext) -> Any:
    attribute = ctx.attribute
    store = getattr(attribute, "store", None)
    if not store:
        raise DataJointError(
            f"Attribute `{getattr(attribute, 'name', '?')}` names no external store."
        )
    database = ctx.database or getattr(attribute, "database", None)
    return external_table(ctx.connection, database, store)


def _insert_labels(ctx: TypeContext, count: int) -> list[str]:
    """Error labels of an inserted column: the row's position and the column."""
    table = getattr(ctx.table, "full_table_name", None) or ctx.connection.dialect.quote(
        str(ctx.database)
    )
    name = getattr(ctx.attribute, "name", "?")
    return [f"row {i} of the insert into {table}, column `{name}`" for i in range(count)]


def _fetch_labels(ctx: TypeContext, hashes: list[UUID]) -> list[str]:
    """Error labels of a fetched column: the column and the hash the row holds."""
    name = getattr(ctx.attribute, "name", "?")
    return [f"the row whose `{name}` is {h} in schema `{ctx.database}`" for h in hashes]


def _raise_with_rows(error: DataJointError, table: Any, ctx: TypeContext, hashes: list[UUID]):
    """Re-raise a fetch error with the primary keys of the rows holding the failing value.

    Only the error path pays for this: the hash named in the message is looked up in the
    tables whose column of this name refers to the tracking table."""
    text = str(error)
    failing = next((h for h in dict.fromkeys(hashes) if str(h) in text), None)
    attribute = ctx.attribute
    column = getattr(attribute, "original_name", None) or getattr(attribute, "name", None)
    if failing is None or not column:
        raise error
    found = []
    try:
        for ref in table.references:
            if ref["column_name"] != column:
                continue
            referencing = FreeTable(table.connection, ref["referencing_table"])
            names = list(referencing.primary_key)
            dialect = table.connection.dialect
            cursor = table.connection.query(
                f"SELECT {dialect.quote_list(names)} FROM {ref['referencing_table']} "
                f"WHERE {dialect.quote(column)}=%s" + dialect.offset_sql(3, None),
                (dialect.uuid_value(failing),),
            )
            found += [f"{ref['referencing_table']} {dict(zip(names, row))}" for row in cursor]
    except DataJointError:
        raise error from None
    if not found:
        raise error
    labelled = type(error)(f"{text} Rows holding it: {'; '.join(found)}.")
    labelled.__dict__.update(error.__dict__)
    raise labelled from error


def _hashes(values: list[Any]) -> list[UUID]:
    return [as_uuid(v) for v in values]


class _External(AttributeType):
    """Shared by the three types whose objects live in a store."""

    def before_declare(self, schema: Any, type_text: str) -> None:
        store = store_of(type_text)
        if schema is None:
            raise DataJointError(
                f"Cannot declare a table with {type_text} outside an active schema: declare "
                "it through a dj.Schema, which creates the store's ~external table."
            )
        schema.external[store]  # creates `~external_<store>` when missing

    def encode(self, value: Any, ctx: TypeContext) -> Any:
        return None if value is None else self.encode_column([value], ctx)[0]

    def decode(self, raw: Any, ctx: TypeContext) -> Any:
        return self.decode_column([raw], ctx)[0]

    def decode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        present = [i for i, v in enumerate(values) if v is not None]
        if not present:
            return list(values)
        hashes = _hashes([values[i] for i in present])
        table = _table(ctx)
        try:
            decoded = self._decode(table, hashes, ctx, _fetch_labels(ctx, hashes))
        except DataJointError as error:
            _raise_with_rows(error, table, ctx, hashes)
        result: list[Any] = [None] * len(values)
        for i, value in zip(present, decoded):
            result[i] = value
        return result

    def _decode(self, table: Any, hashes: list[UUID], ctx: TypeContext, labels: list[str]) -> list:
        raise NotImplementedError


class ExternalBlobType(_External):
    """`blob@store`: a serialized blob kept as an object in the store."""

    category = "EXTERNAL_BLOB"

    def encode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        if not values:
            return []
        return blobs.encode_blobs(_table(ctx), values, _insert_labels(ctx, len(values)))

    def _decode(self, table: Any, hashes: list[UUID], ctx: TypeContext, labels: list[str]) -> list:
        return blobs.decode_blobs(table, hashes, ctx.extra.get("squeeze", False), labels)


class ExternalAttachType(_External):
    """`attach@store`: a local file copied into the store, fetched into `download_path`."""

    category = "EXTERNAL_ATTACH"

    def encode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        if not values:
            return []
        table = _table(ctx)
        hashes = files.upload_attachments(table, values, _insert_labels(ctx, len(values)))
        return list(map(table.connection.dialect.uuid_value, hashes))

    def _decode(self, table: Any, hashes: list[UUID], ctx: TypeContext, labels: list[str]) -> list:
        return files.download_attachments(
            table, hashes, ctx.extra.get("download_path", "."), labels
        )


class FilepathType(_External):
    """`filepath@store`: a file of the store's stage, mirrored into the store."""

    category = "FILEPATH"

    def encode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        if not values:
            return []
        table = _table(ctx)
        hashes = files.upload_filepaths(table, values, _insert_labels(ctx, len(values)))
        return list(map(table.connection.dialect.uuid_value, hashes))

    def _decode(self, table: Any, hashes: list[UUID], ctx: TypeContext, labels: list[str]) -> list:
        return [path for path, _ in files.download_filepaths(table, hashes, labels)]


class AttachType(AttributeType):
    """`attach`: a local file kept in the row (`name + b"\\0" + bytes`)."""

    category = "INTERNAL_ATTACH"

    def encode(self, value: Any, ctx: TypeContext) -> Any:
        return None if value is None else files.encode_inrow_attachments([value])[0]

    def encode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        return files.encode_inrow_attachments(values)

    def decode(self, raw: Any, ctx: TypeContext) -> Any:
        return self.decode_column([raw], ctx)[0]

    def decode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        return files.decode_inrow_attachments(values, ctx.extra.get("download_path", "."))


def register() -> None:
    """Register the four handlers in dj-core's attribute-type registry."""
    for handler in (ExternalBlobType(), AttachType(), ExternalAttachType(), FilepathType()):
        register_type(handler)
