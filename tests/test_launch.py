"""utils.launch: badges point at one repository, every notebook carries its own badges and the setup cell,
and the setup cell's Colab branch clones and installs the right things (tested with a fake Colab)."""
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

from utils import launch

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_badges_use_one_repository():
    assert launch.REPO_URL == f"https://github.com/{launch.REPO}"
    text = launch.badges("07_x")
    assert launch.colab_url("07_x") in text and launch.binder_url("07_x") in text
    assert launch.colab_url("07_x").endswith(f"/github/{launch.REPO}/blob/{launch.BRANCH}/notebooks/07_x.ipynb")
    assert f"/gh/{launch.REPO}/{launch.BRANCH}?" in launch.binder_url("07_x")
    assert "colab" not in launch.badges()  # the README's Binder-only badge
    assert launch.binder_url().endswith("urlpath=lab/tree/notebooks")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_its_badges_and_the_setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert launch.badges(path.stem) in nb.cells[0].source, "title cell needs badges for its own file"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert launch.SETUP_CELL in first_code.source, "first code cell must contain utils.launch.SETUP_CELL verbatim"


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """Record subprocess.run and os.chdir; a clone creates the repository skeleton in a temporary COLAB_DIR."""
    colab_dir = tmp_path / "content" / "medical-image-processing"
    calls = {"run": [], "chdir": []}

    def fake_run(cmd, check=False, **kwargs):
        calls["run"].append(list(cmd))
        if cmd[:2] == ["git", "clone"]:
            target = Path(cmd[-1])
            (target / "utils").mkdir(parents=True)
            (target / "utils" / "config.py").write_text("")
            (target / "notebooks").mkdir()
        return subprocess.CompletedProcess(cmd, 0)

    real_chdir = __import__("os").chdir

    def fake_chdir(path):
        calls["chdir"].append(str(path))
        real_chdir(path)

    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr("os.chdir", fake_chdir)
    monkeypatch.setattr(sys, "path", list(sys.path))
    start = tmp_path / "session"  # where Colab starts a notebook: no course files around it
    start.mkdir()
    monkeypatch.chdir(start)
    cell = launch.SETUP_CELL.replace(launch.COLAB_DIR, str(colab_dir))
    assert cell != launch.SETUP_CELL
    return colab_dir, calls, cell


def test_colab_branch_clones_installs_and_enters_the_course(sandbox, monkeypatch):
    colab_dir, calls, cell = sandbox
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    namespace: dict = {}
    calls["chdir"].clear()
    exec(cell, namespace)
    clone, install = calls["run"]
    assert clone == ["git", "clone", "-q", "--depth", "1", "--branch", launch.BRANCH, launch.REPO_URL, str(colab_dir)]
    assert install[:4] == [sys.executable, "-m", "pip", "install"]
    assert install[-2:] == ["-r", f"{colab_dir}/requirements-colab.txt"]
    assert not any("tensorflow" in part for part in install)
    assert calls["chdir"] == [f"{colab_dir}/notebooks"]
    assert namespace["ROOT"] == colab_dir and sys.path[0] == str(colab_dir)

    calls["run"].clear()
    exec(cell, {})  # a second notebook in the same runtime: the course is there, nothing to fetch
    assert calls["run"] == []


def test_outside_colab_no_subprocess(sandbox, monkeypatch):
    _, calls, cell = sandbox
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.chdir(ROOT / "notebooks")
    calls["chdir"].clear()
    namespace: dict = {}
    exec(cell, namespace)
    assert calls == {"run": [], "chdir": []}
    assert namespace["ROOT"] == ROOT and sys.path[0] == str(ROOT)
