"""Notebook 06's self-checks: the right answer passes, each typical mistake (named in the test id) does not."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from utils.selfcheck import nb06

SPACING, NEW = (1.5, 1.5, 8.0), (2.0, 2.0, 2.0)


def phantom() -> np.ndarray:
    """A small ACDC-like label map (x, y, z) at 1.5 x 1.5 x 8 mm: RV 1, myocardium 2, LV cavity 3."""
    x, y, z = np.meshgrid(*(np.arange(n) * s for n, s in zip((40, 40, 6), SPACING)), indexing="ij")
    inside = lambda cx, ax, ay, az: ((x - cx) / ax) ** 2 + ((y - 30) / ay) ** 2 + ((z - 24) / az) ** 2 < 1
    labels = np.zeros(x.shape, np.uint8)
    labels[inside(17, 9, 15, 18)] = 1
    labels[inside(36, 14, 14, 22)] = 2
    labels[inside(36, 9, 9, 17)] = 3
    return labels


def volume_and_mask() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    volume = rng.normal(0, 5, (20, 16, 6)).astype(np.float32)
    mask = np.zeros(volume.shape, bool)
    mask[4:16, 3:13, 1:5] = True
    volume[mask] += 300
    return volume, mask


def zscore_in_mask(volume: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros(volume.shape, np.float32)
    out[mask] = (volume[mask] - volume[mask].mean()) / volume[mask].std()
    return out


def whole_volume_stats(volume: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros(volume.shape, np.float32)
    out[mask] = ((volume - volume.mean()) / volume.std())[mask]
    return out


def no_zero_outside(volume: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return (volume - volume[mask].mean()) / volume[mask].std()


def run(capsys, fn, *args, **kwargs) -> str:
    assert fn(*args, **kwargs) is None
    return capsys.readouterr().out


def passes(out: str) -> bool:
    return "✅ Pass" in out and "❌" not in out


# ---- 6.1
def test_6_1_right_answer(capsys):
    volume, mask = volume_and_mask()
    assert passes(run(capsys, nb06.exercise_6_1, zscore_in_mask(volume, mask), volume, mask))


@pytest.mark.parametrize("answer, phrase", [
    pytest.param(lambda v, m: ..., "still empty", id="ellipsis-stub"),
    pytest.param(lambda v, m: None, "still empty", id="none-stub"),
    pytest.param(whole_volume_stats, "whole-volume statistics", id="whole-volume-mean-and-std"),
    pytest.param(no_zero_outside, "exactly 0", id="background-not-zeroed"),
    pytest.param(lambda v, m: zscore_in_mask(v, m)[:, :, :3], "shaped like the volume", id="wrong-shape"),
    pytest.param(lambda v, m: zscore_in_mask(v, m) * 2, "mean should be 0", id="wrong-scale"),
])
def test_6_1_wrong_answers(capsys, answer, phrase):
    volume, mask = volume_and_mask()
    out = run(capsys, nb06.exercise_6_1, answer(volume, mask), volume, mask)
    assert "❌" in out and phrase in out and "✅" not in out


# ---- 6.2
def grid_mode(labels, spacing, new):
    shape = np.round(np.array(labels.shape) * np.array(spacing) / np.array(new)).astype(int)
    return ndimage.zoom(labels, shape / np.array(labels.shape), order=0, grid_mode=True, mode="nearest")


def manual_ceil_ties(labels, spacing, new):
    """Nearest neighbour written by hand, rounding ties the other way: also correct."""
    shape = np.round(np.array(labels.shape) * np.array(spacing) / np.array(new)).astype(int)
    idx = [np.clip(np.ceil((np.arange(m) + 0.5) * n / m - 1.0), 0, n - 1).astype(int)
           for n, m in zip(labels.shape, shape)]
    return labels[np.ix_(*idx)]


def interpolate_round(order, grid):
    def answer(labels, spacing, new):
        shape = np.round(np.array(labels.shape) * np.array(spacing) / np.array(new)).astype(int)
        factors = shape / np.array(labels.shape) if grid else np.array(spacing) / np.array(new)
        out = ndimage.zoom(labels.astype(float), factors, order=order, grid_mode=grid, mode="nearest")
        return np.clip(np.round(out), 0, labels.max()).astype(labels.dtype)
    return answer


@pytest.mark.parametrize("answer", [pytest.param(grid_mode, id="zoom-order0-grid-mode"),
                                    pytest.param(manual_ceil_ties, id="hand-written-nearest")])
def test_6_2_right_answers(capsys, answer):
    labels = phantom()
    assert passes(run(capsys, nb06.exercise_6_2, answer(labels, SPACING, NEW), labels, SPACING, NEW))


@pytest.mark.parametrize("answer, phrase", [
    pytest.param(lambda l, s, n: ..., "still empty", id="ellipsis-stub"),
    pytest.param(interpolate_round(3, grid=True), "invents classes", id="cubic-then-round-and-clip"),
    pytest.param(interpolate_round(3, grid=False), "invents classes", id="cubic-round-default-grid"),
    pytest.param(interpolate_round(1, grid=True), "invents classes", id="linear-then-round"),
    pytest.param(lambda l, s, n: ndimage.zoom(l, np.array(s) / np.array(n), order=0), "grid_mode=True",
                 id="order0-default-grid-mode-false"),
    pytest.param(lambda l, s, n: ndimage.zoom(l.astype(float), np.array(s) / np.array(n), order=1),
                 "only the original integer labels", id="linear-not-rounded"),
    pytest.param(lambda l, s, n: ndimage.zoom(l, np.array(n) / np.array(s), order=0), "expected shape",
                 id="factors-inverted"),
    pytest.param(lambda l, s, n: grid_mode(l, s, n)[::-1], "no nearest source voxel", id="axis-flipped"),
])
def test_6_2_wrong_answers(capsys, answer, phrase):
    labels = phantom()
    out = run(capsys, nb06.exercise_6_2, answer(labels, SPACING, NEW), labels, SPACING, NEW)
    assert "❌" in out and phrase in out and "✅" not in out, out


def test_6_2_reference_keeps_the_field_of_view():
    labels = phantom()
    ref = nb06.reference_labels(labels, SPACING, NEW)
    assert ref.shape == (30, 30, 24) and set(np.unique(ref)) <= set(np.unique(labels))


# ---- 6.3
CANDIDATES = {name: object() for name in ("flip_left_right", "flip_up_down", "rotate_5_degrees",
                                          "rotate_90_degrees", "zoom_10_percent", "shift_5_percent",
                                          "contrast_10_percent", "invert_intensities")}


def test_6_3_right_answer(capsys):
    right = ["rotate_5_degrees", "zoom_10_percent", "shift_5_percent", "contrast_10_percent"]
    assert passes(run(capsys, nb06.exercise_6_3, right, CANDIDATES))


@pytest.mark.parametrize("answer, phrase", [
    pytest.param(..., "still empty", id="ellipsis-stub"),
    pytest.param([], "still empty", id="empty-list-stub"),
    pytest.param(["rotate_5_degrees", "zoom_10_percent", "shift_5_percent", "contrast_10_percent",
                  "flip_left_right"], "laterality", id="natural-image-recipe-with-horizontal-flip"),
    pytest.param(["rotate_5_degrees", "zoom_10_percent", "shift_5_percent", "contrast_10_percent",
                  "invert_intensities"], "bone dark", id="intensity-inversion"),
    pytest.param(["rotate_5_degrees", "rotate_90_degrees"], "on their side", id="large-rotation"),
    pytest.param(["rotate_5_degrees"], "missing", id="too-few"),
    pytest.param(["rotate5"], "not names in CANDIDATES", id="misspelt-name"),
    pytest.param("rotate_5_degrees", "list of names", id="string-not-list"),
])
def test_6_3_wrong_answers(capsys, answer, phrase):
    out = run(capsys, nb06.exercise_6_3, answer, CANDIDATES)
    assert "❌" in out and phrase in out and "✅" not in out, out
