"""Self-checks of notebook 08 (left-atrium segmentation). Each prints a pass or a hint and returns None."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

from ..checks import HINT, check

# Exercise 8.1's masks (the notebook shows them as text).
G = np.array([[0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]], bool)
P = np.array([[0, 1, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]], bool)


def _empty(*values: Any) -> bool:
    if any(v is None or v is Ellipsis for v in values):
        print(f"{HINT}: the answer is still empty: replace each ... with your code, then run this cell again.")
        return True
    return False


def _number(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if np.isfinite(out) or np.isinf(out) else None


def exercise_8_1(dice_by_hand: Any, iou_by_hand: Any) -> None:
    """Dice and IoU of the two 4 x 4 masks, counted by hand."""
    if _empty(dice_by_hand, iou_by_hand):
        return
    inter, union, total = int((P & G).sum()), int((P | G).sum()), int(P.sum() + G.sum())
    d, j = _number(dice_by_hand), _number(iou_by_hand)
    if d is None or j is None:
        print(f"{HINT}: give two numbers (fractions such as 6 / 9 are fine).")
        return
    if np.isclose(d, inter / union) and np.isclose(j, 2 * inter / total):
        print(f"{HINT}: the two answers are swapped: Dice = 2|P∩G| / (|P| + |G|), IoU = |P∩G| / |P∪G|.")
        return
    check(np.isclose(d, 2 * inter / total),
          "Dice = 2|P∩G| / (|P| + |G|): count the 1s in each mask and in both (did you forget the factor 2?).")
    check(np.isclose(j, inter / union),
          "IoU = |P∩G| / |P∪G|; the union counts a voxel once even if it is in both masks.")


def exercise_8_2(accuracy_empty: Any, dice_empty: Any, atrium_fractions: Sequence[float]) -> None:
    """The all-background model: mean voxel accuracy and mean Dice over the test patients.

    ``atrium_fractions``: each test patient's share of atrium voxels (recorded during the evaluation).
    """
    if _empty(accuracy_empty, dice_empty):
        return
    acc, d = _number(accuracy_empty), _number(dice_empty)
    if acc is None or d is None:
        print(f"{HINT}: give two numbers, the mean accuracy and the mean Dice.")
        return
    expected = float(np.mean(1 - np.asarray(atrium_fractions, float)))
    if np.isclose(acc, 100 * expected, rtol=1e-4):
        print(f"{HINT}: that is a percentage; give the accuracy as a fraction between 0 and 1.")
    elif np.isclose(acc, 1 - expected, rtol=1e-4):
        print(f"{HINT}: that is the share of atrium voxels, the voxels the empty model gets WRONG.")
    else:
        check(np.isclose(acc, expected, rtol=1e-4, atol=1e-6),
              "accuracy = mean(prediction == label) over all voxels of a patient, with prediction 0 everywhere; "
              "then the mean over the test patients.")
    check(np.isclose(d, 0.0, atol=1e-9),
          "An empty prediction has no overlap with a non-empty atrium: 2 * 0 / (0 + |G|)"
          + (" (1.0 is the convention only when the truth is empty too)." if np.isclose(d, 1.0) else "."))


def _surface_points(mask: np.ndarray, spacing: Sequence[float]) -> np.ndarray:
    """The mask's surface voxels as points in mm, found inside its bounding box (fast on large volumes)."""
    mask = np.asarray(mask, bool)
    if not mask.any():
        return np.empty((0, mask.ndim))
    box = ndimage.find_objects(mask.astype(np.uint8))[0]
    part = mask[box]                                # outside the box, as outside the volume: background
    zyx = np.argwhere(part & ~ndimage.binary_erosion(part)) + [s.start for s in box]
    return zyx * np.asarray(spacing, float)


def _blob_distances(blob: np.ndarray, truth: np.ndarray, spacing: Sequence[float]) -> tuple[float, float]:
    """HD95 and maximum distance (mm) of truth + a far blob against the truth, from the construction alone.

    The truth's surface is unchanged, so its points are at distance 0 both ways; only the blob's surface points
    have a distance, to the nearest truth surface point (an explicit search over the two point sets).
    """
    truth_pts = _surface_points(truth, spacing)
    blob_pts = _surface_points(blob & ~truth, spacing)
    far = np.array([np.sqrt(((truth_pts - p) ** 2).sum(1)).min() for p in blob_pts])
    d = np.concatenate([np.zeros(2 * len(truth_pts)), far])
    return float(np.percentile(d, 95)), float(d.max())


def exercise_8_3(blob_dice: Any, blob_hd95: Any, blob_hdmax: Any, blob: Any, truth: np.ndarray,
                 spacing: Sequence[float]) -> None:
    """Truth plus a stray 3 x 3 x 3 blob: Dice, HD95 and maximum Hausdorff distance (mm) against the truth."""
    if _empty(blob_dice, blob_hd95, blob_hdmax, blob):
        return
    blob, truth = np.asarray(blob).astype(bool), np.asarray(truth).astype(bool)
    if blob.shape != truth.shape:
        print(f"{HINT}: `blob` should have the label's shape {truth.shape}, not {blob.shape}.")
        return
    extra, missing = int((blob & ~truth).sum()), int((truth & ~blob).sum())
    if missing or not 1 <= extra <= 27:
        print(f"{HINT}: `blob` should be the truth plus one small block (found {extra} extra and {missing} "
              "missing voxels); start from truth.copy().")
        return
    outside = np.argwhere(blob & ~truth) * np.asarray(spacing, float)   # points, not a full distance map
    far = cKDTree(_surface_points(truth, spacing)).query(outside)[0].min()
    if far < 30:
        print(f"{HINT}: the blob is only {far:.0f} mm from the atrium; put it at least 30 mm away (a corner).")
        return
    values = [_number(v) for v in (blob_dice, blob_hd95, blob_hdmax)]
    if any(v is None for v in values):
        print(f"{HINT}: give three numbers.")
        return
    d, h95, hmax = values
    ref_d = 2 * int((blob & truth).sum()) / int(blob.sum() + truth.sum())
    ref_95, ref_max = _blob_distances(blob, truth, spacing)
    _, ref_max_vox = _blob_distances(blob, truth, (1.0, 1.0, 1.0))
    if np.isclose(d, 1.0) and not np.isclose(ref_d, 1.0):
        print(f"{HINT}: Dice 1.0 means a mask was compared with itself; compare the blob mask with the truth.")
        return
    check(np.isclose(d, ref_d, rtol=1e-4), "Dice of (truth + blob) against the truth, with the functions above.")
    if np.isclose(hmax, ref_max_vox, rtol=0.02) and not np.isclose(ref_max_vox, ref_max, rtol=0.02):
        print(f"{HINT}: the maximum distance looks like voxels; pass the patient's spacing to get mm.")
    else:
        check(np.isclose(hmax, ref_max, rtol=0.02, atol=0.05),
              f"the maximum (percentile=100) distance should reach the blob, about {ref_max:.0f} mm away.")
    check(np.isclose(h95, ref_95, rtol=0.05, atol=0.3),
          "HD95 is the 95th percentile of the surface distances (the default of `hausdorff`), in mm.")


def exercise_8_4(pooled_dice: Any, mean_dice: Any, counts: Sequence[Sequence[int]]) -> None:
    """Pooled Dice (all test voxels as one set) and mean per-patient Dice, from (|P∩G|, |P|, |G|) per patient."""
    if _empty(pooled_dice, mean_dice):
        return
    pooled, mean = _number(pooled_dice), _number(mean_dice)
    if pooled is None or mean is None:
        print(f"{HINT}: give two numbers.")
        return
    c = np.asarray(counts, float)
    ref_pooled = 2 * c[:, 0].sum() / (c[:, 1].sum() + c[:, 2].sum())
    ref_mean = float(np.mean(2 * c[:, 0] / (c[:, 1] + c[:, 2])))
    if not np.isclose(ref_pooled, ref_mean, rtol=1e-6) and np.isclose(pooled, ref_mean) and np.isclose(mean, ref_pooled):
        print(f"{HINT}: the two answers are swapped: pooled sums the counts first, then divides once.")
        return
    if np.isclose(pooled, ref_pooled / 2) or np.isclose(mean, ref_mean / 2):
        print(f"{HINT}: Dice has a factor 2 in the numerator.")
        return
    check(np.isclose(pooled, ref_pooled, rtol=1e-6),
          "pooled Dice = 2 * sum of intersections / (sum of |P| + sum of |G|) over the test patients.")
    check(np.isclose(mean, ref_mean, rtol=1e-6),
          "mean Dice = the mean over patients of 2|P∩G| / (|P| + |G|), one Dice per patient.")
    if np.isclose(pooled, ref_pooled) and np.isclose(mean, ref_mean):
        big = int(np.argmax(c[:, 2]))
        print(f"   The largest atrium holds {100 * c[big, 2] / c[:, 2].sum():.0f} % of all atrium voxels, so it "
              "weighs that much in the pooled score.")
