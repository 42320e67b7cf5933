"""Broken data must not pass the pre-flight check: each case builds a data folder in ``tmp_path``.

A case is ``(build, status, phrase)``: ``build(data_dir)`` writes the bad input and returns the Check to
inspect; the check must have that status ("fail" for everything that needs fixing) and the phrase in its
detail or fix. Checks report rather than raise, so the status plays the part of the error type.
"""
from __future__ import annotations

import errno
import gzip
import io
from pathlib import Path
from typing import Callable

import nibabel as nib
import numpy as np
import pytest
from PIL import Image

from utils import check_setup as cs
from utils import config


def nifti(shape: tuple[int, ...] = (8, 8, 4)) -> bytes:
    return nib.Nifti1Image(np.arange(np.prod(shape), dtype=np.int16).reshape(shape), np.eye(4)).to_bytes()


def jpeg(size: int = 32) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (size, size), dtype=np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


def png(size: int = 32) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (size, size), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path / "data"))
    config.get_config.cache_clear()
    (tmp_path / "data").mkdir()
    yield tmp_path / "data"
    config.get_config.cache_clear()


def heart(image: bytes | None = None, label: bytes | None = None, name: str = "la_003.nii.gz",
          label_name: str | None = None) -> Callable[[Path], cs.Check]:
    """A two-case Task02_Heart folder; case ``name`` gets the given image and label bytes."""
    def build(data: Path) -> cs.Check:
        for sub in ("imagesTr", "labelsTr"):
            (data / "Task02_Heart" / sub).mkdir(parents=True)
            (data / "Task02_Heart" / sub / "la_004.nii.gz").write_bytes(gzip.compress(nifti()))
        good = gzip.compress(nifti())
        (data / "Task02_Heart" / "imagesTr" / name).write_bytes(good if image is None else image)
        (data / "Task02_Heart" / "labelsTr" / (label_name or name)).write_bytes(good if label is None else label)
        return cs.check_heart(data)
    return build


def kaggle(bad: bytes | None = None, name: str = "person1_bacteria_1.jpeg", empty: str = "") \
        -> Callable[[Path], cs.Check]:
    """A Kaggle chest_xray folder with one good JPEG per class and split, plus ``bad`` in train/PNEUMONIA."""
    def build(data: Path) -> cs.Check:
        for split in ("train", "val", "test"):
            for label in ("NORMAL", "PNEUMONIA"):
                folder = data / "chest_xray" / split / label
                folder.mkdir(parents=True)
                if f"{split}/{label}" != empty:
                    (folder / "IM-0001-0001.jpeg").write_bytes(jpeg())
        if bad is not None:
            (data / "chest_xray" / "train" / "PNEUMONIA" / name).write_bytes(bad)
        return cs.check_chest_xray(data)
    return build


def _corrupt_middle(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


def _file_instead(name: str, check: Callable[[Path], cs.Check]) -> Callable[[Path], cs.Check]:
    def build(data: Path) -> cs.Check:
        (data / name).write_text("not a folder")
        return check(data)
    return build


def _data_folder_is_file(data: Path) -> cs.Check:
    data.rmdir()
    data.write_text("not a folder")
    return cs.check_data_folder(data)


def _parent_is_file(data: Path) -> cs.Check:
    (data / "blocker").write_text("a file")
    return cs.check_data_folder(data / "blocker" / "data")


def _read_only(code: int) -> Callable[[Path], cs.Check]:
    def build(data: Path) -> cs.Check:
        def refuse(*args, **kwargs):
            raise PermissionError(code, "Permission denied") if code == errno.EACCES else OSError(code, "Read-only")
        original = cs.tempfile.mkstemp
        cs.tempfile.mkstemp = refuse  # restored below: the tests run as root, who could write anyway
        try:
            return cs.check_data_folder(data)
        finally:
            cs.tempfile.mkstemp = original
    return build


def _damaged_npz(data: Path) -> cs.Check:
    (data / "pneumoniamnist").mkdir()
    (data / "pneumoniamnist" / "pneumoniamnist_64.npz").write_bytes(b"PK\x03\x04 cut short")
    return cs.check_pneumoniamnist(data)


GOOD_GZ = gzip.compress(nifti())
CASES = [
    # ---- Task02_Heart: every file reported present is read to its end
    pytest.param(heart(image=GOOD_GZ[: len(GOOD_GZ) // 2]), "fail", "imagesTr/la_003.nii.gz: cut short",
                 id="heart-image-gz-truncated"),
    pytest.param(heart(label=GOOD_GZ[:-10]), "fail", "labelsTr/la_003.nii.gz: cut short",
                 id="heart-label-gz-truncated"),
    pytest.param(heart(image=_corrupt_middle(GOOD_GZ)), "fail", "cut short or corrupt", id="heart-gz-bit-flip"),
    pytest.param(heart(image=gzip.compress(nifti()[:400])), "fail", "bytes its header announces",
                 id="heart-gz-valid-but-short-volume"),
    pytest.param(heart(image=nifti()[:500], name="la_003.nii"), "fail", "bytes its header announces",
                 id="heart-uncompressed-nii-truncated"),
    pytest.param(heart(image=b""), "fail", "not a readable NIfTI header", id="heart-zero-byte-file"),
    pytest.param(heart(image=b"<html>Access denied</html>"), "fail", "not a gzip file",
                 id="heart-html-saved-as-nii-gz"),
    pytest.param(heart(image=gzip.compress(b"\0" * 400)), "fail", "not a readable NIfTI header",
                 id="heart-gzip-of-zeros"),
    pytest.param(heart(label_name="la_099.nii.gz"), "fail", "names must match", id="heart-names-differ"),
    pytest.param(_file_instead("Task02_Heart", cs.check_heart), "fail", "is a file, not the dataset folder",
                 id="heart-folder-is-a-file"),
    pytest.param(lambda data: ((data / "Task02_Heart" / "images").mkdir(parents=True), cs.check_heart(data))[1],
                 "fail", "not in the Decathlon layout", id="heart-wrong-layout"),
    pytest.param(lambda data: ((data / "downloads").mkdir(), (data / "downloads" / "Task02_Heart.tar").write_bytes(
        b"cut short"), cs.check_heart(data))[2], "fail", "Task02_Heart.tar is damaged, re-download it",
        id="heart-tar-damaged"),
    # ---- Kaggle chest_xray: every image opens and ends where it should
    pytest.param(kaggle(jpeg()[:-200]), "fail", "JPEG end marker is missing", id="kaggle-jpeg-truncated"),
    pytest.param(kaggle(jpeg()[:300]), "fail", "person1_bacteria_1.jpeg", id="kaggle-jpeg-cut-in-header"),
    pytest.param(kaggle(b"this is not an image"), "fail", "not a readable image", id="kaggle-fake-jpeg"),
    pytest.param(kaggle(b""), "fail", "not a readable image", id="kaggle-zero-byte-jpeg"),
    pytest.param(kaggle(png()[:-30], name="x.png"), "fail", "x.png: not a readable image",
                 id="kaggle-png-truncated"),
    pytest.param(kaggle(_corrupt_middle(png()), name="x.png"), "fail", "not a readable image",
                 id="kaggle-png-bit-flip"),
    pytest.param(kaggle(empty="test/NORMAL"), "fail", "test/NORMAL: has no images", id="kaggle-empty-class"),
    pytest.param(_file_instead("chest_xray", cs.check_chest_xray), "fail", "is a file, not the dataset folder",
                 id="kaggle-folder-is-a-file"),
    pytest.param(lambda data: ((data / "chest_xray" / "images").mkdir(parents=True), cs.check_chest_xray(data))[1],
                 "fail", "chest_xray", id="kaggle-wrong-layout"),
    # ---- PneumoniaMNIST
    pytest.param(_damaged_npz, "fail", "pneumoniamnist_64.npz is damaged, re-download it", id="npz-damaged"),
    # ---- the data folder itself
    pytest.param(_data_folder_is_file, "fail", "is a file, not a folder", id="data-folder-is-a-file"),
    pytest.param(_parent_is_file, "fail", "blocker is a file, not a folder", id="data-folder-parent-is-a-file"),
    pytest.param(_read_only(errno.EACCES), "fail", "is read-only", id="data-folder-permission-denied"),
    pytest.param(_read_only(errno.EROFS), "fail", "is read-only", id="data-folder-read-only-file-system"),
]


@pytest.mark.parametrize("build, status, phrase", CASES)
def test_broken_data_is_not_ready(data_dir: Path, build: Callable, status: str, phrase: str) -> None:
    check = build(data_dir)
    text = f"{check.detail} → {check.fix}"
    assert check.status == status, check.line()
    assert phrase in text, text
    assert cs.verdict([check])[0] is False


def test_damaged_file_in_the_verdict(data_dir: Path) -> None:
    check = heart(image=GOOD_GZ[:40])(data_dir)
    ready, message = cs.verdict([check])
    assert not ready and "file " in message and "la_003.nii.gz is damaged, re-download it" in message


# ---- legitimate inputs: accepted
def test_good_heart_and_kaggle_folders_are_ready(data_dir: Path) -> None:
    assert heart()(data_dir).status == "ok"
    assert kaggle(jpeg() + b"\0" * 16, name="padded.jpeg")(data_dir).status == "ok"  # bytes after the end marker


def test_png_images_are_accepted(data_dir: Path) -> None:
    assert kaggle(png(), name="x.png")(data_dir).status == "ok"


def test_data_folder_not_created_yet_is_fine(data_dir: Path) -> None:
    check = cs.check_data_folder(data_dir / "later")
    assert check.status == "ok" and "can be created" in check.detail and not (data_dir / "later").exists()


def test_writable_data_folder_leaves_nothing_behind(data_dir: Path) -> None:
    assert cs.check_data_folder(data_dir).status == "ok" and list(data_dir.iterdir()) == []
