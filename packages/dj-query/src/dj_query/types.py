"""Handlers for the attribute types dj-query owns: native blobs, uuid, json, adapted.

dj-core recognises every type; these handlers give four of them their behaviour
(ARCHITECTURE.md: the attribute type registry). `register()` runs when dj_query is
imported. Each handler encodes and decodes a whole column at once (`encode_column`,
`decode_column`).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import dj_blob
from dj_core.attribute_types import AttributeType, TypeContext, classify, get_handler, register_type

from dj_query.errors import DataJointError

__all__ = ["AdaptedType", "BlobType", "JSONType", "UUIDType", "register"]


class BlobType(AttributeType):
    """`tinyblob`...`longblob`: any serializable object, stored as DataJoint blob bytes."""

    category = "INTERNAL_BLOB"

    def encode(self, value: Any, ctx: TypeContext) -> Any:
        return None if value is None else dj_blob.pack(value)

    def encode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        return dj_blob.pack_many(values)

    def decode(self, raw: Any, ctx: TypeContext) -> Any:
        return dj_blob.unpack(raw, squeeze=ctx.extra.get("squeeze", False))

    def decode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        return dj_blob.unpack_many(values, squeeze=ctx.extra.get("squeeze", False))


def uuid_bytes(value: Any) -> bytes | None:
    """The 16 bytes of a UUID given as a `uuid.UUID`, as its 16 bytes or in a string form;
    None for anything else (callers name the attribute in their error). Insert and
    restriction accept the same values."""
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, (bytes, bytearray)) and len(value) == 16:
        return bytes(value)
    try:
        return uuid.UUID(value).bytes
    except (AttributeError, TypeError, ValueError):
        return None


class UUIDType(AttributeType):
    """`uuid`: stored as 16 raw bytes (`binary(16)`), fetched as `uuid.UUID`."""

    category = "UUID"

    def encode(self, value: Any, ctx: TypeContext) -> Any:
        if value is None:
            return None
        raw = uuid_bytes(value)
        if raw is None:
            name = getattr(ctx.attribute, "name", "?")
            raise DataJointError(
                f"Badly formed UUID value {value!r} for attribute `{name}`: give a uuid.UUID "
                "or its string form."
            )
        connection = ctx.connection
        return raw if connection is None else connection.dialect.uuid_value(raw)

    def decode(self, raw: Any, ctx: TypeContext) -> Any:
        return _as_uuid(raw)

    def decode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        if values and isinstance(next((v for v in values if v is not None), None), uuid.UUID):
            return list(values)  # the driver read a uuid column (PostgreSQL)
        make = uuid.UUID
        return [None if v is None else make(bytes=bytes(v)) for v in values]


def _as_uuid(raw: Any) -> uuid.UUID | None:
    """A fetched uuid value: 16 bytes (MySQL's binary(16)) or already a UUID."""
    if raw is None or isinstance(raw, uuid.UUID):
        return raw
    return uuid.UUID(bytes=bytes(raw))


class JSONType(AttributeType):
    """`json`: any JSON-serializable value, sent as its JSON text."""

    category = "JSON"

    def encode(self, value: Any, ctx: TypeContext) -> Any:
        return None if value is None else json.dumps(value)

    def decode(self, raw: Any, ctx: TypeContext) -> Any:
        return None if raw is None else json.loads(raw)

    def decode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        loads = json.loads
        return [None if v is None else loads(v) for v in values]


class AdaptedType(AttributeType):
    """`<name>`: a user `AttributeAdapter` over an underlying DataJoint type."""

    category = "ADAPTED"

    @staticmethod
    def _underlying(ctx: TypeContext) -> tuple[Any, AttributeType]:
        adapter = ctx.attribute.adapter
        return adapter, get_handler(classify(adapter.attribute_type), purpose="use")

    def encode(self, value: Any, ctx: TypeContext) -> Any:
        return self.encode_column([value], ctx)[0]

    def encode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        adapter, handler = self._underlying(ctx)
        put = adapter.put
        return handler.encode_column([None if v is None else put(v) for v in values], ctx)

    def decode(self, raw: Any, ctx: TypeContext) -> Any:
        return self.decode_column([raw], ctx)[0]

    def decode_column(self, values: list[Any], ctx: TypeContext) -> list[Any]:
        adapter, handler = self._underlying(ctx)
        get = adapter.get
        return [None if v is None else get(v) for v in handler.decode_column(values, ctx)]


def register() -> None:
    """Register dj-query's handlers in dj-core's attribute-type registry."""
    for handler in (BlobType(), UUIDType(), JSONType(), AdaptedType()):
        register_type(handler)
