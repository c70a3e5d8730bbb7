"""Connect the layers to the process-wide defaults that only the meta-package knows.

The lower layers take explicit objects and offer slots for defaults;
here those slots are filled: the settings loader (file, then environment, on first use),
the live `dj.config` as the blob codec's option source, the client version written to
`~log`, the `datajoint.errors` module name on exception classes, and the package logger.
Nothing here reads a file or opens a connection: that waits for first use.
"""

from __future__ import annotations

import importlib

import dj_blob.codec
import dj_core.errors
import dj_core.logging
import dj_core.settings
import dj_core.version


def _config_option(name: str):
    """Blob codec options come from the live global configuration at call time."""
    return dj_core.settings.config.get(name)


def _relabel_errors() -> None:
    """Tracebacks read `datajoint.errors.DataJointError: ...` as they always have; pickling
    still goes through each class's defining module (see dj_blob.errors)."""
    for value in vars(dj_core.errors).values():
        if isinstance(value, type) and issubclass(value, Exception):
            if value.__module__.startswith(("dj_core", "dj_blob")):
                value.__module__ = "datajoint.errors"


# Layers whose import registers table tiers and attribute types with dj-core: spawning a
# virtual module or reading a heading with `blob@store` needs them even when no name of
# theirs is touched, so they load with `datajoint` (each keeps its own heavy imports lazy).
REGISTERING_LAYERS = ("dj_query", "dj_external", "dj_compute")


def install(version: str) -> None:
    for layer in REGISTERING_LAYERS:
        importlib.import_module(layer)
    dj_core.settings.set_loader(dj_core.settings.load_settings)
    dj_blob.codec.set_option_source(_config_option)
    dj_core.version.set_client_version(version)
    dj_core.logging.setup_logging()
    _relabel_errors()
