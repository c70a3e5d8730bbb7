import dj_diagram


def test_version_is_a_release_string():
    assert dj_diagram.__version__.count(".") == 2


def test_all_names_exist():
    for name in dj_diagram.__all__:
        assert hasattr(dj_diagram, name), name
