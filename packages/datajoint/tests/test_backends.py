"""The `dj.*` functions that talk to the server, on each backend, as a user's process
calls them: `dj.conn()` configured from the environment, `dj.list_schemas`,
`dj.VirtualModule` / `dj.create_virtual_module`, `dj.kill`, and `DJ_HOST=embedded`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest


def run(env: dict[str, str], code: str, timeout: float = 120) -> dict:
    """Run `code` in a fresh interpreter with `env` added; it prints one JSON object."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def lab(db_params, make_database):
    """A schema with two tables and a row, declared through `dj` in a subprocess."""
    database = make_database("meta")
    run(
        {**db_params.env, "LAB": database},
        """
        import json, os
        import datajoint as dj
        schema = dj.Schema(os.environ["LAB"])

        @schema
        class Subject(dj.Manual):
            definition = '''
            subject_id: int unsigned
            ---
            species = "mouse": enum('mouse', 'rat')
            '''

        @schema
        class Session(dj.Manual):
            definition = '''
            -> Subject
            session: smallint
            '''

        Subject.insert1((1, "rat"))
        Session.insert1((1, 2))
        print(json.dumps({}))
        """,
    )
    return database


def test_conn_follows_the_environment_and_lists_the_schema(db_params, lab):
    found = run(
        {**db_params.env, "LAB": lab},
        """
        import json, os
        import datajoint as dj
        connection = dj.conn()
        print(json.dumps({
            "backend": connection.dialect.name,
            "same": dj.conn() is connection,
            "listed": os.environ["LAB"] in dj.list_schemas(),
            "system": [s for s in dj.list_schemas()
                       if s.startswith("pg_") or s in ("information_schema", "public")],
        }))
        """,
    )
    assert found == {"backend": db_params.backend, "same": True, "listed": True, "system": []}


def test_virtual_modules_read_the_declared_tables(db_params, lab):
    found = run(
        {**db_params.env, "LAB": lab},
        """
        import json, os
        import datajoint as dj
        lab = dj.VirtualModule("lab", os.environ["LAB"])
        same = dj.create_virtual_module("lab2", os.environ["LAB"])
        print(json.dumps({
            "tables": sorted(n for n in vars(lab) if n[:1].isupper()),
            "rows": (lab.Subject * lab.Session).fetch(as_dict=True),
            "type": lab.Subject.heading.attributes["subject_id"].type,
            "enum": lab.Subject.heading.attributes["species"].type,
            "describe": same.Session.describe(printout=False),
            "rat": len(lab.Subject & "species = 'rat'"),
        }))
        """,
    )
    assert found["tables"] == ["Session", "Subject"]
    assert found["rows"] == [{"subject_id": 1, "session": 2, "species": "rat"}]
    assert found["type"] == "int unsigned"
    # declared as enum('mouse', 'rat'): both servers report MySQL's spelling
    assert found["enum"] == "enum('mouse','rat')"
    assert found["describe"].startswith("-> lab.Subject\nsession")
    assert found["rat"] == 1


def test_a_virtual_module_of_a_missing_schema_is_refused(db_params):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import datajoint as dj; dj.VirtualModule('x', 'djtest_no_such_schema_at_all')",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **db_params.env},
        timeout=120,
    )
    assert result.returncode != 0
    assert "DataJointError" in result.stderr and "djtest_no_such_schema_at_all" in result.stderr


def test_kill_lists_and_ends_another_connection(db_params, monkeypatch):
    import datajoint as dj

    victim = db_params.open_connection()
    killer = db_params.open_connection()
    try:
        answers = iter([str(victim.connection_id), "q"])
        monkeypatch.setattr(dj.utils, "input", lambda *_: next(answers), raising=False)
        monkeypatch.setattr("builtins.input", lambda *_: next(answers))
        dj.kill(f"ID = {victim.connection_id}", connection=killer)
        assert victim.connection_id not in killer.dialect.live_connection_ids(killer)
        assert victim.connection_id != killer.connection_id
    finally:
        victim.close()
        killer.close()


def test_kill_quick_ends_connections_matching_a_restriction(db_params):
    import datajoint as dj

    victim = db_params.open_connection()
    killer = db_params.open_connection()
    try:
        assert dj.admin.kill_quick(f"ID = {victim.connection_id}", connection=killer) == 1
        assert victim.connection_id not in killer.dialect.live_connection_ids(killer)
    finally:
        victim.close()
        killer.close()


def test_dj_host_embedded_gives_a_working_postgresql_without_settings():
    """`DJ_HOST=embedded` alone: no user, password, backend or port to set (the embedded
    server of DJ_EMBEDDED_DIR, or the user's default folder, started on first use)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    if "DJ_EMBEDDED_DIR" in os.environ:
        env["DJ_EMBEDDED_DIR"] = os.environ["DJ_EMBEDDED_DIR"]
    env.update(DJ_HOST="embedded", LAB=f"djtest_embedded_{os.getpid()}")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import json, os
                import datajoint as dj
                dj.config["safemode"] = False
                schema = dj.Schema(os.environ["LAB"])

                @schema
                class Item(dj.Lookup):
                    definition = "item: tinyint unsigned"
                    contents = [(1,), (200,)]

                listed = os.environ["LAB"] in dj.list_schemas()
                found = {"backend": dj.conn().dialect.name, "listed": listed,
                         "items": sorted(Item.fetch("item").tolist())}
                schema.drop()
                found["dropped"] = os.environ["LAB"] not in dj.list_schemas()
                print(json.dumps(found))
                """
            ),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"backend": "postgresql", "listed": True, "items": [1, 200], "dropped": True}
