"""Name conversions, the confirmation prompt and safe file writes."""

from __future__ import annotations

import os
import stat

import pytest
from dj_core import errors, utils


@pytest.mark.parametrize(
    ("class_name", "table_name"),
    [
        ("TTest", "t_test"),
        ("IJ", "i_j"),
        ("SelectPK", "select_p_k"),
        ("Scan2P", "scan2_p"),
        ("MyHTTPServer", "my_h_t_t_p_server"),
        ("Session", "session"),
        ("SessionTrial", "session_trial"),
    ],
)
def test_from_camel_case(class_name, table_name):
    assert utils.from_camel_case(class_name) == table_name


@pytest.mark.parametrize("bad", ["session", "Session_Trial", "Séance", "", "9Lives"])
def test_from_camel_case_rejects_other_names(bad):
    with pytest.raises(errors.DataJointError, match="must be alphanumeric in CamelCase"):
        utils.from_camel_case(bad)


@pytest.mark.parametrize(
    ("table_name", "class_name"),
    [
        ("#subject", "Subject"),
        ("__spike_rate", "SpikeRate"),
        ("t_test", "TTest"),
        ("~log", "Log"),
        ("session", "Session"),
        ("_imported_thing", "ImportedThing"),
    ],
)
def test_to_camel_case(table_name, class_name):
    assert utils.to_camel_case(table_name) == class_name


def test_is_camel_case():
    assert utils.is_camel_case("Session2")
    assert not utils.is_camel_case("session")
    assert not utils.is_camel_case("Ses_sion")
    assert not utils.is_camel_case("Séance")


@pytest.mark.parametrize(
    ("full_name", "master"),
    [
        ("`ephys`.`session__recording`", "`ephys`.`session`"),
        ("`ephys`.`session`", ""),
        ("`ephys`.`#lookup__part`", "`ephys`.`#lookup`"),
        ("`ephys`.`__computed__part`", "`ephys`.`__computed`"),
        ("`ephys`.`_imported__part`", "`ephys`.`_imported`"),
        ("`ephys`.`a__b__c`", "`ephys`.`a__b`"),
    ],
)
def test_get_master(full_name, master):
    assert utils.get_master(full_name) == master


def test_user_choice_reads_the_module_input(monkeypatch):
    answers = iter(["maybe", "", "YES"])
    prompts = []

    def fake_input(prompt):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(utils, "input", fake_input)
    assert utils.user_choice("Proceed?") == "yes"
    assert prompts == ["Proceed? [yes, no]: "] * 3


def test_user_choice_default_is_capitalised_and_used_for_empty_answers(monkeypatch):
    prompts = []
    monkeypatch.setattr(utils, "input", lambda prompt: prompts.append(prompt) or "")
    assert utils.user_choice("Drop?", default="no") == "no"
    assert prompts == ["Drop? [yes, No]: "]


def test_safe_write_replaces_atomically_and_sets_the_mode(tmp_path):
    path = tmp_path / "sub" / "file.txt"
    utils.safe_write(path, b"first")
    utils.safe_write(path, b"second", mode=0o600)
    assert path.read_bytes() == b"second"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["file.txt"]


def test_safe_copy(tmp_path):
    source = tmp_path / "a.bin"
    source.write_bytes(b"data")
    target = tmp_path / "out" / "b.bin"
    utils.safe_copy(source, target)
    assert target.read_bytes() == b"data"
    source.write_bytes(b"new")
    utils.safe_copy(source, target)
    assert target.read_bytes() == b"data"
    utils.safe_copy(source, target, overwrite=True)
    assert target.read_bytes() == b"new"
