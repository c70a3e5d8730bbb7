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
    example = blocks[0]
    assert "open_store" in example
    namespace: dict = {}
    exec(compile(example, str(README), "exec"), namespace)
    assert namespace["store"].get_many([k for k, _ in namespace["items"]])[0] == b"one"
