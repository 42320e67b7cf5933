"""Self-checks of notebook 05: each passes the right answer and fails the typical wrong ones (named in the ids)."""
from __future__ import annotations

import copy
from typing import Callable

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from utils.deid import rule_for
from utils.selfcheck import nb05

MR_FILE = "MR-SIEMENS-DICOM-WithOverlays.dcm"
# The keyword list of the first version of Solution 5.2, before it followed the standard's table.
HAND_PICKED = {"AccessionNumber", "InstitutionName", "InstitutionAddress", "StationName", "OperatorsName",
               "PatientAddress", "DeviceSerialNumber", "RequestAttributesSequence"}


def passed(capsys: pytest.CaptureFixture[str]) -> bool:
    out = capsys.readouterr().out
    assert out.strip(), "a self-check must print something"
    return "✅ Pass" in out and "❌" not in out


# ------------------------------------------------------------------------------------------------ 5.1
TRUTH = ["img7963.dcm", "img4014.dcm", "img4853.dcm", "img0001.dcm"]


@pytest.mark.parametrize("answer, ok", [
    (TRUTH, True),
    (TRUTH[::-1], False),
    (sorted(TRUTH), False),
    (TRUTH[:3], False),
    (..., False),
], ids=["right", "reversed-normal", "file-name-order", "missing-a-file", "still-empty"])
def test_exercise_5_1(answer, ok: bool, capsys: pytest.CaptureFixture[str]) -> None:
    nb05.exercise_5_1(answer, TRUTH)
    assert passed(capsys) is ok


# ------------------------------------------------------------------------------------------------ 5.2
@pytest.fixture(scope="module")
def series() -> tuple[pydicom.Dataset, pydicom.Dataset]:
    mr = pydicom.dcmread(get_testdata_file(MR_FILE))
    second = copy.deepcopy(mr)
    second.SOPInstanceUID = second.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    second.InstanceNumber = 2
    return mr, second


def clean(ds: pydicom.Dataset, uid_map: dict, *, meta: bool = True, private: bool = True,
          table: bool = True) -> pydicom.Dataset:
    """The notebook's solution; the flags switch off one step each, to make the typical mistakes."""
    out = copy.deepcopy(ds)
    if private:
        out.remove_private_tags()

    def scrub(dataset: pydicom.Dataset) -> None:
        for elem in list(dataset):
            if elem.tag.is_private and not private:
                continue
            rule = rule_for(elem.tag)
            if rule is None or rule.action == "X/Z/U*":
                for item in (elem.value if elem.VR == "SQ" else []):
                    scrub(item)
            elif rule.action == "U":
                elem.value = uid_map.setdefault(elem.value, generate_uid())
            elif rule.action in ("Z", "Z/D"):
                elem.value = ""
            elif table or elem.keyword in HAND_PICKED:
                del dataset[elem.tag]

    scrub(out)
    if meta:
        out.file_meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    out.PatientName = out.PatientID = "SUBJ-002"
    out.PatientIdentityRemoved = "YES"
    out.DeidentificationMethod = "basic profile by hand"
    return out


def right(mr, second):
    uids: dict = {}
    return clean(mr, uids), clean(second, uids)


def meta_uid_leaks(mr, second):  # the old Solution 5.2: file meta forgotten
    uids: dict = {}
    return clean(mr, uids, meta=False), clean(second, uids, meta=False)


def one_map_per_file(mr, second):
    return clean(mr, {}), clean(second, {})


def private_tags_kept(mr, second):
    uids: dict = {}
    return clean(mr, uids, private=False), clean(second, uids, private=False)


def short_keyword_list(mr, second):  # only a hand-picked list removed: descriptions, age, overlays survive
    uids: dict = {}
    return clean(mr, uids, table=False), clean(second, uids, table=False)


def pixels_changed(mr, second):
    a, b = right(mr, second)
    a.PixelData = np.zeros_like(a.pixel_array).tobytes()
    return a, b


def edited_in_place(mr, second):
    return mr, second


def still_empty(mr, second):
    return ..., ...


@pytest.mark.parametrize("answer, ok", [
    (right, True), (meta_uid_leaks, False), (one_map_per_file, False), (private_tags_kept, False),
    (short_keyword_list, False), (pixels_changed, False), (edited_in_place, False), (still_empty, False),
], ids=["right", "media-storage-uid-leaks", "new-uid-map-per-file", "private-tags-kept", "short-keyword-list",
        "pixels-changed", "original-edited-in-place", "still-empty"])
def test_exercise_5_2(answer: Callable, ok: bool, series, capsys: pytest.CaptureFixture[str]) -> None:
    mr, second = series
    nb05.exercise_5_2(*answer(mr, second), mr, second)
    assert passed(capsys) is ok


def test_exercise_5_2_names_the_file_meta_leak(series, capsys: pytest.CaptureFixture[str]) -> None:
    mr, second = series
    nb05.exercise_5_2(*meta_uid_leaks(mr, second), mr, second)
    assert "file meta" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------ 5.3
AFFINE = np.array([[-2.0, 0, 0, 32], [0, 2, 0, -40], [0, 0, 2, -16], [0, 0, 0, 1]])
RAS = (AFFINE @ [20, 10, 7, 1])[:3]


@pytest.mark.parametrize("ras, lps, ok", [
    (RAS, RAS * [-1, -1, 1], True),
    (AFFINE[:3, :3] @ [20, 10, 7], RAS * [-1, -1, 1], False),
    (RAS, -RAS, False),
    (RAS, RAS, False),
    ((AFFINE.T @ [20, 10, 7, 1])[:3], RAS * [-1, -1, 1], False),
    (..., ..., False),
], ids=["right", "no-translation", "lps-flips-z", "lps-not-flipped", "transposed-affine", "still-empty"])
def test_exercise_5_3(ras, lps, ok: bool, capsys: pytest.CaptureFixture[str]) -> None:
    nb05.exercise_5_3(ras, lps, AFFINE)
    assert passed(capsys) is ok
