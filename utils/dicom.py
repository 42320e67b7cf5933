"""DICOM plumbing: read files with clear errors, rescale to HU, window, load a series, de-identify.

Conventions
-----------
* Volumes are NumPy arrays indexed ``(z, y, x)``: slice, row, column.
* ``spacing`` is ``(z, y, x)`` in millimetres.
* ``affine`` is a 4x4 matrix mapping voxel indices ``(z, y, x, 1)`` (in that order) to DICOM patient
  coordinates in millimetres, LPS: +x towards the patient's Left, +y Posterior, +z Superior (head).
  NIfTI uses RAS and ``(x, y, z)`` index order; notebook 05 shows the conversion.
"""
from __future__ import annotations

import copy
import re
import warnings
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterator, MutableMapping

import numpy as np
import pydicom
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.multival import MultiValue
from pydicom.pixels import apply_modality_lut, get_decoder
from pydicom.uid import UID, generate_uid

from .errors import CourseDataError

__all__ = ["DicomError", "read_dicom", "to_hu", "window", "load_series"]

PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
GEOMETRY_KEYWORDS = ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing")


class DicomError(CourseDataError):
    """A DICOM file or series that cannot be used as an image, with what is wrong and what to do."""


# --------------------------------------------------------------------------------------------- reading
def read_dicom(path: str | Path, *, pixels: bool = True) -> Dataset:
    """Read one DICOM image file; with ``pixels=True`` also decode its pixel data (cached on the dataset).

    Raises ``FileNotFoundError`` for a missing path and :class:`DicomError` for a file that is not DICOM,
    is truncated, holds no image (a structured report, an RT structure set) or needs a missing decoder.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No file named {path.name!r} in {path.parent.name}/: check the path.")
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=not pixels)
    except InvalidDicomError:
        ds = _read_without_preamble(path, pixels)
    except OSError:
        raise
    except Exception as exc:  # pydicom raises struct.error, EOFError, ... on damaged headers
        raise DicomError(f"{path.name}: the DICOM header cannot be parsed ({type(exc).__name__}: {exc}). "
                         "The file is damaged or cut short: copy or download it again.") from exc
    if not any(k in ds for k in PIXEL_KEYWORDS) and (pixels or "Rows" not in ds):
        _explain_missing_pixels(ds, path.name)
    if pixels:
        _decode(ds, path.name)
    return ds


def _explain_missing_pixels(ds: Dataset, name: str) -> None:
    """Raise the right error for a dataset without pixel data: truncated image, or not an image at all."""
    kind = UID(ds.SOPClassUID).name if "SOPClassUID" in ds else ""
    if "Rows" in ds or "Image" in kind:
        raise DicomError(f"{name}: the header describes an image ({kind or 'Rows x Columns given'}) but the file ends "
                         "before its pixel data: it was cut short. Fetch or export it again.")
    if "SOPClassUID" not in ds:
        raise DicomError(f"{name}: the DICOM header is incomplete (no SOP Class UID, no image): the file was cut "
                         "short or is not a complete DICOM object. Fetch or export it again.")
    raise DicomError(f"{name}: this is a {kind!r} object (Modality {ds.get('Modality', '?')}), "
                     "which holds no pixel data, so it is not an image. Read it with pydicom.dcmread and walk its "
                     "content (ContentSequence for reports, ROIContourSequence for RT structures), or load the "
                     "image files it refers to.")


def _read_without_preamble(path: Path, pixels: bool) -> Dataset:
    """Some DICOM files lack the 128-byte preamble and 'DICM' marker; accept them only if they parse as DICOM."""
    hint = (f"{path.name} is not a DICOM file: it has no 'DICM' marker and does not parse as DICOM elements. "
            "Is it a NIfTI (.nii), PNG or ZIP file? Open it with the matching library (nibabel, PIL, zipfile).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, force=True, stop_before_pixels=not pixels)
    except Exception as exc:
        raise DicomError(hint) from exc
    if not any(k in ds for k in ("SOPClassUID", "Rows", "Modality")):
        raise DicomError(hint)
    return ds


def _decode(ds: Dataset, name: str) -> None:
    """Decode the pixel data once, turning pydicom's low-level failures into actionable messages."""
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    try:
        ds.pixel_array  # noqa: B018 - decodes and caches on the dataset
    except ValueError as exc:
        sizes = re.search(r"(\d+) vs (\d+) bytes", str(exc))
        if "less than expected" in str(exc) and sizes:
            raise DicomError(f"{name}: the pixel data is truncated ({sizes[1]} of the {sizes[2]} bytes the header "
                             "announces are present): "
                             "the file was cut short, e.g. by an interrupted download or copy. "
                             "Fetch or export it again; the header alone can still be read with "
                             "read_dicom(path, pixels=False).") from exc
        raise DicomError(f"{name}: the pixel data does not match the image header ({exc}).") from exc
    except (RuntimeError, NotImplementedError) as exc:
        missing = ""
        if syntax is not None and UID(syntax).is_compressed:
            deps = get_decoder(syntax).missing_dependencies
            missing = f" Decoders that could read it: {'; '.join(deps)}." if deps else ""
        label = f"{UID(syntax).name!r} " if syntax is not None else ""
        raise DicomError(f"{name}: cannot decode {label}pixel data with the installed plugins.{missing} "
                         f"Details: {str(exc).splitlines()[0]}") from exc


# ------------------------------------------------------------------------------------------- intensities
def to_hu(ds: Dataset) -> np.ndarray:
    """Apply the modality LUT (``RescaleSlope``, ``RescaleIntercept``) and return float32 values.

    For CT these are Hounsfield units; for modalities without a rescale the stored values come back as floats.
    """
    return np.asarray(apply_modality_lut(ds.pixel_array, ds), dtype=np.float32)


def window(image: np.ndarray, center: float, width: float) -> np.ndarray:
    """Linear window: ``center - width/2`` maps to 0, ``center + width/2`` to 1, clipped to [0, 1] (float32)."""
    if width <= 0:
        raise ValueError(f"window width must be positive, got {width}")
    low = center - width / 2
    return np.clip((np.asarray(image, dtype=np.float32) - low) / width, 0.0, 1.0)


# ------------------------------------------------------------------------------------------------ series
def load_series(folder: str | Path) -> tuple[np.ndarray, tuple[float, float, float], np.ndarray]:
    """Load one single-frame series from ``folder`` as ``(volume, spacing, affine)``.

    Slices are sorted by their position along the slice normal,
    ``dot(ImagePositionPatient, cross(row, column))``, never by file name. ``volume`` is (z, y, x) float32
    (HU for CT), ``spacing`` (z, y, x) in mm, ``affine`` maps (z, y, x, 1) indices to LPS mm (see module doc).
    Raises :class:`DicomError` for an empty folder, several series, missing geometry tags, mixed orientations
    or image sizes, duplicate positions and uneven slice spacing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"No folder named {folder.name!r}: check the path.")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise DicomError(f"{folder.name}/ is empty: there are no DICOM files to load. "
                         "Point load_series at the folder that holds the slices of one series.")
    headers = [read_dicom(p, pixels=False) for p in files]
    _check_one_series(folder, headers)
    _check_geometry_tags(files, headers)
    orientation = np.array([h.ImageOrientationPatient for h in headers], dtype=float)
    if not np.allclose(orientation, orientation[0], atol=1e-4):
        raise DicomError(f"{folder.name}/: slices have different ImageOrientationPatient values; "
                         "a volume needs parallel slices. Split the files by orientation first.")
    sizes = {(int(h.Rows), int(h.Columns), *map(float, h.PixelSpacing)) for h in headers}
    if len(sizes) > 1:
        raise DicomError(f"{folder.name}/: slices differ in (Rows, Columns, PixelSpacing): {sorted(sizes)}; "
                         "resample them to one grid or load them separately.")
    if any(int(h.get("NumberOfFrames", 1) or 1) > 1 for h in headers):
        raise DicomError(f"{folder.name}/ holds a multi-frame file; load_series reads one frame per file. "
                         "Read a multi-frame file with read_dicom(path).pixel_array instead.")

    row, col = orientation[0, :3], orientation[0, 3:]
    normal = np.cross(row, col)
    positions = np.array([h.ImagePositionPatient for h in headers], dtype=float)
    along = positions @ normal
    order = np.argsort(along, kind="stable")
    gaps = np.diff(along[order])
    if gaps.size and gaps.min() < 1e-3:
        k = int(np.argmin(gaps))
        dup = (files[order[k]].name, files[order[k + 1]].name)
        raise DicomError(f"{folder.name}/: {dup[0]} and {dup[1]} sit at the same position ({along[order[k]]:.3f} mm "
                         "along the slice normal): duplicate slices or several acquisitions. Keep one of each.")
    if gaps.size and gaps.max() - gaps.min() > max(0.01 * gaps.mean(), 1e-3):
        raise DicomError(f"{folder.name}/: slice spacing is inconsistent (gaps from {gaps.min():.3f} to "
                         f"{gaps.max():.3f} mm along the slice normal), so a slice is missing or the series is not "
                         "evenly sampled. Find the missing file, or resample to a regular grid before treating "
                         "it as a volume.")
    first = headers[order[0]]
    dy, dx = (float(v) for v in first.PixelSpacing)
    if gaps.size:
        dz = float(gaps.mean())
        step = (positions[order[-1]] - positions[order[0]]) / (len(files) - 1)
    else:
        dz = float(first.get("SpacingBetweenSlices") or first.get("SliceThickness") or 1.0)
        step = dz * normal
    affine = np.eye(4)
    affine[:3, 0], affine[:3, 1], affine[:3, 2] = step, dy * col, dx * row
    affine[:3, 3] = positions[order[0]]
    volume = np.stack([to_hu(read_dicom(files[i])) for i in order])
    return volume, (dz, dy, dx), affine


def _check_one_series(folder: Path, headers: list[Dataset]) -> None:
    counts = Counter(str(h.get("SeriesInstanceUID", "<missing>")) for h in headers)
    if len(counts) > 1:
        listing = "; ".join(f"{uid} ({n} files)" for uid, n in counts.most_common())
        raise DicomError(f"{folder.name}/ mixes {len(counts)} series (SeriesInstanceUID): {listing}. "
                         "Put each series in its own folder, e.g. group the files by SeriesInstanceUID.")


def _check_geometry_tags(files: list[Path], headers: list[Dataset]) -> None:
    missing = {f.name: [k for k in GEOMETRY_KEYWORDS if h.get(k) in (None, "")] for f, h in zip(files, headers)}
    missing = {name: keys for name, keys in missing.items() if keys}
    if missing:
        name, keys = next(iter(missing.items()))
        raise DicomError(f"{len(missing)} of {len(files)} files lack geometry tags (e.g. {name}: {', '.join(keys)}). "
                         "Without ImagePositionPatient, ImageOrientationPatient and PixelSpacing the slice order and "
                         "spacing are unknown; sorting by file name or InstanceNumber would only be a guess. "
                         "Is this a projection image or a secondary capture, or were the tags stripped?")
