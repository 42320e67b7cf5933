"""The Colab path, rehearsed end to end without network: a stand-in ``google.colab`` module, the course cloned
with real git from a local clone of this repository (the setup cell's URL and folder are pointed there), the
pip step answered by a stand-in ``pip`` module that records what it was asked to install (no network), then
each notebook's setup cell in a fresh folder and notebook 01 from the cloned course.

The clone holds the committed state of HEAD, so commit before running this test on your changes.
"""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from utils import launch

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STUB = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def setup_source(path: Path) -> str:
    return next(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """A local stand-in for the public repository, with the branch the setup cell asks for."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    repo = tmp_path_factory.mktemp("remote") / "medical-image-processing"
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-B", launch.BRANCH, head.stdout.strip()], check=True)
    for key, value in (("pack.compression", "0"), ("pack.window", "0")):  # serving a clone costs little CPU
        subprocess.run(["git", "-C", str(repo), "config", key, value], check=True)
    return repo


FAKE_PIP = """import json, os, sys
with open(os.environ["FAKE_PIP_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
"""


def colab_env(tmp_path: Path) -> dict:
    """Fast, offline, and ``python -m pip`` answered by a stand-in that only records its arguments."""
    fake = tmp_path / "fakepip"
    (fake / "pip").mkdir(parents=True, exist_ok=True)
    (fake / "pip" / "__init__.py").write_text("")
    (fake / "pip" / "__main__.py").write_text(FAKE_PIP)
    env = {k: v for k, v in os.environ.items() if k not in ("MEDIMG_DATA_DIR", "PYTHONPATH")}
    env.update(PYTHONPATH=str(fake), FAKE_PIP_LOG=str(tmp_path / "pip.log"), MEDIMG_FAST="1", MEDIMG_OFFLINE="1",
               GIT_TERMINAL_PROMPT="0", PIP_NO_INDEX="1")
    return env


def pointed(source: str, remote: Path, content: Path) -> str:
    """The setup cell with the course URL at the local clone and Colab's folder under ``content``."""
    out = source.replace(launch.REPO_URL, remote.as_uri()).replace(launch.COLAB_DIR, str(content))
    assert out != source and remote.as_uri() in out
    return out


# Notebooks whose setup cells are the same text share one run (test_launch checks they all hold SETUP_CELL).
SETUPS: dict[str, list[Path]] = {}
for _p in NOTEBOOKS:
    SETUPS.setdefault(setup_source(_p), []).append(_p)


@pytest.mark.parametrize("paths", list(SETUPS.values()), ids=lambda ps: "+".join(p.name[:2] for p in ps))
def test_setup_cell_fetches_the_course_on_colab(paths, remote, tmp_path):
    path = paths[0]
    content = tmp_path / "content" / "medical-image-processing"
    session = tmp_path / "session"  # where Colab starts: no course files around
    session.mkdir()
    script = STUB + pointed(setup_source(path), remote, content) + textwrap.dedent(f"""
        import os
        assert Path.cwd() == Path({str(content / 'notebooks')!r}), Path.cwd()
        assert ROOT == Path({str(content)!r}) and sys.path[0] == str(ROOT)
        import utils.config
        assert Path(utils.config.__file__).resolve().is_relative_to(ROOT)
        print("colab setup ok")
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=session, env=colab_env(tmp_path),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "colab setup ok" in run.stdout and "Mode: fast" in run.stdout
    assert all((content / "notebooks" / p.name).is_file() for p in paths)
    assert (content / "requirements-colab.txt").is_file()
    installs = [json.loads(line) for line in (tmp_path / "pip.log").read_text().splitlines()]
    assert installs == [["install", "-q", "-r", f"{content}/requirements-colab.txt"]]


def test_notebook_01_runs_from_the_cloned_course(remote, tmp_path):
    from nbclient import NotebookClient

    content = tmp_path / "content" / "medical-image-processing"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", launch.BRANCH, remote.as_uri(), str(content)],
                   check=True, env=colab_env(tmp_path))
    nb = nbformat.read(content / "notebooks" / "01_numpy_for_images.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = STUB + pointed(first.source, remote, content)
    session = tmp_path / "session"
    session.mkdir()
    old = dict(os.environ)
    os.environ.update(colab_env(tmp_path))
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(session)}},
                       extra_arguments=["--IPKernelApp.log_level=ERROR"]).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    setup_out = "".join(o.get("text", "") for o in first.outputs)
    assert setup_out.startswith("Mode: fast")
    assert (content / "results" / "fast" / "01_numpy_for_images.json").is_file()  # written in the cloned course
