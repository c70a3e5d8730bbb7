"""The demo pipeline: what a newcomer runs first (`hatch run demo`).

A small neuroscience-style pipeline, end to end, as a DataJoint user writes it:

    Subject (Manual) -> Session (Manual) -> RawTrace (Imported: reads raw files)
                                          -> TraceStats (Computed: statistics, blobs)
                                                 + TraceStats.Peak (Part)

It writes generated raw traces to a scratch folder, declares the tables in its own
schema (dropped and created again on every run), populates the auto-populated tables
with progress bars, prints a few queries, and saves the pipeline's diagram as SVG.

Server (`pick_server`): DJ_HOST when set (with DJ_BACKEND, DJ_USER, DJ_PASS; DJ_HOST=embedded
is the embedded PostgreSQL server); else a MySQL server at 127.0.0.1:3306 if one answers
(root, empty password unless DJ_USER/DJ_PASS say otherwise); else the embedded PostgreSQL
server, started on first use (a log line says so), so the demo runs on a machine with no
database server installed.
Schema: `--schema NAME`, else DJ_DEMO_SCHEMA, else `demo_pipeline`.
Diagram: `--diagram PATH` (default `pipeline.svg` in the current folder).
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import datajoint as dj
import numpy as np

SAMPLING_RATE = 1000.0  # Hz
N_SAMPLES = 5000


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the DataJoint demo pipeline.")
    parser.add_argument(
        "--schema",
        default=os.environ.get("DJ_DEMO_SCHEMA", "demo_pipeline"),
        help="database (schema) to use; it is dropped and created again",
    )
    parser.add_argument("--diagram", default="pipeline.svg", help="where to save the diagram")
    return parser.parse_args(argv)


logger = logging.getLogger("datajoint")

LOCAL_MYSQL = ("127.0.0.1", 3306)


def mysql_answers(address: tuple[str, int] = LOCAL_MYSQL) -> bool:
    """Whether something listens on the local MySQL port (a 2-second TCP probe)."""
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError:
        return False
    return True


def pick_server(environ=os.environ, local_mysql_answers=mysql_answers) -> dict[str, str]:
    """The settings the demo connects with: the server DJ_HOST names; else the local
    MySQL server when it answers; else the embedded PostgreSQL server, so that a machine
    without any database server still runs the demo."""
    if environ.get("DJ_HOST"):
        settings = {"database.host": environ["DJ_HOST"]}
        if environ.get("DJ_HOST") != "embedded":
            default_user = "postgres" if environ.get("DJ_BACKEND") == "postgresql" else "root"
            settings["database.user"] = environ.get("DJ_USER", default_user)
            settings["database.password"] = environ.get("DJ_PASS", "")
        return settings
    if local_mysql_answers():
        return {
            "database.host": "127.0.0.1",
            "database.backend": "mysql",
            "database.user": environ.get("DJ_USER", "root"),
            "database.password": environ.get("DJ_PASS", ""),
        }
    logger.info(
        "DJ_HOST is not set and no MySQL server answers at %s:%d: using the embedded "
        "PostgreSQL server (DJ_HOST=embedded), started on first use",
        *LOCAL_MYSQL,
    )
    return {"database.host": "embedded"}


def connect() -> None:
    for key, value in pick_server().items():
        dj.config[key] = value
    dj.config["safemode"] = False  # the demo drops its own schema without asking
    try:
        dj.conn()
    except Exception as error:
        sys.exit(
            f"Cannot reach the database server at {dj.config['database.host']}: {error}\n"
            "Set DJ_HOST / DJ_USER / DJ_PASS (DJ_BACKEND=postgresql for PostgreSQL), "
            "use DJ_HOST=embedded, or start one with `docker compose up -d`."
        )


def define(schema: dj.Schema, raw_folder: Path) -> dict[str, type]:
    """Declare the pipeline's tables in `schema`; RawTrace reads its files from `raw_folder`."""

    @schema
    class Subject(dj.Manual):
        definition = """
        # an experimental animal
        subject_id : int
        ---
        species = "mouse" : varchar(32)
        date_of_birth : date
        """

    @schema
    class Session(dj.Manual):
        definition = """
        # one recording session of a subject
        -> Subject
        session_idx : smallint
        ---
        session_date : date
        operator = "" : varchar(32)
        """

    @schema
    class RawTrace(dj.Imported):
        definition = """
        # the raw voltage trace of a session, imported from its file
        -> Session
        ---
        sampling_rate : float       # Hz
        trace : longblob            # microvolts
        """

        def make(self, key):
            path = raw_folder / "subject{subject_id}_session{session_idx}.npy".format(**key)
            trace = np.load(path)
            self.insert1(dict(key, sampling_rate=SAMPLING_RATE, trace=trace))

    @schema
    class TraceStats(dj.Computed):
        definition = """
        # statistics of a raw trace
        -> RawTrace
        ---
        mean : float
        std : float
        n_peaks : int
        histogram : blob            # counts in 20 bins
        """

        class Peak(dj.Part):
            definition = """
            # a local maximum above 3 standard deviations
            -> master
            peak_idx : int
            ---
            time : float                # seconds
            amplitude : float
            """

        # fetch and compute outside the transaction; insert inside it
        def make_fetch(self, key):
            return ((RawTrace & key).fetch1("trace", "sampling_rate"),)

        def make_compute(self, key, fetched):
            trace, rate = fetched
            mean, std = float(trace.mean()), float(trace.std())
            above = trace > mean + 3 * std
            starts = np.flatnonzero(above[1:] & ~above[:-1]) + 1
            peaks = [(int(i), int(i) / rate, float(trace[i : i + 20].max())) for i in starts[:100]]
            histogram, _ = np.histogram(trace, bins=20)
            return (mean, std, histogram, peaks)

        def make_insert(self, key, mean, std, histogram, peaks):
            self.insert1(dict(key, mean=mean, std=std, n_peaks=len(peaks), histogram=histogram))
            self.Peak.insert(
                dict(key, peak_idx=n, time=t, amplitude=a) for n, (_, t, a) in enumerate(peaks)
            )

    return dict(Subject=Subject, Session=Session, RawTrace=RawTrace, TraceStats=TraceStats)


def generate_raw_files(folder: Path, sessions: list[dict]) -> None:
    """Noisy traces with a few spikes, one .npy file per session (the "instrument" data)."""
    rng = np.random.default_rng(2024)
    for session in sessions:
        trace = rng.normal(0.0, 10.0, N_SAMPLES)
        spikes = rng.choice(N_SAMPLES - 20, size=rng.integers(5, 30), replace=False)
        for start in spikes:
            trace[start : start + 5] += np.linspace(80.0, 10.0, 5)
        path = folder / "subject{subject_id}_session{session_idx}.npy".format(**session)
        np.save(path, trace)


def main(argv: list[str]) -> None:
    arguments = parse_arguments(argv)
    started = time.perf_counter()
    connect()
    connection = dj.conn()
    where = "embedded server" if dj.config["database.host"] == "embedded" else "server"
    print(
        f"DataJoint {dj.__version__}, {connection.dialect.name} {where} "
        f"{connection.conn_info['host']}"
    )

    dj.Schema(arguments.schema).drop(force=True)
    schema = dj.Schema(arguments.schema)
    print(f"schema `{arguments.schema}` created")

    with tempfile.TemporaryDirectory(prefix="dj_demo_raw_") as raw:
        raw_folder = Path(raw)
        tables = define(schema, raw_folder)
        Subject, Session = tables["Subject"], tables["Session"]
        RawTrace, TraceStats = tables["RawTrace"], tables["TraceStats"]

        Subject.insert(
            dict(subject_id=i, species=species, date_of_birth=datetime.date(2024, 1, 1 + i))
            for i, species in enumerate(["mouse", "mouse", "rat", "mouse", "rat"])
        )
        day = datetime.date(2024, 6, 3)
        Session.insert(
            dict(
                subject_id=s,
                session_idx=k,
                session_date=day + datetime.timedelta(days=7 * k + s),
                operator=["alice", "bob"][k % 2],
            )
            for s in range(5)
            for k in range(8)
        )
        generate_raw_files(raw_folder, Session.fetch("KEY"))
        print(f"inserted {len(Subject())} subjects and {len(Session())} sessions")

        result = RawTrace.populate(display_progress=True)
        print(f"RawTrace: imported {result['success_count']} traces")
        result = TraceStats.populate(display_progress=True, reserve_jobs=True)
        print(f"TraceStats: computed {result['success_count']} sessions")
        remaining, total = TraceStats.progress()
        print(f"TraceStats progress: {total - remaining} of {total} done")

    print("\nPer subject:")
    per_subject = Subject.aggr(
        TraceStats, ..., sessions="count(*)", peaks="sum(n_peaks)", noise="avg(std)"
    )
    for row in per_subject.fetch(as_dict=True, order_by="subject_id"):
        print(
            f"  subject {row['subject_id']} ({row['species']:5}): {row['sessions']} sessions, "
            f"{int(row['peaks'])} peaks, mean noise {float(row['noise']):.2f} uV"
        )

    print("\nBusiest sessions (most peaks):")
    busiest = (Session * TraceStats).proj("session_date", "n_peaks", "histogram")
    for row in busiest.fetch(as_dict=True, order_by="n_peaks DESC", limit=3):
        print(
            f"  subject {row['subject_id']} session {row['session_idx']} on "
            f"{row['session_date']}: {row['n_peaks']} peaks, "
            f"histogram peak bin {int(np.argmax(row['histogram']))}"
        )

    rats = TraceStats.Peak & (Subject & {"species": "rat"})
    print(f"\nPeaks in rats: {len(rats)}; largest amplitude {max(rats.fetch('amplitude')):.1f} uV")
    print(f"Jobs table rows left: {len(schema.jobs)}")

    dj.Diagram(schema).save(arguments.diagram)
    print(f"\ndiagram saved to {arguments.diagram}")
    print(f"done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
