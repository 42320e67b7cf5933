"""Self-checks for notebook 03 (convolutional neural networks).

Each check recomputes the answer with an independent reference (scipy for the convolution, a Keras model for
shapes and parameter counts, a gradient for the receptive field) and prints a pass or a hint; none raises.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from utils.checks import check, check_close, check_equal

_EMPTY = "the answer is still empty: replace the ... with your code."


def _is_empty(*values: Any) -> bool:
    return any(v is None or v is Ellipsis for v in values)


def _correlate_valid(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid 2D cross-correlation by scipy (independent of the notebook's own function)."""
    from scipy import signal

    return signal.correlate2d(np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64), mode="valid")


def exercise_3_1(vertical_kernel: Any, ct_vertical: Any, ct: np.ndarray) -> None:
    """A 3×3 kernel for left–right intensity changes, zero on flat regions, applied to ``ct`` in valid mode."""
    if _is_empty(vertical_kernel, ct_vertical):
        check(False, _EMPTY)
        return
    try:
        k = np.asarray(vertical_kernel, dtype=np.float64)
    except (TypeError, ValueError):
        k = np.zeros((0, 0))
    if k.shape != (3, 3):
        check(False, f"vertical_kernel should be a 3×3 array, not shape {k.shape}.")
        return
    check(abs(k.sum()) < 1e-6, "the weights should sum to 0 so flat regions give 0.")
    step_lr = np.tile(np.repeat([0.0, 100.0], 8), (16, 1))  # dark left half, bright right half
    responds = np.abs(_correlate_valid(step_lr, k)).max() > 1
    ignores = np.abs(_correlate_valid(step_lr.T, k)).max() < 1e-3
    check(responds and ignores, "the kernel should respond to a left–right step and give 0 on a top–bottom step "
          "(the horizontal Sobel kernel does the opposite: turn it on its side).")
    check_close(ct_vertical, _correlate_valid(ct, k), rtol=1e-4, atol=1e-2,
                hint="ct_vertical should be conv2d_sliding(ct, vertical_kernel): cross-correlation in valid mode, "
                     f"shape {tuple(np.subtract(np.shape(ct), 2))} (not scipy's convolve2d, which flips the kernel).")


@lru_cache(maxsize=8)
def _measured_rf(spec: tuple[tuple[str, int, int, str], ...], size: int = 64) -> int:
    """Receptive field (px) of the central output unit, measured by gradient on an all-ones linear stack."""
    import keras
    import tensorflow as tf
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(size, size, 1))])
    for kind, k, s, pad in spec:
        model.add(layers.Conv2D(1, k, strides=s, padding=pad, use_bias=False, kernel_initializer="ones")
                  if kind == "conv" else layers.AveragePooling2D(k, strides=s, padding=pad))
    x = tf.Variable(tf.zeros((1, size, size, 1)))
    with tf.GradientTape() as tape:
        y = model(x)
        centre = y[0, y.shape[1] // 2, y.shape[2] // 2, 0]
    used = np.flatnonzero(np.abs(tape.gradient(centre, x).numpy()[0, :, :, 0]).sum(axis=0))
    return int(used.max() - used.min() + 1)


def exercise_3_2(ex32_shape: Any, ex32_rf: Any) -> None:
    """Output shape and receptive field of the stack in the prompt, against Keras and a gradient measurement."""
    if _is_empty(ex32_shape, ex32_rf):
        check(False, _EMPTY)
        return
    import keras
    from keras import layers

    stack = keras.Sequential([keras.Input(shape=(64, 64, 1)), layers.Conv2D(16, 5, strides=2, padding="valid"),
                              layers.MaxPooling2D(2), layers.Conv2D(32, 3, padding="same"),
                              layers.Conv2D(32, 3, strides=2, padding="valid")])
    shape = tuple(ex32_shape) if isinstance(ex32_shape, (tuple, list, np.ndarray)) else ex32_shape
    expected = tuple(stack.output_shape[1:])
    if isinstance(shape, tuple) and len(shape) == 2:
        check(False, "give (height, width, channels): three numbers, the last one the number of filters.")
    else:
        check_equal(shape, expected, "apply floor((n - k) / s) + 1 layer by layer; 'same' with stride 1 keeps n, "
                    "and the channels are the last layer's filters.")
    rf = _measured_rf((("conv", 5, 2, "valid"), ("pool", 2, 2, "valid"), ("conv", 3, 1, "same"),
                       ("conv", 3, 2, "valid")))
    check_equal(ex32_rf, rf, "r grows by (k - 1) × jump, and the jump multiplies by each stride "
                "(adding k - 1 per layer ignores the strides).")


def exercise_3_3(ex33_conv: Any, ex33_bn: Any, ex33_dense: Any) -> None:
    """Parameter counts by hand, against Keras layers built here."""
    if _is_empty(ex33_conv, ex33_bn, ex33_dense):
        check(False, _EMPTY)
        return
    import keras
    from keras import layers

    conv64 = layers.Conv2D(64, 3)
    conv64.build((None, 16, 16, 32))
    bn64 = layers.BatchNormalization()
    bn64.build((None, 14, 14, 64))
    check_equal(ex33_conv, conv64.count_params(),
                "k × k × C_in weights per filter, times C_out filters, plus C_out biases.")
    check_equal(ex33_bn, bn64.count_params(), "BatchNorm keeps γ, β (trained) and the moving mean and variance "
                "(not trained) for every channel: count all four.")
    features = keras.Sequential([keras.Input(shape=(224, 224, 1)), layers.Conv2D(32, 3), layers.MaxPooling2D(),
                                 layers.Flatten()])  # the classic model up to Flatten: cheap to build
    check_equal(ex33_dense, (features.output_shape[-1] + 1) * 128,
                "Flatten gives side × side × 32 inputs (side after the valid 3×3 conv and the 2×2 pool); "
                "each of the 128 units has one weight per input plus a bias.")
