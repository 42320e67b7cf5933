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
    data = load_heart("synthetic", n_synthetic=1, seed=3)  # la_000 is stored RAS
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


# --- the bounded, one-volume-at-a-time reader ---------------------------------------------------------------

def test_open_reads_no_voxels_and_read_only_what_is_asked(tmp_path, monkeypatch):
    decathlon(tmp_path, n=2)
    reads = []
    real = heart_data._array
    monkeypatch.setattr(heart_data, "_array", lambda nii, path: reads.append(path.parent.name) or real(nii, path))
    data = heart_data.open_heart(tmp_path)
    assert data.case_ids == ["la_000", "la_001"] and reads == []
    header = data.read("la_000", image=False, label=False)
    assert reads == [] and header.image is None and header.label is None
    assert header.shape == SMALL["shape"] and header.spacing == SMALL["spacing"]
    label_only = data.read("la_001", image=False)
    assert reads == ["labelsTr"] and label_only.image is None and label_only.label.shape == SMALL["shape"]


def test_reading_one_at_a_time_keeps_memory_flat(tmp_path):
    import tracemalloc

    decathlon(tmp_path, n=4)
    data = heart_data.open_heart(tmp_path)
    one_volume = np.prod(SMALL["shape"]) * 5  # float32 image + uint8 label
    peaks = []
    for n in (1, 4):
        tracemalloc.start()
        for case_id in data.case_ids[:n]:
            case = data.read(case_id)
            kept = case.image[:, ::4, ::4].copy()  # keep only a small part, as notebook 08 does
            del case
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        del kept
    assert peaks[1] < 1.5 * peaks[0] + one_volume, peaks  # four volumes cost about what one costs


def test_export_back_to_the_source_orientation(tmp_path):
    image, label, affine = make_heart_volume(0, **SMALL)
    flip = np.diag([-1.0, -1.0, 1.0, 1.0])
    flip[:2, 3] = [(image.shape[2] - 1), (image.shape[1] - 1)]
    stored = np.ascontiguousarray(label.transpose(2, 1, 0)[::-1, ::-1])
    image_nii = nib.Nifti1Image(np.ascontiguousarray(image.transpose(2, 1, 0)[::-1, ::-1]), affine @ flip)
    case = case_from_nifti("la_000", image_nii, nib.Nifti1Image(stored, affine @ flip))
    back = heart_data.to_source_orientation(case.label, image_nii)
    assert np.array_equal(back, stored)                       # the file's own voxel order again
    assert not np.array_equal(case.label.transpose(2, 1, 0), stored)  # the canonical array alone is flipped


def test_synthetic_source_stores_every_other_case_lps():
    data = heart_data.open_heart("synthetic", n_synthetic=2, seed=0)
    assert [data.read(i, image=False, label=False).orientation for i in data.case_ids] == ["RAS", "LPS"]
    image, label, affine = make_heart_volume(1)
    case = data.read("la_001")
    assert np.array_equal(case.image, image) and np.array_equal(case.label, label) and np.allclose(case.affine, affine)
    stored_image, stored_label, _, _ = data.source_pair("la_001")
    assert np.array_equal(np.asarray(stored_label.dataobj), label.transpose(2, 1, 0)[::-1, ::-1])


def test_progress_prints_time_left(capsys):
    progress = heart_data.Progress(8, "volumes", lines=2)
    for _ in range(8):
        progress.step()
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and "4/8" in lines[0] and "s left" in lines[0] and "8/8" in lines[1]


def test_check_split_accepts_a_clean_split():
    heart_data.check_split(["a", "b"], ["c"], ["d", "e"])
