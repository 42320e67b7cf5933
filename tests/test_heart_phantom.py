"""The synthetic hearts: shapes, labels, determinism, realistic atrium size, bright-blood label, NIfTI output."""
import json

import nibabel as nib
import numpy as np
import pytest

from utils.heart_phantom import SHAPE, SPACING, heart_affine, make_heart_dataset, make_heart_volume, save_nifti


COARSE = {"shape": (32, 64, 64), "spacing": (2.74, 2.5, 2.5)}  # the same anatomy (laid out in mm), 8x fewer voxels


@pytest.fixture(scope="module")
def volume():
    return make_heart_volume(0)


def test_shapes_dtypes_and_label_values(volume):
    image, label, affine = volume
    assert image.shape == label.shape == SHAPE
    assert image.dtype == np.float32 and label.dtype == np.uint8 and affine.shape == (4, 4)
    assert set(np.unique(label)) == {0, 1}
    assert np.isfinite(image).all() and image.min() >= 0  # Rician magnitude is never negative


def test_deterministic_by_seed():
    first, again = make_heart_volume(4, **COARSE), make_heart_volume(4, **COARSE)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[1], make_heart_volume(1, **COARSE)[1])


def test_atrium_fraction_is_realistic():
    # Task02_Heart: the atrium is well under 1-2 % of a whole-thorax volume; the phantom's smaller field of
    # view (160 mm instead of about 400 mm in-plane) puts it at about 0.3-1.2 % (measured over 20 patients).
    fractions = [make_heart_volume(s, **COARSE)[1].mean() for s in (2, 3)]
    assert all(0.002 < f < 0.02 for f in fractions), fractions


def test_label_is_bright_blood_but_not_separable_by_intensity(volume):
    image, label, _ = volume
    core = label.astype(bool) & np.roll(label, 2, axis=1).astype(bool) & np.roll(label, -2, axis=2).astype(bool)
    atrium = np.median(image[core])
    assert atrium > 0.6 * np.percentile(image, 99)   # the atrium is as bright as blood gets
    as_bright = image > np.percentile(image[core], 25)
    assert label[as_bright].mean() < 0.5            # most equally bright voxels are other blood


def test_affine_matches_spacing(volume):
    _, _, affine = volume
    assert np.allclose(np.diag(affine)[:3], SPACING[::-1])  # NIfTI order (x, y, z)
    assert np.allclose(heart_affine()[:3, 3] + affine[:3, :3] @ (np.array(SHAPE[::-1]) - 1) / 2, 0)


def test_dataset_lists():
    images, labels, affines = make_heart_dataset(2, seed=5, shape=(16, 32, 32), spacing=(5.5, 5.0, 5.0))
    assert len(images) == len(labels) == len(affines) == 2
    assert images[0].shape == (16, 32, 32) and not np.array_equal(images[0], images[1])


def test_nifti_round_trip(volume, tmp_path):
    image, label, affine = volume
    image_path, label_path = save_nifti(image, label, affine, tmp_path, "la_007")
    assert image_path == tmp_path / "imagesTr" / "la_007.nii.gz"
    nii = nib.load(image_path)
    assert nii.shape == SHAPE[::-1] and np.allclose(nii.affine, affine)
    assert np.allclose(nii.header.get_zooms(), SPACING[::-1])
    assert np.array_equal(np.asarray(nii.dataobj).transpose(2, 1, 0), image)
    assert np.array_equal(np.asarray(nib.load(label_path).dataobj).transpose(2, 1, 0), label)
    save_nifti(image, label, affine, tmp_path, "la_003")
    meta = json.loads((tmp_path / "dataset.json").read_text())
    assert meta["numTraining"] == 2 and meta["labels"]["1"] == "left atrium"
    assert meta["training"][0] == {"image": "./imagesTr/la_003.nii.gz", "label": "./labelsTr/la_003.nii.gz"}
