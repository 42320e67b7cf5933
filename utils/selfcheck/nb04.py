"""Self-checks for notebook 04 (imaging modalities).

The display and field-of-view checks run the learner's function on small synthetic pydicom Datasets built here,
chosen so that the typical shortcuts (inverting every CR, flipping with ``max - value``, swapping rows and columns)
give a different answer from the rule the exercise asks for. None of them raises.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from utils.checks import check, check_close

_EMPTY = "the answer is still empty: replace the ... with your code."


def _is_empty(*values: Any) -> bool:
    return any(v is None or v is Ellipsis for v in values)


def exercise_4_1(bone_view: Any, bone_fraction: Any, hu: np.ndarray) -> None:
    """A bone window of ``hu`` that grades the skull, and the fraction of all pixels above 300 HU."""
    if _is_empty(bone_view, bone_fraction):
        check(False, _EMPTY)
        return
    view = np.asarray(bone_view, dtype=float) if isinstance(bone_view, np.ndarray) else None
    shaped = view is not None and view.shape == hu.shape
    check(shaped and float(view.min()) >= 0 and float(view.max()) <= 1,
          "bone_view should be window(hu, level, width): same shape as hu, values in [0, 1].")
    bone = hu > 300
    graded = shaped and np.mean(view[bone] >= 1) < 0.5 and np.ptp(np.percentile(view[bone], [5, 95])) > 0.2
    check(graded, "a bone window has a high level (hundreds of HU) and a width of 1500 HU or more, so bone is "
          "graded instead of all white (a brain or soft-tissue window saturates it).", "the skull is graded, not saturated")
    check_close(bone_fraction, np.mean(bone), rtol=1e-6,
                hint="the fraction of all pixels (not a count, not a percentage): np.mean(hu > 300).")


def synthetic_image(photometric: str, modality: str, values: np.ndarray, *, bits_stored: int = 12,
                    spacing: list[float] | None = None) -> Dataset:
    """A minimal single-frame grey-scale Dataset with pixel data, for testing display code."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = modality
    signed = values.dtype.kind == "i"
    ds.set_pixel_data(values.astype(np.int16 if signed else np.uint16), photometric, bits_stored)
    if spacing is not None:
        ds.PixelSpacing = spacing
    return ds


def _display_cases() -> list[tuple[str, Dataset, np.ndarray]]:
    """(description, dataset, expected display array): MONOCHROME1/2 crossed with CR/DX/MR/CT."""
    ramp = (200 + 12 * np.arange(12 * 16)).astype(np.uint16).reshape(12, 16)  # minimum is not 0
    signed = (np.arange(-60, 60, dtype=np.int16) * 7).reshape(8, 15)
    flip = lambda a: a.min() + a.max() - a.astype(np.float64)  # noqa: E731
    return [
        ("a CR stored as MONOCHROME1", synthetic_image("MONOCHROME1", "CR", ramp), flip(ramp)),
        ("a CR stored as MONOCHROME2 (already the right way round)", synthetic_image("MONOCHROME2", "CR", ramp),
         ramp.astype(np.float64)),
        ("a DX stored as MONOCHROME1", synthetic_image("MONOCHROME1", "DX", ramp), flip(ramp)),
        ("an MR stored as MONOCHROME1", synthetic_image("MONOCHROME1", "MR", ramp), flip(ramp)),
        ("a CT stored as MONOCHROME2 with negative values", synthetic_image("MONOCHROME2", "CT", signed),
         signed.astype(np.float64)),
    ]


def exercise_4_2(to_display: Callable[[Dataset], Any]) -> None:
    """``to_display(ds)`` flips MONOCHROME1 within its range and leaves MONOCHROME2 alone, whatever the modality."""
    if not callable(to_display):
        check(False, _EMPTY)
        return
    failures = []
    for description, ds, expected in _display_cases():
        try:
            out = to_display(ds)
        except Exception as exc:  # a learner's error becomes a hint, not a traceback
            check(False, f"to_display raised {type(exc).__name__}: {exc} (on {description}).")
            return
        if out is None or out is Ellipsis:
            check(False, "to_display returns nothing yet: return the image array.")
            return
        arr = np.asarray(out)
        if arr.shape != expected.shape or not np.allclose(arr.astype(np.float64), expected):
            failures.append(description)
    if failures:
        hint = "wrong on " + "; ".join(failures) + ". Decide from ds.PhotometricInterpretation (not the modality)"
        if any("MONOCHROME1" in f for f in failures):
            hint += ", and flip MONOCHROME1 as min + max - value in floating point (max - value shifts the range)"
        check(False, hint + ".")
        return
    check(True, "", "MONOCHROME1 flipped, MONOCHROME2 left alone, for CR, DX, MR and CT alike")


def _fov_cases() -> list[tuple[str, Dataset, tuple[float, float] | None]]:
    grid = np.zeros((40, 10), dtype=np.uint16)
    return [
        ("40 rows × 10 columns, PixelSpacing [0.5, 2.0]",
         synthetic_image("MONOCHROME2", "CT", grid, spacing=[0.5, 2.0]), (20.0, 20.0)),
        ("40 rows × 10 columns, PixelSpacing [0.25, 3.0]",
         synthetic_image("MONOCHROME2", "CT", grid, spacing=[0.25, 3.0]), (10.0, 30.0)),
        ("PixelSpacing missing", synthetic_image("MONOCHROME2", "US", grid), None),
        ("PixelSpacing 0.000, 0.000", synthetic_image("MONOCHROME1", "CR", grid, spacing=[0.0, 0.0]), None),
    ]


def exercise_4_3(field_of_view_mm: Callable[[Dataset], Any], nm_fov: Any) -> None:
    """(height, width) in mm from Rows, Columns and PixelSpacing, None without a usable spacing; the bone scan's."""
    if not callable(field_of_view_mm) or _is_empty(nm_fov):
        check(False, _EMPTY)
        return
    check_close(nm_fov, (2314.24, 578.56), rtol=1e-6,
                hint="1024 rows × 2.26 mm tall, 256 columns × 2.26 mm wide: (height, width), in that order.")
    for description, ds, expected in _fov_cases():
        try:
            got = field_of_view_mm(ds)
        except Exception as exc:
            check(False, f"field_of_view_mm raised {type(exc).__name__}: {exc} (on a file with {description}).")
            return
        if expected is None:
            if got is not None:
                check(False, f"return None when there is no usable spacing (a file with {description} gave {got}).")
                return
        else:
            ok = got is not None and np.shape(got) == (2,) and np.allclose(np.asarray(got, dtype=float), expected)
            if not ok:
                check(False, f"a file with {description} should give {expected}: Rows × PixelSpacing[0] (between "
                      f"rows) and Columns × PixelSpacing[1] (between columns); got {got}.")
                return
    check(True, "", "rows and columns kept apart; missing and zero spacings return None")
