"""Keys of every primary-key type hash the same here as in DataJoint 0.14.10, so the two
implementations see each other's `~jobs` rows: upstream records an
error for every key (`time` keys are left out: neither implementation can store a
timedelta in the `key` blob), and our populate must then find every key blocked."""

from __future__ import annotations

import textwrap

import datajoint as dj
import pytest

DEFINITIONS = '''
@schema
class Thing(dj.Manual):
    definition = """
    n : int
    day : date
    moment : datetime
    price : decimal(6,2)
    label : varchar(16)
    kind : enum('a','b')
    token : uuid
    """

@schema
class Derived(dj.Computed):
    definition = """
    -> Thing
    """

    def make(self, key):
        raise ValueError("refused")
'''


@pytest.fixture
def database(make_database, db_params):
    dj.config["database.host"] = f"{db_params.host}:{db_params.port}"
    dj.config["database.user"] = db_params.user
    dj.config["database.password"] = db_params.password
    dj.config["safemode"] = False
    return make_database("keyhash")


def test_upstream_error_rows_block_our_populate(database, upstream):
    upstream.run(
        f"""
        import datajoint as dj, datetime, decimal, uuid
        schema = dj.Schema({database!r})
        """
        + textwrap.indent(DEFINITIONS, "        ")
        + """
        Thing.insert([
            dict(n=i, day=datetime.date(2024, 5, 1 + i), moment=datetime.datetime(2024, 5, 1, 13, 45, i),
                 price=decimal.Decimal("1.50") * i, label=f"x{i} y", kind="ab"[i % 2],
                 token=uuid.UUID(int=i))
            for i in range(6)])
        Derived.populate(reserve_jobs=True, suppress_errors=True)
        assert len(schema.jobs) == 6, len(schema.jobs)
        """
    )
    namespace = {"dj": dj, "schema": dj.Schema(database)}
    exec(DEFINITIONS, namespace)
    Derived = namespace["Derived"]
    jobs = namespace["schema"].jobs
    theirs = set(jobs.fetch("key_hash"))
    ours = {dj.key_hash(key) for key in Derived.key_source.fetch("KEY")}
    assert ours == theirs
    assert Derived.populate(reserve_jobs=True) == {"success_count": 0, "error_list": []}
    assert len(jobs & 'status = "error"') == 6
    # upstream's rows read back here: the key dict, the message and the stack text
    rows = jobs.fetch(as_dict=True)
    assert {row["key"]["n"] for row in rows} == set(range(6))
    assert {row["error_message"] for row in rows} == {"ValueError: refused"}
    assert all("Traceback" in row["error_stack"] for row in rows)
