"""An interactive slice viewer (ipywidgets) with window/level sliders and an optional mask outline.

Notebooks show a static figure as well, so saved outputs stay meaningful without a live kernel.
"""
from __future__ import annotations

import io
from typing import Any

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
import numpy as np

from .plotting import overlay_mask


class SliceViewer(widgets.VBox):
    """The viewer's container; its plain-text form (shown where widgets cannot render) says what it is."""

    def __repr__(self) -> str:
        return "[Interactive slice viewer: run this cell in JupyterLab, Binder or Colab to scroll and window]"


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
    lo, hi = (float(v) for v in np.percentile(volume, [0.5, 99.5]))
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
    return SliceViewer([widgets.HBox([index, show_mask]), widgets.HBox([level, width]), picture])



def _render(image: np.ndarray, mask: np.ndarray | None, *, vmin: float, vmax: float, unit: str, title: str) -> bytes:
    """One slice as PNG bytes, drawn off-screen (no pyplot state, no output capture)."""
    fig = Figure(figsize=(5, 5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    overlay_mask(ax, image, mask, vmin=vmin, vmax=vmax)
    fig.colorbar(ax.images[0], ax=ax, shrink=0.8, label=unit)
    ax.set_title(title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()
