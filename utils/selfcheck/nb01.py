"""Self-checks for notebook 01 (NumPy for images). Each prints a pass or a hint and returns None."""
from __future__ import annotations

from typing import Any

import numpy as np

from utils.checks import check

EMPTY = "the answer is still empty: replace the ... with your code. "


def _empty(*values: Any) -> bool:
    return any(v is None or v is Ellipsis for v in values)


def exercise_1_1(brighter: Any, img8: np.ndarray) -> None:
    """``brighter`` is ``img8 + 60`` saturated at 255, stored as uint8."""
    goal = "`brighter` must be uint8, the shape of img8, equal to img8 + 60 with values above 255 kept at 255."
    if _empty(brighter):
        check(False, EMPTY + goal)
        return
    img8 = np.asarray(img8)
    expected = np.minimum(img8.astype(np.int64) + 60, 255)
    if not isinstance(brighter, np.ndarray) or brighter.shape != img8.shape:
        check(False, f"expected an array of shape {img8.shape}. " + goal)
    elif np.array_equal(brighter.astype(np.int64), (img8 + np.uint8(60)).astype(np.int64)) and \
            not np.array_equal(brighter, expected):
        check(False, "these values wrapped around past 255 (uint8 + 60 computed in uint8). Add in a wider type "
                     "such as int16 first, then clip to 0 … 255.")
    elif brighter.dtype != np.uint8:
        check(False, f"the values may be right but the dtype is {brighter.dtype}: cast back with .astype(np.uint8) "
                     "after clipping.")
    else:
        check(np.array_equal(brighter, expected), "some pixels differ from min(img8 + 60, 255). " + goal,
              success=f"{int(np.sum(expected == 255)):,} pixels saturate at 255 instead of wrapping")


def exercise_1_2(stack: Any, hu: np.ndarray, levels: np.ndarray, widths: np.ndarray) -> None:
    """``stack[i]`` is ``hu`` windowed with ``levels[i]``, ``widths[i]`` and clipped to 0 … 1."""
    goal = (f"`stack` must have shape ({len(levels)}, {hu.shape[0]}, {hu.shape[1]}) with stack[i] = "
            "clip((hu - (levels[i] - widths[i] / 2)) / widths[i], 0, 1).")
    if _empty(stack):
        check(False, EMPTY + goal)
        return
    hu = np.asarray(hu, dtype=np.float64)
    # The reference is built window by window with a loop, independently of any broadcasting.
    expected = np.empty((len(levels),) + hu.shape)
    for i, (level, width) in enumerate(zip(levels, widths)):
        expected[i] = np.minimum(np.maximum((hu - (level - width / 2)) / width, 0.0), 1.0)
    try:
        stack = np.asarray(stack, dtype=np.float64)
    except (TypeError, ValueError):
        check(False, goal)
        return
    if stack.shape != expected.shape:
        check(False, f"the shape is {stack.shape}; give levels and widths shape (3, 1, 1) with [:, None, None] "
                     "so that they broadcast against hu. " + goal)
    elif stack.min() < 0 or stack.max() > 1:
        check(False, f"values run from {stack.min():.2f} to {stack.max():.2f}: clip the result to 0 … 1.")
    else:
        check(bool(np.allclose(stack, expected, rtol=1e-5, atol=1e-6)),
              "the shape is right but the values are not: check that window i uses levels[i] and widths[i], "
              "and that the lower edge is level - width / 2. " + goal)


def exercise_1_3(aorta: Any, aorta_mean_hu: Any, hu: np.ndarray, centre: tuple[int, int] = (8, 90),
                 radius: float = 6) -> None:
    """``aorta`` is the disc of ``radius`` pixels around (row, column) ``centre``; the mean is taken inside it."""
    row, col = centre
    goal = (f"`aorta` is a boolean disc of radius {radius:g} pixels around row {row}, column {col} (compare the "
            "squared distance from rows and cols with the squared radius), and `aorta_mean_hu` the mean of hu inside it.")
    if _empty(aorta, aorta_mean_hu):
        check(False, EMPTY + goal)
        return
    hu = np.asarray(hu)
    rr, cc = np.indices(hu.shape)
    expected = np.hypot(rr - row, cc - col) <= radius   # independent construction with np.indices
    swapped = np.hypot(rr - col, cc - row) <= radius
    mask = np.asarray(aorta)
    if mask.shape != hu.shape or mask.dtype != bool:
        check(False, f"`aorta` should be a boolean array of shape {hu.shape} (a comparison gives one). " + goal)
        return
    if np.array_equal(mask, swapped) and not np.array_equal(mask, expected):
        check(False, f"your disc is centred on row {col}, column {row}: rows and columns are swapped. " + goal)
        return
    if not np.array_equal(mask, expected):
        n, m = int(mask.sum()), int(expected.sum())
        check(False, f"your mask has {n} pixels, the disc has {m}. The radius is in pixels ({radius:g}), "
                     f"and the centre is row {row}, column {col}. " + goal)
        return
    try:
        value = float(aorta_mean_hu)
    except (TypeError, ValueError):
        check(False, "`aorta_mean_hu` should be a number. " + goal)
        return
    true_mean = float(hu[expected].mean())
    if np.isclose(value, float(hu.mean())):
        check(False, "that is the mean of the whole image: index hu with the mask, hu[aorta].mean().")
        return
    check(bool(np.isclose(value, true_mean, rtol=1e-4, atol=1e-3)), "the mask is right; now take hu[aorta].mean().",
          success=f"{int(expected.sum())} pixels, mean {true_mean:.1f} HU")
