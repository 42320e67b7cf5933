"""An interactive slice viewer (ipywidgets) with window/level sliders and an optional mask outline.

Notebooks show a static figure as well, so saved outputs stay meaningful without a live kernel.
"""
from __future__ import annotations

import base64
import io
import struct
from typing import Any

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
import numpy as np

from .plotting import overlay_mask


PLACEHOLDER = "[Interactive slice viewer (slice, level and width sliders): run this cell with a live Python kernel]"


class SliceViewer(widgets.VBox):
    """The viewer's container. Where widgets cannot render (a saved notebook with no kernel, nbconvert, the
    course website) its output falls back to a PNG of the first view and a plain-text line saying what it is."""

    picture: widgets.Image | None = None

    def __repr__(self) -> str:
        return PLACEHOLDER

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = PLACEHOLDER
        if self.picture is not None and self.picture.value:
            bundle["image/png"] = base64.b64encode(self.picture.value).decode("ascii")
        return bundle


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from a PNG's header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", png[16:24])


def slice_viewer(volume: np.ndarray, mask: np.ndarray | None = None, *, axis: int = 0,
                 unit: str = "a.u.", title: str = "") -> SliceViewer:
    """Scroll through ``volume`` along ``axis`` with window (width) and level (centre) sliders.

    Returns the widget (let the notebook show it as the cell's value).
    """
    volume = np.asarray(volume, dtype=np.float32)
    if volume.ndim != 3:
        raise ValueError(f"slice_viewer needs a 3D volume, got shape {volume.shape}")
    if mask is not None and np.shape(mask) != volume.shape:
        raise ValueError(f"mask shape {np.shape(mask)} does not match volume shape {volume.shape}")
    every = 2 if volume.size > 2**22 else 1         # the initial window needs only a rough range
    lo, hi = (float(v) for v in np.percentile(volume[::every, ::every, ::every], [0.5, 99.5]))
    span = max(hi - lo, 1e-6)
    step = span / 200
    n = volume.shape[axis]
    index = widgets.IntSlider(value=n // 2, min=0, max=n - 1, description="slice")
    level = widgets.FloatSlider(value=(lo + hi) / 2, min=lo - span, max=hi + span, step=step, description="level")
    width = widgets.FloatSlider(value=span, min=step, max=3 * span, step=step, description="width")
    show_mask = widgets.Checkbox(value=mask is not None, description="mask", disabled=mask is None)
    picture = widgets.Image(format="png")

    def draw(*_: Any) -> None:
        img = np.take(volume, index.value, axis=axis)
        m = np.take(mask, index.value, axis=axis) if (mask is not None and show_mask.value) else None
        picture.value = _render(img, m, vmin=level.value - width.value / 2, vmax=level.value + width.value / 2,
                                unit=unit, title=f"{title} slice {index.value}/{n - 1}".strip())

    for w in (index, level, width, show_mask):
        w.observe(draw, names="value")
    draw()
    # Shown at its own pixel size (JupyterLab would otherwise stretch it to the cell's width and blur it),
    # so the sliders and the whole slice fit a 1366 x 768 laptop screen together.
    px_wide, _ = png_size(picture.value)
    picture.layout = widgets.Layout(width=f"{px_wide}px", max_width="100%")
    viewer = SliceViewer([widgets.HBox([index, show_mask]), widgets.HBox([level, width]), picture])
    viewer.picture = picture
    return viewer



def _render(image: np.ndarray, mask: np.ndarray | None, *, vmin: float, vmax: float, unit: str, title: str) -> bytes:
    """One slice as PNG bytes, drawn off-screen (no pyplot state, no output capture)."""
    fig = Figure(figsize=(5, 5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    overlay_mask(ax, image, mask, vmin=vmin, vmax=vmax)
    ax.images[0].set_interpolation("nearest")  # crisp voxels, no smoothing between them
    fig.colorbar(ax.images[0], ax=ax, shrink=0.8, label=unit)
    ax.set_title(title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()
