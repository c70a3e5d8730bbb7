import dj_diagram
from dj_diagram import diagram


def test_version_is_a_release_string():
    assert dj_diagram.__version__.count(".") == 2


def test_all_names_exist():
    for name in dj_diagram.__all__:
        assert hasattr(dj_diagram, name), name


def test_the_exported_names():
    assert set(dj_diagram.__all__) == {
        "Diagram",
        "ERD",
        "Di",
        "DiagramError",
        "MissingExtraError",
        "SVGImage",
        "Tier",
        "__version__",
        "diagram_active",
        "layered_layout",
        "plot_active",
    }
    assert dj_diagram.ERD is dj_diagram.Di is dj_diagram.Diagram
    assert diagram.diagram_active is True and isinstance(diagram.plot_active, bool)


def test_importing_the_package_does_not_import_pydot_or_matplotlib():
    import subprocess
    import sys

    code = (
        "import sys, dj_diagram; "
        "print(sorted(m for m in ('pydot', 'matplotlib', 'IPython') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
