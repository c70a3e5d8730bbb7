"""Attachment download naming and transfers from a store."""

from __future__ import annotations

import itertools
import os

import pytest
from dj_external import encoding
from dj_external.attachments import (
    AttachmentTarget,
    alias_names,
    download_attachments,
    plan_attachment_targets,
    write_attachment_bytes,
)


def make(folder, name, data):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, encoding.attachment_hash(path)


def test_alias_names_use_four_hex_digits_before_the_last_suffix():
    assert list(itertools.islice(alias_names("archive.tar.gz"), 2)) == [
        "archive.tar_0000.gz",
        "archive.tar_0001.gz",
    ]
    assert next(itertools.islice(alias_names("x.img"), 10, None)) == "x_000a.img"
    assert next(alias_names("README")) == "README_0000"


def test_first_download_goes_under_the_own_name(tmp_path):
    _, h = make(tmp_path / "src", "x.img", b"one")
    (target,) = plan_attachment_targets(tmp_path / "dl", [("x.img", h)])
    assert target == AttachmentTarget(tmp_path / "dl" / "x.img", write=True)


def test_existing_identical_file_is_reused(tmp_path):
    _, h = make(tmp_path / "dl", "x.img", b"one")
    (target,) = plan_attachment_targets(tmp_path / "dl", [("x.img", h)])
    assert target == AttachmentTarget(tmp_path / "dl" / "x.img", write=False)


def test_different_file_of_the_same_name_gets_an_alias(tmp_path):
    make(tmp_path / "dl", "x.img", b"someone else's")
    _, h = make(tmp_path / "src", "x.img", b"ours")
    (target,) = plan_attachment_targets(tmp_path / "dl", [("x.img", h)])
    assert target == AttachmentTarget(tmp_path / "dl" / "x_0000.img", write=True)
    (tmp_path / "dl" / "x_0000.img").write_bytes(b"ours")
    (again,) = plan_attachment_targets(tmp_path / "dl", [("x.img", h)])
    assert again == AttachmentTarget(tmp_path / "dl" / "x_0000.img", write=False)


def test_one_batch_never_gives_one_path_to_two_attachments(tmp_path):
    _, a = make(tmp_path / "a", "x.img", b"A")
    _, b = make(tmp_path / "b", "x.img", b"B")
    targets = plan_attachment_targets(tmp_path / "dl", [("x.img", a), ("x.img", b), ("x.img", a)])
    assert [t.path.name for t in targets] == ["x.img", "x_0000.img", "x.img"]
    assert [t.write for t in targets] == [True, True, False]


def test_relative_download_path_stays_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, h = make(tmp_path / "src", "notes.txt", b"hello world\n")
    (target,) = plan_attachment_targets(".", [("notes.txt", h)])
    assert str(target.path) == "notes.txt"


def test_write_in_row_attachment_bytes(tmp_path):
    target = AttachmentTarget(tmp_path / "dl" / "n.txt", write=True)
    assert write_attachment_bytes(target, b"contents") == str(target.path)
    assert target.path.read_bytes() == b"contents"
    assert sorted(os.listdir(tmp_path / "dl")) == ["n.txt"]


def test_download_attachments_from_a_store(store, tmp_path):
    sources = [
        make(tmp_path / "s1", "x.img", b"first"),
        make(tmp_path / "s2", "x.img", b"second"),
        make(tmp_path / "s3", "notes.txt", b"hello world\n"),
    ]
    for path, h in sources:
        store.put_file(store.attachment_key("lab", h, path.name), path)
    items = [(path.name, h) for path, h in sources] + [("x.img", sources[0][1])]
    paths = download_attachments(store, "lab", tmp_path / "dl", items)
    assert [os.path.basename(p) for p in paths] == ["x.img", "x_0000.img", "notes.txt", "x.img"]
    assert [open(p, "rb").read() for p in paths] == [
        b"first",
        b"second",
        b"hello world\n",
        b"first",
    ]
    # fetching again transfers nothing and returns the same files
    store.remove(store.attachment_key("lab", sources[0][1], "x.img"))
    assert download_attachments(store, "lab", tmp_path / "dl", items) == paths


def test_missing_attachment_object_names_the_row(store, tmp_path):
    from dj_external.errors import MissingExternalFile

    _, h = make(tmp_path / "src", "lost.bin", b"never uploaded")
    with pytest.raises(MissingExternalFile, match=r"lost\.bin.*\(for row 3\)$"):
        download_attachments(store, "lab", tmp_path / "dl", [("lost.bin", h)], labels=["row 3"])
