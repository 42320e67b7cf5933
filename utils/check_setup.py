"""Pre-flight check before a workshop: ``python -m utils.check_setup`` (add ``--quick`` to skip TensorFlow).

One line per item (✓ fine, ! works but differs, ✗ must be fixed, – not needed or not there yet), then
"Ready" or "Not ready: do X". The exit code is 0 when ready and 1 otherwise, so it can gate a script.

Every dataset file reported as present is opened: PneumoniaMNIST against its MD5, each Task02_Heart NIfTI read to
its end (a truncated .nii.gz fails), each Kaggle image's header and end marker. The data folder must be a folder
this user can write to (notebook 05 writes its de-identified copies there, downloads go there).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import tempfile
import zlib
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Callable, Iterable, Literal, Mapping, Sequence

from .config import ROOT, display_path, get_config
from .download import file_hash
from .sources import PNEUMONIAMNIST_SIZES, get_source, pneumoniamnist

Status = Literal["ok", "warn", "fail", "skip"]
SYMBOL: dict[str, str] = {"ok": "✓", "warn": "!", "fail": "✗", "skip": "–"}
PYTHON_RANGE = ((3, 10), (3, 12))  # as stated in requirements.txt
MIN_FREE_MEMORY_GB = 2.0
# The sample files the notebooks open (pydicom's own test files and pydicom-data's), and nibabel's.
DICOM_SAMPLES = ("CT_small.dcm", "693_UNCI.dcm", "693_UNCR.dcm", "693_J2KI.dcm", "693_J2KR.dcm", "MR2_UNCI.dcm",
                 "RG1_UNCI.dcm", "RG3_UNCI.dcm", "US1_UNCI.dcm", "emri_small.dcm", "emri_small_RLE.dcm",
                 "emri_small_jpeg_ls_lossless.dcm", "JPEG2000.dcm", "JPEG2000_UNC.dcm", "JPEG-LL.dcm",
                 "MR-SIEMENS-DICOM-WithOverlays.dcm", "MR_truncated.dcm", "rtstruct.dcm", "test-SR.dcm")
NIFTI_SAMPLES = ("example4d.nii.gz", "anatomical.nii")
# Compressed samples and the transfer syntax each needs a decoder for (pylibjpeg plugins).
COMPRESSED_SAMPLES = {"693_J2KR.dcm": "JPEG 2000", "JPEG-LL.dcm": "JPEG lossless",
                      "emri_small_jpeg_ls_lossless.dcm": "JPEG-LS"}
GB = 1024**3


@dataclass(frozen=True)
class Check:
    """The result of one check: what was checked, how it went, and what to do about it."""

    item: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        """One printable line, with the fix after an arrow when something needs doing."""
        fix = f" → {self.fix}" if self.fix and self.status in ("warn", "fail") else ""
        return f"{SYMBOL[self.status]} {self.item}: {self.detail}{fix}"


@dataclass(frozen=True)
class Pin:
    """One line of requirements.txt: the package, its pinned version, and whether it applies here."""

    name: str
    version: str | None
    applies: bool


def read_pins(path: Path, environment: Mapping[str, str] | None = None) -> list[Pin]:
    """Parse a requirements file (comments, ``==`` pins and environment markers) into pins."""
    from packaging.requirements import Requirement

    pins = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        req = Requirement(line)
        exact = [s.version for s in req.specifier if s.operator == "=="]
        applies = req.marker is None or req.marker.evaluate(dict(environment) if environment else None)
        pins.append(Pin(req.name, exact[0] if len(exact) == 1 else None, bool(applies)))
    return pins


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_python(version: Sequence[int] = tuple(sys.version_info[:3])) -> Check:
    """Python within the supported range."""
    (lo_major, lo_minor), (hi_major, hi_minor) = PYTHON_RANGE
    text = ".".join(map(str, version[:3]))
    supported = f"{lo_major}.{lo_minor} to {hi_major}.{hi_minor}"
    if (lo_major, lo_minor) <= tuple(version[:2]) <= (hi_major, hi_minor):
        return Check("Python", "ok", f"{text} (supported: {supported})")
    return Check("Python", "fail", f"{text} is outside {supported}",
                 "install Python 3.11 (for example: conda env create -f environment.yml)")


def check_package(pin: Pin, installed: Callable[[str], str | None] = _installed, *,
                  colab_managed: bool = False) -> Check:
    """One package against its pin; ``colab_managed`` packages only need to be present (Colab ships its own)."""
    if not pin.applies:
        return Check(pin.name, "skip", "not for this platform")
    have = installed(pin.name)
    if have is None:
        if colab_managed:
            return Check(pin.name, "skip", "not installed (not needed on Colab)")
        return Check(pin.name, "fail", f"missing (wanted {pin.version or 'any version'})",
                     "pip install -r requirements.txt")
    if pin.version is None or _same_version(have, pin.version):
        return Check(pin.name, "ok", have)
    if _major(have) != _major(pin.version):  # a new major version breaks APIs (Keras 2 vs 3, pydicom 2 vs 3)
        return Check(pin.name, "fail", f"{have} installed, the course needs {pin.version} (major version differs)",
                     f"pip install {pin.name}=={pin.version}")
    if colab_managed:
        return Check(pin.name, "ok", f"{have} (Colab's own)")
    return Check(pin.name, "warn", f"{have} installed, course tested with {pin.version}",
                 "pip install -r requirements.txt")


def _same_version(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _major(version: str) -> int | str:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version).major
    except InvalidVersion:
        return version.split(".")[0]


def on_colab() -> bool:
    """True inside Google Colab (its Python package is importable)."""
    try:
        return find_spec("google.colab") is not None
    except (ImportError, ValueError):
        return False


def check_packages(requirements: Path = ROOT / "requirements.txt", *, colab: bool | None = None,
                   installed: Callable[[str], str | None] = _installed) -> list[Check]:
    """Every package in requirements.txt against its pin (on Colab, only requirements-colab.txt is strict)."""
    colab = on_colab() if colab is None else colab
    strict = {p.name.lower() for p in read_pins(requirements.parent / "requirements-colab.txt")} if colab else None
    return [check_package(pin, installed, colab_managed=strict is not None and pin.name.lower() not in strict)
            for pin in read_pins(requirements)]


def summarise_packages(checks: Sequence[Check]) -> list[Check]:
    """One summary line for the packages, plus a line for each one that is not fine."""
    good = [c for c in checks if c.status in ("ok", "skip")]
    needed = [c for c in checks if c.detail != "not for this platform"]
    status: Status = "ok" if len(good) == len(checks) else "fail" if any(c.status == "fail" for c in checks) \
        else "warn"
    summary = Check("Packages", status, f"{sum(c.status == 'ok' for c in checks)} of {len(needed)} match "
                    "requirements.txt" + ("" if status == "ok" else " (see below)"),
                    "pip install -r requirements.txt")
    return [summary, *[Check(f"  {c.item}", c.status, c.detail, c.fix) for c in checks if c not in good]]


_TF_PROBE = """
import json, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
kinds = [d.device_type for d in tf.config.list_physical_devices()]
print(json.dumps({"version": tf.__version__, "devices": kinds}))
"""


def check_tensorflow(timeout: float = 180.0) -> Check:
    """Import TensorFlow in a separate process (an old CPU can crash it) and list its devices."""
    try:
        proc = subprocess.run([sys.executable, "-c", _TF_PROBE], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Check("TensorFlow", "fail", f"import took longer than {timeout:.0f} s",
                     "restart the machine or use Colab")
    return tensorflow_result(proc.returncode, proc.stdout, proc.stderr, tpu=_tpu_present())


def _tpu_present() -> bool:
    from .accelerate import tpu_hint

    return tpu_hint() is not None


def tensorflow_result(returncode: int, stdout: str, stderr: str, *, tpu: bool = False) -> Check:
    """Interpret the TensorFlow probe: version and devices, or why the import failed."""
    if returncode == -4 or "Illegal instruction" in stderr:
        return Check("TensorFlow", "fail", "crashed on import (this CPU lacks the AVX instructions TensorFlow needs)",
                     "use Colab or Binder (see the README), or a newer machine")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if returncode != 0 or not lines:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return Check("TensorFlow", "fail", f"import failed: {last[:160]}", "pip install -r requirements.txt")
    info = json.loads(lines[-1])
    counts = {k: info["devices"].count(k) for k in ("CPU", "GPU", "TPU") if k in info["devices"]}
    if tpu and "TPU" not in counts:
        counts["TPU"] = 1
    devices = ", ".join(f"{n} {k}" for k, n in counts.items()) or "none"
    extra = "" if set(counts) - {"CPU"} else " (CPU only: fine for this course)"
    return Check("TensorFlow", "ok", f"{info['version']} · devices: {devices}{extra}")


def check_network(offline: bool, needed: bool, url: str | None = None, timeout: float = 3.0) -> Check:
    """A quick HEAD request to the PneumoniaMNIST file; skipped with MEDIMG_OFFLINE=1."""
    if offline:
        return Check("Network", "skip", "not checked (MEDIMG_OFFLINE=1: real data only from the data folder)")
    url = url or pneumoniamnist(28).url
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            pass
    except urllib.error.HTTPError as exc:  # the server answered, so the network works
        return Check("Network", "ok", f"{host} reachable (HTTP {exc.code})")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if not needed:
            return Check("Network", "skip", f"{host} not reachable ({reason}); not needed, all data is here")
        return Check("Network", "warn", f"{host} not reachable ({reason}): the notebooks use their synthetic data",
                     "for real data, copy a prepared data folder (docs/INSTRUCTORS.md); set MEDIMG_OFFLINE=1 "
                     "to skip download attempts")
    return Check("Network", "ok", f"{host} reachable")


def check_data_folder(data_dir: Path) -> Check:
    """The data root is a folder (or can be created) and this user can create files in it."""
    fix = "make it a writable folder (chmod u+w, or remove the file in its place), or point MEDIMG_DATA_DIR at one"
    existing = next((p for p in [data_dir, *data_dir.parents] if p.exists()), None)
    if existing is None:
        return Check("Data folder", "fail", f"no existing folder above {display_path(data_dir)}", fix)
    if not existing.is_dir():
        return Check("Data folder", "fail", f"{display_path(existing)} is a file, not a folder", fix)
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".write-test.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return Check("Data folder", "fail", f"{display_path(existing)} is read-only ({exc.strerror or exc})", fix)
    if existing != data_dir:
        return Check("Data folder", "ok", f"{display_path(data_dir)} does not exist yet; it can be created")
    return Check("Data folder", "ok", f"{display_path(data_dir)} is a writable folder")


def nifti_problem(path: Path) -> str | None:
    """Why a NIfTI file is unusable (header unreadable, gzip cut short or corrupt, too few bytes), or None."""
    import nibabel as nib
    import numpy as np

    size = 0
    try:
        with (gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")) as f:
            while block := f.read(1 << 22):
                size += len(block)
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, gzip.BadGzipFile) and "Not a gzipped file" in str(exc):
            return "not a gzip file, although its name ends in .gz (a web page or an unpacked file?)"
        return f"cut short or corrupt ({type(exc).__name__}: {str(exc)[:80]})"
    try:
        img = nib.load(path)
        need = int(img.header.get_data_offset()) + int(np.prod(img.shape)) * img.header.get_data_dtype().itemsize
    except Exception as exc:  # nibabel raises several types for a file that is not NIfTI
        return f"not a readable NIfTI header ({type(exc).__name__})"
    if size < need:
        return f"cut short ({size} of the {need} bytes its header announces)"
    return None


def image_problem(path: Path) -> str | None:
    """Why a JPEG or PNG file is unusable (not an image, no JPEG end marker, PNG checksum error), or None."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            kind = img.format
            if kind == "PNG":
                img.verify()
    except Exception as exc:  # PIL raises several types for a damaged or fake file
        return f"not a readable image ({type(exc).__name__})"
    if kind == "JPEG":
        with open(path, "rb") as f:
            f.seek(max(path.stat().st_size - 64, 0))
            if b"\xff\xd9" not in f.read():
                return "cut short (the JPEG end marker is missing)"
    return None


def _first_damaged(paths: Iterable[Path], problem: Callable[[Path], str | None]) -> tuple[int, Path | None, str]:
    """(number damaged, first damaged file, its problem)."""
    count, first, why = 0, None, ""
    for path in paths:
        reason = problem(path)
        if reason:
            count += 1
            if first is None:
                first, why = path, reason
    return count, first, why


def check_pneumoniamnist(data_dir: Path, verify: bool = True) -> Check:
    """Which PneumoniaMNIST sizes are under ``<data>/pneumoniamnist/`` (and whether their MD5s match)."""
    present, broken = [], []
    for px in PNEUMONIAMNIST_SIZES:
        src = pneumoniamnist(px)
        path = data_dir / src.subdir / src.filename
        if path.is_file():
            if not verify or file_hash(path) == src.md5:
                present.append(f"{px} px")
            else:
                broken.append((px, path, src.name))
    folder = display_path(data_dir / "pneumoniamnist")
    if broken:
        px, path, name = broken[0]
        return Check("PneumoniaMNIST", "fail", f"damaged (MD5 differs): {', '.join(f'{b[0]} px' for b in broken)} "
                     f"in {folder}", f"file {display_path(path)} is damaged, re-download it: delete it and run "
                     f"python -m utils.download {' '.join(b[2] for b in broken)}")
    if present:
        return Check("PneumoniaMNIST", "ok", f"{', '.join(present)} in {folder}")
    return Check("PneumoniaMNIST", "skip", "not here: notebook 07 downloads it when the network allows, otherwise "
                 "it uses synthetic chest films")


def check_heart(data_dir: Path) -> Check:
    """The Decathlon Task02_Heart folder (or its tar) under the data root, as ``utils.heart_data`` reads it."""
    from .heart_data import find_decathlon_root, nifti_files

    src = get_source("task02_heart")
    folder = data_dir / src.folder
    if folder.exists() and not folder.is_dir():
        return Check("Task02_Heart", "fail", f"{display_path(folder)} is a file, not the dataset folder",
                     "remove the file and run: python -m utils.download task02_heart")
    if folder.is_dir():
        try:
            root = find_decathlon_root(folder)
        except FileNotFoundError as exc:
            return Check("Task02_Heart", "fail", str(exc),
                         "delete the folder and run: python -m utils.download task02_heart")
        images, labels = ([p.name for p in nifti_files(root / sub)] for sub in ("imagesTr", "labelsTr"))
        if images and images == labels:
            paths = [root / sub / name for name in images for sub in ("imagesTr", "labelsTr")]
            n_bad, bad, why = _first_damaged(paths, nifti_problem)
            if bad is not None:
                return Check("Task02_Heart", "fail", f"{n_bad} of {len(paths)} NIfTI files are damaged, e.g. "
                             f"{display_path(bad)}: {why}",
                             f"file {display_path(bad)} is damaged, re-download it: delete {display_path(root)} and "
                             "run python -m utils.download task02_heart")
            return Check("Task02_Heart", "ok", f"{len(images)} labelled volumes in {display_path(root)} "
                         "(all files read to the end)")
        return Check("Task02_Heart", "fail", f"{display_path(root)} is incomplete ({len(images)} images in "
                     f"imagesTr/, {len(labels)} labels in labelsTr/, names must match)",
                     "delete the folder and run: python -m utils.download task02_heart")
    tar = data_dir / src.subdir / src.filename
    if tar.is_file():
        if src.md5 and file_hash(tar) != src.md5:
            return Check("Task02_Heart", "fail", f"{display_path(tar)} is damaged (its MD5 differs from the "
                         "manifest's)", f"file {display_path(tar)} is damaged, re-download it: delete it and run "
                         "python -m utils.download task02_heart")
        return Check("Task02_Heart", "ok", f"{src.filename} downloaded and verified, not extracted yet (loading it "
                     "extracts it)")
    return Check("Task02_Heart", "skip", f"not here: notebook 08 uses synthetic hearts (real set: {src.size}, "
                 "python -m utils.download task02_heart)")


def check_chest_xray(data_dir: Path) -> Check:
    """The optional Kaggle chest X-ray folder (manual download) and its image counts, as
    ``utils.pneumonia_data`` finds it (``chest_xray/`` or a nested ``chest_xray/chest_xray/``)."""
    folder = data_dir / get_source("chest_xray_kaggle").folder
    if folder.exists() and not folder.is_dir():
        return Check("Kaggle chest_xray", "fail", f"{display_path(folder)} is a file, not the dataset folder",
                     "unpack the Kaggle archive there instead (see data/README.md)")
    if not folder.is_dir():
        return Check("Kaggle chest_xray", "skip", "not there (optional, manual download; see data/README.md)")
    from .pneumonia_data import DataLayoutError, find_kaggle_root, kaggle_files

    try:
        root = find_kaggle_root(folder)
        files = {split: [path for path, _ in found] for split, found in kaggle_files(root).items()}
    except DataLayoutError as exc:
        return Check("Kaggle chest_xray", "fail", str(exc),
                     "unpack the archive so that chest_xray/{train,test}/{NORMAL,PNEUMONIA}/ (and optionally val/) "
                     "hold the images")
    total = sum(len(found) for found in files.values())
    n_bad, bad, why = _first_damaged((p for found in files.values() for p in found), image_problem)
    if bad is not None:
        return Check("Kaggle chest_xray", "fail", f"{n_bad} of {total} images are damaged, e.g. "
                     f"{display_path(bad)}: {why}", f"file {display_path(bad)} is damaged, re-download it (the "
                     "Kaggle archive, see data/README.md) and unpack it again")
    return Check("Kaggle chest_xray", "ok", f"{total} images in {display_path(root)} (all open)")


def check_memory(available_bytes: int | None = None) -> Check:
    """Free (available) memory against the 2 GB a notebook may use."""
    if available_bytes is None:
        import psutil

        available_bytes = psutil.virtual_memory().available
    text = f"{available_bytes / GB:.1f} GB available (notebooks need up to {MIN_FREE_MEMORY_GB:.0f} GB)"
    if available_bytes >= MIN_FREE_MEMORY_GB * GB:
        return Check("Memory", "ok", text)
    return Check("Memory", "fail", text, "close other programs, or run with MEDIMG_FAST=1, or use Colab")


def check_disk(data_dir: Path, need_bytes: int, free_bytes: int | None = None) -> Check:
    """Free disk space where the data goes against what the missing downloads need."""
    if free_bytes is None:
        existing = next(p for p in [data_dir, *data_dir.parents] if p.exists())
        free_bytes = shutil.disk_usage(existing).free
    text = f"{free_bytes / GB:.1f} GB free for the data (downloads still to come need about {need_bytes / GB:.1f} GB)"
    if free_bytes >= need_bytes:
        return Check("Disk", "ok", text)
    return Check("Disk", "fail", text, "free some space or point MEDIMG_DATA_DIR at a larger disk")


def missing_download_bytes(data_dir: Path) -> int:
    """Rough space the automatic downloads still need: the heart tar plus its extracted copy, PneumoniaMNIST."""
    need = 0
    heart = get_source("task02_heart")
    if not (data_dir / heart.folder).is_dir():
        need += 2 * 435 * 10**6
    if not any((data_dir / "pneumoniamnist" / pneumoniamnist(px).filename).is_file() for px in PNEUMONIAMNIST_SIZES):
        need += 100 * 10**6
    return need


def check_samples() -> Check:
    """The DICOM samples (pydicom, pydicom-data) and NIfTI samples (nibabel) the notebooks open, all local."""
    try:
        from pydicom.data import get_testdata_file
        import nibabel
    except ImportError as exc:
        return Check("Sample files", "fail", f"cannot import {exc.name}", "pip install -r requirements.txt")
    missing = [n for n in DICOM_SAMPLES if get_testdata_file(n, download=False) is None]
    nib_data = Path(nibabel.__file__).parent / "tests" / "data"
    missing += [n for n in NIFTI_SAMPLES if not (nib_data / n).is_file()]
    total = len(DICOM_SAMPLES) + len(NIFTI_SAMPLES)
    if missing:
        return Check("Sample files", "fail", f"{len(missing)} of {total} missing: {', '.join(missing)}",
                     "pip install -r requirements.txt (pydicom-data and nibabel ship them)")
    return Check("Sample files", "ok", f"all {total} DICOM (pydicom-data) and NIfTI (nibabel) samples are local")


def check_decoders() -> Check:
    """Decode one compressed sample per transfer syntax (JPEG 2000, JPEG lossless, JPEG-LS) the notebooks use."""
    try:
        import pydicom
        from pydicom.data import get_testdata_file
    except ImportError as exc:
        return Check("DICOM decoders", "fail", f"cannot import {exc.name}", "pip install -r requirements.txt")
    failed = []
    for name, syntax in COMPRESSED_SAMPLES.items():
        path = get_testdata_file(name, download=False)
        try:
            if path is None:
                raise FileNotFoundError(name)
            pydicom.dcmread(path).pixel_array
        except Exception as exc:  # pydicom raises several types when no plugin can decode
            failed.append(f"{syntax} ({type(exc).__name__})")
    if failed:
        return Check("DICOM decoders", "fail", f"cannot decode {', '.join(failed)}",
                     "pip install -r requirements.txt (pylibjpeg and its openjpeg and libjpeg plugins)")
    return Check("DICOM decoders", "ok", f"{', '.join(COMPRESSED_SAMPLES.values())} decode")


def verdict(checks: Iterable[Check]) -> tuple[bool, str]:
    """``(True, "Ready ...")`` when nothing failed, else ``(False, "Not ready: <fixes>")``."""
    checks = list(checks)
    failed = [c for c in checks if c.status == "fail"]
    warned = [c for c in checks if c.status == "warn"]
    if not failed:
        note = f" ({len(warned)} warning{'s' if len(warned) != 1 else ''} above)" if warned else ""
        return True, f"Ready: this machine can run the course{note}."
    fixes = list(dict.fromkeys(f"{c.fix} ({c.item.strip()})" for c in failed))
    return False, "Not ready: " + "; ".join(fixes) + "."


def run_checks(quick: bool = False) -> list[Check]:
    """All checks, in the order they are printed."""
    cfg = get_config()
    datasets = [check_pneumoniamnist(cfg.data_dir), check_heart(cfg.data_dir), check_chest_xray(cfg.data_dir)]
    folder = check_data_folder(cfg.data_dir)
    needed = any(c.status == "skip" for c in datasets[:2])
    checks = [check_python(), *summarise_packages(check_packages())]
    checks.append(Check("TensorFlow", "skip", "not checked (--quick)") if quick else check_tensorflow())
    checks += [check_network(cfg.offline, needed), folder, *datasets, check_samples(), check_decoders(), check_memory(),
               check_disk(cfg.data_dir, missing_download_bytes(cfg.data_dir))]
    return checks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.check_setup", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the TensorFlow import (a few seconds)")
    args = parser.parse_args(argv)
    cfg = get_config()
    print(f"Checking this machine for the course (data: {display_path(cfg.data_dir)}, mode: {cfg.mode})")
    checks = run_checks(quick=args.quick)
    for check in checks:
        print(check.line())
    ready, message = verdict(checks)
    print(("\n" if checks else "") + message)
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main())
