import json

import numpy as np
import pytest

from utils import config, results
from utils.results import load_results, save_results


@pytest.fixture
def results_root(monkeypatch, tmp_path):
    """A fast-mode configuration rooted in a temporary folder, so tests never touch results/."""
    cfg = config.Config(fast=True, offline=True, data_dir=tmp_path / "data", root=tmp_path)
    monkeypatch.setattr(results, "get_config", lambda: cfg)
    return tmp_path


def test_save_and_load_round_trip(results_root, capsys):
    save_results("07_demo", {"test_auc": np.float32(0.953125), "counts": np.array([1, 2]), "nan": float("nan")})
    path = results_root / "results" / "fast" / "07_demo.json"
    data = json.loads(path.read_text())
    assert data == {"notebook": "07_demo", "mode": "fast", "test_auc": 0.953125, "counts": [1, 2], "nan": None}
    assert load_results("07_demo") == data
    assert "Saved 3 metrics to" in capsys.readouterr().out


def test_load_missing_results_says_what_to_run(results_root):
    with pytest.raises(FileNotFoundError, match="run notebook 99_missing first"):
        load_results("99_missing")
