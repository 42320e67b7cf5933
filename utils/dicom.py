"""DICOM plumbing: read files with clear errors, rescale to HU, window, load a series (de-identify: utils.deid).

Conventions
-----------
* Volumes are NumPy arrays indexed ``(z, y, x)``: slice, row, column.
* ``spacing`` is ``(z, y, x)`` in millimetres.
* ``affine`` is a 4x4 matrix mapping voxel indices ``(z, y, x, 1)`` (in that order) to DICOM patient
  coordinates in millimetres, LPS: +x towards the patient's Left, +y Posterior, +z Superior (head).
  NIfTI uses RAS and ``(x, y, z)`` index order; notebook 05 shows the conversion.
"""
from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.multival import MultiValue
from pydicom.pixels import apply_modality_lut, get_decoder
from pydicom.uid import UID

from .errors import CourseDataError

__all__ = ["DicomError", "read_dicom", "to_hu", "window", "load_series"]

PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
GEOMETRY_KEYWORDS = ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing")


class DicomError(CourseDataError):
    """A DICOM file or series that cannot be used as an image, with what is wrong and what to do."""


# --------------------------------------------------------------------------------------------- reading
MIN_DICOM_BYTES = 132  # the 128-byte preamble and the 'DICM' marker
# Leading bytes of files that are often mistaken for DICOM, and what they are.
OTHER_FORMATS = ((b"\x1f\x8b", "a gzip file (a .nii.gz volume?)", "nibabel.load"),
                 (b"\x89PNG", "a PNG image", "PIL.Image.open"), (b"\xff\xd8\xff", "a JPEG image", "PIL.Image.open"),
                 (b"PK\x03\x04", "a ZIP archive", "zipfile.ZipFile"), (b"%PDF", "a PDF document", "a PDF viewer"),
                 (b"\\\x01\x00\x00", "an uncompressed NIfTI-1 volume (.nii)", "nibabel.load"))


def read_dicom(path: str | Path, *, pixels: bool = True) -> Dataset:
    """Read one DICOM image file; with ``pixels=True`` also decode its pixel data (cached on the dataset).

    Raises ``FileNotFoundError`` for a missing path and :class:`DicomError` for a file that is empty or too
    short, is not DICOM, is truncated, holds no image (a structured report, an RT structure set), or has a
    transfer syntax that no installed decoder reads.
    """
    path = Path(path)
    if path.is_dir():
        raise DicomError("this is a folder, not a file", path=path, expected="one DICOM file",
                         fix="Load a folder of slices with load_series(folder), or pass one file inside it")
    if not path.is_file():
        raise FileNotFoundError(f"No file named {path.name!r} in {path.parent.name}/: check the path.")
    size = path.stat().st_size
    if 0 < size < MIN_DICOM_BYTES:
        _raise_if_other_format(path)
    if size < MIN_DICOM_BYTES:
        found = "not a DICOM file: it is empty (0 bytes)" if size == 0 else f"not a DICOM file: only {size} bytes"
        raise DicomError(found, path=path, expected=f"a DICOM file (at least {MIN_DICOM_BYTES} bytes: a 128-byte "
                         "preamble, the 'DICM' marker, then the header)",
                         fix="The copy or download was cut short, or this is another kind of file: fetch or export it again")
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
        _decode(ds, path)
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


def _sniff(path: Path) -> tuple[str, str] | None:
    """(what the file is, how to open it) when its first bytes match a common non-DICOM format."""
    with open(path, "rb") as f:
        head = f.read(8)
    return next(((what, how) for magic, what, how in OTHER_FORMATS if head.startswith(magic)), None)


def _is_text(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(1024)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and all(ch.isprintable() or ch in "\t\r\n" for ch in text)


def _raise_if_other_format(path: Path) -> None:
    other = _sniff(path)
    if other is not None:
        raise DicomError(f"not a DICOM file: it is {other[0]}", path=path,
                         expected="a DICOM file (the 'DICM' marker at byte 128)",
                         fix=f"Open it with {other[1]}, or rename it to match what it is")
    if _is_text(path):
        raise DicomError(f"not a DICOM file: it is text ({path.stat().st_size} bytes, no 'DICM' marker)", path=path,
                         expected="a binary DICOM file", fix="Open it in a text editor: notes, a web error page or "
                         "a download link saved under this name? Fetch or export the image itself")


def _read_without_preamble(path: Path, pixels: bool) -> Dataset:
    """Some DICOM files lack the 128-byte preamble and 'DICM' marker; accept them only if they parse as DICOM."""
    _raise_if_other_format(path)
    hint = DicomError("not a DICOM file: no 'DICM' marker at byte 128 and the bytes do not parse as DICOM elements", path=path,
                      expected="a DICOM file", fix="The file is damaged or is another format (text, HTML error page, "
                      "raw pixels): open it in a text or hex viewer, and fetch or export it again")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, force=True, stop_before_pixels=not pixels)
    except Exception as exc:
        raise hint from exc
    if not any(k in ds for k in ("SOPClassUID", "Rows", "Modality")):
        raise hint
    return ds


def _syntax_label(syntax: object) -> tuple[str, bool]:
    """A printable name for a transfer syntax UID and whether pydicom knows it as one."""
    uid = UID(str(syntax))
    known = uid.is_transfer_syntax
    return (f"{uid.name!r}" if known and uid.name != str(uid) else f"{str(uid)!r}"), known


def _decode(ds: Dataset, path: Path) -> None:
    """Decode the pixel data once, turning pydicom's low-level failures into actionable messages."""
    name = path.name
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
        label, known = _syntax_label(syntax) if syntax is not None else ("", True)
        if not known:
            raise DicomError(f"its Transfer Syntax UID {label} is not a DICOM transfer syntax", path=path,
                             expected="a transfer syntax from DICOM PS3.5 (e.g. 1.2.840.10008.1.2.1, Explicit VR "
                             "Little Endian)", fix="The file meta header is damaged or was written by a broken "
                             "exporter: export the image again, or fix (0002,0010) with pydicom if you know the "
                             "real encoding") from exc
        missing = ""
        try:
            deps = get_decoder(syntax).missing_dependencies if syntax is not None else []
            missing = f" Decoders that could read it: {'; '.join(deps)}." if deps else ""
        except (NotImplementedError, ValueError):
            missing = " pydicom has no decoder for this transfer syntax at all (video or a rare compression)."
        raise DicomError(f"{name}: cannot decode {label + ' ' if label else ''}pixel data with the installed "
                         f"plugins.{missing} Convert the file to an uncompressed transfer syntax (e.g. with "
                         f"dcmdjpeg, gdcmconv --raw or ffmpeg for video), or install the decoder. "
                         f"Details: {str(exc).splitlines()[0]}") from exc
    except Exception as exc:  # a header that contradicts itself (missing BitsAllocated, odd values ...)
        raise DicomError(f"the pixel data cannot be decoded ({type(exc).__name__}: {exc})", path=path,
                         expected="consistent image tags (Rows, Columns, BitsAllocated, SamplesPerPixel, "
                         "PhotometricInterpretation)", fix="The header is damaged or incomplete: export the image "
                         "again; read_dicom(path, pixels=False) still reads the header") from exc


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
    A folder with one slice takes its z spacing from SpacingBetweenSlices, else SliceThickness; without either
    it is an error (a made-up spacing would make every volume and distance wrong).
    Raises :class:`DicomError` for an empty folder, several series or frames of reference, multi-frame files,
    missing or malformed geometry tags (value count, unit orthogonal ImageOrientationPatient, positive
    PixelSpacing), mixed orientations or image sizes, duplicate positions and uneven slice spacing.
    """
    folder = Path(folder)
    if folder.is_file():
        raise DicomError("this is a file, not a folder", path=folder, expected="a folder holding the slices of "
                         "one series", fix="Read one file with read_dicom(path), or pass the folder that holds it")
    if not folder.is_dir():
        raise FileNotFoundError(f"No folder named {folder.name!r}: check the path.")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise DicomError(f"{folder.name}/ is empty: there are no DICOM files to load. "
                         "Point load_series at the folder that holds the slices of one series.")
    headers = [read_dicom(p, pixels=False) for p in files]
    _check_single_frame(files, headers)
    _check_one_series(folder, headers)
    _check_geometry_tags(files, headers)
    geometry = [_geometry(f, h) for f, h in zip(files, headers)]
    _check_frame_of_reference(folder, files, headers)
    orientation = np.array([g[1] for g in geometry])
    if not np.allclose(orientation, orientation[0], atol=1e-4):
        k = int(np.argmax(np.abs(orientation - orientation[0]).max(axis=1)))
        raise DicomError(f"{folder.name}/: slices have different ImageOrientationPatient values ({files[0].name}: "
                         f"{_fmt(orientation[0])}, {files[k].name}: {_fmt(orientation[k])}); "
                         "a volume needs parallel slices. Split the files by orientation first.")
    sizes = {(int(h.Rows), int(h.Columns), *g[2]) for h, g in zip(headers, geometry)}
    if len(sizes) > 1:
        raise DicomError(f"{folder.name}/: slices differ in (Rows, Columns, PixelSpacing): {sorted(sizes)}; "
                         "resample them to one grid or load them separately.")

    row, col = orientation[0, :3], orientation[0, 3:]
    normal = np.cross(row, col)
    positions = np.array([g[0] for g in geometry])
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
    dy, dx = geometry[order[0]][2]
    if gaps.size:
        dz = float(gaps.mean())
        step = (positions[order[-1]] - positions[order[0]]) / (len(files) - 1)
    else:
        dz = _single_slice_spacing(files[0], first)
        step = dz * normal
    affine = np.eye(4)
    affine[:3, 0], affine[:3, 1], affine[:3, 2] = step, dy * col, dx * row
    affine[:3, 3] = positions[order[0]]
    volume = np.stack([to_hu(read_dicom(files[i])) for i in order])
    return volume, (dz, dy, dx), affine


def _fmt(values: np.ndarray) -> str:
    return "\\".join(f"{v:g}" for v in values)


def _check_single_frame(files: list[Path], headers: list[Dataset]) -> None:
    for f, h in zip(files, headers):
        try:
            frames = int(h.get("NumberOfFrames", 1) or 1)
        except (TypeError, ValueError):
            frames = 1
        if frames > 1:
            kind = UID(h.SOPClassUID).name if "SOPClassUID" in h else "a multi-frame image"
            raise DicomError(f"a multi-frame file ({frames} frames, {kind}): all its slices or time "
                             "points are in this one file", path=f, expected="one frame per file, as load_series "
                             "stacks files", fix="Read it with read_dicom(path).pixel_array (shape frames x rows x "
                             "columns); an enhanced file keeps each frame's position in "
                             "PerFrameFunctionalGroupsSequence, or convert it with dcm2niix")


def _check_one_series(folder: Path, headers: list[Dataset]) -> None:
    counts = Counter(str(h.get("SeriesInstanceUID", "<missing>")) for h in headers)
    if len(counts) > 1:
        listing = "; ".join(f"{uid} ({n} files)" for uid, n in counts.most_common())
        raise DicomError(f"{folder.name}/ mixes {len(counts)} series (SeriesInstanceUID): {listing}. "
                         "Put each series in its own folder, e.g. group the files by SeriesInstanceUID.")


def _check_frame_of_reference(folder: Path, files: list[Path], headers: list[Dataset]) -> None:
    """Positions are only comparable within one FrameOfReferenceUID (one patient coordinate system)."""
    frames = [str(h.get("FrameOfReferenceUID", "") or "<missing>") for h in headers]
    counts = Counter(frames)
    if len(counts) > 1:
        (common, _), (odd, n_odd) = counts.most_common()[0], counts.most_common()[-1]
        example = files[frames.index(odd)].name
        raise DicomError(f"the slices use {len(counts)} frames of reference (FrameOfReferenceUID): {n_odd} file(s) "
                         f"such as {example} have {odd}, the others {common}", path=folder,
                         expected="one FrameOfReferenceUID, so that ImagePositionPatient values share one "
                         "coordinate system", fix="Remove the files from the other acquisition (or register the "
                         "two first); do not stack them")


def _check_geometry_tags(files: list[Path], headers: list[Dataset]) -> None:
    missing = {f.name: [k for k in GEOMETRY_KEYWORDS if h.get(k) in (None, "")] for f, h in zip(files, headers)}
    missing = {name: keys for name, keys in missing.items() if keys}
    if missing:
        name, keys = next(iter(missing.items()))
        raise DicomError(f"{len(missing)} of {len(files)} files lack geometry tags (e.g. {name}: {', '.join(keys)}). "
                         "Without ImagePositionPatient, ImageOrientationPatient and PixelSpacing the slice order and "
                         "spacing are unknown; sorting by file name or InstanceNumber would only be a guess. "
                         "Is this a projection image or a secondary capture, or were the tags stripped?")


GEOMETRY_COUNTS = {"ImagePositionPatient": (3, "x\\y\\z of the first voxel in mm"),
                   "ImageOrientationPatient": (6, "the row and column direction cosines"),
                   "PixelSpacing": (2, "row spacing\\column spacing in mm")}


def _numbers(path: Path, ds: Dataset, keyword: str) -> np.ndarray:
    """A geometry tag as finite floats with the value count DICOM requires, or a DicomError."""
    count, meaning = GEOMETRY_COUNTS[keyword]
    raw = ds.get(keyword)
    values = list(raw) if isinstance(raw, (list, tuple, MultiValue)) else [raw]
    try:
        numbers = np.array([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        numbers = None
    shown = "\\".join(str(v) for v in values)
    if numbers is None or numbers.size != count or not np.all(np.isfinite(numbers)):
        found = (f"{keyword} has {len(values)} value{'s' if len(values) != 1 else ''} ({shown})"
                 if numbers is not None and numbers.size != count else f"{keyword} is not {count} numbers ({shown})")
        raise DicomError(found, path=path, expected=f"{count} finite numbers: {meaning}",
                         fix="The header is damaged or was written by a broken exporter: export the series again, "
                         "or correct the tag with pydicom if you know the true value")
    return numbers


def _geometry(path: Path, ds: Dataset) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """(position, orientation, (row spacing, column spacing)) of one slice, validated."""
    position = _numbers(path, ds, "ImagePositionPatient")
    orientation = _numbers(path, ds, "ImageOrientationPatient")
    spacing = _numbers(path, ds, "PixelSpacing")
    row, col = orientation[:3], orientation[3:]
    fix = ("The tag is damaged or was not written by a scanner: export the series again; without a valid "
           "orientation the slice normal, the sort order and the affine are unknown")
    shown = _fmt(orientation)
    if not np.any(row) or not np.any(col):
        raise DicomError(f"ImageOrientationPatient is {shown}: the {'row' if not np.any(row) else 'column'} "
                         "direction is all zeros", path=path, expected="two unit vectors at right angles "
                         "(e.g. 1\\0\\0\\0\\1\\0 for an axial slice)", fix=fix)
    lengths = np.linalg.norm(row), np.linalg.norm(col)
    if max(abs(lengths[0] - 1), abs(lengths[1] - 1)) > 1e-3:
        raise DicomError(f"ImageOrientationPatient is {shown}: its row and column vectors have lengths "
                         f"{lengths[0]:.4g} and {lengths[1]:.4g}", path=path,
                         expected="unit vectors (length 1, within 0.001)", fix=fix)
    if abs(float(row @ col)) > 1e-3:
        angle = np.degrees(np.arccos(np.clip(row @ col, -1, 1)))
        raise DicomError(f"ImageOrientationPatient is {shown}: its row and column directions are {angle:.1f}° "
                         "apart", path=path, expected="perpendicular directions (90°, dot product within 0.001 "
                         "of 0)", fix=fix)
    if np.any(spacing <= 0):
        raise DicomError(f"PixelSpacing is {_fmt(spacing)} mm", path=path, expected="two positive spacings in mm",
                         fix="A zero or negative spacing cannot be a pixel size (some exporters write 0 when the "
                         "size is unknown): take the spacing from the scanner's protocol and set PixelSpacing, "
                         "or treat the image as 2D without physical units")
    return position, orientation, (float(spacing[0]), float(spacing[1]))


def _single_slice_spacing(path: Path, ds: Dataset) -> float:
    """The slice spacing of a one-file series: SpacingBetweenSlices, else SliceThickness, else an error."""
    for keyword in ("SpacingBetweenSlices", "SliceThickness"):
        value = ds.get(keyword)
        if value in (None, ""):
            continue
        try:
            dz = float(value)
        except (TypeError, ValueError):
            dz = float("nan")
        if not np.isfinite(dz) or dz <= 0:
            raise DicomError(f"the only slice has {keyword} {value}", path=path, expected="a positive spacing in mm",
                             fix="Set the true slice spacing, or read the slice as a 2D image with read_dicom")
        return dz
    raise DicomError("the series has a single slice and neither SpacingBetweenSlices nor SliceThickness, so its "
                     "extent along the slice normal is unknown", path=path,
                     expected="two or more slices (their positions give the spacing) or a slice spacing tag",
                     fix="Read a single slice as a 2D image with read_dicom(path) and to_hu(ds), or set "
                     "SliceThickness from the acquisition protocol; load_series does not invent 1 mm")
