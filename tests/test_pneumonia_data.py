"""Tests for utils.pneumonia_data: every source from small fixtures in tmp_path, never the internet."""
import dataclasses
import os
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


def make_kaggle(root, *, val=True, n=(6, 6), n_val=(2, 2), n_test=(3, 3), shape=(60, 80), shared=False):
    """A small Kaggle-layout folder under ``root/chest_xray``: patients with one or two films each."""
    rng = np.random.default_rng(1)

    def films(split, cls, count, offset):
        folder = root / "chest_xray" / split / cls
        folder.mkdir(parents=True, exist_ok=True)
        for k in range(count):
            patient = offset + k // 2  # two films per patient
            name = (f"IM-{patient:04d}-{k % 2 + 1:04d}.jpeg" if cls == "NORMAL"
                    else f"person{patient}_bacteria_{offset * 10 + k}.jpeg")
            pixels = rng.integers(0, 256, shape, dtype=np.uint8)
            Image.fromarray(pixels).save(folder / name)

    for cls, i in (("NORMAL", 0), ("PNEUMONIA", 1)):
        films("train", cls, n[i], 100)
        if val:
            films("val", cls, n_val[i], 500)
        films("test", cls, n_test[i], 100 if shared else 900)
    return root / "chest_xray"


def _kaggle(root, val=True):
    return make_kaggle(root, val=val)


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


def test_kaggle_layout(tmp_path, data_dir, capsys):
    data = load_pneumonia(_kaggle(tmp_path), size=16)
    _check(data, 16)
    assert data.source == "kaggle" and len(data.y_test) == 6
    assert len(data.y_train) + len(data.y_val) == 16  # the tiny val/ is pooled with train/ and regrown
    assert not set(data.patients_train) & set(data.patients_val)  # regrown validation split is grouped
    assert {0, 1} <= set(data.y_val)
    out = capsys.readouterr().out
    assert "validation is 10 % of the training patients" in out and "no patient ID" in out
    assert data.shared_patients("train", "test") == set()


def test_kaggle_without_val_folder(tmp_path, data_dir):
    data = load_pneumonia(_kaggle(tmp_path, val=False), size=16)
    _check(data, 16)
    assert len(data.y_train) + len(data.y_val) == 12 and not set(data.patients_train) & set(data.patients_val)
    assert any("missing or empty" in n for n in data.notes)


def test_kaggle_large_val_folder_kept(tmp_path, data_dir, monkeypatch):
    monkeypatch.setattr(pdata, "MIN_KAGGLE_VAL", 4)
    root = _kaggle(tmp_path)
    data = pdata._kaggle(root, 16, min_val=4)
    assert len(data.y_val) == 4 and set(data.patients_val) == {"IM-0500", "person500"}


def test_kaggle_train_test_overlap_reported(tmp_path, data_dir, capsys):
    data = load_pneumonia(make_kaggle(tmp_path, shared=True), size=16)
    assert data.shared_patients("train", "test") | data.shared_patients("val", "test")
    assert "occur in both the given training and test folders" in capsys.readouterr().out


def test_kaggle_pads_to_square(tmp_path, data_dir):
    root = make_kaggle(tmp_path, shape=(40, 80))  # landscape: black bands above and below, nothing cut
    folder = root / "train" / "NORMAL"
    white = np.full((40, 80), 255, np.uint8)
    for f in folder.iterdir():
        Image.fromarray(white).save(f)
    image = pdata._read_image(next(folder.iterdir()), 16)
    assert image.shape == (16, 16) and image.dtype == np.uint8
    assert image[:3].max() < 30 and image[-3:].max() < 30  # letterbox bands
    assert image[6:10].min() > 200 and image[6:10, 0].min() > 200  # the full width survives: no crop


def test_kaggle_cache_fresh_stale_corrupt(tmp_path, data_dir, capsys):
    root = _kaggle(tmp_path)
    first = pdata.read_kaggle(root, 16)
    cache = pdata.cache_path(root, 16)
    assert cache.is_file() and not list(cache.parent.glob("*.part"))
    calls = []
    original = pdata._read_image
    pdata._read_image = lambda p, s: calls.append(p) or original(p, s)
    try:
        again = pdata.read_kaggle(root, 16)  # fresh: nothing decoded
        assert calls == [] and all(np.array_equal(first[k], again[k]) for k in first)
        assert not pdata.cache_path(root, 20).exists()  # the size is part of the key
        victim = next((root / "train" / "NORMAL").iterdir())  # stale: a film changed
        Image.fromarray(np.zeros((60, 80), np.uint8)).save(victim)
        os.utime(victim, ns=(1, 1))
        capsys.readouterr()
        stale = pdata.read_kaggle(root, 16)
        assert len(calls) == 22 and "folder changed" in capsys.readouterr().out
        i = [p.name for p, _ in pdata.kaggle_files(root)["train"]].index(victim.name)
        assert stale["x_train"][i].max() == 0
        calls.clear()
        cache.write_bytes(cache.read_bytes()[:100])  # corrupt: rebuilt, never trusted
        rebuilt = pdata.read_kaggle(root, 16)
        assert len(calls) == 22 and "damaged" in capsys.readouterr().out
        assert np.array_equal(rebuilt["x_train"], stale["x_train"])
    finally:
        pdata._read_image = original


def test_kaggle_cache_unwritable_is_a_note(tmp_path, data_dir, capsys, monkeypatch):
    root = _kaggle(tmp_path)
    monkeypatch.setattr(pdata, "cache_path", lambda r, s: tmp_path / "afile" / "c.npz")
    (tmp_path / "afile").write_text("not a folder")
    data = load_pneumonia(root, size=16)
    assert data.source == "kaggle" and "could not cache" in capsys.readouterr().out


def test_kaggle_parent_folder_and_auto(tmp_path, data_dir):
    make_kaggle(data_dir)
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
    with pytest.raises(DataLayoutError, match=r"found.*train/.*expected folders"):
        load_pneumonia(tmp_path / "x")


def test_empty_folder(tmp_path, data_dir):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataLayoutError, match="is empty"):
        load_pneumonia(tmp_path / "empty")


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


def test_synthetic_balance_matches_pneumoniamnist(data_dir):
    """Training and validation at 74.2 % pneumonia, test at 62.5 % (390 of 624), as in PneumoniaMNIST."""
    data = load_pneumonia("synthetic", size=28, n_synthetic=600, seed=3)
    assert abs(data.y_train.mean() - 0.742) < 0.02 and abs(data.y_val.mean() - 0.742) < 0.06
    assert abs(data.y_test.mean() - 0.625) < 0.03
    assert abs(len(data.y_test) / 600 - 624 / 5856) < 0.01
