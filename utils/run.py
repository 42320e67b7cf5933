"""The main job: execute every notebook in order, headless, and report time, memory and headline metrics.

    python -m utils.run                 # full mode, executed copies and HTML under build/
    python -m utils.run --fast          # fast mode (as the tests run)
    python -m utils.run --only 07 08    # some notebooks
    python -m utils.run --inplace       # also refresh the committed outputs in notebooks/
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from .config import ROOT, display_path

NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"


@dataclass
class RunResult:
    """What one notebook run produced."""

    notebook: str
    ok: bool
    seconds: float
    peak_mb: float
    headline: str
    error: str = ""


def find_notebooks(only: Sequence[str] = ()) -> list[Path]:
    """Numbered notebooks in order; ``only`` keeps the ones named by each prefix (``07``, ``07_pneumonia``).

    Every prefix must name exactly one notebook: an empty, unknown or ambiguous prefix raises ``SystemExit``
    with the list of valid notebooks, so a typo never starts a run of everything (or of nothing).
    """
    found = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not only:
        return found
    valid = (f"Valid notebooks: {', '.join(p.stem for p in found)} (give the two-digit number, e.g. --only "
             f"{found[0].name[:2]})." if found else f"There are no numbered notebooks in {display_path(NOTEBOOKS)}.")
    chosen: list[Path] = []
    for raw in only:
        prefix = Path(raw.strip()).name.removesuffix(".ipynb") if raw.strip() else ""
        if not prefix:
            raise SystemExit(f"--only got an empty notebook prefix ({raw!r}), which would match every notebook. "
                             + valid)
        if prefix.isdigit() and len(prefix) == 1:
            near = [p.stem for p in found if p.name.startswith(f"0{prefix}_")]
            hint = f" Did you mean --only 0{prefix} ({near[0]})?" if near else ""
            raise SystemExit(f"--only {prefix!r} is not a notebook number: they have two digits.{hint} " + valid)
        matches = [p for p in found if p.name.startswith(prefix)]
        if not matches:
            raise SystemExit(f"No notebook matches --only {prefix!r} in {display_path(NOTEBOOKS)}. " + valid)
        if len(matches) > 1:
            raise SystemExit(f"--only {prefix!r} is ambiguous: it matches {len(matches)} notebooks "
                             f"({', '.join(p.stem for p in matches)}). " + valid)
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return sorted(chosen)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds above 0, got {text!r}")
    return value


class PeakMemory:
    """Poll a process tree's resident memory in a background thread and keep the peak (MB)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        import psutil

        self._proc = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self.peak_mb = 0.0
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _rss(self) -> float:
        import psutil

        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total / 2**20

    def _hwm(self) -> float:
        """Linux's own high-water mark for the kernel process (catches spikes between polls)."""
        try:
            for line in Path(f"/proc/{self._proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak_mb = max(self.peak_mb, self._rss(), self._hwm())
            except Exception:  # the process is gone
                return
            self._stop.wait(self._interval)

    def stop(self) -> float:
        """Stop polling and return the peak in MB."""
        try:
            self.peak_mb = max(self.peak_mb, self._rss(), self._hwm())
        except Exception:
            pass
        self._stop.set()
        self._thread.join(timeout=2)
        return self.peak_mb


def headline(stem: str, fast: bool) -> str:
    """The first test metric a notebook saved, as ``name=value`` (empty if none)."""
    path = ROOT / "results" / ("fast" if fast else "") / f"{stem}.json"
    if not path.is_file():
        return ""
    data = json.loads(path.read_text())
    numeric = {k: v for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    for prefix in ("test_", "mean_", ""):
        for k, v in numeric.items():
            if k.startswith(prefix) and not k.endswith("seconds"):
                return f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
    return ""


def execute(path: Path, *, fast: bool, timeout: int = 900, progress: bool = True) -> tuple[RunResult, object]:
    """Execute one notebook in a fresh kernel; return its result and the executed notebook."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError
    from tqdm.auto import tqdm

    os.environ["MEDIMG_FAST"] = "1" if fast else "0"
    nb = nbformat.read(path, as_version=4)
    n_code = sum(c.cell_type == "code" for c in nb.cells)
    bar = tqdm(total=n_code, desc=path.stem[:28], unit="cell", disable=not progress, leave=False)
    state: dict[str, object] = {}

    def on_start(**_: object) -> None:
        state["mem"] = PeakMemory(client.km.provisioner.process.pid)

    def on_cell_start(cell: object, cell_index: int, **_: object) -> None:
        state["cell"] = cell_index

    def on_cell_done(**_: object) -> None:
        bar.update(1)

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no kernel start-up notices
                            on_notebook_start=on_start, on_cell_start=on_cell_start,
                            on_cell_executed=on_cell_done)
    start = time.perf_counter()
    error = ""
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as exc:
        index = int(state.get("cell", -1))
        first = nb.cells[index].source.strip().splitlines()[0] if 0 <= index < len(nb.cells) else ""
        last = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        error = f"cell {index + 1} ({first[:50]!r}): {last}"
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    mem = state.get("mem")
    peak = mem.stop() if isinstance(mem, PeakMemory) else 0.0
    result = RunResult(path.stem, not error, seconds, peak, headline(path.stem, fast) if not error else "", error)
    return result, nb


# The HTML rendering: solutions folded away, a text (and snapshot) fallback where a widget stood, and MathJax
# from a local copy (build/mathjax/, from the jupyter-server-mathjax package), so it reads well offline.
HTML_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({tex2jax: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
                              processEscapes: true, processEnvironments: true},
                    displayAlign: 'center', messageStyle: 'none', showMathMenu: false,
                    'HTML-CSS': {availableFonts: [], preferredFont: null, webFont: 'STIX-Web', imageFont: null,
                                 styles: {'@font-face': {'font-family': 'MathJax_Blank', src: "local('MathJax_Blank')"}}}});
</script>
<script src="{{ resources.mathjax_url }}"></script>
<style>details.course-solution > summary { cursor: pointer; font-weight: bold; margin: 0.3em 0 0.3em 6em; }
.widget-fallback { border-left: 4px solid #2a7ab0; padding: 0.4em 0.8em; background: #f3f8fc; }</style>
{%- endblock html_head_js_mathjax -%}
{% block any_cell %}
{%- if 'solution' in cell.metadata.get('tags', []) -%}
<details class="course-solution"><summary>Solution (click to show)</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock any_cell %}
"""


def html_notebook(nb: object) -> object:
    """A copy of ``nb`` for the HTML rendering: widget outputs replaced by their fallback, no widget state."""
    import copy

    from .site import widget_fallback

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)  # the embedded-widget loader would fetch JavaScript from a CDN
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [widget_fallback(o) if o.get("output_type") in ("display_data", "execute_result") else o
                            for o in cell.outputs]
    return nb


def export_html(nb: object, target: Path) -> None:
    """Write the HTML rendering of ``nb`` to ``target``, with MathJax copied next to it once."""
    import shutil

    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    from .site import mathjax_dir

    mathjax = target.parent / "mathjax"
    if not (mathjax / "MathJax.js").is_file():
        shutil.copytree(mathjax_dir(), mathjax, dirs_exist_ok=True)
    exporter = HTMLExporter(template_name="lab", extra_loaders=[jinja2.DictLoader({"course.html.j2": HTML_TEMPLATE})],
                            template_file="course.html.j2",
                            mathjax_url="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe")
    html, _ = exporter.from_notebook_node(nbformat.from_dict(html_notebook(nb)))
    target.write_text(html, encoding="utf-8")


def write_outputs(path: Path, nb: object, inplace: bool) -> None:
    """Save the executed notebook and an HTML rendering under ``build/`` (and, normalised, in place if asked)."""
    import nbformat

    from .normalise import dumps, normalise

    BUILD.mkdir(exist_ok=True)
    nbformat.write(nb, BUILD / path.name)
    export_html(nb, BUILD / f"{path.stem}.html")
    if inplace:  # JupyterLab's metadata, collapsed solutions: the committed file opens unmodified
        path.write_text(dumps(normalise(nbformat.from_dict(nb))), encoding="utf-8")


def table(results: Sequence[RunResult]) -> Iterator[str]:
    """Markdown table rows for a summary."""
    yield "| notebook | status | seconds | peak memory (MB) | headline metric |"
    yield "|---|---|---:|---:|---|"
    for r in results:
        status = "ok" if r.ok else f"FAILED: {r.error}"
        yield f"| {r.notebook} | {status} | {r.seconds:.0f} | {r.peak_mb:.0f} | {r.headline} |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.run", description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fast mode (MEDIMG_FAST=1)")
    parser.add_argument("--inplace", action="store_true", help="write outputs back into notebooks/")
    parser.add_argument("--only", nargs="+", default=(), metavar="NN", help="notebook number prefixes, e.g. 07")
    parser.add_argument("--timeout", type=_positive_int, default=900, help="seconds allowed per cell")
    args = parser.parse_args(argv)

    from tqdm.auto import tqdm

    paths = find_notebooks(args.only)
    results = []
    mode = "fast" if args.fast else "full"
    print(f"Running {len(paths)} notebook(s) in {mode} mode; outputs go to build/"
          + (" and back into notebooks/" if args.inplace else ""))
    for path in tqdm(paths, desc="notebooks", unit="nb"):
        result, nb = execute(path, fast=args.fast, timeout=args.timeout)
        results.append(result)
        if result.ok:
            write_outputs(path, nb, args.inplace)
        else:
            tqdm.write(f"FAILED {path.name}: {result.error}")
    print("\n".join(table(results)))
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"\n{len(failed)} notebook(s) failed: " + ", ".join(f"{r.notebook} ({r.error})" for r in failed),
              file=sys.stderr)
        return 1
    print(f"\nAll {len(results)} notebook(s) ran in {sum(r.seconds for r in results):.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
