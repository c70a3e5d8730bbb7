"""Object paths in a store: pure functions, checked character by character."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from uuid import UUID

import pytest
from dj_blob.errors import DataJointError
from dj_external import layout

H = UUID("4c16e9e15b64474e4b56ba22bb17faae")
ATTACH = UUID("7adeff91af20987f7d122b0c6ec7d1e7")


@pytest.mark.parametrize(
    ("folds", "expected"),
    [
        ((2, 2), ("01", "23")),
        ((1, 1), ("0", "1")),
        ((2, 4), ("01", "2345")),
        ([3], ("012",)),
        ((), ()),
        (None, ()),
    ],
)
def test_subfold_cuts_folders_from_the_front(folds, expected):
    assert layout.subfold("0123456789abcdef", folds) == expected


def test_subfold_lowercases_each_piece():
    assert layout.subfold("ABCDEF", (2, 2)) == ("ab", "cd")


def test_subfold_refuses_non_positive_folds():
    with pytest.raises(DataJointError, match="subfolding"):
        layout.subfold("0123", (2, 0))


def test_blob_key_spec_example_with_1_1_folding():
    assert layout.blob_key("djtest_extern", H, (1, 1)) == (
        "djtest_extern/4/c/4c16e9e15b64474e4b56ba22bb17faae"
    )


def test_blob_key_default_folding_and_hex_string_input():
    key = layout.blob_key("lab", "4C16E9E1-5B64-474E-4B56-BA22BB17FAAE")
    assert key == "lab/4c/16/4c16e9e15b64474e4b56ba22bb17faae"


def test_blob_key_without_folding():
    assert layout.blob_key("lab", H, ()) == "lab/4c16e9e15b64474e4b56ba22bb17faae"


def test_attachment_key_appends_the_full_name_after_a_dot():
    assert layout.attachment_key("lab", ATTACH, "notes.txt") == (
        "lab/7a/de/7adeff91af20987f7d122b0c6ec7d1e7.notes.txt"
    )
    assert layout.attachment_key("lab", ATTACH, "archive.tar.gz", (1,)).endswith(
        "lab/7/7adeff91af20987f7d122b0c6ec7d1e7.archive.tar.gz"
    )


@pytest.mark.parametrize("bad", ["", "a/b", ".", ".."])
def test_attachment_key_refuses_names_that_are_not_bare_file_names(bad):
    with pytest.raises(DataJointError, match="attachment name"):
        layout.attachment_key("lab", ATTACH, bad)


def test_keys_need_a_schema():
    with pytest.raises(DataJointError, match="schema"):
        layout.blob_key("", H)


def test_filepath_key_is_the_relative_path_unchanged():
    assert layout.filepath_key("one/two/three/picture.dat") == "one/two/three/picture.dat"
    assert layout.filepath_key(PurePosixPath("a/./b.dat")) == "a/b.dat"


@pytest.mark.parametrize("bad", ["", "/abs/x", "a/../../etc/passwd", "a//b"])
def test_keys_that_escape_the_root_are_refused(bad):
    with pytest.raises(DataJointError, match="Invalid object key"):
        layout.check_key(bad)


@pytest.mark.parametrize(
    ("location", "prefix"),
    [
        ("leading/slash/test", "leading/slash/test"),
        ("/leading/slash/test", "leading/slash/test"),
        ("leading\\slash\\test", "leading/slash/test"),
        ("f:\\leading\\slash\\test", "leading/slash/test"),
        ("f:\\leading/slash\\test", "leading/slash/test"),
        ("/", ""),
        ("C:\\", ""),
        ("", ""),
        ("c:/x/y", "x/y"),
        ("a//b/", "a/b"),
        ("./a", "a"),
        ("\\a\\b", "a/b"),
    ],
)
def test_s3_prefix_normalises_location(location, prefix):
    assert layout.s3_prefix(location) == prefix


@pytest.mark.parametrize(
    ("location", "key"),
    [
        ("pipelines/v1", "pipelines/v1/lab/7a/de/7adeff91af20987f7d122b0c6ec7d1e7.notes.txt"),
        ("/", "lab/7a/de/7adeff91af20987f7d122b0c6ec7d1e7.notes.txt"),
    ],
)
def test_full_s3_key_of_an_attachment(location, key):
    relative = layout.attachment_key("lab", ATTACH, "notes.txt")
    assert layout.join_root(layout.s3_prefix(location), relative) == key


def test_join_root_for_file_locations():
    assert layout.join_root("/mnt/share", "one/two/three/picture.dat") == (
        "/mnt/share/one/two/three/picture.dat"
    )
    assert layout.join_root("/mnt/x/", "k") == "/mnt/x/k"
    assert layout.join_root(".", "k") == "k"


def test_relative_to_stage_gives_posix_path():
    assert (
        layout.relative_to_stage("/home/me/share/one/two/three/picture.dat", "/home/me/share")
        == "one/two/three/picture.dat"
    )
    assert layout.relative_to_stage("stage/x.dat", "stage") == "x.dat"


def test_relative_to_stage_refuses_paths_outside_the_stage():
    with pytest.raises(DataJointError, match=r"is not in stage /home/me/share"):
        layout.relative_to_stage("/tmp/elsewhere/picture.dat", "/home/me/share")
    with pytest.raises(DataJointError, match="normal form"):
        layout.relative_to_stage("/home/me/share/a/../b.dat", "/home/me/share")
    with pytest.raises(DataJointError, match="stage itself"):
        layout.relative_to_stage("/home/me/share", "/home/me/share")


def test_cache_path_ignores_store_and_schema():
    assert layout.cache_path("/tmp/cache", H) == Path(
        "/tmp/cache/4c/16/4c16e9e15b64474e4b56ba22bb17faae"
    )


def test_parse_object_key_inverts_blob_and_attachment_keys():
    assert layout.parse_object_key("lab", layout.blob_key("lab", H)) == (H, None)
    key = layout.attachment_key("lab", ATTACH, "a.b.txt", (1, 1))
    assert layout.parse_object_key("lab", key, (1, 1)) == (ATTACH, "a.b.txt")


@pytest.mark.parametrize(
    "key",
    [
        "other/4c/16/4c16e9e15b64474e4b56ba22bb17faae",  # other schema
        "lab/4c/17/4c16e9e15b64474e4b56ba22bb17faae",  # wrong folder
        "lab/4c/16/4C16E9E15B64474E4B56BA22BB17FAAE",  # not lowercase
        "lab/4c/16/4c16e9e15b64474e4b56ba22bb17faa",  # short
        "lab/4c/16/4c16e9e15b64474e4b56ba22bb17faae.",  # empty name
        "lab/4c/16/4c16e9e15b64474e4b56ba22bb17faae_x",  # no dot
        "lab/4c/4c16e9e15b64474e4b56ba22bb17faae",  # missing folder
        "lab/4c/16/.djtmp-0123",
    ],
)
def test_parse_object_key_rejects_other_keys(key):
    assert layout.parse_object_key("lab", key) is None


@pytest.mark.parametrize(
    ("value", "folds"), [((2, 2), (2, 2)), ([1, 3], (1, 3)), (None, ()), ((), ())]
)
def test_subfolding_setting(value, folds):
    assert layout.subfolding(value) == folds


@pytest.mark.parametrize("bad", [2, "22", ("2", "2"), (2, 0), (True,), (1.5,)])
def test_invalid_subfolding_setting(bad):
    with pytest.raises(DataJointError, match="Invalid subfolding"):
        layout.subfolding(bad)
