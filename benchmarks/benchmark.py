"""Benchmark every notebook in full and fast mode and check the course's time and memory budgets.

    python -m benchmarks.benchmark                      # all notebooks, full then fast mode
    python -m benchmarks.benchmark --only 07 --modes fast
    python -m benchmarks.benchmark --inplace            # also refresh the committed (full-mode) outputs
    python -m benchmarks.benchmark --report-only --update-readme --update-instructors
    python -m benchmarks.benchmark --update-times       # Time lines from the notebooks' structure (see below)

Each run uses a fresh kernel (``utils.run.execute``) and records wall time, the kernel's CPU time (user + sys),
its peak resident memory and the metrics it saved in ``results/``. Results merge into
``benchmarks/results.json`` (a re-run of some notebooks keeps the others) and render to
``benchmarks/results.md``. Not a test: it takes as long as the notebooks do.

Class time is estimated from each notebook's structure, and this module is the only place that rule lives
(``estimate_minutes``): teaching minutes = 5 per numbered ``## N · …`` section + 5 per code cell that trains a
model (calls ``.fit(``; solution cells excluded), exercise minutes = 10 per ``### Exercise`` heading, each
rounded to 5. ``--update-times`` writes the result into every title cell's ``**Time:**`` line (markdown only,
outputs untouched) and regenerates the schedules in docs/INSTRUCTORS.md and the README table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from utils.config import ROOT  # noqa: E402

HERE = ROOT / "benchmarks"
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "results.md"
REAL_DATA_HEADING = "## Real data"  # written by benchmarks/real_data.py
README = ROOT / "README.md"
INSTRUCTORS = ROOT / "docs" / "INSTRUCTORS.md"

FULL_SECONDS = 300.0      # per notebook, full mode, 2-core CPU
FULL_MB = 2048.0          # per notebook, full mode
FAST_TOTAL_SECONDS = 360.0  # whole fast suite
FAST_SECONDS = {"07": 60.0, "08": 60.0}  # per-notebook aims in fast mode; others 20 s
FAST_DEFAULT_SECONDS = 20.0

TITLE_RE = re.compile(r"^#\s+(\d\d)\s+·\s+(.+?)\s*$", re.M)
TIME_RE = re.compile(r"\*\*Time:\*\*\s*(\d+)\s*min teaching\s*\+\s*(\d+)\s*min exercises")

# The class-time rule (docs/INSTRUCTORS.md, "How the minutes are estimated", quotes it from here).
MINUTES_PER_SECTION = 5          # a numbered "## N · ..." section: explain, run, discuss
MINUTES_PER_TRAINING_CELL = 5    # a code cell that calls .fit(: training time and what to say while it runs
MINUTES_PER_EXERCISE = 10        # a "### Exercise" heading: read, try, self-check, look at the solution
HALF_DAY_MINUTES = 210           # 3.5 h, breaks included
FULL_DAY_MINUTES = 390           # 6.5 h of class, breaks included (a 9:00–17:00 day less lunch and arrival)
MAX_STRETCH = 120                # never more than this many minutes of class without a break
BREAK_MINUTES = 15
SECTION_RE = re.compile(r"^##\s+\d+\s+·", re.M)
EXERCISE_RE = re.compile(r"^###\s+Exercise\s+([\d.]+)\s*(?:·\s*(.*?))?\s*$", re.M)


@dataclass(frozen=True)
class NotebookInfo:
    """What a notebook's title cell says about it."""

    stem: str
    number: str
    title: str
    objectives: tuple[str, ...]
    teach: int
    exercise: int

    @property
    def minutes(self) -> int:
        return self.teach + self.exercise


@dataclass
class Measurement:
    """One notebook run in one mode."""

    notebook: str
    mode: str
    ok: bool
    seconds: float
    cpu_seconds: float
    peak_mb: float
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    measured_at: str = ""


def parse_title_cell(stem: str, source: str) -> NotebookInfo:
    """Read ``# NN · Title``, the learning-objective bullets and ``**Time:** N min teaching + M min exercises``."""
    title = TITLE_RE.search(source)
    if not title:
        raise ValueError(f"{stem}: the first markdown cell does not start with '# NN · Title'")
    minutes = TIME_RE.search(source)
    if not minutes:
        raise ValueError(f"{stem}: no '**Time:** N min teaching + M min exercises' line in the title cell")
    objectives: list[str] = []
    if "Learning objectives" in source:
        after = source.split("Learning objectives", 1)[1].splitlines()[1:]
        for line in after:
            if line.startswith("- "):
                objectives.append(line[2:].strip())
            elif objectives and line.strip():
                break
    return NotebookInfo(stem, title.group(1), title.group(2), tuple(objectives), int(minutes.group(1)),
                        int(minutes.group(2)))


def read_info(path: Path) -> NotebookInfo:
    """The title-cell information of a notebook file."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = next(c for c in cells if c["cell_type"] == "markdown")
    source = first["source"] if isinstance(first["source"], str) else "".join(first["source"])
    return parse_title_cell(path.stem, source)


@dataclass(frozen=True)
class Structure:
    """What the class-time rule counts in a notebook."""

    sections: int
    training_cells: int
    exercises: tuple[str, ...]   # "1.2 · Three windows in one broadcast", in order


def _source(cell: dict[str, Any]) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def notebook_structure(cells: Sequence[dict[str, Any]]) -> Structure:
    """Count numbered sections, model-training code cells (``.fit(``, solutions excluded) and exercises."""
    sections = training = 0
    exercises: list[str] = []
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            sections += len(SECTION_RE.findall(text))
            exercises += [f"{n} · {t}" if t else n for n, t in EXERCISE_RE.findall(text)]
        elif cell["cell_type"] == "code" and "solution" not in cell.get("metadata", {}).get("tags", []):
            training += ".fit(" in text
    return Structure(sections, training, tuple(exercises))


def _round5(minutes: float) -> int:
    return int(5 * round(minutes / 5))


def estimate_minutes(structure: Structure) -> tuple[int, int]:
    """(teaching, exercise) minutes by the course's rule, each rounded to 5."""
    teach = MINUTES_PER_SECTION * structure.sections + MINUTES_PER_TRAINING_CELL * structure.training_cells
    return _round5(teach), _round5(MINUTES_PER_EXERCISE * len(structure.exercises))


def read_structure(path: Path) -> Structure:
    """The structure of a notebook file."""
    return notebook_structure(json.loads(path.read_text(encoding="utf-8"))["cells"])


def time_line(teach: int, exercise: int) -> str:
    """The title cell's Time line."""
    return f"**Time:** {teach} min teaching + {exercise} min exercises"


def update_time_line(path: Path) -> bool:
    """Rewrite the title cell's Time line from the rule (no other change); True if the file changed."""
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    first = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    source = _source(first)
    if not TIME_RE.search(source):
        raise ValueError(f"{path.name}: no '**Time:** N min teaching + M min exercises' line in the title cell")
    new = TIME_RE.sub(time_line(*estimate_minutes(notebook_structure(nb["cells"]))), source, count=1)
    if new == source:
        return False
    first["source"] = new.splitlines(True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def within_budget(m: Measurement) -> bool:
    """Full mode: under 300 s and 2048 MB. Fast mode: under the per-notebook aim (20 s; 60 s for 07/08)."""
    if not m.ok:
        return False
    if m.mode == "full":
        return m.seconds < FULL_SECONDS and m.peak_mb < FULL_MB
    return m.seconds < FAST_SECONDS.get(m.notebook[:2], FAST_DEFAULT_SECONDS)


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def headline(metrics: dict[str, Any]) -> str:
    """The first ``test_``/``mean_`` number (else the first number), as ``name=value``."""
    numeric = {k: v for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
               and not k.endswith("seconds")}
    for prefix in ("test_", "mean_", ""):
        for k, v in numeric.items():
            if k.startswith(prefix):
                return f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
    return ""


def render_results(measurements: Sequence[Measurement], machine: dict[str, Any]) -> str:
    """``benchmarks/results.md``: one table per mode with a budget column, the fast-suite total, the machine."""
    lines = ["# Benchmark results", "",
             "Written by `python -m benchmarks.benchmark`; each notebook runs in a fresh kernel. Wall time includes "
             "kernel start; CPU is the kernel's user + system time; peak is the kernel's resident memory.", "",
             "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()), ""]
    for mode in ("full", "fast"):
        rows = sorted((m for m in measurements if m.mode == mode), key=lambda m: m.notebook)
        if not rows:
            continue
        budget = (f"budget: < {FULL_SECONDS:.0f} s and < {FULL_MB:.0f} MB per notebook" if mode == "full" else
                  f"budget: suite < {FAST_TOTAL_SECONDS:.0f} s; aim < {FAST_DEFAULT_SECONDS:.0f} s per notebook, "
                  f"< {FAST_SECONDS['07']:.0f} s for 07 and 08")
        lines += [f"## {mode.capitalize()} mode ({budget})", "",
                  "| notebook | status | wall (s) | CPU (s) | peak (MB) | headline metric | within budget |",
                  "|---|---|---:|---:|---:|---|:---:|"]
        for m in rows:
            status = "ok" if m.ok else f"FAILED: {m.error}".replace("|", "\\|")
            lines.append(f"| {m.notebook} | {status} | {m.seconds:.0f} | {m.cpu_seconds:.0f} | {m.peak_mb:.0f} | "
                         f"{headline(m.metrics)} | {_mark(within_budget(m))} |")
        total = sum(m.seconds for m in rows)
        if mode == "fast":
            lines.append(f"| **total** | | **{total:.0f}** | | | | {_mark(total < FAST_TOTAL_SECONDS)} |")
        else:
            lines.append(f"| **total** | | **{total:.0f}** | | | | |")
        lines.append("")
    return "\n".join(lines)


def table_rows(table: str) -> dict[str, list[str]]:
    """The cells of an existing README table's notebook rows, by notebook number."""
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and re.fullmatch(r"\d\d", cells[0]):
            rows[cells[0]] = cells
    return rows


def readme_table(infos: Sequence[NotebookInfo], full: dict[str, Measurement], previous: str = "") -> str:
    """The README's notebook table from the title cells and full-mode measurements.

    The "what you will be able to do" text is kept from the ``previous`` table when it has one (it is written
    by hand); otherwise the notebook's first learning objective is used. Rows of the previous table for
    notebooks that do not exist yet are kept as they were.
    """
    old = table_rows(previous)
    rows: dict[str, str] = {n: "| " + " | ".join(cells) + " |" for n, cells in old.items()}
    for info in infos:
        m = full.get(info.stem)
        first = info.objectives[0] if info.objectives else ""
        can = old[info.number][2] if info.number in old and old[info.number][2] else first[:1].lower() + first[1:]
        seconds = f"{m.seconds:.0f}" if m and m.ok else ""
        peak = f"{m.peak_mb:.0f}" if m and m.ok else ""
        rows[info.number] = (f"| {info.number} | [{info.title}](notebooks/{info.stem}.ipynb) | {can} | "
                             f"{info.teach} + {info.exercise} | {seconds} | {peak} |")
    header = ["| # | notebook | what you will be able to do | class time (min) | full-mode run (s) "
              "| peak memory (MB) |",
              "|---|---|---|---|---:|---:|"]
    return "\n".join(header + [rows[n] for n in sorted(rows)])


def splice(text: str, new: str, name: str) -> str:
    """Replace what lies between ``<!-- name:start -->`` and ``<!-- name:end -->`` (markers kept)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"expected one {start} ... {end} pair")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{new.strip()}\n{end}{tail}"


def between(text: str, name: str) -> str:
    """The text between a marker pair (empty if the markers are missing)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        return ""
    return text.split(start, 1)[1].split(end, 1)[0]


def rule_text() -> str:
    """The class-time rule in words, for docs/INSTRUCTORS.md (generated, so the guide cannot drift from the code)."""
    return (f"- **Teaching:** {MINUTES_PER_SECTION} min per numbered section (`## N · …`), plus "
            f"{MINUTES_PER_TRAINING_CELL} min per code cell that trains a model (calls `.fit(`; solution cells "
            "not counted).\n"
            f"- **Exercises:** {MINUTES_PER_EXERCISE} min per `### Exercise` heading.\n"
            f"- Each total is rounded to 5 minutes. A {BREAK_MINUTES}-minute break goes between two notebooks whenever "
            f"the class would otherwise run longer than {MAX_STRETCH} minutes without one. A half day is taken as {HALF_DAY_MINUTES} min of class and a full day as "
            f"{FULL_DAY_MINUTES} min, breaks included.")


def _fits(minutes: int) -> str:
    if minutes <= HALF_DAY_MINUTES:
        return "a half day"
    if minutes <= FULL_DAY_MINUTES:
        return "a full day"
    return "more than a day"


def plan_minutes(infos: Sequence[NotebookInfo], *, one_exercise: bool = False, max_stretch: int = MAX_STRETCH,
                 break_minutes: int = BREAK_MINUTES) -> tuple[list[tuple[str, int, int, int, int]], int]:
    """Rows ``(number, teach, exercise, start, end)`` and breaks (number ``""``), and the total with breaks.

    With ``one_exercise`` only one exercise per notebook is done in class (the others become homework). A break
    of ``break_minutes`` goes between two notebooks whenever the class would otherwise run longer than
    ``max_stretch`` minutes without one.
    """
    rows, clock, since_break = [], 0, 0
    for info in infos:
        exercise = min(info.exercise, MINUTES_PER_EXERCISE) if one_exercise else info.exercise
        minutes = info.teach + exercise
        if since_break and since_break + minutes > max_stretch:
            rows.append(("", 0, 0, clock, clock + break_minutes))
            clock, since_break = clock + break_minutes, 0
        rows.append((info.number, info.teach, exercise, clock, clock + minutes))
        clock += minutes
        since_break += minutes
    return rows, clock


def schedule(infos: Sequence[NotebookInfo], exercises: dict[str, Sequence[str]] | None = None) -> str:
    """What fits a half day and a full day, and two day plans (01–04, 05–08), from the notebooks' estimates.

    ``exercises`` (notebook number -> exercise headings) names the exercise kept in class and those given as
    homework when a plan keeps one exercise per notebook.
    """
    by_number = {i.number: i for i in infos}
    exercises = exercises or {}
    ranges = [("01–02", ["01", "02"]), ("03–04", ["03", "04"]), ("05–06", ["05", "06"]), ("07–08", ["07", "08"]),
              ("01–04", ["01", "02", "03", "04"]), ("05–08", ["05", "06", "07", "08"]),
              ("01–08", ["01", "02", "03", "04", "05", "06", "07", "08"])]
    out = [f"**What fits** (a half day is taken as {HALF_DAY_MINUTES} min and a full day as {FULL_DAY_MINUTES} min "
           "of class, breaks included):", "",
           "| notebooks | every exercise in class | one exercise per notebook in class, the rest as homework |",
           "|---|---|---|"]
    for name, numbers in ranges:
        present = [by_number[n] for n in numbers if n in by_number]
        if not present:
            continue
        missing = [n for n in numbers if n not in by_number]
        note = f" (without {', '.join(missing)}: not written yet)" if missing else ""
        full, one = plan_minutes(present)[1], plan_minutes(present, one_exercise=True)[1]
        out.append(f"| {name}{note} | {full} min ≈ {full / 60:.1f} h: {_fits(full)} | "
                   f"{one} min ≈ {one / 60:.1f} h: {_fits(one)} |")
    out.append("")
    for name, numbers in [("Day 1: foundations (01–04)", ["01", "02", "03", "04"]),
                          ("Day 2: clinical images to models (05–08)", ["05", "06", "07", "08"])]:
        present = [by_number[n] for n in numbers if n in by_number]
        rows, total = plan_minutes(present)
        one_rows, one_total = plan_minutes(present, one_exercise=True)
        out += [f"**{name}**: {total} min ≈ {total / 60:.1f} h with every exercise in class and the breaks; "
                f"{one_total} min ≈ {one_total / 60:.1f} h with one exercise per notebook in class", "",
                "| # | notebook | teaching (min) | exercises (min) | minutes from start | "
                "with one exercise in class: homework |",
                "|---|---|---:|---:|---|---|"]
        for (n, teach, exercise, start, end) in rows:
            if not n:
                out.append(f"| | *break* | | | {start}–{end} | |")
                continue
            names = list(exercises.get(n, ()))
            homework = ", ".join(f"Exercise {e.split(' ·')[0]}" for e in names[1:]) if len(names) > 1 else "none"
            out.append(f"| {n} | {by_number[n].title} | {teach} | {exercise} | {start}–{end} | {homework} |")
        for n in numbers:
            if n not in by_number:
                out.append(f"| {n} | (notebook not written yet) | | | | |")
        out.append("")
    return "\n".join(out).strip() + "\n"


PICK_RE = re.compile(r"^(\w+)\s*=\s*CFG\.pick\(\s*fast=(.+?),\s*full=(.+?)\)\s*(?:#\s*(.*))?$")


def fast_mode_values(stem: str, params_source: str) -> list[tuple[str, str, str, str, str]]:
    """``(notebook, name, fast, full, comment)`` for each ``NAME = CFG.pick(fast=..., full=...)`` line."""
    rows = []
    for line in params_source.splitlines():
        match = PICK_RE.match(line.strip())
        if match:
            name, fast, full, comment = match.groups()
            rows.append((stem[:2], name, fast.strip(), full.strip(), (comment or "").strip()))
    return rows


def read_fast_mode_values(path: Path) -> list[tuple[str, str, str, str, str]]:
    """The fast/full values of a notebook's ``parameters`` cell."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            return fast_mode_values(path.stem, source)
    return []


def fast_mode_table(rows: Iterable[tuple[str, str, str, str, str]]) -> str:
    """A Markdown table of what fast mode changes, notebook by notebook."""
    lines = ["| # | parameter | fast | full | meaning |", "|---|---|---:|---:|---|"]
    lines += [f"| {n} | `{name}` | {fast} | {full} | {comment.replace('|', '/')} |"
              for n, name, fast, full, comment in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# Running (not unit-tested: it executes notebooks)


def cpu_info() -> dict[str, str]:
    """The CPU's model, its widest vector instructions and its float32 matrix-multiply speed (NumPy, all cores).

    Two machines that both have "2 cores" can differ almost fourfold in a notebook's training time, so every
    measurement records which CPU it ran on.
    """
    import numpy as np

    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                 platform.processor() or "unknown")
    flags = set(next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines() if line.startswith("flags")), []))
    vector = [name for flag, name in (("avx2", "AVX2"), ("avx512f", "AVX-512"), ("amx_tile", "AMX")) if flag in flags]
    a = np.ones((1024, 1024), np.float32)
    a @ a  # warm-up
    start = time.perf_counter()
    for _ in range(10):
        a @ a
    gflops = 10 * 2 * 1024 ** 3 / (time.perf_counter() - start) / 1e9
    return {"cpu": model, "vector": ", ".join(vector) or "none found", "matmul": f"{gflops:.0f} GFLOP/s (float32)"}


def machine_info() -> dict[str, Any]:
    """A short description of where the numbers were measured."""
    import psutil

    from utils.config import get_config

    return {"cpus": os.cpu_count(), **cpu_info(), "memory": f"{psutil.virtual_memory().total / 2**30:.0f} GB",
            "python": platform.python_version(), "platform": platform.platform(terse=True),
            "offline": get_config().offline, "load average": f"{os.getloadavg()[1]:.1f} (5 min)",
            "date": time.strftime("%Y-%m-%d")}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(path: Path, mode: str, inplace: bool = False, timeout: int = 900) -> Measurement:
    """Execute one notebook in a fresh kernel and collect time, CPU, memory and its saved metrics."""
    from utils import run

    fast = mode == "fast"
    results = ROOT / "results" / ("fast" if fast else "") / f"{path.stem}.json"
    started, cpu0 = time.time(), _children_cpu()
    result, nb = run.execute(path, fast=fast, timeout=timeout)
    cpu = _children_cpu() - cpu0  # the kernel is a child process, reaped when the run ends
    metrics = {}
    if result.ok and results.is_file() and results.stat().st_mtime >= started:
        metrics = {k: v for k, v in json.loads(results.read_text()).items() if k not in ("notebook", "mode")}
    if result.ok and mode == "full":
        run.write_outputs(path, nb, inplace)
    return Measurement(path.stem, mode, result.ok, round(result.seconds, 1), round(cpu, 1),
                       round(result.peak_mb, 1), metrics, result.error, time.strftime("%Y-%m-%d %H:%M"))


def load_measurements(path: Path = RESULTS_JSON) -> list[Measurement]:
    """Measurements saved by earlier runs (empty if none)."""
    if not path.is_file():
        return []
    return [Measurement(**m) for m in json.loads(path.read_text())["runs"]]


def merge(old: Iterable[Measurement], new: Iterable[Measurement]) -> list[Measurement]:
    """Earlier measurements with the re-measured (notebook, mode) pairs replaced."""
    merged = {(m.notebook, m.mode): m for m in old}
    merged.update({(m.notebook, m.mode): m for m in new})
    return sorted(merged.values(), key=lambda m: (m.mode != "full", m.notebook))


def real_data_section(path: Path = RESULTS_MD) -> str:
    """The "Real data" section that ``benchmarks/real_data.py`` keeps at the end of results.md, to carry over."""
    text = path.read_text() if path.is_file() else ""
    start = text.find(REAL_DATA_HEADING)
    return "\n" + text[start:] if start >= 0 else ""


def main(argv: Sequence[str] | None = None) -> int:
    from utils.run import find_notebooks

    parser = argparse.ArgumentParser(prog="python -m benchmarks.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", default=(), metavar="NN", help="notebook number prefixes, e.g. 07")
    parser.add_argument("--modes", nargs="+", default=["full", "fast"], choices=["full", "fast"])
    parser.add_argument("--inplace", action="store_true", help="write full-mode outputs back into notebooks/")
    parser.add_argument("--report-only", action="store_true", help="run nothing; rewrite reports from results.json")
    parser.add_argument("--update-readme", action="store_true", help="refresh the notebook table in README.md")
    parser.add_argument("--update-instructors", action="store_true",
                        help="refresh the schedules and the fast-mode table in docs/INSTRUCTORS.md")
    parser.add_argument("--schedule", action="store_true", help="print the workshop schedules and stop")
    parser.add_argument("--update-times", action="store_true",
                        help="rewrite each notebook's Time line from its structure (markdown only), then refresh "
                             "the schedules and the README table as --report-only --update-instructors "
                             "--update-readme would")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    args = parser.parse_args(argv)

    paths = find_notebooks(args.only)
    if args.update_times:
        for path in paths:
            teach, exercise = estimate_minutes(read_structure(path))
            changed = update_time_line(path)
            print(f"{path.stem}: {teach} + {exercise} min{' (updated)' if changed else ''}")
        args.report_only = args.update_instructors = args.update_readme = True
    infos = [read_info(p) for p in find_notebooks()]
    exercises = {i.number: read_structure(p).exercises for i, p in zip(infos, find_notebooks())}
    if args.schedule:
        print(schedule(infos, exercises))
        return 0
    new: list[Measurement] = []
    if not args.report_only:
        for mode in args.modes:
            for path in paths:
                print(f"{mode:>4} · {path.stem} ...", flush=True)
                m = measure(path, mode, inplace=args.inplace, timeout=args.timeout)
                print(f"       {m.seconds:.0f} s wall, {m.cpu_seconds:.0f} s CPU, {m.peak_mb:.0f} MB"
                      f"{'' if m.ok else ' FAILED: ' + m.error}", flush=True)
                new.append(m)
    measurements = merge(load_measurements(), new)
    previous = json.loads(RESULTS_JSON.read_text()).get("machine") if RESULTS_JSON.is_file() else None
    machine = machine_info() if new or not previous else previous  # describe where the numbers were measured
    RESULTS_JSON.write_text(json.dumps({"machine": machine, "budgets": {
        "full_seconds": FULL_SECONDS, "full_mb": FULL_MB, "fast_total_seconds": FAST_TOTAL_SECONDS},
        "runs": [asdict(m) for m in measurements]}, indent=2) + "\n")
    RESULTS_MD.write_text(render_results(measurements, machine) + "\n" + real_data_section())
    print(f"Wrote {RESULTS_MD.relative_to(ROOT)} and {RESULTS_JSON.relative_to(ROOT)}")
    full = {m.notebook: m for m in measurements if m.mode == "full"}
    if args.update_readme:
        text = README.read_text(encoding="utf-8")
        table = readme_table(infos, full, between(text, "notebook-table"))
        README.write_text(splice(text, table, "notebook-table"), encoding="utf-8")
        print("Updated the notebook table in README.md")
    if args.update_instructors:
        text = splice(INSTRUCTORS.read_text(encoding="utf-8"), schedule(infos, exercises), "schedule")
        text = splice(text, rule_text(), "time-rule")
        values = [row for p in find_notebooks() for row in read_fast_mode_values(p)]
        INSTRUCTORS.write_text(splice(text, fast_mode_table(values), "fast-mode"), encoding="utf-8")
        print("Updated the schedules and the fast-mode table in docs/INSTRUCTORS.md")
    failed = [m for m in new if not m.ok]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
