"""Pick a ``tf.distribute`` strategy for whatever hardware is there: Colab TPU, several GPUs, one GPU, or CPU.

    strategy = get_strategy()
    with strategy.scope():
        model = build_model()
    model.fit(..., batch_size=suggested_batch_size(32, strategy))
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tensorflow as tf


def tpu_hint() -> dict[str, str] | None:
    """Arguments for ``TPUClusterResolver`` when this machine shows signs of a TPU, else ``None``.

    The signs are Colab's ``COLAB_TPU_ADDR``, ``TPU_NAME``, or a TPU-VM device node; checking them imports
    nothing, so CPU and GPU machines never wait for a metadata server.
    """
    if os.environ.get("COLAB_TPU_ADDR") or os.environ.get("TPU_NAME"):
        return {}
    if Path("/dev/accel0").exists():
        return {"tpu": "local"}
    return None


def _tpu_resolver() -> Any | None:
    """A TPU cluster resolver when a TPU is there (see ``tpu_hint``), else ``None``."""
    kwargs = tpu_hint()
    if kwargs is None:
        return None
    import tensorflow as tf

    try:
        return tf.distribute.cluster_resolver.TPUClusterResolver(**kwargs)
    except (ValueError, RuntimeError, tf.errors.OpError):
        return None


def get_strategy(verbose: bool = True) -> tf.distribute.Strategy:
    """TPU strategy on a TPU runtime, ``MirroredStrategy`` for several GPUs, ``OneDeviceStrategy`` for one GPU,
    otherwise TensorFlow's default strategy (CPU). Prints one line saying which."""
    import tensorflow as tf

    resolver = _tpu_resolver()
    if resolver is not None:
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        strategy = tf.distribute.TPUStrategy(resolver)
        what = "TPU"
    else:
        gpus = tf.config.list_logical_devices("GPU")
        if len(gpus) > 1:
            strategy, what = tf.distribute.MirroredStrategy(), f"{len(gpus)} GPUs"
        elif len(gpus) == 1:
            strategy, what = tf.distribute.OneDeviceStrategy("/gpu:0"), "1 GPU"
        else:
            strategy, what = tf.distribute.get_strategy(), "CPU (no GPU or TPU found)"
    if verbose:
        n = strategy.num_replicas_in_sync
        print(f"Accelerator: {what} · {type(strategy).__name__.lstrip('_')} · {n} replica{'s' if n != 1 else ''}")
    return strategy


def suggested_batch_size(base: int, strategy: tf.distribute.Strategy | None = None) -> int:
    """``base`` per replica times the replicas in sync (the global batch size to pass to ``fit``)."""
    if strategy is None:
        import tensorflow as tf

        strategy = tf.distribute.get_strategy()
    return int(base) * int(strategy.num_replicas_in_sync)
