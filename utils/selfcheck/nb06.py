"""Self-checks for notebook 06 (preprocessing): each prints ``✅ Pass`` or ``❌ Not yet: hint`` and returns None."""
from __future__ import annotations

import itertools
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from scipy import ndimage

from ..checks import check

EMPTY = "the answer is still empty: replace the ... with your code and run the cell above again."


def _empty(value: Any) -> bool:
    return value is None or value is Ellipsis


# ------------------------------------------------------------------------------------------------ 6.1
def exercise_6_1(mr_z: Any, volume: np.ndarray, mask: np.ndarray) -> None:
    """``mr_z``: ``volume`` z-scored with the mean and std of the voxels in ``mask``, and 0 outside it."""
    if _empty(mr_z):
        check(False, EMPTY)
        return
    if not isinstance(mr_z, np.ndarray) or mr_z.shape != volume.shape:
        check(False, f"zscore_in_mask must return an array shaped like the volume {volume.shape}, got "
                     f"{getattr(mr_z, 'shape', type(mr_z).__name__)}.")
        return
    mask = mask.astype(bool)
    inside = mr_z[mask].astype(float)
    whole = (volume[mask] - volume.mean()) / volume.std()
    if not np.all(mr_z[~mask] == 0):
        check(False, "voxels outside the mask should be exactly 0 (start from np.zeros and fill in the mask).")
    elif abs(inside.mean()) > 1e-3 or abs(inside.std() - 1) > 1e-3:
        same_as_whole = np.allclose(inside, whole, atol=1e-3)
        check(False, "inside the mask the mean should be 0 and the standard deviation 1: "
              + ("these are the whole-volume statistics, background included; compute mean and std of "
                 "volume[mask] only." if same_as_whole else "use the mean and std of volume[mask] for both."))
    else:
        check(True, "", success=f"mean {inside.mean():.0e}, std {inside.std():.3f} in the mask (a whole-volume "
              f"z-score puts the body at mean {whole.mean():.2f})")


# ------------------------------------------------------------------------------------------------ 6.2
def reference_labels(labels: np.ndarray, spacing: Sequence[float], new_spacing: Sequence[float]) -> np.ndarray:
    """Nearest-neighbour resampling over the same field of view (the independent reference for 6.2)."""
    shape = _target_shape(labels.shape, spacing, new_spacing)
    return ndimage.zoom(labels, shape / np.array(labels.shape), order=0, grid_mode=True, mode="nearest")


def _target_shape(shape: Sequence[int], spacing: Sequence[float], new_spacing: Sequence[float]) -> np.ndarray:
    extent = np.array(shape) * np.asarray(spacing, float)          # field of view in mm
    return np.maximum(np.round(extent / np.asarray(new_spacing, float)), 1).astype(int)


def _nearest_agreement(answer: np.ndarray, labels: np.ndarray) -> float:
    """Share of output voxels whose label is that of a nearest source voxel (either one when two tie)."""
    choices = []
    for n, m in zip(labels.shape, answer.shape):
        pos = (np.arange(m) + 0.5) * n / m - 0.5                   # output voxel centres in source indices
        lo = np.clip(np.ceil(pos - 0.5 - 1e-6), 0, n - 1).astype(int)
        hi = np.clip(np.floor(pos + 0.5 + 1e-6), 0, n - 1).astype(int)
        choices.append((lo, hi))
    ok = np.zeros(answer.shape, bool)
    for combo in itertools.product(*choices):
        ok |= answer == labels[np.ix_(*combo)]
    return float(ok.mean())


def exercise_6_2(lab_2mm: Any, labels: np.ndarray, spacing: Sequence[float],
                 new_spacing: Sequence[float] = (2.0, 2.0, 2.0)) -> None:
    """``lab_2mm``: ``labels`` resampled from ``spacing`` to ``new_spacing`` by nearest neighbour, same field of view."""
    if _empty(lab_2mm):
        check(False, EMPTY)
        return
    shape = tuple(_target_shape(labels.shape, spacing, new_spacing))
    if not isinstance(lab_2mm, np.ndarray) or lab_2mm.shape != shape:
        got = getattr(lab_2mm, "shape", type(lab_2mm).__name__)
        check(False, f"expected shape {shape} (field of view in mm / new spacing, rounded), got {got}.")
        return
    present = set(np.unique(labels).tolist())
    if lab_2mm.dtype.kind not in "iu" or not set(np.unique(lab_2mm).tolist()) <= present:
        check(False, f"only the original integer labels {sorted(present)} may appear, in an integer array: "
                     "use order=0 (nearest neighbour) instead of interpolating and rounding.")
        return
    naive = ndimage.zoom(labels, np.asarray(spacing, float) / np.asarray(new_spacing, float), order=0)
    agreement = _nearest_agreement(lab_2mm, labels)
    if agreement < 0.999:
        if naive.shape == lab_2mm.shape and np.array_equal(naive, lab_2mm):
            sizes = (np.array(labels.shape) - 1) * np.asarray(spacing, float) / (np.array(shape) - 1)
            hint = (f"ndimage.zoom's default grid_mode=False pins the corner voxel centres, so this grid is "
                    f"{' x '.join(f'{s:.2f}' for s in sizes)} mm, not {new_spacing}: pass grid_mode=True "
                    "(and mode='nearest').")
        else:
            reference = reference_labels(labels, spacing, new_spacing)
            invented = {int(k): int(((lab_2mm == k) & (reference != k)).sum()) for k in sorted(present - {0})}
            worst = max(invented, key=invented.get)
            hint = (f"{100 * (1 - agreement):.1f} % of the voxels carry a label that no nearest source voxel has "
                    f"(e.g. {invented[worst]} voxels of label {worst} that nearest neighbour does not give): "
                    "interpolating (order 1 or 3) and then rounding invents classes at boundaries; use order=0.")
        check(False, hint)
        return
    ml = lambda lab, sp: float((lab == 2).sum() * np.prod(sp) / 1000)  # noqa: E731 - label 2 = myocardium
    true = np.array(labels.shape) * np.asarray(spacing, float) / np.array(shape)   # field of view / new shape
    before, after = ml(labels, spacing), ml(lab_2mm, true)
    check(True, "", success=f"{' x '.join(f'{v:.2f}' for v in true)} mm, nearest neighbour; "
          f"myocardium {before:.1f} mL before, {after:.1f} mL after")


# ------------------------------------------------------------------------------------------------ 6.3
PLAUSIBLE_CXR = frozenset({"rotate_5_degrees", "zoom_10_percent", "shift_5_percent", "contrast_10_percent"})
WHY_NOT = {
    "flip_left_right": "a left-right flip mirrors the heart and the L/R side marker: a film no PA acquisition "
                       "produces, harmful wherever laterality or side markers matter",
    "flip_up_down": "an up-down flip puts the abdomen at the top",
    "rotate_90_degrees": "a 90° turn lays the patient on their side",
    "invert_intensities": "inversion makes bone dark and air bright (a MONOCHROME1 display error, not a new film)",
}


def exercise_6_3(plausible: Any, candidates: Mapping[str, Any]) -> None:
    """``plausible``: the names in ``candidates`` that mimic how a PA chest film could have been acquired."""
    if _empty(plausible) or (isinstance(plausible, Iterable) and not isinstance(plausible, str)
                             and len(list(plausible)) == 0):
        check(False, "the list is still empty: put the names of the plausible augmentations in it.")
        return
    if isinstance(plausible, str) or not isinstance(plausible, Iterable):
        check(False, "plausible should be a list of names, e.g. [\"rotate_5_degrees\", ...].")
        return
    chosen = set(plausible)
    unknown = sorted(chosen - set(candidates))
    if unknown:
        check(False, f"{unknown} are not names in CANDIDATES; copy them exactly.")
        return
    wrong, missing = sorted(chosen - PLAUSIBLE_CXR), sorted(PLAUSIBLE_CXR - chosen)
    hints = [WHY_NOT.get(name, name) for name in wrong]
    if missing:
        hints.append(f"{len(missing)} plausible choice(s) missing: which layers mimic a patient standing slightly "
                     "differently, or another exposure?")
    check(not hints, "; ".join(hints) + ".", success=f"{len(chosen)} layers, all of them plausible for PA films")
