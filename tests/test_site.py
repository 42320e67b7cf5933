"""The course website (utils.site): built offline from the committed notebooks; checked as files here and in a
real browser in test_browser.py (the build is shared, once per test session)."""
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytest.importorskip("sphinx_book_theme", reason="the site needs the pinned Sphinx packages (requirements.txt)")

from utils import launch  # noqa: E402
from utils.site import build_once, rewrite_links, site_notebook, widget_fallback  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def site() -> Path:
    return build_once()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in ("img", "script") and a.get("src"):
            (self.scripts if tag == "script" else self.links).append(a["src"])
        if tag == "link" and a.get("href"):
            self.links.append(a["href"])


def parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_pages_home_notebooks_guides_and_search(site):
    for page in ["index.html", "docs/INSTRUCTORS.html", "data/README.html", "search.html", "editions.html",
                 *[f"notebooks/{p.stem}.html" for p in NOTEBOOKS]]:
        assert (site / page).is_file(), page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Medical Image Processing and Classification with Python" in home
    assert "Hounsfield" in (site / "searchindex.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_launch_buttons_come_from_utils_launch(site, path):
    links = parse(site / "notebooks" / f"{path.stem}.html").links
    assert launch.colab_url(path.stem) in links
    assert launch.binder_url(path.stem) in links


def test_internal_links_and_assets_resolve(site):
    broken = []
    for page in site.rglob("*.html"):
        if "_static" in page.parts:
            continue
        for link in parse(page).links:
            url = urlparse(link)
            if url.scheme or link.startswith(("#", "mailto:")) or not url.path:
                continue
            target = (page.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {link}")
    assert not broken, "\n".join(broken)


def test_no_script_or_image_from_the_network(site):
    for page in site.rglob("*.html"):
        if "_static" in page.parts:
            continue
        parsed = parse(page)
        remote = [s for s in parsed.scripts if urlparse(s).scheme in ("http", "https")]
        assert not remote, f"{page.name} loads {remote}"
        images = re.findall(r'<img[^>]+src="(https?://[^"]+)"', page.read_text(encoding="utf-8"))
        assert not images, f"{page.name} shows remote images {images}"
    assert (site / "_static" / "mathjax" / "MathJax.js").is_file()


def test_solutions_are_folded_and_widgets_have_a_fallback(site):
    page = (site / "notebooks" / "05_dicom_and_nifti.html").read_text(encoding="utf-8")
    assert page.count('<details class="admonition hide') >= 3  # one fold per solution cell
    assert "widget-fallback" in page and "application/vnd.jupyter.widget-view+json" not in page


def test_site_notebook_transformations():
    nb = {"metadata": {"widgets": {}}, "cells": [
        {"cell_type": "code", "metadata": {"tags": ["solution"]}, "source": "x = 1", "outputs": []},
        {"cell_type": "code", "metadata": {}, "source": "v", "outputs": [
            {"output_type": "execute_result", "execution_count": 3, "metadata": {},
             "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "m"}, "text/plain": "[viewer]",
                      "image/png": "iVBORw0KGgo="}}]}]}
    out = site_notebook(nb)
    assert "widgets" not in out["metadata"] and "hide-cell" in out["cells"][0]["metadata"]["tags"]
    data = out["cells"][1]["outputs"][0]["data"]
    assert set(data) == {"text/html", "text/plain"} and "data:image/png;base64,iVBORw0KGgo=" in data["text/html"]
    plain = {"output_type": "stream", "name": "stdout", "text": "hi"}
    assert widget_fallback(plain) is plain


def test_links_to_files_that_are_not_pages_point_at_the_repository():
    pages = {"README.md", "docs/STYLE.md", "notebooks/01_a.ipynb"}
    text = "[a](docs/STYLE.md) [b](LICENSE) [c](notebooks/01_a.ipynb#x) [d](https://x.org) [e](#top)"
    out = rewrite_links(text, "README.md", pages, 0)
    assert "[a](docs/STYLE.md)" in out and "[c](notebooks/01_a.ipynb#x)" in out
    assert f"[b]({launch.REPO_URL}/blob/{launch.BRANCH}/LICENSE)" in out
    assert "[d](https://x.org)" in out and "[e](#top)" in out
    up = rewrite_links("[g](../requirements.txt)", "docs/INSTRUCTORS.md", pages, 1)
    assert up == f"[g]({launch.REPO_URL}/blob/{launch.BRANCH}/requirements.txt)"
