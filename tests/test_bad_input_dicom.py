"""Bad DICOM files and series: each case builds its input in ``tmp_path`` and expects a clear error.

A case is ``(build, error type, phrase)``: ``build(tmp_path)`` writes the bad input and returns the call that
must fail; the message must contain the phrase (and, for a file, the file's name).
"""
from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from utils.dicom import DicomError, load_series, read_dicom
from utils.errors import CourseDataError

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


def make_slice(path: Path, k: int = 0, *, series: str = "1.2.826.0.1.3680043.8.498.1",
               frame: str | None = "1.2.826.0.1.3680043.8.498.2", position: tuple | None = None,
               orientation: tuple | None = AXIAL, spacing: tuple | None = (0.5, 0.5), thickness: float | None = 2.0,
               shape: tuple[int, int] = (6, 4), **tags: object) -> Path:
    """One small CT slice ``k`` (z = 2 k mm), with the geometry tags given (None leaves a tag out)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = CTImageStorage, generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
    ds.SeriesInstanceUID, ds.Modality = series, "CT"
    if frame is not None:
        ds.FrameOfReferenceUID = frame
    ds.ImagePositionPatient = list(position) if position is not None else [0.0, 0.0, 2.0 * k]
    if orientation is not None:
        ds.ImageOrientationPatient = list(orientation)
    if spacing is not None:
        ds.PixelSpacing = list(spacing)
    if thickness is not None:
        ds.SliceThickness = thickness
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.set_pixel_data(np.full(shape, 1024 + k, dtype=np.uint16), "MONOCHROME2", 12, generate_instance_uid=False)
    for key, value in tags.items():
        setattr(ds, key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def series(tmp: Path, n: int = 3, odd: dict | None = None, at: int = 1, **common: object) -> Callable[[], object]:
    """A folder of ``n`` slices; slice ``at`` gets the keyword arguments in ``odd`` instead of ``common``."""
    folder = tmp / "series"
    for k in range(n):
        make_slice(folder / f"s{k}.dcm", k, **{**common, **((odd or {}) if k == at else {})})
    return lambda: load_series(folder)


def raw_file(content: bytes, name: str = "image.dcm") -> Callable[[Path], Callable[[], object]]:
    def build(tmp: Path) -> Callable[[], object]:
        (tmp / name).write_bytes(content)
        return lambda: read_dicom(tmp / name)
    return build


def edited(edit: Callable[[Dataset], None], name: str = "edited.dcm") -> Callable[[Path], Callable[[], object]]:
    """A valid slice changed by ``edit`` before saving."""
    def build(tmp: Path) -> Callable[[], object]:
        make_slice(tmp / "ok.dcm")
        ds = pydicom.dcmread(tmp / "ok.dcm")
        edit(ds)
        ds.save_as(tmp / name)
        return lambda: read_dicom(tmp / name)
    return build


def _png() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(buf, format="JPEG")
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.dcm", b"x" * 300)
    return buf.getvalue()


def _nifti() -> bytes:
    import nibabel as nib

    return nib.Nifti1Image(np.zeros((4, 4, 4), np.float32), np.eye(4)).to_bytes()


def _ct_prefix(n: int) -> bytes:
    return Path(get_testdata_file("CT_small.dcm")).read_bytes()[:n]


def _truncated_pixels(tmp: Path) -> Callable[[], object]:
    data = Path(get_testdata_file("CT_small.dcm")).read_bytes()
    (tmp / "cut.dcm").write_bytes(data[:-5000])
    return lambda: read_dicom(tmp / "cut.dcm")


def _syntax(uid: str, encapsulated: bool = False) -> Callable[[Dataset], None]:
    def edit(ds: Dataset) -> None:
        ds.file_meta.TransferSyntaxUID = uid
        if encapsulated:
            ds.PixelData = encapsulate([b"\0" * 48])
            ds["PixelData"].is_undefined_length = True
    return edit


def _drop(keyword: str) -> Callable[[Dataset], None]:
    return lambda ds: delattr(ds, keyword)


def _folder_as_file(tmp: Path) -> Callable[[], object]:
    (tmp / "series").mkdir()
    return lambda: read_dicom(tmp / "series")


def _file_as_folder(tmp: Path) -> Callable[[], object]:
    path = make_slice(tmp / "one.dcm")
    return lambda: load_series(path)


def _empty_folder(tmp: Path) -> Callable[[], object]:
    (tmp / "empty").mkdir()
    (tmp / "empty" / ".DS_Store").write_bytes(b"\0" * 10)
    return lambda: load_series(tmp / "empty")


def _with_extra(tmp: Path, name: str, content: bytes | None = None, source: str | None = None) -> Callable[[], object]:
    run = series(tmp)
    target = tmp / "series" / name
    target.write_bytes(content if content is not None else Path(get_testdata_file(source)).read_bytes())
    return run


def _multiframe(tmp: Path) -> Callable[[], object]:
    run = series(tmp, n=2)
    make_slice(tmp / "series" / "cine.dcm", 5, position=(0.0, 0.0, 10.0))
    ds = pydicom.dcmread(tmp / "series" / "cine.dcm")
    ds.NumberOfFrames = 3
    ds.PixelData = np.zeros((3, 6, 4), np.uint16).tobytes()
    ds.save_as(tmp / "series" / "cine.dcm")
    return run


def _enhanced_sample(tmp: Path) -> Callable[[], object]:
    folder = tmp / "enhanced"
    folder.mkdir()
    (folder / "emri.dcm").write_bytes(Path(get_testdata_file("emri_small.dcm")).read_bytes())
    return lambda: load_series(folder)


def _non_numeric_position(tmp: Path) -> Callable[[], object]:
    run = series(tmp)
    path = tmp / "series" / "s1.dcm"
    raw = path.read_bytes()
    ds = pydicom.dcmread(path)
    old = b"\\".join(str(v).encode() for v in ds.ImagePositionPatient)
    new = b"abc\\def\\ghi"[:len(old)].ljust(len(old), b" ")
    assert old in raw
    path.write_bytes(raw.replace(old, new, 1))
    return run


CASES = [
    # ---- files that are not DICOM at all
    pytest.param(raw_file(b""), DicomError, "empty (0 bytes)", id="zero-byte-file"),
    pytest.param(raw_file(bytes(range(10))), DicomError, "only 10 bytes", id="ten-byte-binary-file"),
    pytest.param(raw_file(b"0123456789"), DicomError, "it is text (10 bytes", id="ten-byte-text-file"),
    pytest.param(raw_file(b"\0" * 131), DicomError, "only 131 bytes", id="shorter-than-preamble"),
    pytest.param(raw_file(gzip.compress(b"\0" * 400)), DicomError, "gzip file", id="gzip-named-dcm"),
    pytest.param(raw_file(_png()), DicomError, "PNG image", id="png-named-dcm"),
    pytest.param(raw_file(_jpeg()), DicomError, "JPEG image", id="jpeg-named-dcm"),
    pytest.param(raw_file(_zip()), DicomError, "ZIP archive", id="zip-named-dcm"),
    pytest.param(raw_file(_nifti()), DicomError, "NIfTI-1", id="nifti-named-dcm"),
    pytest.param(raw_file(b"%PDF-1.4\n" + b"x" * 300), DicomError, "PDF document", id="pdf-named-dcm"),
    pytest.param(raw_file(b"<html><body>404 Not Found</body></html>" + b" " * 200), DicomError,
                 "no 'DICM' marker", id="html-error-page"),
    pytest.param(raw_file(bytes(np.random.default_rng(0).integers(0, 256, 2000, dtype=np.uint8))), DicomError,
                 "not a DICOM file", id="random-bytes"),
    pytest.param(raw_file(b"notes about the series\n" * 20, "README.txt"), DicomError, "not a DICOM file",
                 id="text-file"),
    pytest.param(_folder_as_file, DicomError, "folder, not a file", id="folder-given-to-read_dicom"),
    # ---- DICOM files that are damaged or hold no image
    pytest.param(raw_file(_ct_prefix(2000)), DicomError, "ends before its pixel data", id="cut-before-pixels"),
    pytest.param(_truncated_pixels, DicomError, "pixel data is truncated", id="cut-inside-pixels"),
    pytest.param(lambda tmp: (lambda: read_dicom(get_testdata_file("test-SR.dcm"))), DicomError,
                 "holds no pixel data", id="structured-report"),
    pytest.param(lambda tmp: (lambda: read_dicom(get_testdata_file("rtstruct.dcm"))), DicomError,
                 "holds no pixel data", id="rt-structure-set"),
    pytest.param(edited(_syntax("1.2.3.4.5")), DicomError, "not a DICOM transfer syntax",
                 id="unknown-transfer-syntax"),
    pytest.param(edited(_syntax("1.2.840.10008.1.2.4.100", encapsulated=True)), DicomError,
                 "no decoder for this transfer syntax", id="mpeg2-video-syntax"),
    pytest.param(edited(_drop("BitsAllocated")), DicomError, "cannot be decoded", id="no-bits-allocated"),
    pytest.param(edited(_drop("Rows")), DicomError, "cannot be decoded", id="no-rows"),
    # ---- series: folder problems
    pytest.param(_file_as_folder, DicomError, "file, not a folder", id="file-given-to-load_series"),
    pytest.param(_empty_folder, DicomError, "is empty", id="empty-folder-hidden-files-only"),
    pytest.param(lambda tmp: _with_extra(tmp, "notes.txt", b"exported on Monday\n" * 10), DicomError,
                 "notes.txt: not a DICOM file", id="text-file-in-series"),
    pytest.param(lambda tmp: _with_extra(tmp, "report.dcm", source="test-SR.dcm"), DicomError,
                 "holds no pixel data", id="report-in-series"),
    pytest.param(lambda tmp: _with_extra(tmp, "empty.dcm", b""), DicomError, "empty (0 bytes)",
                 id="zero-byte-file-in-series"),
    pytest.param(_multiframe, DicomError, "multi-frame file (3 frames", id="multi-frame-in-series"),
    pytest.param(_enhanced_sample, DicomError, "multi-frame file (10 frames, Enhanced MR",
                 id="enhanced-mr-multi-frame"),
    pytest.param(lambda tmp: series(tmp, odd={"series": "1.2.3.9"}), DicomError, "mixes 2 series",
                 id="two-series-uids"),
    # ---- series: geometry tags with the wrong value count or range
    pytest.param(lambda tmp: series(tmp, odd={"position": (0.0, 2.0)}), DicomError,
                 "ImagePositionPatient has 2 values", id="position-two-values"),
    pytest.param(lambda tmp: series(tmp, odd={"position": (0.0, 0.0, 2.0, 1.0)}), DicomError,
                 "ImagePositionPatient has 4 values", id="position-four-values"),
    pytest.param(lambda tmp: series(tmp, odd={"orientation": (1.0, 0.0, 0.0, 0.0, 1.0)}), DicomError,
                 "ImageOrientationPatient has 5 values", id="orientation-five-values"),
    pytest.param(_non_numeric_position, DicomError, "ImagePositionPatient is not 3 numbers",
                 id="position-not-numbers"),
    pytest.param(lambda tmp: series(tmp, odd={"orientation": (1.0, 0.0, 0.0)}), DicomError,
                 "ImageOrientationPatient has 3 values", id="orientation-three-values"),
    pytest.param(lambda tmp: series(tmp, orientation=(0.0,) * 6), DicomError, "all zeros",
                 id="orientation-all-zero"),
    pytest.param(lambda tmp: series(tmp, orientation=(1.0, 0.0, 0.0, 0.0, 0.0, 0.0)), DicomError,
                 "column direction is all zeros", id="orientation-zero-column"),
    pytest.param(lambda tmp: series(tmp, orientation=(2.0, 0.0, 0.0, 0.0, 1.0, 0.0)), DicomError,
                 "lengths 2 and 1", id="orientation-not-unit"),
    pytest.param(lambda tmp: series(tmp, orientation=(1.0, 0.0, 0.0, 0.7071068, 0.7071068, 0.0)), DicomError,
                 "45.0° apart", id="orientation-not-orthogonal"),
    pytest.param(lambda tmp: series(tmp, orientation=(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)), DicomError,
                 "0.0° apart", id="orientation-row-equals-column"),
    pytest.param(lambda tmp: series(tmp, odd={"spacing": (0.5,)}), DicomError, "PixelSpacing has 1 value",
                 id="pixel-spacing-one-value"),
    pytest.param(lambda tmp: series(tmp, odd={"spacing": (0.5, 0.5, 0.5)}), DicomError,
                 "PixelSpacing has 3 values", id="pixel-spacing-three-values"),
    pytest.param(lambda tmp: series(tmp, spacing=(0.0, 0.0)), DicomError, "PixelSpacing is 0\\0 mm",
                 id="pixel-spacing-zero"),
    pytest.param(lambda tmp: series(tmp, spacing=(-0.5, 0.5)), DicomError, "two positive spacings",
                 id="pixel-spacing-negative"),
    pytest.param(lambda tmp: series(tmp, odd={"spacing": None}), DicomError, "lack geometry tags",
                 id="pixel-spacing-missing"),
    pytest.param(lambda tmp: series(tmp, odd={"orientation": None}), DicomError, "lack geometry tags",
                 id="orientation-missing"),
    # ---- series: slices that do not form one regular volume
    pytest.param(lambda tmp: series(tmp, odd={"frame": "1.2.3.77"}), DicomError, "2 frames of reference",
                 id="mixed-frame-of-reference"),
    pytest.param(lambda tmp: series(tmp, odd={"frame": None}), DicomError, "<missing>",
                 id="frame-of-reference-missing-on-one"),
    pytest.param(lambda tmp: series(tmp, odd={"orientation": (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)}), DicomError,
                 "different ImageOrientationPatient", id="mixed-orientation"),
    pytest.param(lambda tmp: series(tmp, odd={"shape": (8, 4)}), DicomError, "differ in (Rows, Columns",
                 id="mixed-image-size"),
    pytest.param(lambda tmp: series(tmp, odd={"spacing": (0.7, 0.7)}), DicomError, "differ in (Rows, Columns",
                 id="mixed-pixel-spacing"),
    pytest.param(lambda tmp: series(tmp, odd={"position": (0.0, 0.0, 0.0)}), DicomError,
                 "sit at the same position", id="duplicate-position"),
    pytest.param(lambda tmp: series(tmp, n=4, odd={"position": (0.0, 0.0, 5.0)}, at=3), DicomError,
                 "spacing is inconsistent", id="missing-slice-uneven-gaps"),
    # ---- single-slice series: the z spacing is not invented
    pytest.param(lambda tmp: series(tmp, n=1, at=0, thickness=None), DicomError,
                 "neither SpacingBetweenSlices nor SliceThickness", id="single-slice-no-thickness"),
    pytest.param(lambda tmp: series(tmp, n=1, at=0, thickness=0.0), DicomError, "SliceThickness 0",
                 id="single-slice-zero-thickness"),
    pytest.param(lambda tmp: series(tmp, n=1, at=0, thickness=-3.0), DicomError, "positive spacing",
                 id="single-slice-negative-thickness"),
]


@pytest.mark.parametrize("build, error, phrase", CASES)
def test_bad_dicom_input(tmp_path: Path, build: Callable, error: type[Exception], phrase: str) -> None:
    call = build(tmp_path)
    with pytest.raises(error) as info:
        call()
    assert phrase in str(info.value), str(info.value)
    assert isinstance(info.value, CourseDataError)


# ---- legitimate inputs: a correct result, as data/README.md describes
def test_single_slice_uses_slice_thickness(tmp_path: Path) -> None:
    volume, spacing, affine = series(tmp_path, n=1, at=0, thickness=3.0)()
    assert volume.shape == (1, 6, 4) and spacing == (3.0, 0.5, 0.5)
    assert np.allclose(affine[:3, 0], [0, 0, 3.0])


def test_single_slice_prefers_spacing_between_slices(tmp_path: Path) -> None:
    _, spacing, _ = series(tmp_path, n=1, at=0, thickness=3.0, SpacingBetweenSlices=2.5)()
    assert spacing[0] == 2.5


def test_hidden_files_and_subfolders_are_ignored(tmp_path: Path) -> None:
    run = series(tmp_path)
    (tmp_path / "series" / ".DS_Store").write_bytes(b"\0" * 10)
    (tmp_path / "series" / "thumbnails").mkdir()
    volume, spacing, _ = run()
    assert volume.shape == (3, 6, 4) and spacing == (2.0, 0.5, 0.5)


def test_no_frame_of_reference_anywhere_is_accepted(tmp_path: Path) -> None:
    volume, _, _ = series(tmp_path, frame=None)()
    assert volume.shape[0] == 3


def test_orientation_rounded_to_six_digits_is_accepted(tmp_path: Path) -> None:
    c = 0.707107  # cos 45° as exporters write it
    volume, _, affine = series(tmp_path, orientation=(1.0, 0.0, 0.0, 0.0, c, c), position=None)()
    assert volume.shape[0] == 3 and np.isfinite(affine).all()


def test_gantry_tilt_is_kept_in_the_affine(tmp_path: Path) -> None:
    """Slices shifted along y as z grows (a tilted CT gantry) are legitimate: the affine keeps the shear."""
    folder = tmp_path / "tilted"
    for k in range(3):
        make_slice(folder / f"s{k}.dcm", k, position=(0.0, 0.5 * k, 2.0 * k))
    _, spacing, affine = load_series(folder)
    assert spacing[0] == 2.0 and np.allclose(affine[:3, 0], [0.0, 0.5, 2.0])
