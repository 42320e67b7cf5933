"""Tests for utils.dicom: clear errors on bad input, HU and windowing, series loading, de-identification."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from utils.dicom import DicomError, load_series, read_dicom, to_hu, window

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
SAGITTAL = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)


def make_slice(path: Path, index: int, *, position: tuple[float, float, float], series_uid: str, study_uid: str,
               orientation: tuple[float, ...] = AXIAL, geometry: bool = True) -> None:
    """Write one 8x6 CT slice whose HU values are all ``10 * index``, with identifying tags and a private tag."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study_uid, series_uid, study_uid[:-2] + "99"
    ds.Modality, ds.InstanceNumber = "CT", index + 1
    ds.PatientName, ds.PatientID, ds.PatientBirthDate = "Doe^Jane", "PID-4711", "19700101"
    ds.StudyDate, ds.SeriesDate, ds.StudyTime = "20240102", "20240102", "101500"
    ds.InstitutionName, ds.ReferringPhysicianName, ds.AccessionNumber = "General Hospital", "House^Greg", "ACC99"
    ds.private_block(0x0011, "ACME 1.0", create=True).add_new(0x01, "LO", "ward 7, bed 3")
    if geometry:
        ds.ImagePositionPatient, ds.ImageOrientationPatient = list(position), list(orientation)
    ds.PixelSpacing, ds.SliceThickness = [0.5, 0.75], 2.5
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.set_pixel_data(np.full((8, 6), 1024 + 10 * index, dtype=np.uint16), "MONOCHROME2", 12,
                      generate_instance_uid=False)
    ds.save_as(path, enforce_file_format=True)


def write_series(folder: Path, n: int = 6, *, step: float = 2.5, orientation: tuple[float, ...] = AXIAL,
                 series_uid: str | None = None, skip: tuple[int, ...] = (), seed: int = 0) -> list[Path]:
    """A series of ``n`` slices along the orientation's normal, saved under shuffled random file names."""
    folder.mkdir(parents=True, exist_ok=True)
    normal = np.cross(orientation[:3], orientation[3:])
    series_uid, study_uid = series_uid or generate_uid(), generate_uid()
    rng = random.Random(seed)
    paths = []
    for k in range(n):
        if k in skip:
            continue
        position = tuple(float(v) for v in np.array([-20.0, -30.0, 40.0]) + k * step * normal)
        path = folder / f"{rng.getrandbits(40):010x}.dcm"
        make_slice(path, k, position=position, series_uid=series_uid, study_uid=study_uid, orientation=orientation)
        paths.append(path)
    return paths


# ------------------------------------------------------------------------------------------ read_dicom
def test_truncated_file_says_what_is_wrong() -> None:
    with pytest.raises(DicomError, match="truncated .*Fetch or export it again"):
        read_dicom(get_testdata_file("MR_truncated.dcm"))


def test_truncated_file_header_still_readable() -> None:
    assert read_dicom(get_testdata_file("MR_truncated.dcm"), pixels=False).Modality == "MR"


@pytest.mark.parametrize("name, kind", [("test-SR.dcm", "SR Storage"), ("rtstruct.dcm", "RT Structure Set")])
def test_non_image_dicom_is_explained(name: str, kind: str) -> None:
    with pytest.raises(DicomError, match=f"{kind}.*no pixel data, so it is not an image"):
        read_dicom(get_testdata_file(name))


def test_non_dicom_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not an image")
    with pytest.raises(DicomError, match="notes.txt: not a DICOM file"):
        read_dicom(path)


def test_file_cut_before_pixel_data(tmp_path: Path) -> None:
    path = tmp_path / "cut.dcm"
    path.write_bytes(Path(get_testdata_file("CT_small.dcm")).read_bytes()[:2000])
    with pytest.raises(DicomError, match="ends before its pixel data"):
        read_dicom(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nothere.dcm"):
        read_dicom(tmp_path / "nothere.dcm")


def test_compressed_file_decodes() -> None:
    ds = read_dicom(get_testdata_file("693_J2KR.dcm"))
    reference = read_dicom(get_testdata_file("693_UNCR.dcm"))
    assert ds.file_meta.TransferSyntaxUID.is_compressed
    np.testing.assert_array_equal(ds.pixel_array, reference.pixel_array)


def test_missing_decoder_names_the_transfer_syntax(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_plugin(self: Dataset) -> None:
        raise RuntimeError("Unable to decode as there are no pixel data plugins available")

    monkeypatch.setattr(Dataset, "pixel_array", property(no_plugin))
    with pytest.raises(DicomError, match="cannot decode 'JPEG 2000 Image Compression' pixel data .*gdcm"):
        read_dicom(get_testdata_file("JPEG2000.dcm"))


# ----------------------------------------------------------------------------------------- HU, window
def test_to_hu_applies_rescale() -> None:
    ds = read_dicom(get_testdata_file("CT_small.dcm"))
    hu = to_hu(ds)
    assert hu.dtype == np.float32
    np.testing.assert_array_equal(hu, ds.pixel_array.astype(np.float32) * 1 - 1024)


def test_to_hu_with_slope(tmp_path: Path) -> None:
    path = tmp_path / "a.dcm"
    make_slice(path, 3, position=(0, 0, 0), series_uid=generate_uid(), study_uid=generate_uid())
    ds = read_dicom(path)
    ds.RescaleSlope, ds.RescaleIntercept = 2, -100
    np.testing.assert_array_equal(to_hu(ds), np.full((8, 6), 2 * 1054 - 100, dtype=np.float32))


def test_window_maps_range_to_unit_interval() -> None:
    out = window(np.array([-1000.0, 0.0, 40.0, 80.0, 3000.0]), center=40, width=80)
    np.testing.assert_allclose(out, [0.0, 0.0, 0.5, 1.0, 1.0])
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match="positive"):
        window(out, 0, 0)


# ---------------------------------------------------------------------------------------- load_series
def test_shuffled_names_sorted_by_position(tmp_path: Path) -> None:
    paths = write_series(tmp_path / "s")
    assert sorted(p.name for p in paths) != [p.name for p in paths]  # names are not in slice order
    volume, spacing, affine = load_series(tmp_path / "s")
    assert volume.shape == (6, 8, 6) and volume.dtype == np.float32
    np.testing.assert_array_equal(volume[:, 0, 0], [0, 10, 20, 30, 40, 50])
    np.testing.assert_allclose(spacing, (2.5, 0.5, 0.75))
    np.testing.assert_allclose(affine @ [5, 0, 0, 1], [-20, -30, 40 + 5 * 2.5, 1])
    np.testing.assert_allclose(affine @ [0, 2, 3, 1], [-20 + 3 * 0.75, -30 + 2 * 0.5, 40, 1])


def test_sagittal_series_sorted_along_normal(tmp_path: Path) -> None:
    write_series(tmp_path / "sag", orientation=SAGITTAL, step=1.5)
    volume, spacing, affine = load_series(tmp_path / "sag")
    np.testing.assert_array_equal(volume[:, 0, 0], [0, 10, 20, 30, 40, 50])  # normal is -x
    np.testing.assert_allclose(spacing[0], 1.5)
    np.testing.assert_allclose(affine[:3, 0], [-1.5, 0, 0])
    np.testing.assert_allclose(affine[:3, 1], [0, 0, -0.5])  # rows run along the column direction (0, 0, -1)


def test_missing_position_tags(tmp_path: Path) -> None:
    write_series(tmp_path / "s", n=3)
    make_slice(tmp_path / "s" / "zz.dcm", 9, position=(0, 0, 0), series_uid="1.2.3", study_uid="1.2.4",
               geometry=False)
    for p in (tmp_path / "s").iterdir():  # one series, so the geometry check is what fails
        ds = pydicom.dcmread(p)
        ds.SeriesInstanceUID = "1.2.3"
        ds.save_as(p)
    with pytest.raises(DicomError, match="1 of 4 files lack geometry tags .*zz.dcm.*ImagePositionPatient"):
        load_series(tmp_path / "s")


def test_mixed_series_names_uids_and_counts(tmp_path: Path) -> None:
    write_series(tmp_path / "m", n=4, series_uid="1.2.826.0.1.1")
    write_series(tmp_path / "m", n=2, series_uid="1.2.826.0.1.2", seed=1)
    with pytest.raises(DicomError, match=r"mixes 2 series.*1\.2\.826\.0\.1\.1 \(4 files\); 1\.2\.826\.0\.1\.2 \(2 files\)"):
        load_series(tmp_path / "m")


def test_missing_slice_gives_inconsistent_spacing(tmp_path: Path) -> None:
    write_series(tmp_path / "gap", skip=(3,))
    with pytest.raises(DicomError, match="inconsistent .*2.500 to 5.000 mm"):
        load_series(tmp_path / "gap")


def test_duplicate_positions(tmp_path: Path) -> None:
    write_series(tmp_path / "d", n=3, step=0.0)
    with pytest.raises(DicomError, match="same position"):
        load_series(tmp_path / "d")


def test_non_dicom_file_in_series_folder(tmp_path: Path) -> None:
    write_series(tmp_path / "s", n=3)
    (tmp_path / "s" / "README.txt").write_text("series exported on Monday")
    with pytest.raises(DicomError, match="README.txt: not a DICOM file"):
        load_series(tmp_path / "s")


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DicomError, match="empty"):
        load_series(tmp_path / "empty")

