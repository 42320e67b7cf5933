"""Real-browser tests (Playwright driving Debian's Chromium): the course website, JupyterLab running notebook 05
with its slice viewer, and the learner edition.

Skipped, with the reason, when no Chromium is installed; with ``MEDIMG_REQUIRE_BROWSER=1`` (set by .ci/run)
a missing browser is a failure instead. ``MEDIMG_CHROMIUM`` names another Chromium executable. Every request
to a host other than 127.0.0.1 is blocked, so nothing here touches the network.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("MEDIMG_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("MEDIMG_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}
SHOTS = Path(os.environ["MEDIMG_SCREENSHOTS"]) if os.environ.get("MEDIMG_SCREENSHOTS") else None
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


def _missing() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set MEDIMG_CHROMIUM)"
    return ""


if _missing():
    if REQUIRED:
        pytest.fail(f"MEDIMG_REQUIRE_BROWSER=1 but {_missing()}", pytrace=False)
    pytest.skip(_missing(), allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402


def shot(page: Page, name: str) -> None:
    """Save a screenshot when MEDIMG_SCREENSHOTS names a folder (for a person to look at)."""
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL) else route.abort())
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


# ---------------------------------------------------------------- the website

@pytest.fixture(scope="module")
def site_url():
    from utils.site import build_once

    root = build_once()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", root
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: D102
        pass


def test_every_site_page_loads_cleanly_with_its_images(site_url, page):
    base, root = site_url
    pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html") if "_static" not in p.parts)
    assert len(pages) >= 12
    failed = []
    # (a request cancelled because the test moves on to the next page is not a failure)
    page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "") and failed.append(f"{r.failure} {r.url}"))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    for name in pages:
        page.goto(base + name, wait_until="networkidle")
        broken = page.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
                               ".map(i => i.src.slice(0, 80))")
        assert broken == [], f"{name}: images not loaded {broken}"
        assert page.errors == [], f"{name}: console errors {page.errors}"
        assert failed == [], f"{name}: failed requests {failed}"
        if name in ("index.html", "notebooks/05_dicom_and_nifti.html"):
            shot(page, "site_" + name.replace("/", "_"))


def test_math_renders_offline(site_url, page):
    base, _ = site_url
    page.goto(base + "notebooks/04_imaging_modalities.html", wait_until="load")
    page.wait_for_function("document.querySelectorAll('.MathJax, .MathJax_Display, mjx-container').length > 3",
                           timeout=30000)
    raw = page.evaluate("[...document.querySelectorAll('span.math, div.math')]"
                        ".filter(e => !e.querySelector('.MathJax, .MathJax_Display, mjx-container')).length")
    assert raw == 0, f"{raw} math elements left as raw TeX"
    page.locator("div.math").first.scroll_into_view_if_needed()
    shot(page, "site_math_04")
    assert page.errors == []


def test_search_for_hounsfield_finds_notebook_04(site_url, page):
    base, _ = site_url
    page.goto(base + "search.html?q=Hounsfield", wait_until="load")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=30000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("notebooks/04_imaging_modalities" in h for h in hrefs), hrefs
    shot(page, "site_search")
    assert page.errors == []


# ---------------------------------------------------------------- JupyterLab

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a token, over a temporary copy of the course (fast mode, offline)."""
    from utils.editions import learner_edition
    from utils.normalise import dumps, normalise
    import nbformat

    work = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "utils", work / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    (work / "notebooks").mkdir()
    nb = nbformat.read(ROOT / "notebooks" / "05_dicom_and_nifti.ipynb", as_version=4)
    (work / "notebooks" / "05_dicom_and_nifti.ipynb").write_text(dumps(normalise(nb)), encoding="utf-8")
    learner = learner_edition(nb)
    (work / "notebooks" / "05_learner.ipynb").write_text(dumps(normalise(learner)), encoding="utf-8")
    settings = work / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    (work / "settings" / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (work / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = _free_port(), os.urandom(12).hex()
    env = dict(os.environ, MEDIMG_FAST="1", MEDIMG_OFFLINE="1", MEDIMG_DATA_DIR=str(work / "data"),
               JUPYTERLAB_SETTINGS_DIR=str(work / "settings"), JUPYTER_CONFIG_DIR=str(work / "config"))
    log = open(work / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=", "--ServerApp.open_browser=False"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError(f"JupyterLab did not start: {(work / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield base, token
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _open(page: Page, lab, name: str) -> None:
    base, token = lab
    page.goto(f"{base}/lab/tree/notebooks/{name}?token={token}&reset", wait_until="load")
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
        " return k && k.status === 'idle' && w.content.widgets.length > 0; }", timeout=120000)
    page.wait_for_timeout(1500)  # kernel info and spec have reached the notebook's metadata


MODEL = "window.jupyterapp.shell.currentWidget"


def test_jupyterlab_runs_notebook_05_and_the_viewer_responds(lab, page):
    _open(page, lab, "05_dicom_and_nifti.ipynb")
    # the normalised file matches what JupyterLab writes, so opening it does not mark it modified
    assert page.evaluate(f"{MODEL}.context.model.dirty") is False
    if SHOTS:  # the committed viewer output, before anything runs
        page.get_by_text("slice_viewer(volume").first.scroll_into_view_if_needed()
        shot(page, "lab_05_viewer_before_run")
    page.evaluate(f"window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        f"() => {{ const cells = {MODEL}.content.model.cells; let n = 0;"
        " for (let i = 0; i < cells.length; i++) { const c = cells.get(i);"
        "   if (c.type === 'code' && c.sharedModel.getSource().trim() && !c.executionCount) n++; }"
        f" return n === 0 && {MODEL}.sessionContext.session.kernel.status === 'idle'; }}",
        timeout=300000, polling=1000)
    problems = page.evaluate(
        f"() => {{ const cells = {MODEL}.content.model.cells; const out = [];"
        " for (let i = 0; i < cells.length; i++) { const c = cells.get(i); if (c.type !== 'code') continue;"
        "   for (const o of c.outputs.toJSON()) {"
        "     if (o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))"
        "       out.push([i + 1, JSON.stringify(o).slice(0, 300)]); } }"
        " return out; }")
    assert problems == [], problems
    image = page.locator("img.widget-image").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.widget-image').naturalWidth > 0")
    shot(page, "lab_05_viewer")
    size = page.evaluate("(() => { const i = document.querySelector('img.widget-image');"
                         " const box = i.closest('.widget-vbox').getBoundingClientRect();"
                         " return [i.naturalWidth, i.clientWidth, box.height]; })()")
    assert size[0] == size[1], f"image drawn at {size[1]} px for {size[0]} px: stretched"
    assert size[2] < 768 - 150, f"the viewer is {size[2]} px tall: sliders and slice do not fit a laptop screen"
    before = image.get_attribute("src")
    handle = page.locator(".widget-vbox .widget-slider .noUi-handle").first  # the first slider is "slice"
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function(f"document.querySelector('img.widget-image').src !== {json.dumps(before)}",
                           timeout=30000)
    shot(page, "lab_05_viewer_moved")


def test_learner_edition_opens_without_solutions(lab, page):
    _open(page, lab, "05_learner.ipynb")
    found = page.evaluate(
        f"() => {{ const cells = {MODEL}.content.model.cells; const out = [];"
        " for (let i = 0; i < cells.length; i++) { const c = cells.get(i);"
        "   const tags = c.getMetadata('tags') || []; const src = c.sharedModel.getSource();"
        "   if (tags.includes('solution') || src.startsWith('# Solution')) out.push(i + 1); }"
        " return [cells.length, out]; }")
    assert found[0] > 20 and found[1] == [], f"solution cells {found[1]}"
    text = page.locator(".jp-Notebook").inner_text()
    assert "# Solution" not in text and "# Your turn" in text
    assert page.evaluate(f"{MODEL}.context.model.dirty") is False
    shot(page, "lab_05_learner")
