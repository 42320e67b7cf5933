"""utils.normalise: notebook metadata as JupyterLab 4 writes it, solution cells collapsed with their outputs.

What JupyterLab 4.6 writes was checked by opening and saving a notebook in JupyterLab in Chromium: the only
change to a committed notebook was kernelspec.display_name "Python 3" -> "Python 3 (ipykernel)" (the name in
ipykernel's kernel.json); tests/test_browser.py opens a normalised notebook and checks it is not modified.
"""
import copy
import json
from pathlib import Path

import pytest

from utils.normalise import HIDDEN, KERNELSPEC, dumps, main, normalise, problems

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _nb(**meta):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": meta, "cells": [
        {"cell_type": "code", "id": "a1", "metadata": {"tags": ["solution"], "jupyter": {"source_hidden": True}},
         "source": "x = 1", "outputs": [], "execution_count": None}]}


def test_kernelspec_is_the_one_ipykernel_installs():
    import jupyter_client.kernelspec as ks

    spec = ks.KernelSpecManager().get_kernel_spec("python3")
    assert KERNELSPEC == {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


@pytest.mark.parametrize("meta, phrase", [
    pytest.param({"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
                 "kernelspec", id="old-display-name"),
    pytest.param({"kernelspec": KERNELSPEC}, "language_info", id="no-language-info"),
])
def test_problems_are_found_and_fixed(meta, phrase):
    nb = _nb(**meta)
    found = problems(nb)
    assert any(phrase in p for p in found) and any("solution cell 1" in p for p in found)
    fixed = normalise(copy.deepcopy(nb), python_version="3.11.7")
    assert problems(fixed) == []
    assert fixed["cells"][0]["metadata"]["jupyter"] == HIDDEN
    assert fixed["metadata"]["language_info"]["version"] == "3.11.7"


def test_fix_writes_jupyterlab_layout_and_is_idempotent(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(_nb()))
    assert main(["--check", str(path)]) == 1
    assert main(["--fix", str(path)]) == 0
    text = path.read_text()
    assert text.endswith("}\n") and text.startswith('{\n "cells": [')
    assert main(["--check", str(path)]) == 0
    assert dumps(json.loads(text)) == text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_normalised(path):
    """Fails until `python -m utils.normalise --fix notebooks/*.ipynb` has been run and committed."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert problems(nb) == [], f"run: python -m utils.normalise --fix {path.relative_to(ROOT)}"
    assert dumps(nb) == path.read_text(encoding="utf-8"), "file layout differs from JupyterLab's"
