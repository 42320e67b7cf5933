"""utils.viewer polish: the picture is shown at its own pixel size (no stretch), voxels stay crisp, and outside
a live kernel the output falls back to a PNG of the first view and a placeholder that is true everywhere."""
import base64

import numpy as np
import pytest

from utils.viewer import PLACEHOLDER, png_size, slice_viewer


def test_picture_is_shown_at_its_own_pixel_size():
    viewer = slice_viewer(np.random.rand(5, 32, 32))
    width, height = png_size(viewer.picture.value)
    assert viewer.picture.layout.width == f"{width}px" and width <= 450 and height <= 450


def test_voxels_are_not_smoothed():
    """A 128-px checkerboard (drawn about 2.3 times larger, where matplotlib would smooth) stays black and white."""
    from PIL import Image
    import io

    board = np.kron(np.indices((16, 16)).sum(axis=0) % 2, np.ones((8, 8))).astype(float)
    viewer = slice_viewer(np.stack([board] * 3), unit="a.u.")
    img = np.asarray(Image.open(io.BytesIO(viewer.picture.value)).convert("L"), dtype=float)
    h, w = img.shape
    centre = img[int(h * 0.3):int(h * 0.7), int(w * 0.2):int(w * 0.6)]
    grey = np.mean((centre > 30) & (centre < 225))
    assert grey < 0.02, f"{grey:.1%} grey pixels: the slice is interpolated"


def test_fallback_png_and_placeholder():
    viewer = slice_viewer(np.random.rand(3, 8, 8))
    bundle = viewer._repr_mimebundle_()
    assert bundle["text/plain"] == PLACEHOLDER == repr(viewer)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == viewer.picture.value
    assert "live Python kernel" in PLACEHOLDER and "JupyterLab" not in PLACEHOLDER


def test_png_size_rejects_other_bytes():
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a" + bytes(20))
