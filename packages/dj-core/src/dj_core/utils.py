"""Small helpers shared by the layers (`datajoint.utils`).

`input` is a module attribute on purpose: every confirmation prompt goes through
`user_choice`, which looks `input` up in this module at call time, so a test can
replace it with ``patch.object(dj.utils, "input", ...)``. Unreplaced, it calls the
built-in `input` looked up at call time too, so code that patches ``builtins.input``
(as 0.14's users and tests do) answers every prompt as well.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from dj_blob.errors import DataJointError

__all__ = [
    "atomic_write",
    "from_camel_case",
    "get_master",
    "input",
    "is_camel_case",
    "safe_copy",
    "safe_write",
    "to_camel_case",
    "user_choice",
]


def input(prompt: str = "") -> str:
    """Read an answer through ``builtins.input``, looked up now (so patches of it apply)."""
    return builtins.input(prompt)


_CAMEL_CASE = re.compile(r"[A-Z][A-Za-z0-9]*")


def user_choice(
    prompt: str, choices: Sequence[str] = ("yes", "no"), default: str | None = None
) -> str:
    """Ask until the answer is one of `choices`; an empty answer picks `default`.

    The prompt shows the choices with the default capitalised: ``Drop? [yes, No]: ``."""
    shown = ", ".join(choice.title() if choice == default else choice for choice in choices)
    while True:
        answer = input(f"{prompt} [{shown}]: ").strip().lower()
        if not answer and default is not None:
            answer = default
        if answer in choices:
            return answer


def is_camel_case(name: str) -> bool:
    """True for strict CamelCase class names: ASCII letters and digits, capital first."""
    return _CAMEL_CASE.fullmatch(name) is not None and name.isascii()


def from_camel_case(name: str) -> str:
    """Table name of a class name: ``MyHTTPServer`` -> ``my_h_t_t_p_server``.

    Every capital becomes lower case preceded by ``_`` (except at the start)."""
    if not is_camel_case(name):
        raise DataJointError(
            f"Class name {name!r} is invalid: ClassName must be alphanumeric in CamelCase, "
            "begin with a capital letter (e.g. SessionTrial)."
        )
    return re.sub(r"[A-Z]", lambda m: ("_" if m.start() else "") + m[0].lower(), name)


def to_camel_case(name: str) -> str:
    """Class name of a table name: ``__spike_rate`` -> ``SpikeRate``, ``~log`` -> ``Log``.

    Upper-cases the first letter and each letter that follows a run of ``_`` or
    non-word characters, dropping those characters."""
    return re.sub(r"(?:^|[_\W])+[a-zA-Z]", lambda m: m[0][-1].upper(), name)


def get_master(full_table_name: str) -> str:
    """The full name of a part table's master (`` `db`.`master` ``), or "" if not a part."""
    from dj_core.table_names import master_of_full_name

    return master_of_full_name(full_table_name) or ""


@contextmanager
def atomic_write(
    path: str | os.PathLike,
    *,
    mode: int | None = None,
    prefix: str | None = None,
    fsync: bool = False,
) -> Iterator[BinaryIO]:
    """Context manager: a binary file to fill that appears at `path` only when complete.

    The data goes to a temporary sibling, which replaces `path` when the block ends
    normally and is removed when it raises, so a reader never sees a half-written file
    and a failure leaves nothing behind. The temporary is named ``.<name>.<random>.tmp``,
    or `prefix` + random (a store lists and skips its own prefix). `mode` (e.g. 0o600)
    is given to the file when it is created, before any byte is written, so a private
    file is never readable by others, even briefly; without it the file gets the usual
    permissions (0o666 less the umask). `fsync` flushes the data to disk first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    random = uuid.uuid4().hex
    name = f".{path.name}.{random}.tmp" if prefix is None else f"{prefix}{random}"
    temporary = path.with_name(name)
    descriptor = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            if fsync:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def safe_write(path: str | os.PathLike, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` atomically (`atomic_write`): a reader never sees a
    half-written file; `mode` is the new file's permission bits."""
    with atomic_write(path, mode=mode) as file:
        file.write(data)


def safe_copy(
    source: str | os.PathLike, destination: str | os.PathLike, overwrite: bool = False
) -> None:
    """Copy a file atomically (through a temporary file next to the destination).

    An existing destination is kept unless `overwrite`."""
    destination = Path(destination)
    if destination.exists() and not overwrite:
        return
    with open(source, "rb") as original, atomic_write(destination) as copy:
        shutil.copyfileobj(original, copy)
