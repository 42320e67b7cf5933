"""Notebook 03's self-checks pass the right answer and catch the typical wrong ones."""
import numpy as np
import pytest
from scipy import signal

from utils.selfcheck import nb03

RNG = np.random.default_rng(0)
CT = RNG.normal(0, 300, (24, 24)).astype(np.float32)
VERTICAL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)
HORIZONTAL = VERTICAL.T.copy()


def _valid(image, kernel):
    return signal.correlate2d(image, kernel, mode="valid").astype(np.float32)


def _outcome(capsys, fn, *args):
    assert fn(*args) is None
    out = capsys.readouterr().out
    return "✅ Pass" in out and "❌" not in out, out


@pytest.mark.parametrize("kernel, result", [
    pytest.param(VERTICAL, _valid(CT, VERTICAL), id="right-sobel-transposed"),
    pytest.param(-VERTICAL, _valid(CT, -VERTICAL), id="right-opposite-sign"),
])
def test_3_1_right(capsys, kernel, result):
    assert _outcome(capsys, nb03.exercise_3_1, kernel, result, CT)[0]


@pytest.mark.parametrize("kernel, result", [
    pytest.param(HORIZONTAL, _valid(CT, HORIZONTAL), id="wrong-horizontal-sobel-unchanged"),
    pytest.param(np.abs(VERTICAL), _valid(CT, np.abs(VERTICAL)), id="wrong-weights-do-not-sum-to-zero"),
    pytest.param(VERTICAL, signal.convolve2d(CT, VERTICAL, mode="valid"), id="wrong-true-convolution-flips-sign"),
    pytest.param(VERTICAL, signal.correlate2d(CT, VERTICAL, mode="same"), id="wrong-same-mode-shape"),
    pytest.param(VERTICAL[:2], None, id="wrong-kernel-not-3x3"),
    pytest.param(..., ..., id="empty-stub"),
])
def test_3_1_wrong(capsys, kernel, result):
    passed, out = _outcome(capsys, nb03.exercise_3_1, kernel, result, CT)
    assert not passed and "❌" in out


@pytest.mark.parametrize("shape, rf, ok", [
    pytest.param((7, 7, 32), 23, True, id="right"),
    pytest.param([7, 7, 32], 23, True, id="right-as-list"),
    pytest.param((7, 7), 23, False, id="wrong-no-channel-axis"),
    pytest.param((7, 7, 16), 23, False, id="wrong-channels-of-first-layer"),
    pytest.param((6, 6, 32), 23, False, id="wrong-same-padding-treated-as-valid"),
    pytest.param((7, 7, 32), 10, False, id="wrong-rf-ignores-strides"),
    pytest.param(..., ..., False, id="empty-stub"),
])
def test_3_2(capsys, shape, rf, ok):
    passed, out = _outcome(capsys, nb03.exercise_3_2, shape, rf)
    assert passed is ok, out


@pytest.mark.parametrize("conv, bn, dense, ok", [
    pytest.param(18_496, 256, 50_466_944, True, id="right"),
    pytest.param(18_432, 256, 50_466_944, False, id="wrong-conv-without-bias"),
    pytest.param(18_496, 128, 50_466_944, False, id="wrong-bn-trainable-only"),
    pytest.param(18_496, 256, 50_466_816, False, id="wrong-dense-without-bias"),
    pytest.param(18_496, 256, 222 * 222 * 32 * 128 + 128, False, id="wrong-dense-forgets-the-pooling"),
    pytest.param(..., ..., ..., False, id="empty-stub"),
])
def test_3_3(capsys, conv, bn, dense, ok):
    passed, out = _outcome(capsys, nb03.exercise_3_3, conv, bn, dense)
    assert passed is ok, out
