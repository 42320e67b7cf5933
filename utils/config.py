"""Course configuration: environment variables read in one place, seeding, and notebook setup.

Environment variables
---------------------
``MEDIMG_FAST=1``      fast mode (few epochs, small samples and images) used by the tests.
``MEDIMG_DATA_DIR``    data root (default: ``data/`` in the repository).
``MEDIMG_OFFLINE=1``   never touch the network.
"""
from __future__ import annotations

import gc
import os
import random
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, TypeVar

# TensorFlow and Keras read these at import time, so set them before anything imports them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


@dataclass(frozen=True)
class Config:
    """The run's settings, derived once from the environment."""

    fast: bool
    offline: bool
    data_dir: Path
    root: Path = ROOT

    @property
    def mode(self) -> str:
        """``"fast"`` or ``"full"``."""
        return "fast" if self.fast else "full"

    @property
    def results_dir(self) -> Path:
        """Where headline metrics go: ``results/`` in full mode, ``results/fast/`` in fast mode."""
        return self.root / "results" / ("fast" if self.fast else "")

    def pick(self, *, fast: T, full: T) -> T:
        """Return ``fast`` in fast mode and ``full`` otherwise (for the parameters cell)."""
        return fast if self.fast else full


@lru_cache(maxsize=1)
def get_config() -> Config:
    """Read ``MEDIMG_FAST``, ``MEDIMG_DATA_DIR`` and ``MEDIMG_OFFLINE`` (once; cached)."""
    data = os.environ.get("MEDIMG_DATA_DIR", "").strip()
    data_dir = Path(data).expanduser().resolve() if data else ROOT / "data"
    return Config(fast=_flag("MEDIMG_FAST"), offline=_flag("MEDIMG_OFFLINE"), data_dir=data_dir)


def display_path(path: Path | str) -> str:
    """A path relative to the repository root when inside it (no absolute paths in outputs)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(ROOT).as_posix() + "/" if path.is_dir() else path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def seed_everything(seed: int = 42, tensorflow: bool = False) -> None:
    """Seed Python, NumPy and (with ``tensorflow=True``) TensorFlow/Keras, with deterministic ops."""
    import numpy as np

    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    if tensorflow:
        with _quiet_native_stderr():
            import keras
            import tensorflow as tf

        keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()


def quiet() -> None:
    """Silence warnings and log lines that would clutter a learner's output."""
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*(oneDNN|cuda|CUDA|TensorRT).*")
    if _importable("absl"):
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)


@contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Hide what native libraries print to file descriptor 2 while importing TensorFlow (oneDNN notices)."""
    fd = 2
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _importable(name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(name) is not None


def setup_notebook(seed: int = 42, tensorflow: bool = False) -> Config:
    """Quiet the logs, seed everything and print one line with the mode and the data root."""
    quiet()
    seed_everything(seed, tensorflow=tensorflow)
    cfg = get_config()
    if tensorflow:
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        # Importing TensorFlow leaves some 370,000 long-lived Python objects, and tracing a model creates many
        # more: freeze the first and collect less often, or garbage collection slows the training cells.
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
    network = "off (MEDIMG_OFFLINE=1)" if cfg.offline else "allowed"
    hint = "" if cfg.fast else " (MEDIMG_FAST=1 for fast)"
    print(f"Mode: {cfg.mode}{hint} · data: {display_path(cfg.data_dir)} · network: {network} · seed: {seed}")
    return cfg
