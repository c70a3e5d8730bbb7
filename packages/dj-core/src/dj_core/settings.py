"""DataJoint's configuration (`datajoint.settings`): `Config`, `config`, the settings files.

`config` is the process-wide configuration: a mutable mapping with flat dotted keys
(``"database.host"``) and the 0.14 defaults. Every `Config()` shares its state (0.14
tests create `Config()` objects and compare them with `dj.config`); an independent
configuration — for a second connection with other settings, or a test — comes from
`Config.independent()` and behaves the same but shares nothing.

Nothing is read from disk or the environment at import. The process-wide configuration
has a *loader slot* (`set_loader`, default: none) that runs once, on the first read or
write of the process-wide state. `load_settings` is the standard loader (settings file,
then environment variables); the meta-package installs it with
``set_loader(load_settings)``. dj-core used alone reads files only when asked.

`LOCALCONFIG` and `GLOBALCONFIG` are read from this module at call time, so tests may
reassign them.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import pprint
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dj_core.errors import DataJointError
from dj_core.utils import safe_write

__all__ = [
    "DEFAULTS",
    "GLOBALCONFIG",
    "LOCALCONFIG",
    "Config",
    "config",
    "default",
    "load_settings",
    "set_loader",
]

logger = logging.getLogger("datajoint")

LOCALCONFIG = "dj_local_conf.json"
GLOBALCONFIG = ".datajoint_config.json"
DEFAULT_SUBFOLDING = (2, 2)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

DEFAULTS: dict[str, Any] = {
    "database.host": "localhost",
    "database.password": None,
    "database.user": None,
    "database.port": 3306,
    "database.reconnect": True,
    "connection.init_function": None,
    "connection.charset": "",
    "loglevel": "INFO",
    "safemode": True,
    "fetch_format": "array",
    "display.limit": 12,
    "display.width": 14,
    "display.show_tuple_count": True,
    "database.use_tls": None,
    "enable_python_native_blobs": True,
    "add_hidden_timestamp": False,
    "filepath_checksum_size_limit": None,
    "filepath_checksum_size_limit_insert": None,
}
#: 0.14's name for the defaults (`datajoint.settings.default`), read by 0.14 code and tests
default = DEFAULTS

#: environment variable -> key
ENVIRONMENT = {
    "DJ_HOST": "database.host",
    "DJ_USER": "database.user",
    "DJ_PASS": "database.password",
    "DJ_DRIVER": "database.driver",
    "DJ_BACKEND": "database.backend",
    "DJ_DATABASE_NAME": "database.name",
    "DJ_AWS_ACCESS_KEY_ID": "external.aws_access_key_id",
    "DJ_AWS_SECRET_ACCESS_KEY": "external.aws_secret_access_key",
    "DJ_LOG_LEVEL": "loglevel",
}

# keys whose values are secrets: masked in repr, and a file holding one is private
_SECRET_KEYS = frozenset({"database.password", "external.aws_secret_access_key"})
_SECRET_STORE_KEYS = frozenset({"secret_key"})
_MASK = "********"

_STORE_KEYS = {
    "file": {"required": ("protocol", "location"), "optional": ("subfolding", "stage")},
    "s3": {
        "required": ("protocol", "endpoint", "bucket", "access_key", "secret_key", "location"),
        "optional": ("secure", "subfolding", "stage", "proxy_server"),
    },
}


def _validate_port(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise DataJointError(
            f"Validator for database.port did not pass: {value!r} is not an int; "
            "give the port as an integer, e.g. 3306."
        )


def _validate_loglevel(value: Any) -> None:
    if value not in LOG_LEVELS:
        raise ValueError(f"Invalid loglevel {value!r}; use one of {', '.join(LOG_LEVELS)}.")


BACKENDS = ("mysql", "postgresql")


def _validate_backend(value: Any) -> None:
    if value is not None and str(value).lower() not in BACKENDS:
        raise DataJointError(
            f"Invalid database.backend {value!r}: use one of {', '.join(BACKENDS)} "
            "(or set database.host to 'embedded' for the embedded PostgreSQL server)."
        )


def backend(config: Any) -> str:
    """The configured backend, "mysql" (0.14's, the default) or "postgresql"."""
    value = config.get("database.backend") or "mysql"
    _validate_backend(value)
    return str(value).lower()


_VALIDATORS: dict[str, Callable[[Any], None]] = {
    "database.backend": _validate_backend,
    "database.port": _validate_port,
    "loglevel": _validate_loglevel,
}


class _State:
    """The dictionary behind one configuration, with its lock."""

    def __init__(self, values: Mapping[str, Any] | None = None):
        self.values: dict[str, Any] = dict(DEFAULTS if values is None else values)
        self.lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        return {"values": self.values}  # a lock does not pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.values = state["values"]
        self.lock = threading.RLock()


# process-wide state and its loader slot
_process_state = _State()
_loader: Callable[[Config], None] | None = None
_loaded = False
_load_lock = threading.RLock()


def set_loader(loader: Callable[[Config], None] | None) -> None:
    """Install the function that fills the process-wide configuration (or None to remove it).

    It runs once, on the next read or write of the process-wide configuration, and
    receives that configuration. The meta-package installs `load_settings`."""
    global _loader, _loaded
    with _load_lock:
        _loader = loader
        _loaded = False


def _ensure_loaded() -> None:
    global _loaded
    if _loaded or _loader is None:
        return
    with _load_lock:
        if _loaded or _loader is None:
            return
        _loaded = True  # before calling: the loader itself reads and writes the config
        _loader(Config())


class Config(MutableMapping):
    """DataJoint settings: a mapping with flat dotted keys, validated on assignment.

    ``Config()`` is the process-wide configuration (keyword arguments are merged into it
    without validation); ``Config.independent()`` makes one that shares nothing.
    Calling a configuration returns a context manager of temporary overrides::

        with config(safemode=False, database__host="db.example.org"):
            ...
    """

    def __init__(self, *args: Any, **kwargs: Any):
        self._own_state: _State | None = None  # None: the process-wide state
        if args or kwargs:
            values = self._values
            with self._state.lock:
                values.update(dict(*args, **kwargs))

    @classmethod
    def independent(cls, *args: Any, **kwargs: Any) -> Config:
        """A configuration with the defaults (overlaid with the arguments, unvalidated)
        that shares no state with the process-wide one and runs no loader."""
        instance = cls.__new__(cls)
        instance._own_state = _State()
        instance._own_state.values.update(dict(*args, **kwargs))
        return instance

    @property
    def _state(self) -> _State:
        return _process_state if self._own_state is None else self._own_state

    @property
    def _values(self) -> dict[str, Any]:
        if self._own_state is None:
            _ensure_loaded()
            return _process_state.values
        return self._own_state.values

    @property
    def _conf(self) -> dict[str, Any]:
        """The underlying dict (0.14 code and tests reach for ``config._conf``)."""
        return self._values

    # --- mapping protocol ---------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        validator = _VALIDATORS.get(key)
        if validator is not None:
            validator(value)
        values = self._values
        with self._state.lock:
            values[key] = value
        if key == "loglevel":
            logging.getLogger("datajoint").setLevel(value)

    def __delitem__(self, key: str) -> None:
        values = self._values
        with self._state.lock:
            del values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._values))

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Config):
            return self._values == other._values
        if isinstance(other, Mapping):
            return self._values == dict(other)
        return NotImplemented

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return pprint.pformat(_masked(self._values), indent=4)

    __str__ = __repr__

    # --- temporary overrides ------------------------------------------------------------

    def __call__(self, **overrides: Any):
        """Context manager: the overrides (``a__b=v`` sets key ``"a.b"``) apply inside the
        block, unvalidated; on exit the previous state is restored exactly."""
        return self._override({key.replace("__", "."): value for key, value in overrides.items()})

    @contextmanager
    def _override(self, overrides: dict[str, Any]):
        values = self._values
        with self._state.lock:
            saved = {key: _snapshot(value) for key, value in values.items()}
            values.update(overrides)
        try:
            yield self
        finally:
            with self._state.lock:
                values.clear()
                values.update(saved)

    # --- files --------------------------------------------------------------------------

    def save(self, filename: str | os.PathLike, verbose: bool = False) -> None:
        """Write every setting (defaults and secrets included) as JSON. A file holding a
        password or secret key is created readable by its owner only (mode 0600)."""
        values = dict(self._values)
        try:
            text = json.dumps(values, indent=4, default=_json_default)
        except (TypeError, ValueError) as error:
            raise DataJointError(
                f"Cannot save the settings as JSON: {error}. Store plain values (strings, "
                "numbers, lists, dicts) in the configuration, or remove that key first."
            ) from None
        private = _holds_secret(values)
        safe_write(Path(filename), text.encode("utf-8"), mode=0o600 if private else None)
        if verbose:
            logger.info("Saved settings in %s", filename)

    def load(self, filename: str | os.PathLike | None = None) -> None:
        """Merge the settings of a JSON file (unvalidated); None = the local file name."""
        if filename is None:
            filename = LOCALCONFIG
        path = Path(filename)
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise DataJointError(
                f"Settings file {str(path)!r} is not valid JSON ({error}); fix or remove it."
            ) from None
        if not isinstance(loaded, dict):
            raise DataJointError(
                f"Settings file {str(path)!r} must hold a JSON object of settings."
            )
        values = self._values
        with self._state.lock:
            values.update(loaded)

    def save_local(self, verbose: bool = False) -> None:
        """Save to the local settings file (`LOCALCONFIG`) in the current directory."""
        self.save(LOCALCONFIG, verbose)

    def save_global(self, verbose: bool = False) -> None:
        """Save to the global settings file (`GLOBALCONFIG`) in the user's home."""
        self.save(Path("~").expanduser() / GLOBALCONFIG, verbose)

    # --- stores -------------------------------------------------------------------------

    def get_store_spec(self, store: str) -> dict[str, Any]:
        """The validated spec of external store `store`.

        A missing `subfolding` is written into the spec as (2, 2). Raises
        `DataJointError` for an unknown store, a missing or invalid protocol, a missing
        required key or a key the protocol does not allow."""
        stores = self._values.get("stores") or {}
        try:
            spec = stores[store]
        except (KeyError, TypeError):
            raise DataJointError(
                f"Storage {store} is requested but not configured: add it to "
                f'dj.config["stores"]["{store}"].'
            ) from None
        if not isinstance(spec, dict):
            raise DataJointError(f'dj.config["stores"]["{store}"] must be a dict.')
        spec.setdefault("subfolding", DEFAULT_SUBFOLDING)
        protocol = spec.get("protocol")
        keys = _STORE_KEYS.get(protocol.lower()) if isinstance(protocol, str) else None
        if keys is None:
            raise DataJointError(
                f'Missing or invalid protocol in dj.config["stores"]["{store}"]: '
                'set "protocol" to "file" or "s3".'
            )
        for key in keys["required"]:  # code reads the lowercase spelling
            if key not in spec:
                raise DataJointError(f'dj.config["stores"]["{store}"] is missing "{key}".')
        allowed = set(keys["required"]) | set(keys["optional"])
        for key in spec:
            if key.lower() not in allowed:
                raise DataJointError(
                    f'Invalid key "{key}" in dj.config["stores"]["{store}"]; allowed for '
                    f"protocol {protocol.lower()!r}: {', '.join(sorted(allowed))}."
                )
        return spec


def _snapshot(value: Any) -> Any:
    """A deep copy for restoring after temporary overrides; objects that cannot be
    copied (a live connection someone stored) are kept by reference."""
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def _json_default(value: Any) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"setting value {value!r} of type {type(value).__name__} is not JSON")


def _holds_secret(values: Mapping[str, Any]) -> bool:
    if any(values.get(key) for key in _SECRET_KEYS):
        return True
    stores = values.get("stores")
    if isinstance(stores, Mapping):
        for spec in stores.values():
            if isinstance(spec, Mapping) and any(spec.get(k) for k in _SECRET_STORE_KEYS):
                return True
    return False


def _masked(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy fit for display: secrets replaced by a mask."""
    shown = dict(values)
    for key in _SECRET_KEYS:
        if shown.get(key):
            shown[key] = _MASK
    stores = shown.get("stores")
    if isinstance(stores, Mapping):
        shown["stores"] = {
            name: (
                {k: (_MASK if k in _SECRET_STORE_KEYS and v else v) for k, v in spec.items()}
                if isinstance(spec, Mapping)
                else spec
            )
            for name, spec in stores.items()
        }
    return shown


def settings_file() -> Path | None:
    """The settings file `load_settings` would read: the local one in the current
    directory, else the global one in the home directory, else None."""
    for candidate in (Path(LOCALCONFIG), Path("~").expanduser() / GLOBALCONFIG):
        if candidate.is_file():
            return candidate
    return None


def load_settings(target: Config | None = None) -> None:
    """The standard loader: the settings file, then the environment.

    Reads the first of ``./dj_local_conf.json`` and ``~/.datajoint_config.json`` that
    exists (they are not merged), then applies DJ_HOST, DJ_USER, DJ_PASS,
    DJ_AWS_ACCESS_KEY_ID, DJ_AWS_SECRET_ACCESS_KEY and DJ_LOG_LEVEL (any case) when set,
    and sets the ``datajoint`` logger level from ``loglevel``."""
    target = Config() if target is None else target
    path = settings_file()
    if path is None:
        logger.debug("No settings file found.")
    else:
        target.load(path)
        logger.debug("Loaded settings from %s", path)
    for variable, key in ENVIRONMENT.items():
        value = os.environ.get(variable)
        if value is not None:
            target[key] = value.upper() if key == "loglevel" else value
    level = target.get("loglevel")
    if level in LOG_LEVELS:
        logging.getLogger("datajoint").setLevel(level)


config = Config()
