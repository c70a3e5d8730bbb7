"""The top-level `dj.*` names (upstream's `__all__`) and their homes.

Names resolve on first access, so a layer that only some sessions need (dj-diagram and
its networkx) loads only when used.
"""

from __future__ import annotations

import importlib
from typing import Any

# dj.<name> -> (module, attribute)
HOMES: dict[str, tuple[str, str]] = {
    "config": ("dj_core.settings", "config"),
    "conn": ("dj_core.connection", "conn"),
    "Connection": ("dj_core.connection", "Connection"),
    "Schema": ("dj_core.schemas", "Schema"),
    "schema": ("dj_core.schemas", "Schema"),
    "VirtualModule": ("dj_core.schemas", "VirtualModule"),
    "create_virtual_module": ("dj_core.schemas", "VirtualModule"),
    "list_schemas": ("dj_core.schemas", "list_schemas"),
    "Table": ("dj_query", "Table"),
    "FreeTable": ("dj_query", "FreeTable"),
    "Manual": ("dj_query", "Manual"),
    "Lookup": ("dj_query", "Lookup"),
    "Part": ("dj_query", "Part"),
    "Imported": ("dj_compute", "Imported"),
    "Computed": ("dj_compute", "Computed"),
    "Not": ("dj_query", "Not"),
    "AndList": ("dj_query", "AndList"),
    "Top": ("dj_query", "Top"),
    "U": ("dj_query", "U"),
    "Diagram": ("dj_diagram", "Diagram"),
    "Di": ("dj_diagram", "Diagram"),
    "ERD": ("dj_diagram", "Diagram"),
    "set_password": ("dj_core.admin", "set_password"),
    "kill": ("dj_core.admin", "kill"),
    "MatCell": ("dj_blob", "MatCell"),
    "MatStruct": ("dj_blob", "MatStruct"),
    "AttributeAdapter": ("dj_core.attribute_adapter", "AttributeAdapter"),
    "DataJointError": ("dj_core.errors", "DataJointError"),
    "key": ("dj_query", "key"),
    "key_hash": ("dj_core.hash", "key_hash"),
    "logger": ("dj_core.logging", "logger"),
}


def resolve(name: str) -> Any:
    """The object behind `dj.<name>`, importing its layer on first use."""
    module_name, attribute = HOMES[name]
    return getattr(importlib.import_module(module_name), attribute)
