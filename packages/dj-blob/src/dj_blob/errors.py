"""The root of DataJoint's exception hierarchy, and the codec's own error.

The root lives here, in the lowest layer, so that the codec can raise errors that
`except dj.DataJointError` catches without dj-blob importing dj-core (dj-core
re-exports the root and defines every subclass).

Two things the upper layers need from the root:
- `_cause_hook`: dj-core installs a callable that computes `__cause__` at raise time
  (DataJoint 0.14 reports unverified plug-ins that way); by default there is none.
- pickling through the defining module: the meta-package may relabel `__module__` as
  `datajoint.errors` for familiar tracebacks, yet instances must unpickle in a process
  without the meta-package (worker processes of populate), so `__reduce__` rebuilds
  them from the module where the class was defined.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, ClassVar

__all__ = ["BlobError", "DataJointError"]


def _rebuild(home: str, qualname: str, args: tuple, state: dict) -> BaseException:
    """Recreate a pickled DataJoint error from the module that defined its class."""
    cls: Any = importlib.import_module(home)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class DataJointError(Exception):
    """Base class of every error DataJoint raises on purpose."""

    _home: ClassVar[str] = __name__
    _cause_hook: ClassVar[Callable[[], BaseException | None] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._home = cls.__module__

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        hook = DataJointError._cause_hook
        if hook is not None:
            self.__cause__ = hook()

    def suggest(self, *more: Any) -> DataJointError:
        """A new error of the same class with `more` appended to the arguments (a hint)."""
        return self.__class__(*self.args, *more)

    def __reduce__(self):
        return _rebuild, (self._home, type(self).__qualname__, self.args, dict(self.__dict__))


class BlobError(DataJointError, ValueError):
    """Malformed or unsupported blob data; the message names the offset and the problem."""
