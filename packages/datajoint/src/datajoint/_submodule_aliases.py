"""Which module of which layer stands behind each `datajoint.<name>` import path.

Upstream's tests and users assign or patch module attributes (`dj.blob.use_32bit_dims`,
`dj.utils.input`, `dj.settings.LOCALCONFIG`, `dj.admin.getpass`, `dj.plugin.*_plugins`),
so `datajoint.<name>` must be the very module whose globals the implementing code reads:
an alias in `sys.modules`, never a re-exporting copy.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
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
    "fetch": "dj_query.fetch",
    "preview": "dj_query.preview",
    "table": "dj_query.table",
    "external": "dj_external.external",
    "s3": "dj_external.s3",
    "autopopulate": "dj_compute.autopopulate",
    "jobs": "dj_compute.jobs",
    "diagram": "dj_diagram.diagram",
}


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves `import datajoint.<name>` to the layer module, imported on first use.

    Aliasing lazily keeps `import datajoint` from loading what a session may never need
    (networkx for diagrams, minio for S3): the layer module is imported when the path is
    first imported or the attribute first read, and then it *is* `datajoint.<name>`.
    """

    def __init__(self, package: str):
        self.package = package

    def find_spec(self, fullname: str, path=None, target=None):
        prefix, _, name = fullname.rpartition(".")
        if prefix != self.package or name not in ALIASES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return importlib.import_module(ALIASES[spec.name.rpartition(".")[2]])

    def exec_module(self, module: ModuleType) -> None:
        """The layer module is already executed; nothing to do."""


def install(package_name: str) -> None:
    """Make every `datajoint.<name>` of ALIASES importable as its layer module."""
    if not any(isinstance(f, AliasFinder) and f.package == package_name for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder(package_name))


def resolve(package_name: str, name: str) -> ModuleType:
    """The layer module behind `datajoint.<name>` (importing it registers the alias)."""
    return importlib.import_module(f"{package_name}.{name}")
