"""PNG through matplotlib on the built-in layout, images, and `save`."""

from __future__ import annotations

import io

import dj_diagram as dj
import matplotlib.image
import pytest
from dj_diagram import DiagramError
from dj_diagram.errors import MissingExtraError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_make_png_without_graphviz(pipeline_graph):
    png = dj.Diagram.from_graph(pipeline_graph, context={}).make_png(engine="builtin", dpi=72)
    assert isinstance(png, io.BytesIO)
    data = png.getvalue()
    assert data.startswith(PNG_MAGIC)
    image = matplotlib.image.imread(io.BytesIO(data))
    # the picture spans the layout (points at 72 dpi): wide and not blank
    assert image.shape[1] > 600 and image.shape[0] > 300
    assert image[..., :3].min() < 0.5 < image[..., :3].max()


def test_make_image_is_an_rgb_or_rgba_array(chain_graph):
    image = dj.Diagram.from_graph(chain_graph, context={}).make_image(engine="builtin")
    assert image.ndim == 3 and image.shape[2] in (3, 4)


def test_save_png_and_svg(chain_graph, tmp_path):
    d = dj.Diagram.from_graph(chain_graph, context={})
    d.save(tmp_path / "d.PNG", engine="builtin")
    assert (tmp_path / "d.PNG").read_bytes().startswith(PNG_MAGIC)
    d.save(tmp_path / "noext", format="svg", engine="builtin")
    assert (tmp_path / "noext").read_text().startswith("<svg")


def test_save_refuses_other_formats(chain_graph, tmp_path):
    d = dj.Diagram.from_graph(chain_graph, context={})
    with pytest.raises(DiagramError, match="Unsupported file format 'pdf'"):
        d.save(tmp_path / "d.pdf")
    with pytest.raises(DiagramError, match="Unsupported file format"):
        d.save(tmp_path / "d")
    assert list(tmp_path.iterdir()) == []


def test_png_without_a_rasteriser_names_what_to_install(chain_graph, monkeypatch, tmp_path):
    import dj_diagram.raster as raster

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(raster, "matplotlib_available", lambda: False)
    d = dj.Diagram.from_graph(chain_graph, context={})
    with pytest.raises(MissingExtraError, match=r"dj-diagram\[plot\]") as error:
        d.make_png()
    assert isinstance(error.value, dj.DiagramError)


def test_the_module_flags():
    assert dj.diagram_active is True
    assert dj.plot_active is True  # the test environment has matplotlib
