import dj_core


def test_version_is_a_release_string():
    assert dj_core.__version__.count(".") == 2


def test_all_names_exist():
    for name in dj_core.__all__:
        assert hasattr(dj_core, name), name
