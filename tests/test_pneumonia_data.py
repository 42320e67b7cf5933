"""Tests for utils.pneumonia_data: every source from small fixtures in tmp_path, never the internet."""
import dataclasses
import hashlib
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image

from utils import pneumonia_data as pdata
from utils.config import get_config
from utils.pneumonia_data import DataLayoutError, load_pneumonia, patient_id

SIZES = {"train": 10, "val": 4, "test": 6}


def _npz(path, size=28, drop=None):
    rng = np.random.default_rng(0)
    arrays = {}
    for s, n in SIZES.items():
        arrays[f"{s}_images"] = rng.integers(0, 256, (n, size, size), dtype=np.uint8)
        arrays[f"{s}_labels"] = (np.arange(n) % 2).reshape(n, 1).astype(np.uint8)
    if drop:
        arrays.pop(drop)
    np.savez_compressed(path, **arrays)
    return path


def _kaggle(root, val=2):
    names = {"NORMAL": ["IM-0115-0001.jpeg", "IM-0115-0002.jpeg", "NORMAL2-IM-1427-0001.jpeg"],
             "PNEUMONIA": ["person1_bacteria_1.jpeg", "person1_bacteria_2.jpeg", "person22_virus_55.jpeg"]}
    rng = np.random.default_rng(1)
    for split in ("train", "val", "test"):
        for cls, files in names.items():
            folder = root / "chest_xray" / split / cls
            folder.mkdir(parents=True)
            for name in files[: (val if split == "val" else None)]:
                pixels = rng.integers(0, 256, (60, 80), dtype=np.uint8)  # not square: centre-cropped
                Image.fromarray(pixels).save(folder / f"{split}-{name}" if split == "test" else folder / name)
    return root / "chest_xray"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEDIMG_OFFLINE", "1")
    get_config.cache_clear()
    yield tmp_path / "data"
    get_config.cache_clear()


def _check(data, size):
    for s in ("train", "val", "test"):
        x, y, _ = data.split(s)
        assert x.dtype == np.float32 and x.shape[1:] == (size, size) and len(x) == len(y)
        assert 0 <= x.min() and x.max() <= 1 and set(np.unique(y)) <= {0, 1}
    assert data.class_names == ("normal", "pneumonia")
    assert "train" in data.summary() and "pneumonia" in data.summary()


def test_npz_by_path(tmp_path, data_dir):
    data = load_pneumonia(_npz(tmp_path / "p.npz"), size=28)
    _check(data, 28)
    assert data.source == "npz" and len(data.y_train) == 10 and data.y_train.shape == (10,)
    assert data.patients_train is None and data.counts()["val"] == {"normal": 2, "pneumonia": 2}


def test_npz_resized(tmp_path, data_dir):
    _check(load_pneumonia(_npz(tmp_path / "p.npz", size=64), size=32), 32)


def test_pneumoniamnist_on_disk(data_dir, monkeypatch):
    src = pdata.pneumoniamnist(28)
    src.path.parent.mkdir(parents=True)
    _npz(src.path)
    fixture = dataclasses.replace(src, md5=hashlib.md5(src.path.read_bytes()).hexdigest())
    monkeypatch.setattr(pdata, "pneumoniamnist", lambda size: fixture)
    data = load_pneumonia("auto", size=28)
    assert data.source == "pneumoniamnist" and len(data.y_test) == 6


def test_kaggle_layout(tmp_path, data_dir):
    data = load_pneumonia(_kaggle(tmp_path), size=16)
    _check(data, 16)
    assert data.source == "kaggle" and len(data.y_test) == 6
    pooled = set(data.patients_train) | set(data.patients_val)
    assert pooled == {"IM-0115", "NORMAL2-IM-1427", "person1", "person22"}
    assert not set(data.patients_train) & set(data.patients_val)  # regrown validation split is grouped


def test_kaggle_parent_folder_and_auto(tmp_path, data_dir):
    _kaggle(data_dir)
    assert load_pneumonia(data_dir, size=8).source == "kaggle"
    assert load_pneumonia("auto", size=8).source == "kaggle"


@pytest.mark.parametrize("name, expected", [("person123_bacteria_456.jpeg", "person123"),
                                            ("person1_virus_6.jpeg", "person1"),
                                            ("IM-0115-0001.jpeg", "IM-0115"),
                                            ("NORMAL2-IM-1427-0001.jpeg", "NORMAL2-IM-1427"),
                                            ("scan.png", "scan")])
def test_patient_id(name, expected):
    assert patient_id(name) == expected


def test_wrong_layout(tmp_path, data_dir):
    (tmp_path / "x" / "train" / "NORMAL").mkdir(parents=True)
    (tmp_path / "x" / "images").mkdir()
    with pytest.raises(DataLayoutError, match=r"expected folders.*found.*train/"):
        load_pneumonia(tmp_path / "x")


def test_empty_folder(tmp_path, data_dir):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataLayoutError, match="is empty"):
        load_pneumonia(tmp_path / "empty")


def test_layout_without_images(tmp_path, data_dir):
    root = _kaggle(tmp_path)
    for f in (root / "val").rglob("*.jpeg"):
        f.unlink()
    with pytest.raises(DataLayoutError, match="No images"):
        load_pneumonia(root)


def test_corrupted_npz(tmp_path, data_dir):
    path = _npz(tmp_path / "p.npz")
    path.write_bytes(path.read_bytes()[:200])  # truncated download
    with pytest.raises(DataLayoutError, match="incomplete or damaged"):
        load_pneumonia(path)


def test_npz_missing_keys(tmp_path, data_dir):
    with pytest.raises(DataLayoutError, match="missing val_labels"):
        load_pneumonia(_npz(tmp_path / "p.npz", drop="val_labels"))


def test_missing_path(tmp_path, data_dir):
    with pytest.raises(FileNotFoundError):
        load_pneumonia(tmp_path / "nowhere.npz")


def test_synthetic_grouped_by_patient(data_dir):
    data = load_pneumonia("synthetic", size=28, n_synthetic=300, seed=1)
    _check(data, 28)
    assert data.source == "synthetic"
    tr, va, te = (set(p) for p in (data.patients_train, data.patients_val, data.patients_test))
    assert not (tr & va or tr & te or va & te)
    assert len(data.y_train) > len(data.y_test) > 0 and len(data.y_val) > 0


def test_auto_offline_falls_back_to_synthetic(data_dir, capsys):
    data = load_pneumonia("auto", size=28, n_synthetic=120)
    assert data.source == "synthetic"
    assert "synthetic" in capsys.readouterr().out.lower()


def test_auto_downloads_from_local_server(tmp_path, data_dir, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    path = _npz(served / "pneumoniamnist.npz")
    handler = partial(type("Quiet", (SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}),
                      directory=str(served))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        fixture = dataclasses.replace(pdata.pneumoniamnist(28),
                                      url=f"http://127.0.0.1:{httpd.server_address[1]}/pneumoniamnist.npz",
                                      md5=hashlib.md5(path.read_bytes()).hexdigest())
        monkeypatch.setattr(pdata, "pneumoniamnist", lambda size: fixture)
        monkeypatch.setenv("MEDIMG_OFFLINE", "0")
        get_config.cache_clear()
        data = load_pneumonia("auto", size=28)
        assert data.source == "pneumoniamnist" and (data_dir / "pneumoniamnist" / "pneumoniamnist.npz").is_file()
        monkeypatch.setattr(pdata, "pneumoniamnist", lambda size: dataclasses.replace(fixture, md5="0" * 32))
        (data_dir / "pneumoniamnist" / "pneumoniamnist.npz").unlink()
        assert load_pneumonia("auto", size=28, n_synthetic=60).source == "synthetic"  # hash mismatch: fallback
    finally:
        httpd.shutdown()
        httpd.server_close()
