"""Where the course lives online, set once: launch badges and the notebooks' setup cell come from here."""
from __future__ import annotations

REPO = "medimg-course/medical-image-processing"
REPO_URL = f"https://github.com/{REPO}"
BRANCH = "main"
COLAB_DIR = "/content/medical-image-processing"

SETUP_CELL = f'''# Setup (the same in every notebook): on Colab fetch the course once; elsewhere find the repository root.
import os, subprocess, sys
from pathlib import Path

if "google.colab" in sys.modules and not Path("../utils/config.py").is_file():
    if not Path("{COLAB_DIR}").is_dir():
        subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "{BRANCH}", "{REPO_URL}", "{COLAB_DIR}"], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", "{COLAB_DIR}/requirements-colab.txt"], check=True)
    os.chdir("{COLAB_DIR}/notebooks")
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "utils" / "config.py").is_file())
sys.path.insert(0, str(ROOT))
'''


def colab_url(notebook: str) -> str:
    """Open ``notebooks/<notebook>.ipynb`` on Colab."""
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/notebooks/{notebook}.ipynb"


def binder_url(notebook: str | None = None) -> str:
    """Open JupyterLab on Binder, at a notebook when one is named."""
    path = f"notebooks/{notebook}.ipynb" if notebook else "notebooks"
    return f"https://mybinder.org/v2/gh/{REPO}/{BRANCH}?urlpath=lab/tree/{path}"


def badges(notebook: str | None = None) -> str:
    """Markdown for the Open-in-Colab and Binder badges (Colab only when a notebook is named)."""
    binder = f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(notebook)})"
    if notebook is None:
        return binder
    colab = f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(notebook)})"
    return f"{colab} {binder}"
