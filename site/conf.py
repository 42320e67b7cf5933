"""Sphinx configuration of the course website (built by ``python -m utils.site``, which stages the sources).

The notebooks are rendered from their committed outputs: nothing is executed (``nb_execution_mode = "off"``).
MathJax is served from the site itself (the copy that the jupyter-server-mathjax package ships), so math
renders without network. Launch buttons come from the repository slug in ``utils/launch.py``.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
while not (ROOT / "utils" / "launch.py").is_file():  # the staged copy lives under build/
    ROOT = ROOT.parent
sys.path.insert(0, str(ROOT))

from utils import launch  # noqa: E402

project = "Medical Image Processing and Classification with Python"
author = "The course authors"
copyright = "the course authors, MIT licence"
root_doc = "index"
extensions = ["myst_nb", "sphinx.ext.mathjax"]
exclude_patterns = ["_build", "_extra", "_static", ".doctrees", "**.ipynb_checkpoints"]

# Notebooks: committed outputs only, never executed; solution cells arrive tagged hide-cell (collapsed).
nb_execution_mode = "off"
nb_output_stderr = "remove"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

# Math without network: MathJax 2 from _static/mathjax (copied there by utils/site.py).
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
myst_update_mathjax = False  # it writes a MathJax 3 configuration; this is MathJax 2's
mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                               "processRefs": False, "processEnvironments": False,
                               "processClass": "tex2jax_process|mathjax_process|math|output_area",
                               "ignoreClass": "tex2jax_ignore|mathjax_ignore"},
                   "showMathMenu": False, "messageStyle": "none",
                   # the package ships the STIX-Web fonts only
                   "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web",
                                "imageFont": None,
                                # its blank test font points at about:blank, which Chromium reports as an error
                                "styles": {"@font-face": {"font-family": "MathJax_Blank",
                                                          "src": "local('MathJax_Blank')"}}}}

html_theme = "sphinx_book_theme"
html_title = "Medical image processing with Python"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_extra_path = ["_extra"]
html_context = {"default_mode": "light"}
html_theme_options = {
    "repository_url": launch.REPO_URL,
    "repository_branch": launch.BRANCH,
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "show_toc_level": 2,
}
