"""Bad input to utils.pneumonia_data: every case builds its input in tmp_path and expects a clear error.

Each row: a builder (returns the call that loads the bad input), the error type, and a phrase the message must
contain. A second table holds legitimate inputs the loader must accept and read correctly.
"""
import urllib.error
import urllib.request
import zipfile

import numpy as np
import pytest
from PIL import Image

from test_pneumonia_data import make_kaggle
from utils.config import get_config
from utils.errors import CourseDataError
from utils.pneumonia_data import DataLayoutError, load_pneumonia

N = {"train": 8, "val": 4, "test": 6}


def arrays(**override):
    """A valid MedMNIST-style dict of arrays (uint8 28 px, labels alternating 0/1), with overrides."""
    rng = np.random.default_rng(0)
    out = {}
    for s, n in N.items():
        out[f"{s}_images"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        out[f"{s}_labels"] = (np.arange(n) % 2).reshape(n, 1).astype(np.uint8)
    out.update(override)
    return {k: v for k, v in out.items() if v is not None}  # None drops a key


def npz(**override):
    """A builder: save ``arrays(**override)`` to tmp_path/p.npz and load it."""
    def build(tmp):
        path = tmp / "p.npz"
        np.savez_compressed(path, **arrays(**override))
        return lambda: load_pneumonia(path, size=28)
    return build


def raw_file(name, content):
    def build(tmp):
        path = tmp / name
        path.write_bytes(content(tmp) if callable(content) else content)
        return lambda: load_pneumonia(path, size=28)
    return build


def corrupt_member(tmp):
    """A .npz whose train_images member has its compressed bytes damaged (zlib.error on read)."""
    good = tmp / "good.npz"
    np.savez_compressed(good, **arrays())
    path = tmp / "p.npz"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("train_images.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 20, start + 60):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def npy_renamed(tmp):
    path = tmp / "p.npy"
    np.save(path, np.zeros((4, 28, 28), np.uint8))
    return path.read_bytes()


def kaggle(mutate=None, **kw):
    """A builder: a small Kaggle folder, optionally changed by ``mutate(root)``, then loaded at 16 px."""
    def build(tmp):
        root = make_kaggle(tmp, **kw)
        if mutate:
            mutate(root)
        return lambda: load_pneumonia(root, size=16)
    return build


def empty(folder):
    def mutate(root):
        for f in (root / folder).iterdir():
            f.unlink()
    return mutate


def replace_first(folder, content):
    def mutate(root):
        victim = sorted((root / folder).iterdir())[0]
        victim.write_bytes(content(victim.read_bytes()))
    return mutate


def remove_folder(folder):
    def mutate(root):
        import shutil

        shutil.rmtree(root / folder)
    return mutate


def call(**kwargs):
    return lambda tmp: (lambda: load_pneumonia(**kwargs))


F = np.float32
BAD = [
    # labels
    pytest.param(npz(train_labels=np.arange(8) % 5), DataLayoutError, "labels 2, 3, 4", id="labels-0-to-4"),
    pytest.param(npz(val_labels=np.array([-1, 1, -1, 1])), DataLayoutError, "labels -1", id="labels-minus-one"),
    pytest.param(npz(test_labels=np.array([0, 1, 0.5, 1, 0, 1])), DataLayoutError, "labels 0.5",
                 id="labels-half"),
    pytest.param(npz(test_labels=np.array([0, 1, np.nan, 1, 0, 1])), DataLayoutError, "labels nan",
                 id="labels-nan"),
    pytest.param(npz(train_labels=np.zeros((8, 2), np.uint8)), DataLayoutError, "shape (8, 2)",
                 id="labels-one-hot"),
    pytest.param(npz(train_labels=np.zeros(7, np.uint8)), DataLayoutError, "one label per image",
                 id="labels-count-mismatch"),
    pytest.param(npz(train_labels=np.array(list("01010101"))), DataLayoutError, "dtype",
                 id="labels-strings"),
    # pixel range and dtype
    pytest.param(npz(train_images=np.full((8, 28, 28), 4095, np.uint16)), DataLayoutError, "12- or 16-bit",
                 id="pixels-12-bit-uint16"),
    pytest.param(npz(val_images=np.linspace(0, 1000, 4 * 784, dtype=F).reshape(4, 28, 28)), DataLayoutError,
                 "from 0 to 1000", id="pixels-float-0-1000"),
    pytest.param(npz(test_images=np.linspace(-1, 1, 6 * 784, dtype=F).reshape(6, 28, 28)), DataLayoutError,
                 "values below 0", id="pixels-minus-one-to-one"),
    pytest.param(npz(train_images=np.full((8, 28, 28), np.nan, F)), DataLayoutError, "NaN",
                 id="pixels-nan"),
    pytest.param(npz(train_images=np.full((8, 28, 28), np.inf, F)), DataLayoutError, "infinite",
                 id="pixels-inf"),
    pytest.param(npz(train_images=np.full((8, 28, 28), "a")), DataLayoutError, "dtype <U1",
                 id="pixels-strings"),
    pytest.param(npz(train_images=np.full((8, 28, 28), True)), DataLayoutError, "dtype bool",
                 id="pixels-bool"),
    # shape and layout
    pytest.param(npz(train_images=np.zeros((8, 28, 40), np.uint8)), DataLayoutError, "non-square",
                 id="non-square-28x40"),
    pytest.param(npz(train_images=np.zeros((8, 784), np.uint8)), DataLayoutError, "shape (8, 784)",
                 id="flattened-images"),
    pytest.param(npz(train_images=np.zeros((8, 2, 28, 28, 1), np.uint8)), DataLayoutError, "shape (8, 2, 28",
                 id="five-dimensional"),
    pytest.param(npz(train_images=np.zeros((8, 28, 28, 7), np.uint8)), DataLayoutError, "shape (8, 28, 28, 7)",
                 id="seven-channels"),
    # split sizes and class presence
    pytest.param(npz(val_images=np.zeros((0, 28, 28), np.uint8), val_labels=np.zeros((0, 1), np.uint8)),
                 DataLayoutError, "validation split is empty", id="empty-validation-split"),
    pytest.param(npz(train_labels=np.ones((8, 1), np.uint8)), DataLayoutError, "training split has no normal",
                 id="train-without-normal"),
    pytest.param(npz(test_labels=np.zeros((6, 1), np.uint8)), DataLayoutError, "test split has no pneumonia",
                 id="test-without-pneumonia"),
    # damaged or wrong files
    pytest.param(npz(val_labels=None), DataLayoutError, "missing val_labels", id="missing-key"),
    pytest.param(raw_file("p.npz", lambda t: corrupt_member(t).read_bytes()), DataLayoutError,
                 "train_images is damaged", id="corrupt-member-zlib"),
    pytest.param(raw_file("p.npz", npy_renamed), DataLayoutError, "single .npy array", id="npy-renamed-npz"),
    pytest.param(raw_file("p.npz", lambda t: (corrupt_member(t).read_bytes())[:300]), DataLayoutError,
                 "cannot be read as a .npz", id="truncated-npz"),
    pytest.param(raw_file("p.npz", b""), DataLayoutError, "cannot be read as a .npz", id="zero-byte-npz"),
    pytest.param(raw_file("p.npz", b"<html>404 Not Found</html>"), DataLayoutError, "cannot be read as a .npz",
                 id="html-page-saved-as-npz"),
    pytest.param(raw_file("p.png", b"\x89PNG"), DataLayoutError, "is a .png file", id="png-not-npz"),
    # arguments
    pytest.param(call(source="synthetic", size=0), DataLayoutError, "size=0 is out of range", id="size-0"),
    pytest.param(call(source="synthetic", size=-5), DataLayoutError, "size=-5 is out of range", id="size-minus-5"),
    pytest.param(call(source="synthetic", size="28"), DataLayoutError, "is a str", id="size-string"),
    pytest.param(call(source="synthetic", size=28.0), DataLayoutError, "is a float", id="size-float"),
    pytest.param(call(source="synthetic", size=True), DataLayoutError, "is a bool", id="size-bool"),
    pytest.param(call(source="synthetic", size=5000), DataLayoutError, "out of range", id="size-5000"),
    pytest.param(call(source="synthetic", size=300), DataLayoutError, "phantom's range", id="synthetic-size-300"),
    pytest.param(call(source="synthetic", n_synthetic=5), DataLayoutError, "n_synthetic=5", id="n-synthetic-5"),
    pytest.param(call(source="synthetic", n_synthetic=0), DataLayoutError, "n_synthetic=0", id="n-synthetic-0"),
    pytest.param(call(source="synthetic", n_synthetic="600"), DataLayoutError, "n_synthetic='600'",
                 id="n-synthetic-string"),
    # Kaggle folders
    pytest.param(kaggle(empty("train/NORMAL")), DataLayoutError, "train/NORMAL: has no images",
                 id="kaggle-empty-train-class"),
    pytest.param(kaggle(empty("test/PNEUMONIA")), DataLayoutError, "test/PNEUMONIA: has no images",
                 id="kaggle-empty-test-class"),
    pytest.param(kaggle(empty("val/NORMAL")), DataLayoutError, "val: has no images in NORMAL/",
                 id="kaggle-val-one-class"),
    pytest.param(kaggle(replace_first("train/PNEUMONIA", lambda b: b[: len(b) // 3])), DataLayoutError,
                 "person100_bacteria_1000.jpeg: cannot be decoded", id="kaggle-truncated-jpeg"),
    pytest.param(kaggle(replace_first("test/NORMAL", lambda b: b"not an image at all")), DataLayoutError,
                 "IM-0900-0001.jpeg: cannot be decoded", id="kaggle-fake-jpeg"),
    pytest.param(kaggle(replace_first("train/NORMAL", lambda b: b"")), DataLayoutError,
                 "IM-0100-0001.jpeg: cannot be decoded", id="kaggle-zero-byte-jpeg"),
    pytest.param(kaggle(remove_folder("test")), DataLayoutError, "not in the Kaggle layout",
                 id="kaggle-no-test-folder"),
    pytest.param(kaggle(n=(2, 6), val=False), DataLayoutError, "too few patients",
                 id="kaggle-one-normal-patient-no-val"),
    pytest.param(lambda t: (t / "e").mkdir() or (lambda: load_pneumonia(t / "e")), DataLayoutError,
                 "is empty", id="kaggle-empty-folder"),
    pytest.param(lambda t: (lambda: load_pneumonia(t / "nowhere.npz")), FileNotFoundError, "neither a known",
                 id="missing-path"),
]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEDIMG_OFFLINE", "1")
    get_config.cache_clear()
    yield tmp_path / "data"
    get_config.cache_clear()


@pytest.mark.parametrize("build, error, phrase", BAD)
def test_bad_input(build, error, phrase, tmp_path, data_dir):
    load = build(tmp_path)
    with pytest.raises(error) as info:
        load()
    assert phrase in str(info.value), str(info.value)
    if issubclass(error, CourseDataError):
        assert "expected" in str(info.value)


# ---------------------------------------------------------------------------------------------- legitimate
def grey():
    return arrays()["train_images"]


GOOD = [
    pytest.param(dict(train_images=np.repeat(grey()[:, None], 3, axis=1)), id="channel-first-rgb"),
    pytest.param(dict(train_images=np.repeat(grey()[..., None], 3, axis=-1)), id="channel-last-rgb"),
    pytest.param(dict(train_images=grey()[..., None]), id="channel-last-grey"),
    pytest.param(dict(train_images=grey()[:, None]), id="channel-first-grey"),
    pytest.param(dict(train_images=grey().astype(F) / 255), id="float-0-1"),
    pytest.param(dict(train_images=grey().astype(F)), id="float-0-255"),
    pytest.param(dict(train_images=grey().astype(np.int64)), id="int64-0-255"),
    pytest.param(dict(train_labels=(np.arange(8) % 2).astype(bool)), id="labels-bool"),
    pytest.param(dict(train_labels=(np.arange(8) % 2).astype(F)), id="labels-float-0-1"),
]


@pytest.mark.parametrize("override", GOOD)
def test_legitimate_npz_reads_correctly(override, tmp_path, data_dir):
    path = tmp_path / "p.npz"
    np.savez(path, **arrays(**override))
    data = load_pneumonia(path, size=28)
    np.testing.assert_allclose(data.x_train, grey() / 255, atol=1e-6)
    np.testing.assert_array_equal(data.y_train, np.arange(8) % 2)


def test_legitimate_kaggle_rgb_and_16_bit_png(tmp_path, data_dir):
    root = make_kaggle(tmp_path)
    first = sorted((root / "train" / "NORMAL").iterdir())
    Image.fromarray(np.full((60, 80, 3), 200, np.uint8)).save(first[0])  # RGB JPEG
    png = first[1].with_suffix(".png")
    first[1].unlink()
    Image.fromarray(np.full((60, 80), 4000, np.uint16)).save(png)  # 16-bit grey PNG
    data = load_pneumonia(root, size=16)
    assert data.x_train.max() <= 1 and len(data.y_train) + len(data.y_val) == 16


@pytest.mark.parametrize("how", ["data-folder-is-a-file", "data-folder-read-only"])
def test_unusable_data_folder_falls_back(how, tmp_path, monkeypatch, capsys):
    if how == "data-folder-is-a-file":
        (tmp_path / "data").write_text("oops")
    else:
        def read_only(*a, **k):
            raise PermissionError(13, "Permission denied", str(tmp_path / "data"))
        import utils.download
        monkeypatch.setattr(utils.download, "fetch", read_only)
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEDIMG_OFFLINE", "0")
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    get_config.cache_clear()
    try:
        data = load_pneumonia("auto", size=28, n_synthetic=60)
    finally:
        get_config.cache_clear()
    out = capsys.readouterr().out
    assert data.source == "synthetic" and out.count("Note:") == 1 and "synthetic" in out


def no_network(*args, **kwargs):
    raise urllib.error.URLError("the tests never touch the network")
