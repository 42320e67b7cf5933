"""utils.selfcheck.nb01: each self-check passes the right answer and fails the typical wrong ones."""
import numpy as np
import pytest

from utils.selfcheck import nb01

from selfcheck_verdict import verdict as _verdict


rng = np.random.default_rng(0)
IMG8 = rng.integers(0, 256, size=(16, 16)).astype(np.uint8)
HU = rng.normal(0, 300, size=(32, 32)).astype(np.float32)
LEVELS, WIDTHS = np.array([40.0, -600.0, 400.0]), np.array([400.0, 1500.0, 1800.0])
L3, W3 = LEVELS[:, None, None], WIDTHS[:, None, None]
ROWS, COLS = np.ogrid[:32, :32]
DISC = (ROWS - 8) ** 2 + (COLS - 20) ** 2 <= 6 ** 2


@pytest.mark.parametrize("answer, passes", [
    pytest.param(lambda: np.clip(IMG8.astype(np.int16) + 60, 0, 255).astype(np.uint8), True, id="right"),
    pytest.param(lambda: ..., False, id="still-empty"),
    pytest.param(lambda: IMG8 + 60, False, id="wraps-around-in-uint8"),
    pytest.param(lambda: np.clip(IMG8 + 60, 0, 255), False, id="clips-after-the-wrap"),
    pytest.param(lambda: np.clip(IMG8.astype(np.int16) + 60, 0, 255), False, id="not-cast-back-to-uint8"),
    pytest.param(lambda: np.clip(IMG8.astype(np.int16) + 60, 0, 255).astype(np.uint8)[:8], False, id="wrong-shape"),
])
def test_exercise_1_1(capsys, answer, passes):
    assert _verdict(capsys, lambda: nb01.exercise_1_1(answer(), IMG8)) is passes


@pytest.mark.parametrize("answer, passes", [
    pytest.param(lambda: np.clip((HU - (L3 - W3 / 2)) / W3, 0, 1), True, id="right"),
    pytest.param(lambda: ..., False, id="still-empty"),
    pytest.param(lambda: (HU - (L3 - W3 / 2)) / W3, False, id="not-clipped"),
    pytest.param(lambda: np.clip((HU - (40 - 400 / 2)) / 400, 0, 1), False, id="one-window-not-three"),
    pytest.param(lambda: np.stack([np.clip((HU - (40 - 400 / 2)) / 400, 0, 1)] * 3), False,
                 id="first-window-repeated"),
    pytest.param(lambda: np.clip((HU - L3) / W3, 0, 1), False, id="window-starts-at-the-level"),
    pytest.param(lambda: np.clip((HU - (L3[::-1] - W3[::-1] / 2)) / W3[::-1], 0, 1), False, id="windows-in-wrong-order"),
])
def test_exercise_1_2(capsys, answer, passes):
    assert _verdict(capsys, lambda: nb01.exercise_1_2(answer(), HU, LEVELS, WIDTHS)) is passes


@pytest.mark.parametrize("mask, mean, passes", [
    pytest.param(lambda: DISC, lambda: HU[DISC].mean(), True, id="right"),
    pytest.param(lambda: ..., lambda: ..., False, id="still-empty"),
    pytest.param(lambda: DISC, lambda: ..., False, id="mean-still-empty"),
    pytest.param(lambda: (ROWS - 20) ** 2 + (COLS - 8) ** 2 <= 36, lambda: 0.0, False, id="row-and-column-swapped"),
    pytest.param(lambda: (ROWS - 8) ** 2 + (COLS - 20) ** 2 <= 6, lambda: 0.0, False, id="radius-not-squared"),
    pytest.param(lambda: (ROWS - 8) ** 2 + (COLS - 20) ** 2 <= 6 ** 2, lambda: HU.mean(), False,
                 id="mean-of-the-whole-image"),
    pytest.param(lambda: ((ROWS - 8) ** 2 + (COLS - 20) ** 2 <= 36).astype(int), lambda: 0.0, False,
                 id="integer-mask-not-boolean"),
])
def test_exercise_1_3(capsys, mask, mean, passes):
    assert _verdict(capsys, lambda: nb01.exercise_1_3(mask(), mean(), HU, centre=(8, 20))) is passes
