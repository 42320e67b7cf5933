"""utils.check_setup: requirement parsing, each check's result, and the verdict (no network, no TensorFlow)."""
import dataclasses
import hashlib
import json

import pytest

from utils import check_setup as cs
from utils import config, sources


def _nifti_gz() -> bytes:
    import gzip

    import nibabel as nib
    import numpy as np

    return gzip.compress(nib.Nifti1Image(np.zeros((4, 4, 2), np.uint8), np.eye(4)).to_bytes())


def _jpeg() -> bytes:
    import io

    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path))
    config.get_config.cache_clear()
    yield tmp_path
    config.get_config.cache_clear()


def test_read_pins_with_markers_and_comments(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("# comment\n\nnumpy==2.4.6\n"
                   'tensorflow-cpu==2.21.0; sys_platform == "linux"\n'
                   'tensorflow==2.21.0; sys_platform != "linux"\n'
                   "pooch>=1.8  # unpinned\n-r other.txt\n")
    pins = cs.read_pins(req, environment={"sys_platform": "linux"})
    assert [(p.name, p.version, p.applies) for p in pins] == [
        ("numpy", "2.4.6", True), ("tensorflow-cpu", "2.21.0", True), ("tensorflow", "2.21.0", False),
        ("pooch", None, True)]


def test_read_pins_of_the_repository():
    pins = cs.read_pins(config.ROOT / "requirements.txt")
    names = {p.name for p in pins}
    assert {"numpy", "pydicom", "nibabel", "keras"} <= names
    assert sum(p.applies for p in pins if p.name.startswith("tensorflow")) == 1


def test_check_package_states():
    pin = cs.Pin("numpy", "2.4.6", True)
    assert cs.check_package(pin, lambda n: "2.4.6").status == "ok"
    assert cs.check_package(pin, lambda n: "2.4.6.0").status == "ok"   # equal versions, different spelling
    wrong = cs.check_package(pin, lambda n: "2.2.1")
    assert wrong.status == "warn" and "2.4.6" in wrong.detail and "pip install" in wrong.fix
    old_major = cs.check_package(pin, lambda n: "1.26.4")
    assert old_major.status == "fail" and old_major.fix == "pip install numpy==2.4.6"
    assert cs.check_package(pin, lambda n: "1.26.4", colab_managed=True).status == "fail"
    missing = cs.check_package(pin, lambda n: None)
    assert missing.status == "fail" and "missing" in missing.detail
    assert cs.check_package(cs.Pin("tensorflow", "2.21.0", False), lambda n: None).status == "skip"
    colab = cs.check_package(pin, lambda n: "2.0.2", colab_managed=True)
    assert colab.status == "ok" and "Colab" in colab.detail
    assert cs.check_package(pin, lambda n: None, colab_managed=True).status == "skip"


def test_check_packages_on_colab_is_strict_only_for_colab_requirements(tmp_path):
    (tmp_path / "requirements.txt").write_text("numpy==2.4.6\npydicom==3.0.2\n")
    (tmp_path / "requirements-colab.txt").write_text("pydicom==3.0.2\n")
    old = {"numpy": "2.0.2", "pydicom": "3.0.1"}.get
    colab = {c.item: c.status for c in cs.check_packages(tmp_path / "requirements.txt", colab=True, installed=old)}
    local = {c.item: c.status for c in cs.check_packages(tmp_path / "requirements.txt", colab=False, installed=old)}
    assert colab == {"numpy": "ok", "pydicom": "warn"}
    assert local == {"numpy": "warn", "pydicom": "warn"}


def test_summarise_packages():
    checks = [cs.Check("a", "ok", "1"), cs.Check("b", "skip", "not for this platform"),
              cs.Check("c", "fail", "missing")]
    summary, *details = cs.summarise_packages(checks)
    assert summary.status == "fail" and "1 of 2" in summary.detail
    assert [d.item.strip() for d in details] == ["c"]
    assert cs.summarise_packages(checks[:2])[0].status == "ok"


def test_check_python():
    assert cs.check_python((3, 11, 7)).status == "ok"
    old = cs.check_python((3, 8, 10))
    assert old.status == "fail" and "3.8.10" in old.detail and "3.11" in old.fix


def test_tensorflow_result():
    out = json.dumps({"version": "2.21.0", "devices": ["CPU", "GPU", "GPU"]})
    ok = cs.tensorflow_result(0, "noise\n" + out + "\n", "")
    assert ok.status == "ok" and "2.21.0" in ok.detail and "2 GPU" in ok.detail
    cpu = cs.tensorflow_result(0, json.dumps({"version": "2.21.0", "devices": ["CPU"]}), "")
    assert "CPU only" in cpu.detail
    assert "TPU" in cs.tensorflow_result(0, json.dumps({"version": "2.21.0", "devices": ["CPU"]}), "", tpu=True).detail
    crash = cs.tensorflow_result(-4, "", "Illegal instruction (core dumped)")
    assert crash.status == "fail" and "AVX" in crash.detail and "Colab" in crash.fix
    broken = cs.tensorflow_result(1, "", "Traceback...\nModuleNotFoundError: No module named 'tensorflow'")
    assert broken.status == "fail" and "No module named" in broken.detail


def test_network_offline_is_skipped_without_network():
    assert cs.check_network(offline=True, needed=True, url="http://192.0.2.1/never").status == "skip"


def test_network_unreachable(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no route to host")

    monkeypatch.setattr(cs.urllib.request, "urlopen", refuse)
    assert cs.check_network(offline=False, needed=True).status == "warn"
    assert cs.check_network(offline=False, needed=False).status == "skip"


def test_datasets_absent(data_dir):
    assert cs.check_pneumoniamnist(data_dir).status == "skip"
    assert cs.check_heart(data_dir).status == "skip"
    assert cs.check_chest_xray(data_dir).status == "skip"
    assert cs.missing_download_bytes(data_dir) > 870 * 10**6


def test_pneumoniamnist_present_and_damaged(data_dir, monkeypatch):
    folder = data_dir / "pneumoniamnist"
    folder.mkdir()
    (folder / "pneumoniamnist_64.npz").write_bytes(b"fake npz")
    damaged = cs.check_pneumoniamnist(data_dir)
    assert damaged.status == "fail" and "64 px" in damaged.detail
    fake = dataclasses.replace(sources.pneumoniamnist(64), md5=hashlib.md5(b"fake npz").hexdigest())
    monkeypatch.setattr(cs, "pneumoniamnist", lambda px: fake if px == 64 else sources.pneumoniamnist(px))
    ok = cs.check_pneumoniamnist(data_dir)
    assert ok.status == "ok" and "64 px" in ok.detail
    assert cs.check_pneumoniamnist(data_dir, verify=False).status == "ok"


def test_heart_folder(data_dir):
    heart = data_dir / "Task02_Heart"
    (heart / "imagesTr").mkdir(parents=True)
    (heart / "labelsTr").mkdir()
    assert cs.check_heart(data_dir).status == "fail"
    (heart / "imagesTr" / "la_003.nii.gz").write_bytes(b"x")
    assert "1 images" in cs.check_heart(data_dir).detail
    for sub in ("imagesTr", "labelsTr"):
        (heart / sub / "la_003.nii.gz").write_bytes(_nifti_gz())
        (heart / sub / "._la_003.nii.gz").write_bytes(b"x")
    ok = cs.check_heart(data_dir)
    assert ok.status == "ok" and ok.detail.startswith("1 labelled")
    assert cs.missing_download_bytes(data_dir) < 435 * 10**6


def test_heart_tar_only(data_dir, monkeypatch):
    (data_dir / "downloads").mkdir()
    (data_dir / "downloads" / "Task02_Heart.tar").write_bytes(b"x")
    damaged = cs.check_heart(data_dir)
    assert damaged.status == "fail" and "re-download it" in damaged.fix
    real = sources.get_source("task02_heart")
    fake = dataclasses.replace(real, md5=hashlib.md5(b"x").hexdigest())
    monkeypatch.setattr(cs, "get_source", lambda name: fake if name == "task02_heart" else sources.get_source(name))
    assert "not extracted" in cs.check_heart(data_dir).detail


def test_chest_xray_folder(data_dir):
    for split in ("train", "val", "test"):
        for label in ("NORMAL", "PNEUMONIA"):
            (data_dir / "chest_xray" / split / label).mkdir(parents=True)
    assert cs.check_chest_xray(data_dir).status == "fail"
    for path in (data_dir / "chest_xray").glob("*/*"):
        (path / "a.jpeg").write_bytes(_jpeg())
    ok = cs.check_chest_xray(data_dir)
    assert ok.status == "ok" and ok.detail.startswith("6 images")


def test_chest_xray_without_val_is_ready(data_dir):
    """The loader regrows validation from training, so the pre-flight check must not require val/."""
    for split in ("train", "test"):
        for label in ("NORMAL", "PNEUMONIA"):
            folder = data_dir / "chest_xray" / split / label
            folder.mkdir(parents=True)
            (folder / "a.jpeg").write_bytes(_jpeg())
    ok = cs.check_chest_xray(data_dir)
    assert ok.status == "ok" and ok.detail.startswith("4 images")


def test_chest_xray_nested_copy(data_dir):
    for split in ("train", "val", "test"):
        for label in ("NORMAL", "PNEUMONIA"):
            folder = data_dir / "chest_xray" / "chest_xray" / split / label
            folder.mkdir(parents=True)
            (folder / "a.jpg").write_bytes(_jpeg())
    ok = cs.check_chest_xray(data_dir)
    assert ok.status == "ok" and "chest_xray/chest_xray" in ok.detail


def test_memory_and_disk(tmp_path):
    assert cs.check_memory(4 * cs.GB).status == "ok"
    low = cs.check_memory(1 * cs.GB)
    assert low.status == "fail" and "MEDIMG_FAST=1" in low.fix
    assert cs.check_disk(tmp_path, need_bytes=10, free_bytes=cs.GB).status == "ok"
    assert cs.check_disk(tmp_path, need_bytes=2 * cs.GB, free_bytes=cs.GB).status == "fail"
    assert cs.check_disk(tmp_path / "not" / "yet", need_bytes=0).status == "ok"  # measured on an existing parent


def test_samples_are_local_and_decode():
    assert cs.check_samples().status == "ok"
    assert cs.check_decoders().status == "ok"


def test_missing_sample_is_reported(monkeypatch):
    monkeypatch.setattr(cs, "DICOM_SAMPLES", ("CT_small.dcm", "no_such_file.dcm"))
    missing = cs.check_samples()
    assert missing.status == "fail" and "no_such_file.dcm" in missing.detail
    monkeypatch.setattr(cs, "COMPRESSED_SAMPLES", {"no_such_file.dcm": "JPEG XL"})
    assert "JPEG XL" in cs.check_decoders().detail


def test_lines_and_verdict():
    ok, warn = cs.Check("Python", "ok", "3.11"), cs.Check("numpy", "warn", "1.26", "pip install -r requirements.txt")
    fail = cs.Check("Memory", "fail", "1 GB", "close other programs")
    assert ok.line() == "✓ Python: 3.11"
    assert warn.line().startswith("! numpy: 1.26 → pip install")
    assert cs.Check("Data", "skip", "later", "x").line() == "– Data: later"
    assert cs.verdict([ok]) == (True, "Ready: this machine can run the course.")
    ready, message = cs.verdict([ok, warn])
    assert ready and "1 warning" in message
    ready, message = cs.verdict([ok, warn, fail, fail])
    assert not ready and message == "Not ready: close other programs (Memory)."


def test_main_quick_offline(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("MEDIMG_OFFLINE", "1")
    config.get_config.cache_clear()
    code = cs.main(["--quick"])
    out = capsys.readouterr().out
    assert "– TensorFlow: not checked" in out and "– Network: not checked" in out
    assert out.strip().splitlines()[-1].startswith(("Ready", "Not ready"))
    assert code == (0 if "\nReady" in out else 1)
