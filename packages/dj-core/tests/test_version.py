"""The settable client version written into ~log."""

from __future__ import annotations

import dj_core
import pytest
from dj_core import errors, version


@pytest.fixture(autouse=True)
def restore():
    """Start from dj-core's default (the meta-package may have set its own in this
    process) and put back whatever was set before."""
    before = version._client_version
    version.set_client_version(None)
    yield
    version.set_client_version(before)


def test_default_is_dj_cores_version():
    assert version.client_version() == dj_core.__version__
    assert dj_core.client_version is version.client_version


def test_set_and_restore():
    version.set_client_version("0.15.0")
    assert version.client_version() == "0.15.0"
    version.set_client_version(None)
    assert version.client_version() == dj_core.__version__


def test_at_most_ten_characters():
    version.set_client_version("0123456789")
    with pytest.raises(errors.DataJointError, match="at most 10"):
        version.set_client_version("0.15.0.dev12")
    assert version.client_version() == "0123456789"
