"""Bad input for the heart loader (Decathlon layout, dataset.json, parameters): each gives a clear error.

Each case builds a tiny Decathlon-layout folder in ``tmp_path`` (6 x 8 x 8 voxels), breaks one thing, and reads
every case. The error must be a ``HeartDataError`` (a ``CourseDataError``) whose message names the problem.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from utils import heart_data
from utils.config import get_config
from utils.errors import CourseDataError
from utils.heart_data import HeartDataError, check_split, open_heart

SHAPE = (8, 8, 6)  # NIfTI order (x, y, z)
AFFINE = np.diag([1.25, 1.25, 1.37, 1.0])


def image_array() -> np.ndarray:
    return np.random.default_rng(0).uniform(10, 500, SHAPE).astype(np.float32)


def label_array() -> np.ndarray:
    label = np.zeros(SHAPE, np.uint8)
    label[2:5, 3:6, 2:4] = 1
    return label


def write(path: Path, array: np.ndarray, affine: np.ndarray = AFFINE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(array, affine), path)
    return path


def folder(tmp: Path, *, image=None, label=None, image_affine=AFFINE, label_affine=AFFINE,
           meta: object = "default") -> Path:
    """Task02_Heart/ with two good cases (la_000, la_001) and la_002 built from the arguments."""
    root = tmp / "Task02_Heart"
    for i in range(2):
        write(root / "imagesTr" / f"la_00{i}.nii.gz", image_array())
        write(root / "labelsTr" / f"la_00{i}.nii.gz", label_array())
    write(root / "imagesTr" / "la_002.nii.gz", image_array() if image is None else image, image_affine)
    write(root / "labelsTr" / "la_002.nii.gz", label_array() if label is None else label, label_affine)
    if meta == "default":
        meta = {"name": "LeftAtrium", "labels": {"0": "background", "1": "left atrium"}, "numTraining": 3,
                "training": [{"image": f"./imagesTr/la_00{i}.nii.gz", "label": f"./labelsTr/la_00{i}.nii.gz"}
                             for i in range(3)]}
    if meta is not None:
        (root / "dataset.json").write_text(meta if isinstance(meta, str) else json.dumps(meta))
    return root


def with_label(values) -> callable:
    def build(tmp):
        label = label_array().astype(np.asarray(values).dtype)
        label[2, 3, 2] = values if np.ndim(values) == 0 else values[0]
        return folder(tmp, label=label)
    return build


def shifted(offset) -> np.ndarray:
    affine = AFFINE.copy()
    affine[:3, 3] += offset
    return affine


def rotated(degrees: float) -> np.ndarray:
    t = np.deg2rad(degrees)
    rot = np.array([[np.cos(t), -np.sin(t), 0, 0], [np.sin(t), np.cos(t), 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    return rot @ AFFINE


def lps() -> np.ndarray:
    return np.diag([-1.0, -1.0, 1.0, 1.0]) @ AFFINE


def edit_meta(**changes) -> callable:
    def build(tmp):
        root = folder(tmp)
        meta = json.loads((root / "dataset.json").read_text())
        for key, value in changes.items():
            if value is KeyError:
                meta.pop(key)
            else:
                meta[key] = value
        (root / "dataset.json").write_text(json.dumps(meta))
        return root
    return build


def damage(transform) -> callable:
    def build(tmp):
        root = folder(tmp)
        path = root / "imagesTr" / "la_002.nii.gz"
        path.write_bytes(transform(path.read_bytes()))
        return root
    return build


def duplicate(tmp):
    root = folder(tmp)
    write(root / "imagesTr" / "la_002.nii", image_array())
    return root


def missing_label(tmp):
    root = folder(tmp)
    (root / "labelsTr" / "la_002.nii.gz").unlink()
    return root


def empty_images(tmp):
    root = tmp / "Task02_Heart"
    (root / "imagesTr").mkdir(parents=True)
    (root / "labelsTr").mkdir()
    return root


def wrong_layout(tmp):
    (tmp / "images").mkdir()
    (tmp / "labels").mkdir()
    return tmp


def a_file(tmp):
    (tmp / "Task02_Heart.tar").write_bytes(b"x" * 100)
    return tmp / "Task02_Heart.tar"


def read_all(root: Path) -> None:
    data = open_heart(root)
    for case_id in data.case_ids:
        data.read(case_id)


FOLDER_CASES = [
    # labels outside the documented set {0, 1}
    pytest.param(with_label(np.int16(-1)), "label values [-1]", id="label-minus-1"),
    pytest.param(with_label(np.uint8(255)), "label values [255]", id="label-255-uint8-wrap"),
    pytest.param(with_label(np.uint8(2)), "label values [2]", id="label-2"),
    pytest.param(with_label(np.float32(300.4)), "non-integer label values such as 300.4", id="label-float-300.4"),
    pytest.param(with_label(np.float32(0.5)), "non-integer label values", id="label-float-0.5-soft-mask"),
    pytest.param(with_label(np.float32(np.nan)), "NaN or infinite label values", id="label-nan"),
    pytest.param(lambda t: folder(t, label=np.zeros(SHAPE, np.uint8)), "no atrium", id="label-all-zero"),
    pytest.param(lambda t: folder(t, label=image_array()), "non-integer label values", id="image-saved-as-label"),
    # image and label on different grids
    pytest.param(lambda t: folder(t, label_affine=lps()), "label orientation LPS but image orientation RAS",
                 id="affine-lps-vs-ras"),
    pytest.param(lambda t: folder(t, label_affine=shifted([50, 0, 0])), "label origin 50.00 mm away",
                 id="affine-shift-50mm"),
    pytest.param(lambda t: folder(t, label_affine=shifted([0, 0, 0.5])), "label origin 0.50 mm away",
                 id="affine-shift-half-mm"),
    pytest.param(lambda t: folder(t, label_affine=np.diag([2.5, 2.5, 2.74, 1.0])), "label voxel size",
                 id="affine-twice-voxel-size"),
    pytest.param(lambda t: folder(t, label_affine=rotated(10)), "rotated", id="affine-rotated-10-degrees"),
    pytest.param(lambda t: folder(t, label=np.zeros((8, 8, 5), np.uint8)), "label shape (8, 8, 5)",
                 id="shape-mismatch"),
    pytest.param(lambda t: folder(t, image=np.ones((8, 8, 6, 2), np.float32)), "4D array",
                 id="image-4d-two-volumes"),
    pytest.param(lambda t: folder(t, image=np.ones((8, 8), np.float32)), "2D array", id="image-2d"),
    # image values
    pytest.param(lambda t: folder(t, image=np.where(label_array() > 0, np.nan, image_array()).astype(np.float32)),
                 "NaN or infinite voxels", id="image-nan"),
    pytest.param(lambda t: folder(t, image=np.zeros(SHAPE, np.float32)), "constant image", id="image-all-zero"),
    # damaged files
    pytest.param(damage(lambda b: b[: len(b) // 2]), "la_002.nii.gz", id="truncated-nii-gz"),
    pytest.param(damage(lambda b: b""), "empty (0 bytes)", id="zero-byte-file"),
    pytest.param(damage(lambda b: gzip.compress(b"not a nifti file")), "cannot be read as NIfTI",
                 id="gzip-of-text"),
    pytest.param(damage(lambda b: b"\x89PNG\r\n\x1a\n" + b"0" * 400), "cannot be read as NIfTI", id="png-renamed"),
    # dataset.json
    pytest.param(lambda t: folder(t, meta='{"name": "LeftAtrium", "labels": {'), "not valid JSON",
                 id="json-truncated"),
    pytest.param(lambda t: folder(t, meta="[1, 2, 3]"), "a JSON list", id="json-a-list"),
    pytest.param(lambda t: folder(t, meta="\xff\xfe"), "dataset.json", id="json-not-text"),
    pytest.param(edit_meta(labels=KeyError), "no 'labels' key", id="json-missing-labels"),
    pytest.param(edit_meta(training=KeyError), "no 'training' key", id="json-missing-training"),
    pytest.param(edit_meta(labels=["background", "left atrium"]), '"labels" is', id="json-labels-a-list"),
    pytest.param(edit_meta(labels={"zero": "background", "one": "atrium"}), '"labels" keys', id="json-labels-keys"),
    pytest.param(edit_meta(labels={"0": "background", "1": "LA", "2": "LV"}), "label values [0, 1, 2]",
                 id="json-three-classes"),
    pytest.param(edit_meta(labels={"0": "background", "1": 1}), '"labels" is', id="json-label-name-number"),
    pytest.param(edit_meta(training="imagesTr"), '"training" is', id="json-training-a-string"),
    pytest.param(edit_meta(training=[{"image": 3}]), '"training" is', id="json-training-entry-wrong-type"),
    pytest.param(edit_meta(numTraining="20"), '"numTraining" is "20"', id="json-numtraining-string"),
    pytest.param(edit_meta(name=["LeftAtrium"]), '"name" is', id="json-name-a-list"),
    pytest.param(edit_meta(training=[{"image": "./imagesTr/la_099.nii.gz", "label": "./labelsTr/la_099.nii.gz"}]),
                 "la_099.nii.gz, which is not on disk", id="json-lists-missing-file"),
    # layout
    pytest.param(missing_label, "no label for la_002.nii.gz", id="missing-label"),
    pytest.param(duplicate, "two files for case la_002", id="duplicate-nii-and-nii-gz"),
    pytest.param(empty_images, "no .nii.gz files", id="empty-imagesTr"),
    pytest.param(wrong_layout, "not in the Decathlon layout; found images/, labels/", id="wrong-layout"),
    pytest.param(a_file, "found a file", id="path-is-a-file"),
]


@pytest.mark.parametrize("build, phrase", FOLDER_CASES)
def test_bad_folder(tmp_path, build, phrase):
    root = build(tmp_path)
    with pytest.raises(HeartDataError) as info:
        read_all(root)
    assert isinstance(info.value, CourseDataError)
    message = str(info.value)
    assert phrase in message, message
    assert "; expected " in message and info.value.path is not None and info.value.fix  # file, found, expected, fix


PARAMETER_CASES = [
    pytest.param(lambda: open_heart("synthetic", n_synthetic=0), "n_synthetic=0", id="n-synthetic-0"),
    pytest.param(lambda: open_heart("synthetic", n_synthetic=-5), "n_synthetic=-5", id="n-synthetic-negative"),
    pytest.param(lambda: open_heart("synthetic", n_synthetic="5"), "n_synthetic='5' (str)", id="n-synthetic-str"),
    pytest.param(lambda: open_heart("synthetic", n_synthetic=2.5), "n_synthetic=2.5 (float)",
                 id="n-synthetic-float"),
    pytest.param(lambda: open_heart("synthetic", n_synthetic=True), "n_synthetic=True (bool)",
                 id="n-synthetic-bool"),
    pytest.param(lambda: check_split([], ["b"], ["c", "d"]), "training split is empty", id="split-empty-training"),
    pytest.param(lambda: check_split(["a", "b"], [], ["c", "d"]), "validation split is empty",
                 id="split-empty-validation"),
    pytest.param(lambda: check_split(["a", "b"], ["c"], []), "test split is empty", id="split-empty-test"),
    pytest.param(lambda: check_split(["a", "b"], ["c"], ["b", "d"]), "in both the training and the test split",
                 id="split-patient-in-two"),
]


@pytest.mark.parametrize("call, phrase", PARAMETER_CASES)
def test_bad_parameter(call, phrase):
    with pytest.raises(HeartDataError) as info:
        call()
    assert phrase in str(info.value), str(info.value)


def test_limit_zero(tmp_path):
    with pytest.raises(HeartDataError, match="limit=0"):
        open_heart(folder(tmp_path), limit=0)


# Legitimate variants: a correct result, not an error.
GOOD_CASES = [
    pytest.param(lambda t: folder(t, label=label_array().astype(np.float32)), id="float-label-0-1"),
    pytest.param(lambda t: folder(t, label=label_array().astype(np.int16)), id="int16-label"),
    pytest.param(lambda t: folder(t, image_affine=lps(), label_affine=lps()), id="both-lps"),
    pytest.param(lambda t: folder(t, label_affine=shifted([0, 0, 0.001])), id="float32-rounding-of-origin"),
    pytest.param(lambda t: folder(t, image=image_array()[..., None], label=label_array()[..., None]),
                 id="4d-with-one-volume"),
    pytest.param(lambda t: folder(t, meta=None), id="no-dataset-json"),
]


@pytest.mark.parametrize("build", GOOD_CASES)
def test_legitimate_variants_load(tmp_path, build):
    data = open_heart(build(tmp_path))
    case = data.read("la_002")
    assert case.image.shape == case.label.shape == (6, 8, 8) and set(np.unique(case.label)) == {0, 1}


@pytest.fixture()
def data_root(tmp_path, monkeypatch):
    def use(path):
        monkeypatch.setenv("MEDIMG_DATA_DIR", str(path))
        monkeypatch.setenv("MEDIMG_OFFLINE", "1")
        get_config.cache_clear()
    yield use
    get_config.cache_clear()


def _fallback(monkeypatch):
    monkeypatch.setattr(heart_data, "synthetic_data", lambda n, seed: heart_data.HeartData(
        [f"la_{i:03d}" for i in range(n)], "synthetic", "", ""))


def test_auto_falls_back_when_the_data_folder_is_a_file(tmp_path, data_root, monkeypatch, capsys):
    _fallback(monkeypatch)
    (tmp_path / "data").write_text("not a folder")
    data_root(tmp_path / "data")
    assert open_heart("auto", n_synthetic=4).source == "synthetic"
    assert "using 4 synthetic hearts" in capsys.readouterr().out


def test_auto_falls_back_when_the_data_folder_is_unreadable(tmp_path, data_root, monkeypatch, capsys):
    _fallback(monkeypatch)
    data_root(tmp_path / "data")

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "is_dir", denied)
    assert open_heart("auto", n_synthetic=4).source == "synthetic"
    out = capsys.readouterr().out
    assert "Cannot read" in out and "PermissionError" in out and out.count("\n") == 1


def test_auto_falls_back_on_a_download_error(tmp_path, data_root, monkeypatch, capsys):
    from utils.download import DownloadError

    _fallback(monkeypatch)
    data_root(tmp_path / "data")
    (tmp_path / "data" / "Task02_Heart" / "imagesTr").mkdir(parents=True)

    def fail(folder, limit):
        raise DownloadError("offline")
    monkeypatch.setattr(heart_data, "_decathlon_data", fail)
    assert open_heart("auto", n_synthetic=4).source == "synthetic"
    assert "DownloadError" in capsys.readouterr().out


def test_auto_does_not_hide_broken_real_data(tmp_path, data_root):
    data_root(tmp_path)
    folder(tmp_path, meta="{broken")
    with pytest.raises(HeartDataError, match="not valid JSON"):
        open_heart("auto")
