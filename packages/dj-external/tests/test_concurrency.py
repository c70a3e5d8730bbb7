"""Cleanup running while another connection inserts the same content: the insert's row
locks make cleanup wait, the foreign key then keeps the row, and the object survives."""

from __future__ import annotations

import threading
import time

from dj_core.connection import Connection
from dj_core.settings import Config
from dj_external import ExternalTable


def _wait_until_blocked(observer: Connection, connection_id: int, timeout: float = 30) -> None:
    """Wait until the server shows `connection_id` waiting for a row lock.

    A fixed sleep proves nothing on a busy machine: the cleaner may not have reached its
    locking read yet, and would then run entirely after the commit.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (waiting,) = observer.query(
            "SELECT COUNT(*) FROM information_schema.innodb_trx "
            "WHERE trx_mysql_thread_id = %s AND trx_state = 'LOCK WAIT'",
            (connection_id,),
        ).fetchone()
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError(f"connection {connection_id} never waited for the row lock")


def test_cleanup_waits_for_a_concurrent_insert_of_the_same_value(lab, db_params):
    lab.Item.insert1(dict(item_id=1, data="shared value"))
    (lab.Item & "item_id=1").delete()
    (key,) = lab.keys()
    assert len(lab.external.unused()) == 1

    other = Connection(
        db_params.host,
        db_params.user,
        db_params.password,
        db_params.port,
        config=Config.independent(stores=lab.schema.connection.config["stores"]),
    )
    try:
        inserter = lab.schema.connection
        inserter.start_transaction()
        lab.Item.insert1(dict(item_id=2, data="shared value"))  # locks the tracking row
        result: dict = {}

        def clean() -> None:
            cleaner = ExternalTable(other, "ext", lab.schema.database)
            result["unused_seen"] = len(cleaner.unused())
            result["errors"] = cleaner.delete(delete_external_files=True)

        thread = threading.Thread(target=clean)
        thread.start()
        _wait_until_blocked(inserter, other.connection_id)
        assert thread.is_alive()  # waiting for the inserter's row lock
        inserter.commit_transaction()
        thread.join(timeout=30)
        assert not thread.is_alive()
    finally:
        other.close()
    assert result == {"unused_seen": 1, "errors": []}
    assert lab.keys() == [key]
    assert len(lab.external) == 1 and len(lab.external.unused()) == 0
    assert lab.Item.fetch1("data") == "shared value"
