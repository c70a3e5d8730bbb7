"""Pin the object layout against DataJoint 0.14.10 itself, in both directions.

Upstream declares a schema with `blob@`, `attach@` and `filepath@` columns on a file store
and an S3 store (moto), inserts rows and reports its `~external_<store>` rows and the paths
it believes its objects have. We check that our layout computes exactly the objects found in
the directory and the bucket, and that our stores read them back. Then we write objects with
our store layer, register them with plain SQL, and let upstream fetch them.
"""

from __future__ import annotations

import json
import os
import shutil
from uuid import UUID

import pytest
from dj_core.hash import uuid_from_buffer
from dj_external import encoding, layout
from dj_external.attachments import download_attachments
from dj_external.filepaths import download_filepath
from dj_external.storage import open_store
from dj_testing.plugin import unique_database_name

SNIPPET_SETUP = """
import json, os
import numpy as np
import datajoint as dj

cfg = json.loads(os.environ["DJX_CFG"])
dj.config["safemode"] = False
dj.config["stores"] = cfg["stores"]
os.environ["DJ_SUPPORT_FILEPATH_MANAGEMENT"] = "TRUE"
schema = dj.Schema(cfg["database"])


@schema
class Thing(dj.Manual):
    definition = '''
    id : int
    ---
    fblob = null : blob@filestore
    fattach = null : attach@filestore
    fpath = null : filepath@filestore
    sblob = null : blob@s3store
    sattach = null : attach@s3store
    spath = null : filepath@s3store
    '''
"""

SNIPPET_INSERT = (
    SNIPPET_SETUP
    + """
values = [[1, 2, 3], np.array([1, 2, 3]), {"a": "text", "n": 7}, np.arange(20000.0)]
att, fp = cfg["attachments"], cfg["filepaths"]
Thing.insert([
    dict(id=1, fblob=values[0], fattach=att[0], fpath=fp["filestore"][0],
         sblob=values[0], sattach=att[0], spath=fp["s3store"][0]),
    dict(id=2, fblob=values[1], fattach=att[1], fpath=fp["filestore"][1],
         sblob=values[2], sattach=att[2], spath=fp["s3store"][1]),
])
Thing.insert1(dict(id=3, fblob=values[3], fattach=att[2], sblob=values[3], sattach=att[1]))
out = {"packed": [dj.blob.pack(v).hex() for v in values], "tracking": {}, "paths": {}}
for store in ("filestore", "s3store"):
    ext = schema.external[store]
    out["tracking"][store] = [
        dict(hash=r["hash"].hex, size=int(r["size"]), attachment_name=r["attachment_name"],
             filepath=r["filepath"],
             contents_hash=r["contents_hash"].hex if r["contents_hash"] else None)
        for r in ext.fetch(as_dict=True)
    ]
    out["paths"][store] = {u.hex: str(p) for u, p in ext.fetch_external_paths()}
print(json.dumps(out))
"""
)

SNIPPET_FETCH = (
    SNIPPET_SETUP
    + """
rows = (Thing & "id >= 100").fetch(as_dict=True, order_by="id", download_path=cfg["download"])
def show(v):
    if isinstance(v, np.ndarray):
        return {"array": v.tolist()}
    return v
out = []
for row in rows:
    item = {}
    for name, value in row.items():
        if name.endswith("attach") or name.endswith("path"):
            item[name] = None if value is None else open(value, "rb").read().hex()
        else:
            item[name] = show(value)
    out.append(item)
print(json.dumps(out, default=str))
"""
)


@pytest.fixture(scope="module")
def world(upstream, s3, db_params, tmp_path_factory):
    """Upstream's stores, files and inserted rows, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("compat")
    for folder in ("file-location", "file-stage", "s3-stage", "attachments", "download"):
        (root / folder).mkdir()
    attachments = []
    for name, data in [
        ("notes.txt", b"hello world\n"),
        ("archive.tar.gz", os.urandom(5000)),
        ("données.bin", os.urandom(300)),
    ]:
        path = root / "attachments" / name
        path.write_bytes(data)
        attachments.append(str(path))
    filepaths = {}
    for store, stage in (("filestore", "file-stage"), ("s3store", "s3-stage")):
        paths = []
        for rel in ("one/two/three/picture.dat", "top.txt"):
            path = root / stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(os.urandom(3000) if rel.endswith(".dat") else b"plain text")
            paths.append(str(path))
        filepaths[store] = paths
    bucket = s3.make_bucket()
    database = unique_database_name("ext")
    stores = {
        "filestore": {
            "protocol": "file",
            "location": str(root / "file-location"),
            "stage": str(root / "file-stage"),
            "subfolding": [1, 1],
        },
        "s3store": {
            "protocol": "s3",
            "endpoint": s3.endpoint,
            "bucket": bucket,
            "location": "/pipelines/v1",
            "access_key": s3.access_key,
            "secret_key": s3.secret_key,
            "secure": False,
            "stage": str(root / "s3-stage"),
        },
    }
    cfg = {
        "database": database,
        "stores": stores,
        "attachments": attachments,
        "filepaths": filepaths,
        "download": str(root / "download"),
    }
    env = {"DJX_CFG": json.dumps(cfg)}
    try:
        report = upstream.run_json(SNIPPET_INSERT, env=env)
        yield {
            "root": root,
            "cfg": cfg,
            "env": env,
            "report": report,
            "bucket": bucket,
            "database": database,
            "stores": {name: open_store(name, spec) for name, spec in stores.items()},
        }
    finally:
        connection = db_params.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET FOREIGN_KEY_CHECKS=0")
                cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
        finally:
            connection.close()
        s3.remove_bucket(bucket)


def expected_key(store, database, row):
    if row["attachment_name"] is not None:
        return store.attachment_key(database, row["hash"], row["attachment_name"])
    if row["filepath"] is not None:
        return store.filepath_key(row["filepath"])
    return store.blob_key(database, row["hash"])


@pytest.mark.parametrize("name", ["filestore", "s3store"])
def test_our_layout_names_exactly_the_objects_upstream_wrote(world, name):
    store, rows = world["stores"][name], world["report"]["tracking"][name]
    kinds = {
        ("attachment" if r["attachment_name"] else "filepath" if r["filepath"] else "blob")
        for r in rows
    }
    assert kinds == {"blob", "attachment", "filepath"}
    assert sorted(store.list()) == sorted(expected_key(store, world["database"], r) for r in rows)
    parsed = {
        layout.parse_object_key(world["database"], key, store.subfolding)
        for key in store.list(world["database"])
    }
    assert parsed == {(UUID(r["hash"]), r["attachment_name"]) for r in rows if not r["filepath"]}


@pytest.mark.parametrize("name", ["filestore", "s3store"])
def test_full_paths_match_upstream_fetch_external_paths(world, name):
    store, rows = world["stores"][name], world["report"]["tracking"][name]
    upstream_paths = world["report"]["paths"][name]
    ours = {r["hash"]: store.full_path(expected_key(store, world["database"], r)) for r in rows}
    assert ours == upstream_paths


def test_s3_keys_start_with_the_normalised_location(world, s3):
    keys = s3.list_keys(world["bucket"])
    assert keys
    assert all(key.startswith("pipelines/v1/") for key in keys)
    blob_keys = [k for k in keys if k.startswith(f"pipelines/v1/{world['database']}/")]
    hex_ = blob_keys[0].rsplit("/", 1)[1][:32]
    assert blob_keys[0].startswith(f"pipelines/v1/{world['database']}/{hex_[:2]}/{hex_[2:4]}/")


@pytest.mark.parametrize("name", ["filestore", "s3store"])
def test_blob_objects_are_the_packed_bytes_and_hash_to_their_name(world, name):
    store, database = world["stores"][name], world["database"]
    packed = {bytes.fromhex(p) for p in world["report"]["packed"]}
    blobs = [
        r for r in world["report"]["tracking"][name] if not (r["attachment_name"] or r["filepath"])
    ]
    assert blobs
    for row in blobs:
        data = store.get(store.blob_key(database, row["hash"]))
        assert uuid_from_buffer(data).hex == row["hash"]
        assert encoding.blob_hash(data).hex == row["hash"]
        assert len(data) == row["size"]
        assert data in packed


def test_blob_objects_unpack_to_upstream_values_and_we_pack_the_same_bytes(world):
    import numpy as np

    values = [[1, 2, 3], np.array([1, 2, 3]), {"a": "text", "n": 7}, np.arange(20000.0)]
    database = world["database"]
    for value, packed_hex in zip(values, world["report"]["packed"]):
        packed = bytes.fromhex(packed_hex)
        assert encoding.pack_external_blob(value) == packed  # same bytes, hence same object
        keys = [
            (store, store.blob_key(database, encoding.blob_hash(packed)))
            for store in world["stores"].values()
        ]
        found = [store.get(key) for store, key in keys if store.exists(key)]
        assert found  # every value was inserted into at least one store
        for data in found:
            back = encoding.unpack_external_blob(data)
            if isinstance(value, np.ndarray):
                assert np.array_equal(back, value)
            else:
                assert back == value


@pytest.mark.parametrize("name", ["filestore", "s3store"])
def test_attachment_objects_are_the_files_and_hashes_agree(world, name):
    store, database = world["stores"][name], world["database"]
    by_name = {os.path.basename(p): p for p in world["cfg"]["attachments"]}
    rows = [r for r in world["report"]["tracking"][name] if r["attachment_name"]]
    assert {r["attachment_name"] for r in rows} == set(by_name)
    for row in rows:
        local = by_name[row["attachment_name"]]
        key = store.attachment_key(database, row["hash"], row["attachment_name"])
        data = store.get(key)
        assert data == open(local, "rb").read()
        assert encoding.attachment_hash(local).hex == row["hash"]
        assert row["size"] == len(data)
    notes = next(r for r in rows if r["attachment_name"] == "notes.txt")
    assert notes["hash"] == "7adeff91af20987f7d122b0c6ec7d1e7"


@pytest.mark.parametrize(("name", "stage"), [("filestore", "file-stage"), ("s3store", "s3-stage")])
def test_filepath_objects_mirror_the_stage(world, name, stage, tmp_path):
    store = world["stores"][name]
    rows = [r for r in world["report"]["tracking"][name] if r["filepath"]]
    assert {r["filepath"] for r in rows} == {"one/two/three/picture.dat", "top.txt"}
    for row in rows:
        local = world["root"] / stage / row["filepath"]
        assert encoding.filepath_hash(row["filepath"]).hex == row["hash"]
        assert encoding.contents_hash(local).hex == row["contents_hash"]
        target = store.get_file(store.filepath_key(row["filepath"]), tmp_path / row["filepath"])
        assert target.read_bytes() == local.read_bytes()
        info = store.stat(store.filepath_key(row["filepath"]))
        assert info.size == row["size"]
        if name == "s3store":  # S3 objects carry the contents hash as metadata
            assert info.metadata == {"contents_hash": str(UUID(row["contents_hash"]))}


def test_upstream_reads_what_our_store_layer_wrote(world, upstream, db_params, tmp_path):
    """Objects written by us, registered by plain SQL, fetched by DataJoint 0.14."""
    database = world["database"]
    fstore, sstore = world["stores"]["filestore"], world["stores"]["s3store"]
    packed = encoding.pack_external_blob({"a": "text", "n": 7, "ours": [1.5, 2.5]})
    blob = encoding.blob_hash(packed)
    fstore.put(fstore.blob_key(database, blob), packed, skip_existing=True)
    sstore.put(sstore.blob_key(database, blob), packed)

    attachment = tmp_path / "ours.v2.bin"
    attachment.write_bytes(os.urandom(4096))
    attach_hash = encoding.attachment_hash(attachment)
    fstore.put_file(fstore.attachment_key(database, attach_hash, attachment.name), attachment)
    sstore.put_file(sstore.attachment_key(database, attach_hash, attachment.name), attachment)

    tracking = {"filestore": [], "s3store": []}
    paths = {}
    for name, store, stage in (
        ("filestore", fstore, "file-stage"),
        ("s3store", sstore, "s3-stage"),
    ):
        rel = "ours/deep/data.raw"
        local = world["root"] / stage / rel
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(os.urandom(2500))
        contents = encoding.contents_hash(local)
        store.put_file(store.filepath_key(rel), local, metadata={"contents_hash": str(contents)})
        paths[name] = (local, local.read_bytes())
        tracking[name] = [
            (blob.bytes, len(packed), None, None, None),
            (attach_hash.bytes, attachment.stat().st_size, attachment.name, None, None),
            (encoding.filepath_hash(rel).bytes, local.stat().st_size, None, rel, contents.bytes),
        ]
    connection = db_params.connect()
    try:
        with connection.cursor() as cursor:
            for name, rows in tracking.items():
                cursor.executemany(
                    f"INSERT IGNORE INTO `{database}`.`~external_{name}` "
                    "(hash, size, attachment_name, filepath, contents_hash) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    rows,
                )
            cursor.execute(
                f"INSERT INTO `{database}`.`thing` "
                "(id, fblob, fattach, fpath, sblob, sattach, spath) "
                "VALUES (100, %s, %s, %s, %s, %s, %s)",
                (
                    blob.bytes,
                    attach_hash.bytes,
                    tracking["filestore"][2][0],
                    blob.bytes,
                    attach_hash.bytes,
                    tracking["s3store"][2][0],
                ),
            )
        connection.commit()
    finally:
        connection.close()
    for local, _ in paths.values():  # upstream must bring them back from the stores
        local.unlink()
    shutil.rmtree(world["cfg"]["download"])
    os.mkdir(world["cfg"]["download"])

    (row,) = upstream.run_json(SNIPPET_FETCH, env=world["env"])
    assert row["fblob"] == {"a": "text", "n": 7, "ours": [1.5, 2.5]}
    assert row["sblob"] == {"a": "text", "n": 7, "ours": [1.5, 2.5]}
    assert row["fattach"] == attachment.read_bytes().hex()
    assert row["sattach"] == attachment.read_bytes().hex()
    assert row["fpath"] == paths["filestore"][1].hex()
    assert row["spath"] == paths["s3store"][1].hex()


@pytest.mark.parametrize("name", ["filestore", "s3store"])
def test_our_attachment_download_of_upstream_objects(world, name, tmp_path):
    store, database = world["stores"][name], world["database"]
    rows = [r for r in world["report"]["tracking"][name] if r["attachment_name"]]
    items = [(r["attachment_name"], UUID(r["hash"])) for r in rows]
    paths = download_attachments(store, database, tmp_path, items)
    originals = {os.path.basename(p): open(p, "rb").read() for p in world["cfg"]["attachments"]}
    assert [os.path.basename(p) for p in paths] == [r["attachment_name"] for r in rows]
    assert [open(p, "rb").read() for p in paths] == [originals[n] for n, _ in items]


@pytest.mark.parametrize("name", ["filestore", "s3store"])
def test_our_filepath_download_of_upstream_objects(world, name, tmp_path):
    store = world["stores"][name]
    stage = world["cfg"]["stores"][name]["stage"]
    for row in [r for r in world["report"]["tracking"][name] if r["filepath"]]:
        original = (world["root"] / stage / row["filepath"]).read_bytes()
        path = download_filepath(
            store,
            row["filepath"],
            tmp_path / "mirror",
            size=row["size"],
            contents_hash=UUID(row["contents_hash"]),
        )
        assert path == str(tmp_path / "mirror" / row["filepath"])
        assert open(path, "rb").read() == original


LOCATIONS = [
    "leading/slash/test",
    "/leading/slash/test",
    "leading\\slash\\test",
    "f:\\leading\\slash\\test",
    "f:\\leading/slash\\test",
    "/",
    "C:\\",
    "",
    "a/",
    "a//b",
    "./a",
    "a/./b",
    "\\a\\b",
    "c:",
    "c:/x/y",
    "x\\y:z/w",
    "//server/share/x",
    "a b/c",
]


def test_s3_location_normalisation_matches_upstream(upstream):
    """Upstream's own path function, asked for the same object under many locations."""
    code = f"""
import json, types
from datajoint.external import ExternalTable
out = []
for location in {LOCATIONS!r}:
    fake = types.SimpleNamespace(spec={{"protocol": "s3", "location": location}})
    out.append(str(ExternalTable._make_external_filepath(fake, "lab/ab/cd/abcd")))
print(json.dumps(out))
"""
    theirs = upstream.run_json(code)
    ours = [layout.join_root(layout.s3_prefix(loc), "lab/ab/cd/abcd") for loc in LOCATIONS]
    assert ours == theirs
