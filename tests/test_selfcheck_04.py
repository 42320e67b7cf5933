"""Notebook 04's self-checks pass the right answer and catch the typical wrong ones."""
import numpy as np
import pytest

from utils.selfcheck import nb04

RNG = np.random.default_rng(0)
HU = np.concatenate([RNG.uniform(-1000, 80, 900), RNG.uniform(300, 1800, 100)]).reshape(25, 40)


def window(hu, level, width):
    return np.clip((hu - (level - width / 2)) / width, 0.0, 1.0)


def _outcome(capsys, fn, *args):
    assert fn(*args) is None
    out = capsys.readouterr().out
    return "✅ Pass" in out and "❌" not in out, out


@pytest.mark.parametrize("view, fraction, ok", [
    pytest.param(window(HU, 600, 2800), np.mean(HU > 300), True, id="right"),
    pytest.param(window(HU, 40, 80), np.mean(HU > 300), False, id="wrong-brain-window-saturates-bone"),
    pytest.param(window(HU, 600, 2800), np.sum(HU > 300), False, id="wrong-count-not-fraction"),
    pytest.param(window(HU, 600, 2800), 100 * np.mean(HU > 300), False, id="wrong-percentage-not-fraction"),
    pytest.param(window(HU, 600, 2800)[:10], np.mean(HU > 300), False, id="wrong-cropped-view"),
    pytest.param(..., ..., False, id="empty-stub"),
])
def test_4_1(capsys, view, fraction, ok):
    passed, out = _outcome(capsys, nb04.exercise_4_1, view, fraction, HU)
    assert passed is ok, out


def right_display(ds):
    image = ds.pixel_array.astype(np.float32)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        image = image.min() + image.max() - image
    return image


def invert_every_cr(ds):
    image = ds.pixel_array.astype(np.float32)
    return image.min() + image.max() - image if ds.Modality == "CR" else image


def max_minus_value(ds):
    image = ds.pixel_array.astype(np.float32)
    return image.max() - image if ds.PhotometricInterpretation == "MONOCHROME1" else image


def always_invert(ds):
    image = ds.pixel_array.astype(np.float32)
    return image.min() + image.max() - image


def stub(ds):
    ...


def raises(ds):
    return ds.NoSuchTag


@pytest.mark.parametrize("fn, ok", [
    pytest.param(right_display, True, id="right-reads-PhotometricInterpretation"),
    pytest.param(invert_every_cr, False, id="wrong-inverts-when-Modality-is-CR"),
    pytest.param(max_minus_value, False, id="wrong-max-minus-value-shifts-range"),
    pytest.param(always_invert, False, id="wrong-inverts-everything"),
    pytest.param(lambda ds: ds.pixel_array, False, id="wrong-never-inverts"),
    pytest.param(stub, False, id="empty-stub-returns-None"),
    pytest.param(raises, False, id="wrong-raises-AttributeError"),
])
def test_4_2(capsys, fn, ok):
    passed, out = _outcome(capsys, nb04.exercise_4_2, fn)
    assert passed is ok, out


def test_4_2_cases_separate_modality_from_photometric_interpretation():
    """The old check used RG3 (CR, MONOCHROME1) and the head CT (MONOCHROME2): inverting every CR passed it."""
    cases = {d: (ds.Modality, ds.PhotometricInterpretation) for d, ds, _ in nb04._display_cases()}
    assert ("CR", "MONOCHROME2") in cases.values() and ("MR", "MONOCHROME1") in cases.values()


def right_fov(ds):
    spacing = ds.get("PixelSpacing")
    if spacing is None or min(float(s) for s in spacing) <= 0:
        return None
    return ds.Rows * float(spacing[0]), ds.Columns * float(spacing[1])


def swapped_spacing(ds):
    spacing = ds.get("PixelSpacing")
    if spacing is None or min(float(s) for s in spacing) <= 0:
        return None
    return ds.Rows * float(spacing[1]), ds.Columns * float(spacing[0])


def width_first(ds):
    fov = right_fov(ds)
    return None if fov is None else fov[::-1]


def zero_not_caught(ds):
    spacing = ds.get("PixelSpacing")
    return None if spacing is None else (ds.Rows * float(spacing[0]), ds.Columns * float(spacing[1]))


def missing_not_caught(ds):
    spacing = ds.PixelSpacing
    return None if min(spacing) <= 0 else (ds.Rows * float(spacing[0]), ds.Columns * float(spacing[1]))


@pytest.mark.parametrize("fn, nm_fov, ok", [
    pytest.param(right_fov, (2314.24, 578.56), True, id="right"),
    pytest.param(swapped_spacing, (2314.24, 578.56), False, id="wrong-PixelSpacing-order-swapped"),
    pytest.param(width_first, (578.56, 2314.24), False, id="wrong-returns-width-first"),
    pytest.param(zero_not_caught, (2314.24, 578.56), False, id="wrong-zero-spacing-not-caught"),
    pytest.param(missing_not_caught, (2314.24, 578.56), False, id="wrong-missing-spacing-raises"),
    pytest.param(right_fov, (2314.24, 2314.24), False, id="wrong-nm-fov-rows-for-both"),
    pytest.param(right_fov, ..., False, id="empty-nm-fov"),
    pytest.param(stub, (2314.24, 578.56), False, id="empty-stub-function"),
])
def test_4_3(capsys, fn, nm_fov, ok):
    passed, out = _outcome(capsys, nb04.exercise_4_3, fn, nm_fov)
    assert passed is ok, out
