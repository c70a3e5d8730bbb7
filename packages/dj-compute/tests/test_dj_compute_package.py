import dj_compute


def test_version_is_a_release_string():
    assert dj_compute.__version__.count(".") == 2


def test_all_names_exist():
    for name in dj_compute.__all__:
        assert hasattr(dj_compute, name), name
