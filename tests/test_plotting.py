import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.plotting import overlay_mask, show_images, show_planes  # noqa: E402
from utils.viewer import slice_viewer  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_show_images_grid_titles_and_colorbars():
    images = [np.random.rand(8, 8) for _ in range(5)]
    fig = show_images(images, [f"img {i}" for i in range(5)], ncols=3, colorbar="HU", suptitle="demo")
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 5
    assert [ax.get_title() for ax in image_axes] == [f"img {i}" for i in range(5)]
    assert sum(ax.get_ylabel() == "HU" for ax in fig.axes) == 5


def test_overlay_mask_draws_contours_only_for_nonempty_masks():
    fig, ax = plt.subplots()
    mask = np.zeros((10, 10), bool)
    mask[3:7, 3:7] = True
    overlay_mask(ax, np.random.rand(10, 10), mask, prediction=np.zeros_like(mask))
    assert len(ax.images) == 1 and len(ax.collections) == 1


def test_show_planes_uses_physical_aspect():
    volume = np.random.rand(10, 20, 30)
    fig = show_planes(volume, volume > 0.5, spacing=(3.0, 1.0, 1.0), unit="a.u.")
    axial, coronal, sagittal = fig.axes[:3]
    assert [a.get_title() for a in (axial, coronal, sagittal)] == ["axial", "coronal", "sagittal"]
    assert coronal.get_aspect() == pytest.approx(3.0) and axial.get_aspect() == pytest.approx(1.0)


def test_show_planes_colour_range_from_all_voxels_or_a_subsample_of_a_large_volume():
    small = np.random.default_rng(0).random((10, 20, 30))
    assert show_planes(small).axes[0].images[0].get_clim() == pytest.approx(tuple(np.percentile(small, [1, 99])))
    large = np.zeros((17, 1000, 1000), np.float32)     # 17 million voxels: every 2nd pixel in y and x is used
    large[:, ::2, ::2] = np.random.default_rng(1).random((17, 500, 500))
    lo, hi = show_planes(large, vmin=-1.0).axes[0].images[0].get_clim()
    assert lo == -1.0 and hi == pytest.approx(np.percentile(large[:, ::2, ::2], 99))
    assert hi > np.percentile(large, 99)                # the subsample's range, not that of all voxels


def test_slice_viewer_builds_widgets_and_rejects_bad_shapes():
    widget = slice_viewer(np.random.rand(4, 8, 8), mask=np.zeros((4, 8, 8)), unit="HU")
    sliders = widget.children[0].children[0]
    assert sliders.max == 3 and sliders.value == 2
    with pytest.raises(ValueError, match="3D volume"):
        slice_viewer(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="does not match"):
        slice_viewer(np.zeros((2, 8, 8)), mask=np.zeros((2, 4, 4)))


def test_slice_viewer_plain_text_says_what_it_is():
    text = slice_viewer(np.random.rand(3, 4, 4))._repr_mimebundle_()["text/plain"]
    assert text.startswith("[Interactive slice viewer") and "VBox" not in text


def test_slice_viewer_redraws_a_png_when_a_slider_moves():
    widget = slice_viewer(np.random.rand(4, 8, 8))
    picture = widget.children[2]
    first = picture.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    widget.children[0].children[0].value = 0
    assert picture.value != first
