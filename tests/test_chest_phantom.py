"""Unit tests for the synthetic chest radiographs (cheap properties; separability is in benchmarks/)."""
import numpy as np
import pytest

from utils.chest_phantom import make_chest_xrays


def test_shapes_range_and_labels():
    x, y, ids = make_chest_xrays(40, 32, seed=1)
    assert x.shape == (40, 32, 32) and x.dtype == np.float32
    assert y.shape == (40,) and ids.shape == (40,)
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert set(np.unique(y)) <= {0, 1}
    assert all(isinstance(i, str) for i in ids.tolist())


def test_determinism_by_seed():
    a = make_chest_xrays(12, 28, seed=5)
    b = make_chest_xrays(12, 28, seed=5)
    c = make_chest_xrays(12, 28, seed=6)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.74, 1.0])
def test_class_balance(fraction):
    _, y, _ = make_chest_xrays(200, 28, pneumonia_fraction=fraction, seed=2)
    assert abs(y.mean() - fraction) <= 0.02


def test_patient_grouping():
    _, y, ids = make_chest_xrays(120, 28, images_per_patient=(1, 3), seed=3)
    names, counts = np.unique(ids, return_counts=True)
    assert counts.max() > 1 and counts.min() >= 1 and counts.max() <= 3
    for name in names[counts > 1]:  # one label per patient
        assert len(set(y[ids == name])) == 1


def test_same_patient_images_are_similar_but_not_identical():
    x, _, ids = make_chest_xrays(60, 64, images_per_patient=(2, 2), seed=4)
    same = np.abs(x[0] - x[1]).mean()
    other = np.abs(x[0] - x[2]).mean()
    assert ids[0] == ids[1] != ids[2]
    assert 0 < same < other


def test_pneumonia_brightens_the_lungs_on_average():
    x, y, _ = make_chest_xrays(300, 28, pneumonia_fraction=0.5, seed=7)
    lungs = (slice(None), slice(8, 20), slice(4, 24))
    assert x[lungs][y == 1].mean() > x[lungs][y == 0].mean()


@pytest.mark.parametrize("size", [28, 256])
def test_size_range(size):
    x, _, _ = make_chest_xrays(3, size, seed=0)
    assert x.shape == (3, size, size)


@pytest.mark.parametrize("kwargs", [{"size": 27}, {"size": 257}, {"pneumonia_fraction": 1.5}, {"n": 0},
                                    {"images_per_patient": (0, 2)}])
def test_invalid_arguments(kwargs):
    args = {"n": 4, "size": 28, **kwargs}
    with pytest.raises(ValueError):
        make_chest_xrays(args.pop("n"), **args)
