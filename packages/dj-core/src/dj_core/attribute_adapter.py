"""User-defined attribute types (`dj.AttributeAdapter`, declared as `<name>`).

The adapter class and its lookup live in dj-core because declaration (the underlying
column type) and heading loading (which adapter an `:<name>:` column uses) both need
them; converting values with `put`/`get` is the adapted-type handler's job (dj-query).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dj_core import errors, plugin
from dj_core.errors import DataJointError, MissingAdapterError

__all__ = ["AttributeAdapter", "MissingAdapter", "get_adapter"]


class AttributeAdapter:
    """Base class of adapters: `attribute_type` names the stored DataJoint type
    (e.g. "longblob", "varchar(16)", "blob@store"); `put(obj)` converts a Python object
    into a storable value and `get(value)` converts it back."""

    @property
    def attribute_type(self) -> str:
        raise NotImplementedError("Undefined attribute adapter")

    def get(self, value: Any) -> Any:
        raise NotImplementedError("Undefined attribute adapter")

    def put(self, obj: Any) -> Any:
        raise NotImplementedError("Undefined attribute adapter")


class MissingAdapter(AttributeAdapter):
    """Stands in for an adapter missing from the context when a heading is read, so the
    table stays usable for its other attributes; using this attribute raises."""

    def __init__(self, name: str, attribute_type: str):
        self.name = name
        self._attribute_type = attribute_type

    @property
    def attribute_type(self) -> str:
        return self._attribute_type

    def get(self, value: Any) -> Any:
        raise self._missing()

    def put(self, obj: Any) -> Any:
        raise self._missing()

    def _missing(self) -> MissingAdapterError:
        return MissingAdapterError(
            f"Attribute adapter '{self.name}' is not defined: add it to the schema context."
        )


def get_adapter(context: Mapping[str, Any] | None, adapter_name: str) -> AttributeAdapter:
    """The adapter instance for `<adapter_name>` (angle brackets optional), from the
    declaration context, else from an installed type plug-in."""
    if not errors._support_adapted_types():
        raise DataJointError(
            "Support for Adapted Attribute types is disabled: set the environment variable "
            f"{errors.ADAPTED_TYPE_SWITCH}=TRUE to enable it."
        )
    name = adapter_name.lstrip("<").rstrip(">")
    adapter: Any
    if context is not None and name in context:
        adapter = context[name]
    elif name in (plugin.type_plugins or {}):
        adapter = plugin.type_plugin(name)
    else:
        raise DataJointError(f"Attribute adapter '{name}' is not defined.")
    if not isinstance(adapter, AttributeAdapter):
        raise DataJointError(
            f"Attribute adapter '{name}' must be an instance of dj.AttributeAdapter."
        )
    attribute_type = getattr(adapter, "attribute_type", None)
    if not isinstance(attribute_type, str) or not re.match(r"^\w", attribute_type):
        raise DataJointError(
            f"Invalid attribute type {attribute_type!r} in attribute adapter '{name}': it "
            "must be a DataJoint type such as 'longblob' or 'varchar(16)'."
        )
    return adapter
