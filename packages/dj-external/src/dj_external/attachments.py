"""Where fetched attachments land, and their transfer.

An attachment is fetched into `download_path` under its own name. If a file of that name is
already there, its checksum decides: the same attachment is reused, a different file is left
alone and the download goes to the first free alias `stem_0000.ext`, `stem_0001.ext`, ...
(four lowercase hex digits), exactly as DataJoint 0.14 names them.

Targets of a whole fetch are chosen first, one after the other (choosing is a few local
checks), so two different attachments with one name never pick the same file even when the
transfers then run concurrently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from uuid import UUID

from dj_core.hash import uuid_from_file
from dj_core.utils import atomic_write

from dj_external.storage.base import Store

__all__ = [
    "AttachmentTarget",
    "alias_names",
    "download_attachments",
    "plan_attachment_targets",
    "write_attachment_bytes",
]


@dataclass(frozen=True)
class AttachmentTarget:
    """Where one attachment goes, and whether it must be written there."""

    path: Path
    write: bool


def alias_names(name: str) -> Iterator[str]:
    """`archive.tar.gz` -> `archive.tar_0000.gz`, `archive.tar_0001.gz`, ..."""
    pure = PurePath(name)
    n = 0
    while True:
        yield f"{pure.stem}_{n:04x}{pure.suffix}"
        n += 1


def _matches(path: Path, name: str, hash_: UUID) -> bool:
    return uuid_from_file(path, init_string=name + "\0") == hash_


def plan_attachment_targets(
    download_path: str | os.PathLike[str], items: Sequence[tuple[str, UUID]]
) -> list[AttachmentTarget]:
    """For each `(attachment_name, hash)`, the file to return and whether to write it.

    The returned path is `download_path / name` (or an alias) and is not made absolute, as
    in 0.14 (`download_path="."` gives `"notes.txt"`).
    """
    folder = Path(download_path)
    reserved: dict[Path, UUID] = {}  # paths this batch will write, and what goes there
    planned: dict[tuple[str, UUID], Path] = {}
    targets = []
    for name, hash_ in items:
        if (name, hash_) in planned:
            targets.append(AttachmentTarget(planned[(name, hash_)], write=False))
            continue
        for candidate in _candidates(name):
            path = folder / candidate
            owner = reserved.get(path)
            if owner is not None:
                if owner == hash_:  # the same attachment, already planned
                    targets.append(AttachmentTarget(path, write=False))
                    break
                continue
            if path.is_file():
                if _matches(path, name, hash_):
                    targets.append(AttachmentTarget(path, write=False))
                    planned[(name, hash_)] = path
                    break
                continue
            reserved[path] = hash_
            planned[(name, hash_)] = path
            targets.append(AttachmentTarget(path, write=True))
            break
    return targets


def _candidates(name: str) -> Iterator[str]:
    yield name
    yield from alias_names(name)


def download_attachments(
    store: Store,
    schema: str,
    download_path: str | os.PathLike[str],
    items: Sequence[tuple[str, UUID]],
    *,
    labels: Sequence[str] | None = None,
) -> list[str]:
    """Fetch `attach@store` objects `(attachment_name, hash)` of `schema` into
    `download_path`, concurrently; returns the local path of each, in order. `labels` name
    the rows in error messages (see `Store.map`)."""
    targets = plan_attachment_targets(download_path, items)
    chosen = [i for i, target in enumerate(targets) if target.write]
    transfers = [
        (store.attachment_key(schema, items[i][1], items[i][0]), targets[i].path) for i in chosen
    ]
    store.get_files(transfers, labels=None if labels is None else [labels[i] for i in chosen])
    return [str(target.path) for target in targets]


def write_attachment_bytes(target: AttachmentTarget, contents: bytes) -> str:
    """Write an in-row attachment's contents to its planned target (atomically)."""
    if target.write:
        with atomic_write(target.path, prefix=".djtmp-") as file:
            file.write(contents)
    return str(target.path)
