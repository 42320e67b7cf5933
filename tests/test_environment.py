"""The environment files agree: requirements.txt pins everything, environment.yml delegates to it, and
requirements-colab.txt installs only what Colab lacks."""
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
DESIGN_CARD = ("jupyterlab", "numpy", "matplotlib", "pydicom", "nibabel", "tensorflow", "scikit-learn", "nbval")
COLAB_KEEPS = ("tensorflow", "tensorflow-cpu", "keras", "numpy")


def _requirements(name: str) -> list[Requirement]:
    lines = (ROOT / name).read_text().splitlines()
    stripped = (line.split(" #")[0].strip() for line in lines)
    return [Requirement(line) for line in stripped if line and not line.startswith("#")]


def _pins(name: str) -> dict[tuple[str, str], str]:
    return {(r.name.lower(), str(r.marker or "")): str(r.specifier) for r in _requirements(name)}


def test_environment_yml_delegates_to_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = [d for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip == [{"pip": ["-r requirements.txt"]}]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert "pip" in conda and any(d.startswith("python") for d in conda)


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-colab.txt"])
def test_every_package_is_pinned_exactly(name):
    for req in _requirements(name):
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{name}: pin {req.name} with =="


def test_colab_requirements_are_a_subset_without_colabs_own_stack():
    full, colab = _pins("requirements.txt"), _pins("requirements-colab.txt")
    for key, spec in colab.items():
        assert full.get(key) == spec, f"{key[0]} in requirements-colab.txt must match requirements.txt"
    assert not {name for name, _ in colab} & set(COLAB_KEEPS)


def test_design_card_packages_are_pinned():
    names = {r.name.lower() for r in _requirements("requirements.txt")}
    missing = [p for p in DESIGN_CARD if p not in names and not (p == "tensorflow" and "tensorflow-cpu" in names)]
    assert not missing, f"pin these in requirements.txt: {missing}"
    tf = [r for r in _requirements("requirements.txt") if r.name.lower() in ("tensorflow", "tensorflow-cpu")]
    assert any(r.marker is None or r.marker.evaluate() for r in tf), "some TensorFlow pin must apply here"
