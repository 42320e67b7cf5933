"""Self-checks for notebook 05 (DICOM and NIfTI): each prints a pass or a hint, never raises."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from pydicom.dataset import Dataset

from ..checks import check, check_close
from ..deid import find_phi

EMPTY = "the answer is still empty: replace the ... with your code"


def _empty(*values: Any) -> bool:
    return any(v is None or v is Ellipsis for v in values)


def exercise_5_1(sag_order: Any, truth: Sequence[str]) -> None:
    """Exercise 5.1: file names sorted by position along the slice normal n = r x c."""
    if _empty(sag_order):
        check(False, EMPTY)
        return
    order = [str(v) for v in sag_order] if isinstance(sag_order, (list, tuple)) else None
    truth = list(truth)
    if order == truth:
        check(True, "")
    elif order is not None and order == truth[::-1]:
        check(False, "the order is reversed: n = cross(row, column) points to the patient's right (-x) here, so "
                     "sort by dot(ImagePositionPatient, n), not by x")
    elif order is not None and order == sorted(truth):
        check(False, "that is file-name order, which says nothing about position: sort by "
                     "dot(ImagePositionPatient, n)")
    else:
        check(False, "give a list of all the file names, sorted by dot(ImagePositionPatient, n) with "
                     "n = cross(row, column) from ImageOrientationPatient")


def exercise_5_2(mr_anon: Any, mr2_anon: Any, mr: Dataset, mr_second: Dataset) -> None:
    """Exercise 5.2: two files of one series de-identified by hand, verified by the independent checker.

    Passes when find_phi finds nothing in either file (file meta included), the pixels are unchanged and the
    UIDs were remapped consistently: one new study, series and frame-of-reference UID for both, two distinct
    new SOP instance UIDs, and the shared reference mapped to the same new UID in both.
    """
    if _empty(mr_anon, mr2_anon):
        check(False, EMPTY)
        return
    if not isinstance(mr_anon, Dataset) or not isinstance(mr2_anon, Dataset):
        check(False, "mr_anon and mr2_anon should be pydicom datasets: start each from copy.deepcopy(...)")
        return
    if mr_anon is mr or mr2_anon is mr_second:
        check(False, "you edited the original itself: start from copy.deepcopy(mr), so the checker can compare")
        return
    for name, anon, original in [("mr_anon", mr_anon, mr), ("mr2_anon", mr2_anon, mr_second)]:
        findings = find_phi(anon, original=original)
        if any(f.path.startswith("file_meta.") for f in findings):
            check(False, f"{name}: the file meta still holds the original SOP Instance UID; set "
                         "file_meta.MediaStorageSOPInstanceUID to the new SOPInstanceUID")
            return
        if findings:
            listing = "; ".join(str(f) for f in findings[:3])
            check(False, f"{name}: find_phi still reports {len(findings)} item(s), e.g. {listing}")
            return
        if not np.array_equal(anon.pixel_array, original.pixel_array):
            check(False, f"{name}: the pixel data changed; only edit the header")
            return
    same = [k for k in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID")
            if mr_anon.get(k) != mr2_anon.get(k)]
    refs = [str(ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID) if "ReferencedImageSequence" in ds
            and len(ds.ReferencedImageSequence) else None for ds in (mr_anon, mr2_anon)]
    if same or refs[0] != refs[1]:
        what = ", ".join(same) if same else "ReferencedImageSequence[0].ReferencedSOPInstanceUID"
        check(False, f"the two files now disagree on {what}: the series falls apart. Use one mapping "
                     "(original UID -> new UID) for both files, so the same input gives the same output")
        return
    check(mr_anon.SOPInstanceUID != mr2_anon.SOPInstanceUID,
          "both files got the same SOPInstanceUID: each image needs its own new UID",
          success="nothing left that Table E.1-1 covers, pixels unchanged, UIDs remapped consistently")


def exercise_5_3(world_ras: Any, world_lps: Any, affine: np.ndarray) -> None:
    """Exercise 5.3: voxel (20, 10, 7) of anatomical.nii in RAS and in LPS, from the affine by hand."""
    if _empty(world_ras, world_lps):
        check(False, EMPTY)
        return
    affine = np.asarray(affine, dtype=float)
    expected = (affine @ [20, 10, 7, 1])[:3]
    try:
        ras, lps = np.asarray(world_ras, dtype=float).ravel(), np.asarray(world_lps, dtype=float).ravel()
    except (TypeError, ValueError):
        check(False, "give three numbers for each point (mm)")
        return
    if ras.shape == (4,):
        ras = ras[:3]
    if ras.shape != (3,) or lps.shape != (3,):
        check(False, "give three numbers (x, y, z in mm) for each of world_ras and world_lps")
        return
    if np.allclose(ras, affine[:3, :3] @ [20, 10, 7]):
        check(False, "world_ras misses the translation: multiply the affine by (i, j, k, 1), with the 1")
    elif np.allclose(ras, (affine.T @ [20, 10, 7, 1])[:3]) and not np.allclose(ras, expected):
        check(False, "world_ras uses the transposed affine: compute affine @ (i, j, k, 1)")
    else:
        check_close(ras, expected, "multiply the affine by (i, j, k, 1) and keep the first three numbers", atol=1e-4)
    if np.allclose(lps, expected * [-1, -1, -1]):
        check(False, "world_lps flips z too: LPS and RAS share +z (superior); flip only x and y")
    else:
        check_close(lps, expected * [-1, -1, 1], "LPS = RAS with the signs of x and y flipped", atol=1e-4)
