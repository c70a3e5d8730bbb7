"""Cleanup running while another connection inserts the same content: the insert's row
locks make cleanup wait, the foreign key then keeps the row, and the object survives."""

from __future__ import annotations

import threading
import time

from dj_core.connection import Connection
from dj_core.settings import Config
from dj_external import ExternalTable

# the server's view of a connection running a locking read (MySQL's processlist,
# PostgreSQL's pg_stat_activity)
RUNNING_LOCKING_READ = {
    "mysql": "SELECT COUNT(*) FROM information_schema.processlist "
    "WHERE id = %s AND command = 'Query' AND info LIKE '%%FOR UPDATE%%'",
    "postgresql": "SELECT COUNT(*) FROM pg_stat_activity "
    "WHERE pid = %s AND state = 'active' AND query LIKE '%%FOR UPDATE%%'",
}


def _wait_until_blocked(
    observer: Connection, connection_id: int, backend: str, timeout: float = 120
) -> None:
    """Wait until the server is running `connection_id`'s locking read.

    A fixed sleep proves nothing on a busy machine: the cleaner may not have reached its
    locking read yet, and would then run entirely after the commit. Once the read is
    running it cannot finish before the inserter commits (MariaDB may wait for the row
    lock while still planning the statement, so its transaction is not always shown as
    in LOCK WAIT).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (running,) = observer.query(RUNNING_LOCKING_READ[backend], (connection_id,)).fetchone()
        if running:
            return
        time.sleep(0.02)
    raise AssertionError(f"connection {connection_id} never reached its locking read")


def test_cleanup_waits_for_a_concurrent_insert_of_the_same_value(lab, db_params):
    lab.Item.insert1(dict(item_id=1, data="shared value"))
    (lab.Item & "item_id=1").delete()
    (key,) = lab.keys()
    assert len(lab.external.unused()) == 1

    other = db_params.open_connection(
        Config.independent(stores=lab.schema.connection.config["stores"])
    )
    watcher = db_params.open_connection()
    inserter = lab.schema.connection
    try:
        # The cleaner reads what is unused (and loads its catalog) before the insert starts:
        # on a busy server those catalog reads can take seconds, and the race under test is
        # between its locking delete and the insert, not between the reads.
        cleaner = ExternalTable(other, "ext", lab.schema.database)
        result: dict = {"unused_seen": len(cleaner.unused())}
        inserter.start_transaction()
        lab.Item.insert1(dict(item_id=2, data="shared value"))  # locks the tracking row

        def clean() -> None:
            result["errors"] = cleaner.delete(delete_external_files=True)

        thread = threading.Thread(target=clean)
        thread.start()
        _wait_until_blocked(watcher, other.connection_id, db_params.backend)
        assert thread.is_alive()  # waiting for the inserter's row lock
        inserter.commit_transaction()
        thread.join(timeout=60)
        assert not thread.is_alive()
    finally:
        if inserter.in_transaction:  # a failed wait must not leave the schema's drop hanging
            inserter.cancel_transaction()
        other.close()
        watcher.close()
    assert result == {"unused_seen": 1, "errors": []}
    assert lab.keys() == [key]
    assert len(lab.external) == 1 and len(lab.external.unused()) == 0
    assert lab.Item.fetch1("data") == "shared value"
