"""Which module of which layer stands behind each `datajoint.<name>` import path.

Upstream's tests and users assign or patch module attributes (`dj.blob.use_32bit_dims`,
`dj.utils.input`, `dj.settings.LOCALCONFIG`, `dj.admin.getpass`, `dj.plugin.*_plugins`),
so `datajoint.<name>` must be the very module whose globals the implementing code reads:
an alias in `sys.modules`, never a re-exporting copy (api-surface.md §2.2).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

# datajoint.<name> -> the layer module behind it
ALIASES: dict[str, str] = {
    "blob": "dj_blob.codec",
    "errors": "dj_core.errors",
    "settings": "dj_core.settings",
    "connection": "dj_core.connection",
    "declare": "dj_core.declare",
    "heading": "dj_core.heading",
    "dependencies": "dj_core.dependencies",
    "hash": "dj_core.hash",
    "utils": "dj_core.utils",
    "admin": "dj_core.admin",
    "plugin": "dj_core.plugin",
    "attribute_adapter": "dj_core.attribute_adapter",
    "schemas": "dj_core.schemas",
    "logging": "dj_core.logging",
    "condition": "dj_query.condition",
    "expression": "dj_query.expression",
    "fetch": "dj_query.fetch",
    "preview": "dj_query.preview",
    "table": "dj_query.table",
    "external": "dj_external.external",
    "s3": "dj_external.s3",
    "autopopulate": "dj_compute.autopopulate",
    "jobs": "dj_compute.jobs",
    "diagram": "dj_diagram.diagram",
}


def _find(target: str) -> ModuleType | None:
    """The layer module, or None while the layer has not built it yet."""
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as error:
        if error.name is not None and target.startswith(error.name):
            return None
        raise


def install(package: ModuleType) -> list[str]:
    """Alias every available layer module as `datajoint.<name>`; return the names aliased."""
    installed = []
    for name, target in ALIASES.items():
        module = _find(target)
        if module is None:
            continue
        sys.modules[f"{package.__name__}.{name}"] = module
        setattr(package, name, module)
        installed.append(name)
    return installed
