"""The heart loader: one reader for the Decathlon layout and the phantom, orientation, errors, auto fallback."""
import gzip

import nibabel as nib
import numpy as np
import pytest

from utils import heart_data
from utils.config import get_config
from utils.heart_data import case_from_nifti, load_heart, read_decathlon
from utils.heart_phantom import make_heart_volume, save_nifti

SMALL = {"shape": (12, 24, 24), "spacing": (6.85, 6.25, 6.25)}


@pytest.fixture()
def data_root(tmp_path, monkeypatch):
    """An empty data root, offline, with the cached configuration refreshed."""
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEDIMG_OFFLINE", "1")
    get_config.cache_clear()
    (tmp_path / "data").mkdir()
    yield tmp_path / "data"
    get_config.cache_clear()


def decathlon(folder, n=2):
    """A tiny Decathlon-layout folder written from small phantoms; returns the (z, y, x) arrays."""
    volumes = [make_heart_volume(i, **SMALL) for i in range(n)]
    for i, (image, label, affine) in enumerate(volumes):
        save_nifti(image, label, affine, folder, f"la_{i:03d}")
    return volumes


def test_synthetic_source():
    data = load_heart("synthetic", n_synthetic=1, seed=3)
    case = data.cases[0]
    assert data.source == "synthetic" and len(data) == 1 and data.label_names == {0: "background", 1: "left atrium"}
    assert case.image.shape == case.label.shape == (64, 128, 128) and case.image.dtype == np.float32
    assert case.spacing == (1.37, 1.25, 1.25) and case.orientation == "RAS" and case.patient_id == "la_000"
    image, label, affine = make_heart_volume(3000)
    assert np.array_equal(case.image, image) and np.array_equal(case.label, label)
    assert np.allclose(case.affine, affine)


def test_folder_reader_returns_what_was_written(tmp_path):
    volumes = decathlon(tmp_path / "Task02_Heart")
    for parent in (tmp_path / "Task02_Heart", tmp_path):  # the folder itself or its parent
        data = load_heart(tmp_path / "Task02_Heart" if parent.name == "Task02_Heart" else parent)
        assert data.source == "task02_heart" and [c.case_id for c in data.cases] == ["la_000", "la_001"]
        for case, (image, label, affine) in zip(data.cases, volumes):
            assert np.array_equal(case.image, image) and np.array_equal(case.label, label)
            assert case.spacing == SMALL["spacing"] and np.allclose(case.affine, affine)
    assert len(load_heart(tmp_path, limit=1)) == 1


def test_reorients_to_canonical(tmp_path):
    image, label, affine = make_heart_volume(0, **SMALL)
    # Store it as a scanner might: x and y flipped (LPS), so the file's first voxel is at the patient's right.
    flip = np.diag([-1.0, -1.0, 1.0, 1.0])
    flip[:2, 3] = [(image.shape[2] - 1), (image.shape[1] - 1)]
    lps = affine @ flip
    xyz = image.transpose(2, 1, 0)[::-1, ::-1]
    case = case_from_nifti("la_009", nib.Nifti1Image(np.ascontiguousarray(xyz), lps),
                           nib.Nifti1Image(np.ascontiguousarray(label.transpose(2, 1, 0)[::-1, ::-1]), lps))
    assert case.orientation == "LPS"
    assert np.array_equal(case.image, image) and np.array_equal(case.label, label)
    assert np.allclose(case.affine, affine)


def test_skips_macos_resource_forks(tmp_path):
    decathlon(tmp_path, n=1)
    (tmp_path / "imagesTr" / "._la_000.nii.gz").write_bytes(b"\x00\x05\x16\x07")
    (tmp_path / "labelsTr" / "._la_000.nii.gz").write_bytes(b"\x00\x05\x16\x07")
    assert [c.case_id for c in read_decathlon(tmp_path)] == ["la_000"]


def test_layout_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No folder"):
        load_heart(tmp_path / "missing")
    (tmp_path / "images").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(FileNotFoundError, match=r"found images/, notes.txt; expected imagesTr/ and labelsTr/"):
        load_heart(tmp_path)
    (tmp_path / "imagesTr").mkdir()
    (tmp_path / "labelsTr").mkdir()
    with pytest.raises(FileNotFoundError, match="imagesTr: no .nii.gz files"):
        load_heart(tmp_path)


def test_missing_label_shape_mismatch_and_damaged_file(tmp_path):
    decathlon(tmp_path, n=1)
    affine = np.eye(4)
    nib.save(nib.Nifti1Image(np.zeros((4, 4, 3), np.float32), affine), tmp_path / "imagesTr" / "la_001.nii.gz")
    with pytest.raises(FileNotFoundError, match="no label for la_001.nii.gz"):
        load_heart(tmp_path)
    nib.save(nib.Nifti1Image(np.zeros((4, 4, 2), np.uint8), affine), tmp_path / "labelsTr" / "la_001.nii.gz")
    with pytest.raises(ValueError, match=r"la_001.nii.gz: label shape \(4, 4, 2\) but image shape \(4, 4, 3\)"):
        load_heart(tmp_path)
    data = (tmp_path / "imagesTr" / "la_000.nii.gz").read_bytes()
    (tmp_path / "imagesTr" / "la_000.nii.gz").write_bytes(data[: len(data) // 2])  # truncated transfer
    with pytest.raises(ValueError, match="la_000.nii.gz: (is damaged|cannot be read as NIfTI)"):
        load_heart(tmp_path)
    (tmp_path / "imagesTr" / "la_000.nii.gz").write_bytes(gzip.compress(b"not a nifti file"))
    with pytest.raises(ValueError, match="cannot be read as NIfTI"):
        load_heart(tmp_path)


def test_auto_falls_back_to_synthetic_offline(data_root, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(heart_data, "synthetic_data", lambda n, seed: calls.append((n, seed)) or
                        heart_data.HeartData([], "synthetic", "", ""))
    data = load_heart("auto", n_synthetic=4, seed=1)
    assert data.source == "synthetic" and calls == [(4, 1)]
    assert "No Task02_Heart/ under" in capsys.readouterr().out


def test_auto_and_task02_use_the_folder_under_the_data_root(data_root, capsys):
    decathlon(data_root / "Task02_Heart", n=1)
    for source in ("auto", "task02_heart"):
        data = load_heart(source)
        assert data.source == "task02_heart" and data.folder == data_root / "Task02_Heart" and len(data) == 1
    assert capsys.readouterr().out == ""  # nothing downloaded, no notice


def test_task02_offline_without_data_says_how_to_get_it(data_root, capsys):
    from utils.download import DownloadError

    with pytest.raises(DownloadError, match="MEDIMG_OFFLINE=1"):
        load_heart("task02_heart")
    assert "about 435 MB" in capsys.readouterr().out
