"""The `dj` console: options, output channels, exit codes."""

import os
import subprocess
import sys

import datajoint as dj
import pytest


def test_version_option_exits_zero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        dj.cli(args=["-V"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"datajoint {dj.__version__}\n"


def test_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        dj.cli(args=["--help"])
    assert exit_info.value.code == 0
    assert "DataJoint console interface." in capsys.readouterr().out


def test_schema_argument_must_have_one_colon(capsys):
    with pytest.raises(SystemExit) as exit_info:
        dj.cli(args=["-s", "no_colon_here"])
    assert exit_info.value.code == 2
    assert "DB:NAME" in capsys.readouterr().err


def _console(args: list[str], stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "datajoint", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("DJ_")},
    )


def test_console_sets_settings_and_prints_only_prompts_to_stdout():
    result = _console(
        ["-utest_user", "-ptest_pass", "-htest_host"],
        "dj.config['database.user']\ndj.config['database.password']\ndj.config['database.host']\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ">>> 'test_user'\n>>> 'test_pass'\n>>> 'test_host'\n>>> "
    assert result.stderr.startswith("dj repl")


def test_console_opens_schemas_as_virtual_modules(db_params, make_database):
    database = make_database("cli")
    connection = db_params.open_connection()
    connection.query(connection.dialect.create_schema_sql(database))
    connection.close()
    options = [f"--backend={db_params.backend}"]
    if db_params.database:  # PostgreSQL: the database holding the schemas
        options.append(f"--database-name={db_params.database}")
    result = _console(
        [
            *options,
            f"--user={db_params.user}",
            f"--password={db_params.password}",
            f"--host={db_params.host}:{db_params.port}",
            "-s",
            f"{database}:lab",
        ],
        "lab.schema.database\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f">>> '{database}'\n>>> "
    assert "schema modules:\n\n  - lab" in result.stderr
