import dj_blob


def test_version_is_a_release_string():
    assert dj_blob.__version__.count(".") == 2


def test_all_names_exist():
    for name in dj_blob.__all__:
        assert hasattr(dj_blob, name), name
