"""External stores shared with upstream DataJoint 0.14.10, for a file store and an S3 store.

Upstream declares a table with `blob@ext`, `attach@ext`, `attach` and `filepath@ext`
columns and inserts rows; this implementation fetches identical values and sees identical
`~external_ext` rows and object paths. Then the other way round: this implementation
writes the same rows into a fresh schema, upstream reads them, and both sides' tracking
rows and objects are the same ones. Finally cleanup: rows deleted on one side, unused
objects removed by the other, and the store's listing checked.
"""

from __future__ import annotations

from pathlib import Path

import datajoint as dj
import pytest

# Built identically on both sides (exec'd here and in the upstream snippets).
VALUES_CODE = """
import numpy as np
def make_values(root):
    from pathlib import Path
    root = Path(root)
    files = root / "files"
    (files / "a").mkdir(parents=True, exist_ok=True)
    (files / "b").mkdir(parents=True, exist_ok=True)
    (files / "a" / "notes.txt").write_bytes(b"hello world\\n")
    (files / "b" / "notes.txt").write_bytes(b"other notes\\n")
    (files / "a" / "archive.tar.gz").write_bytes(bytes(range(256)) * 40)
    stage = root / "stage-w"
    (stage / "one" / "two").mkdir(parents=True, exist_ok=True)
    (stage / "one" / "two" / "picture.dat").write_bytes(b"p" * 3000)
    (stage / "top.bin").write_bytes(bytes(range(200)))
    rng = np.random.default_rng(7)
    return [
        dict(item_id=1, data=np.arange(20000, dtype=np.float64),
             doc=files / "a" / "notes.txt", note=files / "b" / "notes.txt",
             path=stage / "one" / "two" / "picture.dat"),
        dict(item_id=2, data={"a": [1, 2, 3], "s": "text"},
             doc=files / "b" / "notes.txt", note=files / "a" / "archive.tar.gz",
             path=stage / "top.bin"),
        dict(item_id=3, data=rng.integers(0, 100, size=(30, 40)),
             doc=files / "a" / "archive.tar.gz", note=None, path=None),
        dict(item_id=4, data=np.arange(20000, dtype=np.float64),  # same object as row 1
             doc=None, note=None, path=None),
    ]
"""

DEFINITION = """
item_id : int
---
data = null : blob@ext
doc = null : attach@ext
note = null : attach
path = null : filepath@ext
"""

# Upstream: the rows, tracking table, listing and fetched values as JSON.
REPORT_CODE = """
import json, os, pathlib
def report(Item, schema, store_keys, download):
    ext = schema.external["ext"]
    rows = [dict(hash=r["hash"].hex, size=int(r["size"]), attachment_name=r["attachment_name"],
                 filepath=r["filepath"],
                 contents_hash=None if r["contents_hash"] is None else r["contents_hash"].hex)
            for r in ext.fetch(as_dict=True, order_by="hash")]
    fetched = []
    for r in Item.fetch(as_dict=True, order_by="item_id", download_path=download):
        data = r["data"]
        out = dict(item_id=int(r["item_id"]))
        out["data"] = data.tolist() if hasattr(data, "tolist") else data
        for name in ("doc", "note", "path"):
            out[name] = None if r[name] is None else [
                os.path.basename(r[name]), pathlib.Path(r[name]).read_bytes().hex()]
        fetched.append(out)
    paths = sorted(str(p) for _, p in ext.fetch_external_paths())
    return dict(rows=rows, keys=sorted(store_keys()), fetched=fetched, paths=paths,
                unused=len(ext.unused()), used=len(ext.used()))
"""


def _store_spec(protocol, tmp_path, s3, stage):
    if protocol == "file":
        location = tmp_path / "store"
        location.mkdir(exist_ok=True)
        return {"protocol": "file", "location": str(location), "stage": str(stage)}
    bucket = s3.make_bucket()
    return {
        "protocol": "s3",
        "endpoint": s3.endpoint,
        "bucket": bucket,
        "location": "lab/v1",
        "access_key": s3.access_key,
        "secret_key": s3.secret_key,
        "secure": False,
        "stage": str(stage),
    }


def _listing(protocol, spec, s3):
    if protocol == "file":
        root = Path(spec["location"])
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return sorted(k[len("lab/v1/") :] for k in s3.list_keys(spec["bucket"]))


def _ours_report(item, schema, keys, download):
    ext = schema.external["ext"]
    rows = [
        dict(
            hash=r["hash"].hex,
            size=int(r["size"]),
            attachment_name=r["attachment_name"],
            filepath=r["filepath"],
            contents_hash=None if r["contents_hash"] is None else r["contents_hash"].hex,
        )
        for r in ext.fetch(as_dict=True, order_by="hash")
    ]
    fetched = []
    for r in item.fetch(as_dict=True, order_by="item_id", download_path=download):
        data = r["data"]
        out = {"item_id": int(r["item_id"])}
        out["data"] = data.tolist() if hasattr(data, "tolist") else data
        for name in ("doc", "note", "path"):
            out[name] = (
                None if r[name] is None else [Path(r[name]).name, Path(r[name]).read_bytes().hex()]
            )
        fetched.append(out)
    paths = sorted(str(p) for _, p in ext.fetch_external_paths())
    return dict(
        rows=rows,
        keys=keys,
        fetched=fetched,
        paths=paths,
        unused=len(ext.unused()),
        used=len(ext.used()),
    )


def _expected_fetched(values):
    expected = []
    for v in values:
        data = v["data"]
        row = {"item_id": v["item_id"], "data": data.tolist() if hasattr(data, "tolist") else data}
        for name in ("doc", "note", "path"):
            row[name] = None if v[name] is None else Path(v[name]).read_bytes().hex()
        expected.append(row)
    return expected


def _strip_names(fetched):
    """Fetched rows with attachment/filepath values reduced to their bytes."""
    return [
        {k: (v[1] if k in ("doc", "note", "path") and v is not None else v) for k, v in r.items()}
        for r in fetched
    ]


def _upstream_snippet(db, spec, root, body):
    return (
        VALUES_CODE
        + REPORT_CODE
        + f"""
import datajoint as dj
dj.config['safemode'] = False
dj.config['stores'] = {{'ext': {spec!r}}}
schema = dj.Schema({db!r})
@schema
class Item(dj.Manual):
    definition = {DEFINITION!r}
root = {str(root)!r}
values = make_values(root)
"""
        + body
    )


@pytest.mark.parametrize("protocol", ["file", "s3"])
def test_upstream_writes_we_read_we_write_upstream_reads(
    protocol, upstream, s3, db_params, make_database, tmp_path, monkeypatch
):
    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    env = {"DJ_SUPPORT_FILEPATH_MANAGEMENT": "TRUE"}
    namespace: dict = {}
    exec(VALUES_CODE, namespace)
    values = namespace["make_values"](tmp_path)
    expected = _expected_fetched(values)
    writer_spec = _store_spec(protocol, tmp_path, s3, tmp_path / "stage-w")
    reader_spec = {**writer_spec, "stage": str(tmp_path / "stage-r")}

    # --- upstream writes, upstream reports (its own view) ------------------------------
    db_up = make_database("ext_up")
    up = upstream.run_json(
        _upstream_snippet(
            db_up,
            writer_spec,
            tmp_path,
            f"""
Item.insert(values)
keys = lambda: []
print(json.dumps(report(Item, schema, keys, {str(tmp_path / "dl-up")!r})))
""",
        ),
        env=env,
    )
    listing_up = _listing(protocol, writer_spec, s3)

    # --- we read upstream's schema (reader stage: filepaths are downloaded) -------------
    connection = dj.Connection(db_params.host, db_params.user, db_params.password)
    with dj.config(safemode=False, stores={"ext": reader_spec}):
        schema = dj.Schema(db_up, connection=connection)

        @schema
        class Item(dj.Manual):
            definition = DEFINITION

        ours_on_up = _ours_report(Item, schema, listing_up, tmp_path / "dl-ours")
        assert ours_on_up["rows"] == up["rows"]
        assert ours_on_up["paths"] == up["paths"]
        assert _strip_names(ours_on_up["fetched"]) == expected
        assert [r["doc"] for r in ours_on_up["fetched"]] == [r["doc"] for r in up["fetched"]]
        assert (ours_on_up["used"], ours_on_up["unused"]) == (up["used"], up["unused"])
        assert (tmp_path / "stage-r" / "one" / "two" / "picture.dat").read_bytes() == b"p" * 3000

        # --- we write the same rows into a fresh schema ---------------------------------
        db_ours = make_database("ext_ours")
        with dj.config(stores={"ext": writer_spec}):
            schema2 = dj.Schema(db_ours, connection=connection)

            @schema2
            class Item(dj.Manual):
                definition = DEFINITION

            Item.insert(values)
            ours = _ours_report(Item, schema2, [], tmp_path / "dl-ours2")
    listing_both = _listing(protocol, writer_spec, s3)

    # identical tracking rows (hashes, sizes, names, contents hashes) on both sides
    assert ours["rows"] == up["rows"]
    # identical DDL of the tracking table and of the user table (FK, comments, types)
    for table in ("~external_ext", "item"):
        ddl = [
            connection.query(f"SHOW CREATE TABLE `{db}`.`{table}`").fetchone()[1]
            for db in (db_up, db_ours)
        ]
        assert ddl[0] == ddl[1], table
    ours_keys = sorted(k for k in listing_both if k.startswith(db_ours + "/"))
    up_keys = sorted(k for k in listing_up if k.startswith(db_up + "/"))
    assert [k.split("/", 1)[1] for k in ours_keys] == [k.split("/", 1)[1] for k in up_keys]
    assert len(up_keys) == 6  # 3 distinct blobs + 3 distinct attachments
    assert {"one/two/picture.dat", "top.bin"} <= set(listing_up)

    # --- upstream reads what we wrote ----------------------------------------------------
    up_on_ours = upstream.run_json(
        _upstream_snippet(
            db_ours,
            {**writer_spec, "stage": str(tmp_path / "stage-up-r")},
            tmp_path,
            f"""
print(json.dumps(report(Item, schema, lambda: [], {str(tmp_path / "dl-up2")!r})))
""",
        ),
        env=env,
    )
    assert up_on_ours["rows"] == ours["rows"]
    assert _strip_names(up_on_ours["fetched"]) == expected
    assert up_on_ours["paths"] == ours["paths"]
    assert (up_on_ours["used"], up_on_ours["unused"]) == (ours["used"], ours["unused"])


@pytest.mark.parametrize("protocol", ["file", "s3"])
def test_cleanup_across_implementations(
    protocol, upstream, s3, db_params, make_database, tmp_path, monkeypatch
):
    """Upstream writes and deletes user rows; we clean up exactly; upstream still reads the
    rest. Then we delete more rows, where 0.14's `unused()` misses rows (a NULL in a
    referencing column), and ours removes exactly the unreferenced objects."""
    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    env = {"DJ_SUPPORT_FILEPATH_MANAGEMENT": "TRUE"}
    spec = _store_spec(protocol, tmp_path, s3, tmp_path / "stage-w")
    db = make_database("ext_clean")
    upstream.run(
        _upstream_snippet(
            db, spec, tmp_path, "Item.insert(values)\n(Item & 'item_id=2').delete()\n"
        ),
        env=env,
    )
    before = _listing(protocol, spec, s3)
    connection = dj.Connection(db_params.host, db_params.user, db_params.password)
    with dj.config(safemode=False, stores={"ext": spec}):
        schema = dj.Schema(db, connection=connection)

        @schema
        class Item(dj.Manual):
            definition = DEFINITION

        ext = schema.external["ext"]
        unused = ext.unused().fetch("hash", "attachment_name", "filepath", as_dict=True)
        # row 2's dict blob, its archive in-row (no object), its doc "b/notes.txt" and top.bin
        assert len(unused) == 3
        gone = {ext.key_of(r["hash"], r["attachment_name"], r["filepath"]) for r in unused}
        assert ext.delete(delete_external_files=True) == []
        after = _listing(protocol, spec, s3)
        assert set(before) - set(after) == gone and set(after) <= set(before)
        assert len(ext.unused()) == 0
        (Item & "item_id in (1, 4)").delete()
        remaining = sorted(map(str, (Item & "item_id=3").fetch1("data").ravel().tolist()))

    report = """
ext = schema.external["ext"]
data = (Item & "item_id=3").fetch1("data")
print(json.dumps(dict(unused=len(ext.unused()), rows=len(ext),
                      data=sorted(map(str, data.ravel().tolist())))))
"""
    # 0.14's unused() is empty: row 3 holds NULL in `path`, and `hash NOT IN (... NULL ...)`
    # is never true; ours finds the three rows only rows 1 and 4 used.
    upstream_view = upstream.run_json(_upstream_snippet(db, spec, tmp_path, report), env=env)
    assert upstream_view == {"unused": 0, "rows": 5, "data": remaining}
    with dj.config(safemode=False, stores={"ext": spec}):
        ext = schema.external["ext"]
        assert len(ext.unused()) == 3
        before = _listing(protocol, spec, s3)
        assert ext.delete(delete_external_files=True) == []
    final = _listing(protocol, spec, s3)
    assert len(before) - len(final) == 3
    assert len([k for k in final if k.startswith(db + "/")]) == 2
    assert "one/two/picture.dat" not in final
    upstream_view = upstream.run_json(_upstream_snippet(db, spec, tmp_path, report), env=env)
    assert upstream_view == {"unused": 0, "rows": 2, "data": remaining}
