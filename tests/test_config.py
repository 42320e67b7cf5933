from pathlib import Path

import numpy as np
import pytest

from utils import config


@pytest.fixture
def fresh_config(monkeypatch):
    """Clear the cached configuration around a test that changes the environment."""
    config.get_config.cache_clear()
    yield monkeypatch
    config.get_config.cache_clear()


def test_defaults(fresh_config):
    for name in ("MEDIMG_FAST", "MEDIMG_OFFLINE", "MEDIMG_DATA_DIR"):
        fresh_config.delenv(name, raising=False)
    cfg = config.get_config()
    assert (cfg.fast, cfg.offline, cfg.mode) == (False, False, "full")
    assert cfg.data_dir == config.ROOT / "data"
    assert cfg.results_dir == config.ROOT / "results"
    assert cfg.pick(fast=1, full=15) == 15


def test_environment_variables(fresh_config, tmp_path):
    fresh_config.setenv("MEDIMG_FAST", "1")
    fresh_config.setenv("MEDIMG_OFFLINE", "true")
    fresh_config.setenv("MEDIMG_DATA_DIR", str(tmp_path))
    cfg = config.get_config()
    assert (cfg.fast, cfg.offline, cfg.mode) == (True, True, "fast")
    assert cfg.data_dir == tmp_path.resolve()
    assert cfg.results_dir == config.ROOT / "results" / "fast"
    assert cfg.pick(fast=1, full=15) == 1


@pytest.mark.parametrize("value", ["0", "", "no", "false"])
def test_false_flags(fresh_config, value):
    fresh_config.setenv("MEDIMG_FAST", value)
    assert config.get_config().fast is False


def test_read_once(fresh_config):
    fresh_config.setenv("MEDIMG_FAST", "1")
    first = config.get_config()
    fresh_config.setenv("MEDIMG_FAST", "0")
    assert config.get_config() is first


def test_display_path_is_relative_inside_the_repository(tmp_path):
    assert config.display_path(config.ROOT / "utils" / "config.py") == "utils/config.py"
    assert config.display_path(config.ROOT / "utils") == "utils/"
    assert config.display_path(tmp_path) == str(tmp_path.resolve())


def test_seed_everything_repeats_numpy():
    config.seed_everything(7)
    a = np.random.rand(3)
    config.seed_everything(7)
    assert np.array_equal(a, np.random.rand(3))


def test_setup_notebook_prints_one_line(fresh_config, capsys):
    fresh_config.setenv("MEDIMG_FAST", "1")
    fresh_config.setenv("MEDIMG_OFFLINE", "1")
    cfg = config.setup_notebook(seed=3)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("Mode: fast")
    assert "network: off" in out[0] and "seed: 3" in out[0]
    assert isinstance(cfg, config.Config) and Path(cfg.root) == config.ROOT
