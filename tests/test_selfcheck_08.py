"""Self-checks of notebook 08: the right answer passes, each typical wrong answer gets a hint."""
import numpy as np
import pytest

from utils.selfcheck import nb08

SPACING = (1.37, 1.25, 1.25)


def run(capsys, fn, *args):
    fn(*args)
    return capsys.readouterr().out


def passes(out):
    return "✅ Pass" in out and "❌" not in out


def fails(out):
    return "❌" in out


@pytest.mark.parametrize("answer, ok", [
    pytest.param((2 * 4 / 12, 4 / 8), True, id="right"),
    pytest.param((..., ...), False, id="still-empty"),
    pytest.param((4 / 8, 2 * 4 / 12), False, id="dice-and-iou-swapped"),
    pytest.param((4 / 12, 4 / 8), False, id="dice-without-factor-2"),
    pytest.param((2 * 4 / 12, 4 / 12), False, id="iou-union-counted-twice"),
    pytest.param(("2/3", None), False, id="not-numbers"),
])
def test_exercise_8_1(capsys, answer, ok):
    out = run(capsys, nb08.exercise_8_1, *answer)
    assert passes(out) if ok else fails(out), out


FRACTIONS = [0.008, 0.012, 0.005]


@pytest.mark.parametrize("answer, ok", [
    pytest.param((np.mean([1 - f for f in FRACTIONS]), 0.0), True, id="right"),
    pytest.param((..., ...), False, id="still-empty"),
    pytest.param((100 * np.mean([1 - f for f in FRACTIONS]), 0.0), False, id="accuracy-as-percentage"),
    pytest.param((np.mean(FRACTIONS), 0.0), False, id="share-of-atrium-not-accuracy"),
    pytest.param((np.mean([1 - f for f in FRACTIONS]), 1.0), False, id="dice-1-empty-convention"),
    pytest.param((0.5, 0.0), False, id="accuracy-wrong"),
])
def test_exercise_8_2(capsys, answer, ok):
    out = run(capsys, nb08.exercise_8_2, *answer, FRACTIONS)
    assert passes(out) if ok else fails(out), out


def _truth():
    truth = np.zeros((30, 60, 60), bool)
    truth[12:20, 35:50, 35:50] = True
    return truth


def _blob(truth):
    blob = truth.copy()
    blob[1:4, 1:4, 1:4] = True
    return blob


def _answers(blob, truth, spacing):
    from scipy import ndimage

    def hd(a, b, sp, q):
        sa, sb = a & ~ndimage.binary_erosion(a), b & ~ndimage.binary_erosion(b)
        d = np.concatenate([ndimage.distance_transform_edt(~sb, sampling=sp)[sa],
                            ndimage.distance_transform_edt(~sa, sampling=sp)[sb]])
        return float(np.percentile(d, q))
    d = 2 * (blob & truth).sum() / (blob.sum() + truth.sum())
    return float(d), hd(blob, truth, spacing, 95), hd(blob, truth, spacing, 100)


def test_exercise_8_3_right_and_wrong(capsys):
    truth = _truth()
    blob = _blob(truth)
    d, h95, hmax = _answers(blob, truth, SPACING)
    assert passes(run(capsys, nb08.exercise_8_3, d, h95, hmax, blob, truth, SPACING))
    _, _, hmax_vox = _answers(blob, truth, (1, 1, 1))
    wrong = {
        "still-empty": (..., ..., ..., ...),
        "max-distance-in-voxels": (d, h95, hmax_vox, blob),
        "dice-blob-vs-blob": (1.0, h95, hmax, blob),
        "hd95-and-max-swapped": (d, hmax, h95, blob),
        "blob-next-to-atrium": None,
    }
    near = truth.copy()
    near[20:23, 40:43, 40:43] = True
    for name, args in wrong.items():
        if args is None:
            dn, h95n, hmaxn = _answers(near, truth, SPACING)
            args = (dn, h95n, hmaxn, near)
        out = run(capsys, nb08.exercise_8_3, *args, truth, SPACING)
        assert fails(out), (name, out)


COUNTS = [(900, 1000, 1000), (40, 100, 80), (300, 400, 380)]


@pytest.mark.parametrize("which, ok", [
    pytest.param("right", True, id="right"),
    pytest.param("empty", False, id="still-empty"),
    pytest.param("swapped", False, id="pooled-and-mean-swapped"),
    pytest.param("no-factor-2", False, id="forgot-factor-2"),
    pytest.param("pooled-is-mean", False, id="pooled-computed-as-mean"),
])
def test_exercise_8_4(capsys, which, ok):
    c = np.asarray(COUNTS, float)
    pooled = 2 * c[:, 0].sum() / (c[:, 1].sum() + c[:, 2].sum())
    mean = float(np.mean(2 * c[:, 0] / (c[:, 1] + c[:, 2])))
    answer = {"right": (pooled, mean), "empty": (..., ...), "swapped": (mean, pooled),
              "no-factor-2": (pooled / 2, mean / 2), "pooled-is-mean": (mean, mean)}[which]
    out = run(capsys, nb08.exercise_8_4, *answer, COUNTS)
    assert passes(out) if ok else fails(out), out
