"""The course website: Sphinx + myst-nb + sphinx-book-theme, built offline from the committed notebooks.

    python -m utils.site                 # build/site/index.html (nothing is executed, no network needed)
    python -m utils.site --out DIR       # somewhere else

The sources are staged under ``build/site-src/`` first: the README becomes the home page, the notebooks get
their solution cells collapsed (tag ``hide-cell``) and a static fallback wherever a widget stands, links to
files that are not pages point at the repository, launch badges use local images, and both editions
(``utils.editions``) are added for download. The Sphinx configuration is ``site/conf.py``.
"""
from __future__ import annotations

import argparse
import base64
import copy
import html
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Sequence

from . import launch
from .config import ROOT, display_path
from .normalise import is_solution

SITE = ROOT / "site"
STAGE = ROOT / "build" / "site-src"
OUT = ROOT / "build" / "site"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PAGES = {"README.md": "index.md", "docs/INSTRUCTORS.md": "docs/INSTRUCTORS.md",
         "docs/STYLE.md": "docs/STYLE.md", "data/README.md": "data/README.md"}
LINK = re.compile(r"(\]\()([^)\s]+)(\))")
BADGES = {"https://colab.research.google.com/assets/colab-badge.svg": "colab-badge.svg",
          "https://mybinder.org/badge_logo.svg": "binder-badge.svg"}
FALLBACK = ("<strong>Interactive slice viewer</strong> (slice, window and level sliders). It needs a live Python "
            "kernel: open this notebook in JupyterLab, Binder or Colab and run the cell.")


def mathjax_dir() -> Path:
    """MathJax 2 as the jupyter-server-mathjax package ships it (no network needed)."""
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def widget_fallback(output: dict[str, Any]) -> dict[str, Any]:
    """Replace a widget-view output by HTML that says what stood there (with its PNG snapshot if saved)."""
    data = output.get("data", {})
    if WIDGET_MIME not in data:
        return output
    picture = ""
    if "image/png" in data:
        png = data["image/png"]
        png = png if isinstance(png, str) else base64.b64encode(png).decode()
        picture = (' Its first view, as the notebook was last run:<br>'
                   f'<img src="data:image/png;base64,{png.strip()}" alt="the slice viewer\'s first view">')
    text = FALLBACK + picture
    return {"output_type": output["output_type"], "metadata": {}, "execution_count": output.get("execution_count"),
            "data": {"text/html": f'<div class="widget-fallback">{text}</div>',
                     "text/plain": re.sub("<[^>]+>", "", FALLBACK)}}


def site_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook as the website shows it: solutions collapsed, widgets replaced, badges local."""
    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)  # no widget JavaScript from a CDN
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [widget_fallback(o) if o.get("output_type") in ("display_data", "execute_result")
                               else o for o in cell.get("outputs", [])]
            if is_solution(cell):
                tags = cell.setdefault("metadata", {}).setdefault("tags", [])
                if "hide-cell" not in tags:
                    tags.append("hide-cell")
    return nb


def rewrite_links(text: str, source: str, pages: set[str], depth: int) -> str:
    """Point links at staged pages where they exist, else at the repository; use local badge images.

    ``source`` is the file's path in the repository, ``pages`` the staged files (repository paths),
    ``depth`` how many folders deep the staged copy sits (for the ``_static`` prefix).
    """
    static = "../" * depth + "_static/"
    for url, local in BADGES.items():
        text = text.replace(url, static + local)

    def fix(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"^[a-z]+:|^#|^\.*/?_static/", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = (Path(source).parent / path).as_posix()
        parts: list[str] = []
        for part in resolved.split("/"):
            if part == "..":
                parts = parts[:-1]
            elif part not in (".", ""):
                parts.append(part)
        resolved = "/".join(parts)
        if resolved in pages or resolved.rstrip("/") + "/README.md" in pages:
            return match.group(0)
        kind = "tree" if (ROOT / resolved).is_dir() else "blob"
        url = f"{launch.REPO_URL}/{kind}/{launch.BRANCH}/{resolved}" + (f"#{anchor}" if anchor else "")
        return f"{match.group(1)}{url}{match.group(3)}"

    return LINK.sub(fix, text)


def toctree(caption: str, entries: Sequence[str]) -> str:
    """A hidden MyST toctree (the sidebar) of ``entries``."""
    return "\n```{toctree}\n:hidden:\n:caption: " + caption + "\n\n" + "\n".join(entries) + "\n```\n"


def stage(stage_dir: Path = STAGE) -> Path:
    """Copy and adapt the sources for Sphinx into ``stage_dir``; return it."""
    import nbformat

    from . import editions

    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    shutil.copytree(SITE, stage_dir, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(mathjax_dir(), stage_dir / "_static" / "mathjax")
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    images = sorted((ROOT / "data").glob("*.png"))
    pages = set(PAGES) | {f"notebooks/{p.name}" for p in notebooks} | {f"data/{p.name}" for p in images}

    for source, target in PAGES.items():
        text = (ROOT / source).read_text(encoding="utf-8")
        text = rewrite_links(text, source, pages, target.count("/"))
        if source == "README.md":
            text += toctree("Notebooks", [f"notebooks/{p.stem}" for p in notebooks])
            text += toctree("Guides", ["docs/INSTRUCTORS", "data/README", "docs/STYLE", "editions"])
        (stage_dir / target).parent.mkdir(parents=True, exist_ok=True)
        (stage_dir / target).write_text(text, encoding="utf-8")
    for image in images:
        shutil.copy2(image, stage_dir / "data" / image.name)

    (stage_dir / "notebooks").mkdir()
    for path in notebooks:
        nb = site_notebook(nbformat.read(path, as_version=4))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                cell["source"] = rewrite_links(cell["source"], f"notebooks/{path.name}", pages, 1)
        nbformat.write(nbformat.from_dict(nb), stage_dir / "notebooks" / path.name)

    extra = stage_dir / "_extra"
    written, _ = editions.build(extra / "editions", notebooks)
    rows = []
    for path in notebooks:
        rows.append(f'<li>{html.escape(path.stem)}: <a href="editions/learner/{path.name}" download>learner</a> · '
                    f'<a href="editions/instructor/{path.name}" download>instructor</a></li>')
    page = stage_dir / "editions.md"
    page.write_text(page.read_text(encoding="utf-8").replace("<!-- edition-links -->",
                                                             "<ul>\n" + "\n".join(rows) + "\n</ul>"),
                    encoding="utf-8")
    return stage_dir


def build(out: Path = OUT, *, stage_dir: Path = STAGE, quiet: bool = True) -> Path:
    """Stage the sources and run Sphinx (warnings are errors); return ``out``."""
    from sphinx.cmd.build import build_main

    stage(stage_dir)
    args = ["-b", "html", "-W", "--keep-going", "-E", "-d", str(stage_dir / ".doctrees"), str(stage_dir), str(out)]
    if quiet:
        args.insert(0, "-q")
    import warnings

    with warnings.catch_warnings():  # Sphinx's deprecation notices about the theme's internals
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        status = build_main(args)
    if status:
        raise SystemExit(f"Sphinx failed (exit {status}); the messages above say which page and line")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.site", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default build/site)")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    out = build(args.out, quiet=not args.verbose)
    print(f"Site written to {display_path(out)} (open {display_path(out / 'index.html')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())


_BUILT: dict[Path, Path] = {}


def build_once(out: Path = ROOT / "build" / "test-site") -> Path:
    """Build the site once per process (the tests share one build); return ``out``."""
    if out not in _BUILT:
        _BUILT[out] = build(out, stage_dir=out.parent / f"{out.name}-src")
    return _BUILT[out]
