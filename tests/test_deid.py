"""Tests for utils.deid: the PS3.15 table, the scrubber, and the checker that verifies it independently."""
from __future__ import annotations

import inspect
import io
import re
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c
from pydicom.datadict import dictionary_description, dictionary_has_tag, dictionary_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

from utils.check_setup import DICOM_SAMPLES
from utils.deid import (NOT_IMPLEMENTED, date_offset_days, declared_options, deidentify, find_phi, load_profile,
                        mask_burned_in_text, pseudonym_for, remap_uid, rule_for)

KEY = "test-secret-key"
ROOT = Path(__file__).resolve().parents[1]
STUDY, SERIES, FRAME = "1.2.826.0.1.3680043.9.7.1", "1.2.826.0.1.3680043.9.7.2", "1.2.826.0.1.3680043.9.7.3"


def make_slice(k: int, *, patient_id: str = "PID-4711", study_date: str = "20240102") -> Dataset:
    """Slice ``k`` of a small CT series with identifiers in the file meta, sequences, private tags and overlays."""
    sop = f"1.2.826.0.1.3680043.9.7.10{k}"
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID = CTImageStorage, sop
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, sop
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = STUDY, SERIES, FRAME
    ds.Modality, ds.InstanceNumber, ds.Manufacturer = "CT", k + 1, "ACME"
    ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientAge = "Doe^Jane", patient_id, "19700101", "054Y"
    ds.StudyDate, ds.SeriesDate, ds.StudyTime = study_date, study_date, "101500"
    ds.StudyDescription, ds.InstitutionName, ds.AccessionNumber = "CT head", "General Hospital", "ACC99"
    ref = Dataset()
    ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID = CTImageStorage, "1.2.826.0.1.3680043.9.7.100"
    ds.ReferencedImageSequence = Sequence([ref])
    other = Dataset()
    other.PatientID = "OLD-1234"
    ds.OtherPatientIDsSequence = Sequence([other])
    region = Dataset()  # a sequence the table does not list, hiding an attribute it does
    region.CodeValue, region.CodingSchemeDesignator, region.CodeMeaning = "T-A0100", "SRT", "Brain"
    region.InstitutionName = "General Hospital"
    ds.AnatomicRegionSequence = Sequence([region])
    ds.private_block(0x0011, "ACME 1.0", create=True).add_new(0x01, "LO", "ward 7, bed 3")
    region.private_block(0x0013, "ACME 1.0", create=True).add_new(0x02, "LO", "nested secret")
    ds.add_new(0x60020010, "US", 4)                 # overlay plane 6002: rows, data, comment
    ds.add_new(0x60023000, "OW", b"\x01\x00" * 2)
    ds.add_new(0x60024000, "LT", "drawn by Dr House")
    ds.add_new(0x50000005, "US", 2)                 # a retired curve group
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 4, 4, 16, 16, 15
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PixelRepresentation = 1, "MONOCHROME2", 0
    ds.PixelData = np.arange(16, dtype=np.uint16).tobytes()
    return ds


def roundtrip(ds: Dataset) -> Dataset:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return pydicom.dcmread(io.BytesIO(buffer.getvalue()))


# ------------------------------------------------------------------------------------------- the table
def test_table_is_e11_of_a_named_edition() -> None:
    table = load_profile()
    assert table["edition"] == "2026c" and "Table E.1-1" in table["table"]
    assert "dicom-anonymizer 2.1.0" in table["source"] and "dicomfields_2026c.py" in table["source"]
    counts = Counter(rule.action for rule in table["rules"].values())
    assert 600 <= len(table["rules"]) <= 800                      # several hundred attributes
    assert counts["X"] > 300 and counts["D"] > 50 and counts["U"] > 40 and counts["Z"] > 30
    assert set(counts) == {"X", "Z", "D", "U", "X/Z", "X/D", "Z/D", "X/Z/D", "X/Z/U*"}
    assert set(table["overlay"]) == {0x3000, 0x4000} and table["curve"].action == table["private"].action == "X"


@pytest.mark.parametrize("tag, keyword, action", [
    ((0x0010, 0x0010), "PatientName", "Z"), ((0x0010, 0x0020), "PatientID", "Z/D"),
    ((0x0010, 0x0030), "PatientBirthDate", "Z"), ((0x0008, 0x0050), "AccessionNumber", "Z"),
    ((0x0008, 0x0020), "StudyDate", "Z"), ((0x0020, 0x000D), "StudyInstanceUID", "U"),
    ((0x0008, 0x0018), "SOPInstanceUID", "U"), ((0x0002, 0x0003), "MediaStorageSOPInstanceUID", "U"),
    ((0x0008, 0x0080), "InstitutionName", "X/Z/D"), ((0x0008, 0x1030), "StudyDescription", "X"),
    ((0x0020, 0x4000), "ImageComments", "X"), ((0x0010, 0x1010), "PatientAge", "X"),
    ((0x0010, 0x1000), "OtherPatientIDs", "X"), ((0x0010, 0x1002), "OtherPatientIDsSequence", "X"),
    ((0x0008, 0x1140), "ReferencedImageSequence", "X/Z/U*"), ((0x0088, 0x0200), "IconImageSequence", "X"),
])
def test_table_rows_match_the_standard(tag: tuple[int, int], keyword: str, action: str) -> None:
    """Spot checks typed from PS3.15 Table E.1-1 (recent editions; Patient ID became Z/D after 2023)."""
    rule = rule_for(pydicom.tag.Tag(*tag))
    assert (rule.keyword, rule.action) == (keyword, action)


def test_table_tuples_agree_with_the_names_written_beside_them() -> None:
    """The package writes the attribute's name beside each (group, element): pydicom's dictionary (from PS3.6)
    must give the same name for that tag, so no tuple is mistyped. Attributes newer than pydicom are skipped."""
    source = inspect.getsource(dicomfields_2026c)
    pairs = re.findall(r"\(\s*0x([0-9A-F]{4}),\s*0x([0-9A-F]{4}),?\s*\),?\s*#\s*(.+)", source, re.IGNORECASE)
    assert len(pairs) == len(load_profile()["rules"])
    norm = lambda s: re.sub(r"\(see note \d+\)|[^a-z0-9]", "", s.lower())  # noqa: E731
    known = [(int(g + e, 16), name) for g, e, name in pairs if dictionary_has_tag(int(g + e, 16))]
    assert len(pairs) - len(known) < 40
    assert [(f"{t:08X}", n) for t, n in known if norm(dictionary_description(t)) != norm(n)] == []


def test_modified_dates_option_is_derived_from_the_vr() -> None:
    rules = load_profile()["rules"]
    shifted = {tag for tag, rule in rules.items() if rule.options.get("113107") == "C"}
    assert 100 < len(shifted) < 250
    assert all(dictionary_VR(tag) in ("DA", "DT", "TM") and "U" not in rules[tag].action for tag in shifted)
    for keyword in ("StudyDate", "StudyTime", "SeriesDate", "ContentTime", "AcquisitionDateTime",
                    "InstanceCreationDate"):
        assert pydicom.tag.Tag(keyword) in shifted, keyword
    for keyword in ("PatientBirthDate", "PatientBirthTime", "PatientName", "SOPInstanceUID", "StudyDescription"):
        assert pydicom.tag.Tag(keyword) not in shifted, keyword


def test_repeating_groups_and_private_rule() -> None:
    assert rule_for(pydicom.tag.Tag(0x601E, 0x3000)).action == "X"
    assert rule_for(pydicom.tag.Tag(0x6000, 0x0010)) is None    # overlay rows: not in the table
    assert rule_for(pydicom.tag.Tag(0x6001, 0x3000)).name == "Private Attributes"  # odd group: private
    assert rule_for(pydicom.tag.Tag(0x5010, 0x0005)).name == "Curve Data"
    assert "113107" not in NOT_IMPLEMENTED and "113111" in NOT_IMPLEMENTED


# -------------------------------------------------------------------------------------------- checker
def test_checker_uses_no_scrubber_code() -> None:
    """find_phi and its helpers may read the table (rule_for, declared_options), never the scrubber's code."""
    import utils.deid as deid

    scrubber = {"deidentify", "_scrub", "_map", "_declare", "_shift_date", "remap_uid", "pseudonym_for",
                "date_offset_days", "mask_burned_in_text", "DUMMY", "NOT_SHIFTED"}
    checker = [deid.find_phi, deid._judge, deid._declarations, deid._leaks, deid._elements, deid._values,
               deid._short]
    def names(code) -> set[str]:  # nested code too (comprehensions, inner functions)
        inner = [c for c in code.co_consts if hasattr(c, "co_names")]
        return set(code.co_names).union(*(names(c) for c in inner))

    used = set().union(*(names(fn.__code__) for fn in checker))
    assert "rule_for" in used and used.isdisjoint(scrubber), used & scrubber


def test_checker_lists_everything_in_a_raw_file() -> None:
    paths = " | ".join(f.path for f in find_phi(make_slice(0)))
    for expected in ("file_meta.MediaStorageSOPInstanceUID", "PatientName", "PatientAge", "StudyDescription",
                     "OtherPatientIDsSequence", "ReferencedImageSequence[0].ReferencedSOPInstanceUID",
                     "AnatomicRegionSequence[0].InstitutionName", "AnatomicRegionSequence[0].(0013,xxxx)",
                     "(0011,xxxx)", "(6002,3000)", "(6002,4000)", "(5000,0005)", "PatientIdentityRemoved"):
        assert expected in paths, expected


def test_checker_without_original_cannot_accept_replacements() -> None:
    clean = deidentify(make_slice(0), KEY)
    assert {f.path for f in find_phi(clean)} >= {"PatientName", "StudyInstanceUID", "StudyDate"}


@pytest.mark.parametrize("damage, phrase", [
    (lambda a, o: setattr(a.file_meta, "MediaStorageSOPInstanceUID", o.SOPInstanceUID), "MediaStorageSOPInstanceUID"),
    (lambda a, o: setattr(a, "StudyDescription", o.StudyDescription), "StudyDescription [X]: present"),
    (lambda a, o: setattr(a, "SeriesInstanceUID", o.SeriesInstanceUID), "SeriesInstanceUID [U]: keeps"),
    (lambda a, o: setattr(a, "Manufacturer", o.InstitutionName), "Manufacturer [leak]"),
    (lambda a, o: setattr(a, "StudyDate", o.StudyDate), "StudyDate [C (113107)]: keeps"),
    (lambda a, o: a.ReferencedImageSequence[0].__setattr__("ReferencedSOPInstanceUID",
                                                           o.ReferencedImageSequence[0].ReferencedSOPInstanceUID),
     "ReferencedImageSequence[0].ReferencedSOPInstanceUID"),
    (lambda a, o: a.AnatomicRegionSequence[0].__setattr__("InstitutionName", "General Hospital"),
     "AnatomicRegionSequence[0].InstitutionName [X/Z/D]"),
    (lambda a, o: a.add_new(0x60003000, "OW", b"\x00\x00"), "(6000,3000) [X]"),
    (lambda a, o: a.private_block(0x0019, "X", create=True).add_new(0x01, "LO", "v"), "(0019,xxxx) [X]"),
    (lambda a, o: delattr(a, "PatientIdentityRemoved"), "PatientIdentityRemoved"),
    (lambda a, o: delattr(a, "LongitudinalTemporalInformationModified"), "LongitudinalTemporalInformationModified"),
], ids=["meta-uid-leak", "description-kept", "series-uid-kept", "value-copied-elsewhere", "date-not-shifted",
        "nested-reference-uid-kept", "nested-institution", "overlay-data", "private-tag", "no-declaration",
        "no-temporal-flag"])
def test_checker_catches_each_leak(damage, phrase: str) -> None:
    original = make_slice(0)
    clean = deidentify(original, KEY)
    assert find_phi(clean, original=original) == []
    damage(clean, original)
    assert phrase in " | ".join(str(f) for f in find_phi(clean, original=original))


# ------------------------------------------------------------------------------------------- scrubber
def test_scrubber_applies_actions_and_declares_them() -> None:
    original = make_slice(0)
    clean = deidentify(original, KEY, pseudonym="SUBJ-01")
    assert str(clean.PatientName) == clean.PatientID == "SUBJ-01"
    assert clean.PatientBirthDate == "" and clean.AccessionNumber == ""          # Z
    for gone in ("StudyDescription", "PatientAge", "InstitutionName", "OtherPatientIDsSequence"):  # X, X/Z/D
        assert gone not in clean
    assert "InstitutionName" not in clean.AnatomicRegionSequence[0]
    assert not any(e.tag.is_private for e in clean.iterall())
    assert not any(0x5000 <= e.tag.group <= 0x60FF for e in clean)               # whole overlay and curve groups
    assert clean.PatientIdentityRemoved == "YES" and clean.LongitudinalTemporalInformationModified == "MODIFIED"
    assert declared_options(clean) == {"113100", "113107"}
    assert "Basic Application Confidentiality Profile" in clean.DeidentificationMethod
    assert clean.StudyTime == original.StudyTime                                 # whole-day shift keeps times
    np.testing.assert_array_equal(clean.pixel_array, original.pixel_array)
    assert str(original.PatientName) == "Doe^Jane" and "StudyDescription" in original  # input untouched


def test_without_date_shift_dates_and_times_go() -> None:
    original = make_slice(0)
    clean = deidentify(original, KEY, shift_dates=False)
    assert clean.StudyDate == "" and clean.StudyTime == "" and "SeriesDate" not in clean
    assert clean.LongitudinalTemporalInformationModified == "REMOVED" and declared_options(clean) == {"113100"}
    assert find_phi(clean, original=original) == []


def test_uids_remapped_consistently_across_a_series() -> None:
    originals = [make_slice(k) for k in range(3)]
    uid_map: dict[str, str] = {}
    cleans = [roundtrip(deidentify(ds, KEY, uid_map=uid_map)) for ds in originals]
    assert len({c.SeriesInstanceUID for c in cleans}) == len({c.StudyInstanceUID for c in cleans}) == 1
    assert cleans[0].SeriesInstanceUID == uid_map[SERIES] != SERIES
    assert len({c.SOPInstanceUID for c in cleans}) == 3
    assert all(c.file_meta.MediaStorageSOPInstanceUID == c.SOPInstanceUID for c in cleans)
    # every slice references slice 0; the reference still points at slice 0's new UID
    assert {c.ReferencedImageSequence[0].ReferencedSOPInstanceUID for c in cleans} == {cleans[0].SOPInstanceUID}
    assert all(find_phi(c, original=o) == [] for c, o in zip(cleans, originals))


def test_uid_remapping_is_keyed_and_repeatable() -> None:
    assert remap_uid(KEY, SERIES) == remap_uid(KEY, SERIES) != remap_uid("another key", SERIES)
    assert remap_uid(KEY, SERIES) != remap_uid(KEY, STUDY)
    assert re.fullmatch(r"2\.25\.[1-9][0-9]*", remap_uid(KEY, SERIES)) and len(remap_uid(KEY, SERIES)) <= 64
    again = deidentify(make_slice(1), KEY)                                        # a later run, no shared map
    assert again.SeriesInstanceUID == deidentify(make_slice(2), KEY).SeriesInstanceUID


def test_date_offset_is_secret_per_patient_and_keeps_intervals() -> None:
    offsets = [date_offset_days(KEY, f"P{n:03d}") for n in range(50)]
    assert all(-3650 <= d <= -365 for d in offsets) and len(set(offsets)) > 40
    assert date_offset_days(KEY, "P001") == date_offset_days(KEY, "P001") != date_offset_days("other", "P001")
    first = deidentify(make_slice(0, study_date="20240102"), KEY)
    later = deidentify(make_slice(0, study_date="20240315"), KEY)
    to_date = lambda s: date(int(s[:4]), int(s[4:6]), int(s[6:]))  # noqa: E731
    assert (to_date(first.StudyDate) - to_date("20240102")).days == date_offset_days(KEY, "PID-4711")
    assert (to_date(later.StudyDate) - to_date(first.StudyDate)).days == 73       # the interval survives
    other = deidentify(make_slice(0, patient_id="PID-0815"), KEY)
    assert other.StudyDate != first.StudyDate                                     # another patient, another shift
    assert first.PatientID == pseudonym_for(KEY, "PID-4711") != other.PatientID
    with pytest.raises(ValueError, match="secret_key is empty"):
        date_offset_days("", "P001")


# ------------------------------------------------------------------------------- every course sample
def test_samples_cover_every_dicom_file_the_notebooks_open() -> None:
    used = set()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        used |= set(re.findall(r'([A-Za-z0-9_-]+\.dcm)\\?"', notebook.read_text(encoding="utf-8")))
    used = {name for name in used if get_testdata_file(name, download=False) is not None}
    assert used <= set(DICOM_SAMPLES), used - set(DICOM_SAMPLES)


@pytest.mark.parametrize("name", DICOM_SAMPLES)
def test_every_course_sample_comes_out_clean(name: str) -> None:
    original = pydicom.dcmread(get_testdata_file(name), force=True)
    assert find_phi(original), "a raw sample should have findings"
    clean = roundtrip(deidentify(original, KEY))
    assert find_phi(clean, original=original) == []


def test_mask_burned_in_text_on_the_ultrasound() -> None:
    us = pydicom.dcmread(get_testdata_file("US1_UNCI.dcm"))
    assert "BurnedInAnnotation" not in us                  # the header does not warn; the pixels show text
    masked = roundtrip(mask_burned_in_text(deidentify(us, KEY), rows=slice(0, 105)))
    assert masked.pixel_array.shape == us.pixel_array.shape
    assert masked.pixel_array[:105].max() == 0 and us.pixel_array[:105].max() > 200
    np.testing.assert_array_equal(masked.pixel_array[105:], us.pixel_array[105:])
    assert masked.BurnedInAnnotation == "NO" and declared_options(masked) == {"113100", "113107", "113101"}
    assert find_phi(masked, original=us) == []


def test_dicognito_output_is_not_basic_profile_clean() -> None:
    anonymizer = pytest.importorskip("dicognito.anonymizer")
    original = pydicom.dcmread(get_testdata_file("MR-SIEMENS-DICOM-WithOverlays.dcm"))
    other = pydicom.dcmread(get_testdata_file("MR-SIEMENS-DICOM-WithOverlays.dcm"))
    anonymizer.Anonymizer(seed="course").anonymize(other)
    assert str(other.PatientName) != str(original.PatientName) and other.StudyDate != original.StudyDate
    paths = {f.path for f in find_phi(other, original=original)}
    assert {"StudyDescription", "PatientAge", "(0029,xxxx)", "(6000,3000)"} <= paths
