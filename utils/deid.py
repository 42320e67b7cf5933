"""De-identification of DICOM headers (PS3.15 Annex E basic profile), and an independent checker.

* The table: DICOM PS3.15 Annex E, Table E.1-1 (the Basic Application Level Confidentiality Profile), edition
  2026c, as shipped in the ``dicom-anonymizer`` package (KitwareMedical, BSD licence, pinned in
  requirements.txt): :func:`load_profile` builds the tag → basic-profile action map from its lists of
  (group, element) tuples. Only the basic-profile column is in that package; see :func:`load_profile` for how
  the one option we implement is derived.
* :func:`deidentify` applies the actions of that table to a dataset, with the *Retain Longitudinal Temporal
  Information with Modified Dates* option when dates are shifted: UIDs are replaced by keyed hashes (the same
  input UID gives the same output UID in every file), and dates move by a secret per-patient offset derived
  from a key and the PatientID (HMAC-SHA256).
* :func:`find_phi` checks a dataset against the same table, not against the scrubber's code: it walks the file
  meta, nested sequences, private groups and the overlay (60xx) and curve (50xx) repeating groups, and, given
  the original, flags any value the profile says to replace that survived, wherever it appears. It shares no
  code with the scrubber except the table loader (:func:`rule_for`, :func:`declared_options`).
* :func:`mask_burned_in_text` blanks a band of pixels (text burned into the image) and declares it.

Header de-identification cannot see the pixels: burned-in text and faces need their own steps.
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Iterator, Mapping, MutableMapping

import numpy as np
from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as _table_e11
from pydicom.datadict import dictionary_description, dictionary_VR, keyword_for_tag
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag

__all__ = ["PROFILE_EDITION", "Rule", "Finding", "load_profile", "rule_for", "declared_options", "NOT_IMPLEMENTED",
           "date_offset_days", "pseudonym_for", "remap_uid", "deidentify", "find_phi", "mask_burned_in_text"]

PROFILE_EDITION = "2026c"
PROFILE_SOURCE = ("DICOM PS3.15 2026c, Annex E, Table E.1-1, basic-profile column, as shipped by dicom-anonymizer "
                  "2.1.0 (KitwareMedical, BSD licence): dicomanonymizer/dicom_anonymization_databases/"
                  "dicomfields_2026c.py")
BASIC_PROFILE = "113100"
CLEAN_PIXEL_DATA = "113101"
MODIFIED_DATES = "113107"
# PS3.16 CID 7050 (De-identification Method): code value → code meaning.
OPTIONS = {"113100": "Basic Application Confidentiality Profile", "113101": "Clean Pixel Data Option",
           "113102": "Clean Recognizable Visual Features Option", "113103": "Clean Graphics Option",
           "113104": "Clean Structured Content Option", "113105": "Clean Descriptors Option",
           "113106": "Retain Longitudinal Temporal Information Full Dates Option",
           "113107": "Retain Longitudinal Temporal Information Modified Dates Option",
           "113108": "Retain Patient Characteristics Option", "113109": "Retain Device Identity Option",
           "113110": "Retain UIDs Option", "113111": "Retain Safe Private Option",
           "113112": "Retain Institution Identity Option"}
# PS3.15 E.1.1: what each basic-profile action asks for.
ACTIONS = {"X": "remove", "Z": "replace with a zero-length value, or a dummy value consistent with the VR",
           "D": "replace with a non-zero-length dummy value consistent with the VR",
           "U": "replace with a non-zero-length UID, consistent within the set of instances",
           "X/Z": "X unless Z is required to keep the IOD conformant", "X/D": "X unless D is required",
           "Z/D": "Z unless D is required", "X/Z/D": "X unless Z or D is required",
           "X/Z/U*": "X unless Z, or U of the contained instance UIDs, is required"}
# The lists of the dicom-anonymizer module, by the basic-profile action they hold.
ACTION_LISTS = {"X_TAGS": "X", "Z_TAGS": "Z", "D_TAGS": "D", "U_TAGS": "U", "Z_D_TAGS": "Z/D", "X_Z_TAGS": "X/Z",
                "X_D_TAGS": "X/D", "X_Z_D_TAGS": "X/Z/D", "X_Z_U_STAR_TAGS": "X/Z/U*"}
# Options of Table E.1-1 (CID 7050 codes) that deidentify() does not implement.
NOT_IMPLEMENTED = ("113102", "113103", "113104", "113105", "113106", "113108", "113109", "113110", "113111",
                   "113112")
DATE_VRS = ("DA", "DT")
TIME_VRS = ("DA", "DT", "TM")   # the attributes the Modified Dates option shifts instead of removing
NOT_SHIFTED = (0x00100030, 0x00100032)  # Patient's Birth Date and Time: identifying, not procedure timing
TEXT_VRS = ("AE", "DA", "DT", "LO", "LT", "PN", "SH", "ST", "UC", "UI", "UT")
DUMMY = {"PN": "ANONYMOUS", "LO": "ANONYMOUS", "SH": "ANONYMOUS", "LT": "ANONYMOUS", "ST": "ANONYMOUS",
         "UT": "ANONYMOUS", "UC": "ANONYMOUS", "CS": "ANONYMOUS", "AE": "ANONYMOUS", "DA": "19000101",
         "TM": "000000", "DT": "19000101000000", "AS": "000Y", "DS": "0", "IS": "0"}


# ------------------------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Rule:
    """One row of Table E.1-1: the attribute, its basic-profile action and the option actions derived for it
    (by CID 7050 code; only 113107, see :func:`load_profile`)."""

    tag: str
    keyword: str
    name: str
    action: str
    options: Mapping[str, str]


@lru_cache(maxsize=1)
def load_profile() -> dict[str, Any]:
    """Table E.1-1 (edition 2026c) as ``rules`` {tag int: Rule}, ``overlay`` {element: Rule} for (60xx,eeee), the
    ``curve`` (50xx,xxxx) and ``private`` (odd group) rules, plus ``table``, ``edition``, ``source``,
    ``options`` (CID 7050 meanings) and ``actions``.

    The basic-profile actions come from dicom-anonymizer's ``dicomfields_2026c`` module, the newest edition that
    package ships (it also has 2023 and 2024b); its (group, element, group mask, element mask) entries are the
    repeating groups. Keywords and names come from pydicom's dictionary (empty for the attributes newer than it).
    The private-attributes row (odd groups: X) is typed from the standard; the package handles it apart.

    Option columns are not in that package. The one :func:`deidentify` implements, 113107 *Retain Longitudinal
    Temporal Information with Modified Dates*, is derived: every date/time attribute (VR DA, DT or TM in
    pydicom's dictionary) whose basic action is made of X, Z and D is marked ``C`` (shift it instead of
    removing it), except the patient's birth date and birth time (:data:`NOT_SHIFTED`), which identify the
    patient rather than time a procedure and stay emptied. An attribute missing from pydicom's dictionary
    gets no option and follows its basic action. That is our reading of the option, not the standard's column.
    """
    rules: dict[int, Rule] = {}
    overlay: dict[int, Rule] = {}
    curve: Rule | None = None
    for list_name, action in ACTION_LISTS.items():
        for entry in getattr(_table_e11, list_name):
            if len(entry) == 2:
                tag = (entry[0] << 16) | entry[1]
                if tag in rules:
                    raise ValueError(f"Table E.1-1: ({entry[0]:04X},{entry[1]:04X}) is listed under "
                                     f"{rules[tag].action} and {action}")
                rules[tag] = _rule(f"{tag:08X}", tag, action)
            elif entry[:1] == (0x5000,) and entry[2:] == (0xFF00, 0x0000):
                curve = _rule("50xxxxxx", 0x50000000, action, name="Curve Data")
            elif entry[:1] == (0x6000,) and entry[2:] == (0xFF00, 0xFFFF):
                overlay[entry[1]] = _rule(f"60xx{entry[1]:04X}", 0x60000000 | entry[1], action)
            else:
                raise ValueError(f"Table E.1-1: unexpected entry {entry!r} in dicomfields_2026c.{list_name}")
    if curve is None or not overlay or len(rules) + len(overlay) + 1 != len(_table_e11.ALL_TAGS):
        raise ValueError("Table E.1-1: dicomfields_2026c does not have the expected curve, overlay and ALL_TAGS "
                         "entries; is dicom-anonymizer the version pinned in requirements.txt?")
    return {"table": "DICOM PS3.15 Annex E, Table E.1-1: Application Level Confidentiality Profile Attributes",
            "edition": PROFILE_EDITION, "source": PROFILE_SOURCE, "options": OPTIONS, "actions": ACTIONS,
            "rules": rules, "overlay": overlay, "curve": curve,
            "private": Rule("gggg,odd", "", "Private Attributes", "X", {})}


def _rule(label: str, tag: int, action: str, name: str = "") -> Rule:
    """A Table E.1-1 row: pydicom's keyword, name and VR for ``tag``, and the derived Modified Dates option."""
    try:  # repeating groups (60xx) included
        keyword, full_name, vr = keyword_for_tag(tag), dictionary_description(tag), dictionary_VR(tag)
    except KeyError:
        keyword, full_name, vr = "", "", ""
    shifted = vr in TIME_VRS and set(action.split("/")) <= {"X", "Z", "D"} and tag not in NOT_SHIFTED
    return Rule(label, keyword, name or full_name, action, {MODIFIED_DATES: "C"} if shifted else {})


def _in_repeating_group(group: int, base: int) -> bool:
    return base <= group <= base + 0x1E and group % 2 == 0


def rule_for(tag: BaseTag) -> Rule | None:
    """The Table E.1-1 row that covers ``tag`` (private, overlay and curve groups included), or None."""
    table = load_profile()
    if tag.is_private:
        return table["private"]
    if _in_repeating_group(tag.group, 0x6000):
        return table["overlay"].get(tag.element)
    if _in_repeating_group(tag.group, 0x5000):
        return table["curve"]
    return table["rules"].get(int(tag))


def declared_options(ds: Dataset) -> set[str]:
    """The CID 7050 codes in DeidentificationMethodCodeSequence (0012,0064)."""
    return {str(item.get("CodeValue", "")) for item in ds.get("DeidentificationMethodCodeSequence", [])}


# --------------------------------------------------------------------------------------- keyed mappings
def _key(secret_key: bytes | str) -> bytes:
    key = secret_key.encode() if isinstance(secret_key, str) else bytes(secret_key)
    if not key:
        raise ValueError("secret_key is empty: use a long random key kept by the data owner")
    return key


def date_offset_days(secret_key: bytes | str, patient_id: str, *, min_days: int = 365,
                     max_days: int = 3650) -> int:
    """The patient's secret date offset: minus ``min_days`` to ``max_days`` days, from HMAC-SHA256(key, PatientID).

    The same patient always gets the same offset (intervals between their studies survive); without the key
    the offset cannot be recomputed, so the real dates cannot be recovered from the shifted ones.
    """
    digest = hmac.new(_key(secret_key), b"date-offset:" + str(patient_id).encode(), hashlib.sha256).digest()
    return -(min_days + int.from_bytes(digest[:8], "big") % (max_days - min_days + 1))


def pseudonym_for(secret_key: bytes | str, patient_id: str) -> str:
    """A stable pseudonym for a PatientID (``ANON-`` and ten hex digits of HMAC-SHA256)."""
    digest = hmac.new(_key(secret_key), b"pseudonym:" + str(patient_id).encode(), hashlib.sha256).hexdigest()
    return "ANON-" + digest[:10].upper()


def remap_uid(secret_key: bytes | str, uid: str) -> str:
    """A new UID for ``uid``: ``2.25.`` and a name-based UUID from HMAC-SHA256(key, uid); same input, same output."""
    digest = hmac.new(_key(secret_key), b"uid:" + str(uid).encode(), hashlib.sha256).digest()
    return f"2.25.{uuid.UUID(bytes=digest[:16], version=5).int}"


def _shift_date(value: str, days: int) -> str:
    """Shift the YYYYMMDD part of a DA or DT value by ``days``; a value that is not a full date is emptied."""
    try:
        day = datetime.strptime(value[:8], "%Y%m%d") + timedelta(days=days)
    except ValueError:
        return ""
    return day.strftime("%Y%m%d") + value[8:]


# --------------------------------------------------------------------------------------------- scrubber
def deidentify(ds: Dataset, secret_key: bytes | str, *, uid_map: MutableMapping[str, str] | None = None,
               pseudonym: str | None = None, shift_dates: bool = True) -> Dataset:
    """Return a de-identified copy of ``ds`` following PS3.15 Table E.1-1 (basic profile).

    Actions: X removes, Z empties, D writes a dummy value, U replaces UIDs with :func:`remap_uid` (recorded in
    ``uid_map``, old → new). Compound actions: X/Z, X/D and X/Z/D remove; Z/D empties (PatientID gets the
    pseudonym); X/Z/U* keeps the reference sequence and replaces the UIDs inside it. Private groups and whole
    overlay and curve groups are removed. With ``shift_dates`` (the Modified Dates option, 113107) every
    attribute :func:`load_profile` marks "C" for that option (dates and times, by VR) is kept: dates move by
    :func:`date_offset_days`, times of day stay; without it they follow the basic action (removed or emptied).
    PatientName and PatientID become ``pseudonym`` (default :func:`pseudonym_for`). The result declares what
    was done: PatientIdentityRemoved, DeidentificationMethod and its code sequence,
    LongitudinalTemporalInformationModified. Options in :data:`NOT_IMPLEMENTED` are not applied, and pixels
    are left alone.
    """
    patient_id = str(ds.get("PatientID", ""))
    days = date_offset_days(secret_key, patient_id) if shift_dates else None
    uid_map = {} if uid_map is None else uid_map

    def new_uid(value: str) -> str:
        if value not in uid_map:
            uid_map[value] = remap_uid(secret_key, value)
        return uid_map[value]

    out = copy.deepcopy(ds)
    _scrub(out, days, new_uid)
    name = pseudonym or pseudonym_for(secret_key, patient_id)
    out.PatientName, out.PatientID = name, name
    meta = getattr(out, "file_meta", None)
    if meta is not None:
        for elem in list(meta):
            if rule_for(elem.tag) is not None and elem.VR == "UI":
                elem.value = new_uid(str(elem.value)) if elem.value else elem.value
        if "SOPInstanceUID" in out:
            meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    codes = [BASIC_PROFILE] + ([MODIFIED_DATES] if shift_dates else [])
    _declare(out, codes)
    out.LongitudinalTemporalInformationModified = "MODIFIED" if shift_dates else "REMOVED"
    return out


def _declare(ds: Dataset, codes: list[str]) -> None:
    """Set PatientIdentityRemoved, DeidentificationMethod and its code sequence (CID 7050), keeping earlier codes."""
    meanings = OPTIONS
    have = [c for c in declared_options(ds) if c]
    items = []
    for code in dict.fromkeys(have + codes):
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = code, "DCM", meanings[code][:64]
        items.append(item)
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethodCodeSequence = Sequence(items)
    ds.DeidentificationMethod = [f"{meanings[c]}"[:64] for c in dict.fromkeys(have + codes)]


def _scrub(ds: Dataset, days: int | None, new_uid: Any) -> None:
    for elem in list(ds):
        tag = elem.tag
        if _in_repeating_group(tag.group, 0x6000):  # an overlay plane without its data is incomplete: drop it all
            del ds[tag]
            continue
        rule = rule_for(tag)
        if rule is None:
            if elem.VR == "SQ":
                for item in elem.value:
                    _scrub(item, days, new_uid)
            continue
        if days is not None and rule.options.get(MODIFIED_DATES) == "C" and elem.VR in TIME_VRS:
            if elem.VR in DATE_VRS:
                elem.value = _map(elem.value, lambda v: _shift_date(v, days))
            continue  # a whole-day shift leaves the time of day unchanged
        action = {"X/Z": "X", "X/D": "X", "X/Z/D": "X", "Z/D": "Z", "X/Z/U*": "U*"}.get(rule.action, rule.action)
        if action == "X":
            del ds[tag]
        elif action == "Z":
            elem.value = Sequence() if elem.VR == "SQ" else ""
        elif action in ("D", "U*") and elem.VR == "SQ":
            for item in elem.value:
                _scrub(item, days, new_uid)
        elif action == "D":
            elem.value = _map(elem.value, lambda v: DUMMY.get(elem.VR, "0")) if elem.VR != "UI" else \
                _map(elem.value, new_uid)
        elif action == "U":
            elem.value = _map(elem.value, new_uid)


def _map(value: Any, fn: Any) -> Any:
    if isinstance(value, (list, MultiValue)):
        return [fn(str(v)) for v in value]
    return fn(str(value)) if value not in (None, "") else value


def mask_burned_in_text(ds: Dataset, rows: slice, columns: slice = slice(None), value: int = 0) -> Dataset:
    """Return a copy of ``ds`` whose pixels in ``rows`` x ``columns`` (every frame and channel) are ``value``.

    It declares the Clean Pixel Data option (113101) and sets BurnedInAnnotation to NO: only call it after you
    have looked at the image and the band covers every piece of burned-in text.
    """
    out = copy.deepcopy(ds)
    pixels = np.array(ds.pixel_array)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    pixels[(slice(None),) * (frames > 1) + (rows, columns)] = value
    out.set_pixel_data(pixels, str(ds.PhotometricInterpretation), int(ds.BitsStored), generate_instance_uid=False)
    out.BurnedInAnnotation = "NO"
    _declare(out, [CLEAN_PIXEL_DATA])
    return out


# ----------------------------------------------------------------------------------- independent checker
@dataclass(frozen=True)
class Finding:
    """Something in a dataset that the profile says should not be there (path, the rule, what is wrong)."""

    path: str
    rule: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path} [{self.rule}]: {self.problem}"


def _elements(ds: Dataset, prefix: str = "") -> Iterator[tuple[str, DataElement]]:
    """Every element with a readable path: the file meta first, then the dataset, descending into sequences."""
    meta = getattr(ds, "file_meta", None) if not prefix else None
    if meta is not None:
        for elem in meta:
            yield f"file_meta.{elem.keyword or elem.tag}", elem
    for elem in ds:
        name = f"{prefix}{elem.keyword or str(elem.tag)}"
        yield name, elem
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                yield from _elements(item, f"{name}[{i}].")


def _values(elem: DataElement) -> list[str]:
    if elem.VR == "SQ" or elem.value is None:
        return []
    values = elem.value if isinstance(elem.value, (list, MultiValue)) else [elem.value]
    return [str(v) for v in values if not isinstance(v, (bytes, bytearray)) and str(v) != ""]


def find_phi(ds: Dataset, original: Dataset | None = None) -> list[Finding]:
    """Check ``ds`` against Table E.1-1; an empty list means nothing the table covers is left.

    Without ``original``, every attribute the table says to remove, empty or replace that is still present
    with a value is reported (a replaced value cannot be told from the real one). With ``original``, a
    replaced value passes when it differs from the original's, and every identifying value of the original
    is also searched for everywhere in ``ds`` (file meta, sequences, private tags). Private groups, overlay
    data and curves, the declarations (PatientIdentityRemoved, DeidentificationMethod, and
    LongitudinalTemporalInformationModified for the Modified Dates option) and MediaStorageSOPInstanceUID =
    SOPInstanceUID are checked too. Only the Modified Dates option (113107) changes what passes.
    """
    options = declared_options(ds)
    before = dict(_elements(original)) if original is not None else {}
    findings: list[Finding] = []
    private: dict[str, int] = {}
    skip: tuple[str, ...] = ()
    for path, elem in _elements(ds):
        if skip and path.startswith(skip):
            continue
        rule = rule_for(elem.tag)
        if rule is None:
            continue
        if elem.tag.is_private:
            block = path.rsplit(".", 1)[0] + "." if "." in path else ""
            key = f"{block}({elem.tag.group:04X},xxxx)"
            private[key] = private.get(key, 0) + 1
            continue
        action = rule.action
        if MODIFIED_DATES in options and rule.options.get(MODIFIED_DATES) == "C" and elem.VR in TIME_VRS:
            action = "C"
        problem = _judge(action, elem, before.get(path), original is not None)
        if problem:
            findings.append(Finding(path, rule.action if action != "C" else "C (113107)", problem))
            if elem.VR == "SQ":
                skip = (*skip, path + "[")
    findings += [Finding(key, "X", f"{n} private element{'s' * (n > 1)}")
                 for key, n in private.items()]
    findings += _declarations(ds, options)
    if original is not None:
        flagged = tuple(f.path for f in findings)
        findings += [f for f in _leaks(ds, original) if not f.path.startswith(flagged)]
    return findings


def _judge(action: str, elem: DataElement, old: DataElement | None, compare: bool) -> str:
    """What is wrong with ``elem`` under ``action`` ('' if nothing); ``old`` is the original's element, and
    ``compare`` says whether an original was given at all (an element the original lacks is new)."""
    values = _values(elem)
    filled = bool(elem.value) if elem.VR == "SQ" else bool(values)
    if action == "X":
        return "present (remove it)"
    if action == "X/Z/U*" or (action == "D" and elem.VR == "SQ"):
        return ""  # a reference sequence may stay; the UIDs inside it are checked one by one
    if not filled:
        return ""  # empty: nothing identifying is left (Z; and the safe side of X/Z, X/D, Z/D, D, U)
    if action == "C" and elem.VR == "TM":
        return ""  # Modified Dates option: times of day may be kept when dates move by whole days
    if elem.VR == "SQ":
        return f"sequence with {len(elem.value)} item(s) (remove or empty it)"
    if not compare:
        return f"holds {_short(values)}"
    if old is None:
        return ""
    kept = sorted(set(values) & set(_values(old)))
    return f"keeps its original value {_short(kept)}" if kept else ""


def _short(values: list[str]) -> str:
    text = repr(values[0]) if len(values) == 1 else repr(values)
    return text if len(text) <= 48 else text[:45] + "...'"


def _declarations(ds: Dataset, options: set[str]) -> list[Finding]:
    found = []
    if str(ds.get("PatientIdentityRemoved", "")).upper() != "YES":
        found.append(Finding("PatientIdentityRemoved", "E.1.1", "must be YES after de-identification"))
    if not ds.get("DeidentificationMethod") and not ds.get("DeidentificationMethodCodeSequence"):
        found.append(Finding("DeidentificationMethod", "E.1.1", "missing: say which profile and options were used"))
    elif BASIC_PROFILE not in options and "DeidentificationMethodCodeSequence" in ds:
        found.append(Finding("DeidentificationMethodCodeSequence", "E.1.1", "does not list 113100 (basic profile)"))
    if MODIFIED_DATES in options and ds.get("LongitudinalTemporalInformationModified") != "MODIFIED":
        found.append(Finding("LongitudinalTemporalInformationModified", "113107", "must be MODIFIED when dates "
                             "are shifted"))
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "SOPInstanceUID" in ds and meta.get("MediaStorageSOPInstanceUID") != ds.SOPInstanceUID:
        found.append(Finding("file_meta.MediaStorageSOPInstanceUID", "PS3.10", "differs from SOPInstanceUID"))
    return found


def _leaks(ds: Dataset, original: Dataset) -> list[Finding]:
    """Elements of ``ds`` holding an identifying value of ``original`` (one the table acts on), wherever they are."""
    identifying, retained, texts = set(), set(), set()
    for _, elem in _elements(original):
        rule = rule_for(elem.tag)
        if elem.VR in TEXT_VRS and not elem.tag.is_private:
            target = identifying if rule is not None and rule.action != "K" else retained
            target.update(v for v in _values(elem) if len(v) >= 4)
            if elem.VR != "UI":
                texts.update(v for v in _values(elem) if len(v) >= 8)
    identifying -= retained  # a value the original also holds in a kept attribute is not a leak
    texts &= identifying     # long text values are also searched for inside other text (UIDs only whole)
    found = []
    for path, elem in _elements(ds):
        if elem.VR == "TM":
            continue
        for value in _values(elem):
            hit = value if value in identifying else None
            if hit is None and elem.VR != "UI":
                hit = next((v for v in texts if v in value), None)
            if hit is not None:
                found.append(Finding(path, "leak", f"holds the original identifying value {_short([hit])}"))
                break
    return found
