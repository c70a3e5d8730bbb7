import dj_external


def test_version_is_a_release_string():
    assert dj_external.__version__.count(".") == 2


def test_all_names_exist():
    for name in dj_external.__all__:
        assert hasattr(dj_external, name), name
