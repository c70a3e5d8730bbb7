import re
from pathlib import Path

import dj_external

README = Path(__file__).resolve().parents[1] / "README.md"


def test_version_is_a_release_string():
    assert dj_external.__version__.count(".") == 2


def test_all_names_exist():
    for name in dj_external.__all__:
        assert hasattr(dj_external, name), name


def test_exported_names():
    assert set(dj_external.__all__) == {
        "BlobCache",
        "BucketInaccessible",
        "ExternalChecksumError",
        "ExternalMapping",
        "ExternalTable",
        "FileStore",
        "MissingExternalFile",
        "ObjectInfo",
        "S3Store",
        "Store",
        "StoreError",
        "StoreLocationError",
        "__version__",
        "open_store",
        "store_from_config",
    }


def test_readme_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    example = next(block for block in blocks if "open_store(" in block)
    namespace: dict = {}
    exec(compile(example, str(README), "exec"), namespace)
    assert namespace["store"].get_many([k for k, _ in namespace["items"]])[0] == b"one"


def test_importing_registers_the_types_and_schema_external():
    from dj_core.attribute_types import get_handler
    from dj_core.schemas import Schema
    from dj_external import types

    assert isinstance(get_handler("EXTERNAL_BLOB"), types.ExternalBlobType)
    assert isinstance(get_handler("INTERNAL_ATTACH"), types.AttachType)
    assert isinstance(get_handler("EXTERNAL_ATTACH"), types.ExternalAttachType)
    assert isinstance(get_handler("FILEPATH"), types.FilepathType)
    assert Schema._extensions["external"] is dj_external.ExternalMapping


def test_datajoint_external_is_this_module():
    import datajoint
    import datajoint.external
    from dj_external import external

    assert datajoint.external is external
    assert datajoint.external.ExternalTable is dj_external.ExternalTable
