"""The "datajoint" logger: nothing configured at import, one stderr handler on request."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import pytest
from dj_core import logging as dj_logging


@pytest.fixture
def clean_logger():
    logger = logging.getLogger("datajoint")
    handlers, level = list(logger.handlers), logger.level
    logger.handlers[:] = []  # another package's tests may have set it up in this process
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_import_configures_no_handler():
    script = textwrap.dedent(
        """
        import logging, dj_core, dj_core.connection, dj_core.admin
        logger = logging.getLogger("datajoint")
        print(len(logger.handlers), logger.level)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["0", "0"]


def test_setup_logging_adds_one_formatted_stderr_handler(clean_logger, monkeypatch, capsys):
    monkeypatch.setenv("DJ_LOG_LEVEL", "warning")
    logger = dj_logging.setup_logging()
    dj_logging.setup_logging()
    assert logger is clean_logger
    ours = [h for h in logger.handlers if isinstance(h, dj_logging._DataJointHandler)]
    assert len(ours) == 1
    assert ours[0].stream is sys.stderr
    assert logger.level == logging.WARNING
    # the handler keeps the stream it was created with; point it at the captured stderr
    ours[0].setStream(sys.stderr)
    logger.warning("something to see")
    logger.info("hidden")
    err = capsys.readouterr().err
    assert "][WARNING]: something to see" in err
    assert err.startswith("[")
    assert "hidden" not in err


def test_setup_logging_explicit_level(clean_logger):
    dj_logging.setup_logging("debug")
    assert clean_logger.level == logging.DEBUG
    assert dj_logging.logger is clean_logger
