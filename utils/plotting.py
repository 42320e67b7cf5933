"""Figure helpers several notebooks share: image grids with titles and colour bars, mask overlays."""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def show_images(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    cmap: str = "gray",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: str | None = None,
    suptitle: str | None = None,
    size: float = 2.6,
) -> Figure:
    """Show 2D images in a grid; ``colorbar`` is the unit label (for example "HU" or "a.u.")."""
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)),
                             squeeze=False, layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        im = ax.imshow(np.asarray(images[i]), cmap=cmap, vmin=vmin, vmax=vmax)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
        if colorbar:
            fig.colorbar(im, ax=ax, shrink=0.8, label=colorbar)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def overlay_mask(ax: Axes, image: np.ndarray, mask: np.ndarray | None = None, *,
                 prediction: np.ndarray | None = None, cmap: str = "gray",
                 vmin: float | None = None, vmax: float | None = None) -> Axes:
    """Draw ``image`` with the ground-truth ``mask`` outlined in green and a ``prediction`` in magenta."""
    ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
    for m, colour in ((mask, "lime"), (prediction, "magenta")):
        if m is not None and np.any(m):
            ax.contour(np.asarray(m, dtype=float), levels=[0.5], colors=colour, linewidths=1.0)
    ax.axis("off")
    return ax


def show_planes(volume: np.ndarray, mask: np.ndarray | None = None, *, spacing: Sequence[float] = (1.0, 1.0, 1.0),
                index: Sequence[int] | None = None, title: str | None = None,
                vmin: float | None = None, vmax: float | None = None, unit: str = "a.u.") -> Figure:
    """Axial, coronal and sagittal slices through ``index`` of a (z, y, x) volume, shown with true aspect."""
    volume = np.asarray(volume)
    z, y, x = index if index is not None else [s // 2 for s in volume.shape]
    sz, sy, sx = spacing
    planes = [("axial", volume[z], None if mask is None else mask[z], sy / sx),
              ("coronal", volume[:, y], None if mask is None else mask[:, y], sz / sx),
              ("sagittal", volume[:, :, x], None if mask is None else mask[:, :, x], sz / sy)]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), layout="constrained")
    step = max(1, int(np.sqrt(volume.size / 4e6)))   # percentiles from about 4 million voxels at most (memory)
    sample = volume[:, ::step, ::step]
    lo = np.percentile(sample, 1) if vmin is None else vmin
    hi = np.percentile(sample, 99) if vmax is None else vmax
    for ax, (name, img, m, aspect) in zip(axes, planes):
        overlay_mask(ax, img, m, vmin=lo, vmax=hi)
        ax.set_aspect(aspect)
        ax.set_title(name)
    fig.colorbar(axes[0].images[0], ax=axes, shrink=0.8, label=unit)
    if title:
        fig.suptitle(title)
    return fig
