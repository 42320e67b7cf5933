"""Learner and instructor editions of the notebooks, made from the committed notebooks in one command.

    python -m utils.editions              # build/learner/ and build/instructor/
    python -m utils.editions --out DIR    # DIR/learner/ and DIR/instructor/

Learner edition: solution cells (tag ``solution``) are removed with their outputs, self-check outputs are
cleared, the learner cell's first line says what to replace, and the prompt no longer mentions a solution.
Instructor edition: solutions are shown (not collapsed) and an instructor-notes cell (timing, where learners
get stuck, from ``docs/INSTRUCTORS.md``) follows the title cell.
``check_dependencies`` finds cells that would break in the learner edition because they use a name that only
a solution defines (the command prints them and exits 1).
"""
from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from .config import ROOT, display_path
from .normalise import is_solution

NOTEBOOKS = ROOT / "notebooks"
GUIDE = ROOT / "docs" / "INSTRUCTORS.md"
YOUR_TURN = "# Your turn: replace each ... with your code, then run the self-check."
YOUR_TURN_RE = re.compile(r"^#\s*your turn", re.I)
SOLUTION_SENTENCE = re.compile(r"\b(collapsed|solution)\b", re.I)

# Which "where learners get stuck" items of the guide belong to which notebooks (by the item's bold title).
STUCK_TOPICS = {
    "stored values": ("04", "05"),
    "monochrome1": ("04", "05"),
    "axis order": ("01", "05", "06", "08"),
    "data leakage": ("02", "06", "07"),
    "dice": ("08",),
    "tensorflow": ("03", "07", "08"),
}


def is_self_check(cell: dict[str, Any]) -> bool:
    """A code cell whose first line starts with ``# Self-check``."""
    return cell.get("cell_type") == "code" and cell.get("source", "").lstrip().startswith("# Self-check")


def _code(source: str) -> ast.Module | None:
    """Parse a cell as Python after IPython's own transforms (magics, shell escapes); None if it cannot."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return None


def defined_names(source: str) -> set[str]:
    """Names a cell binds at top level (assignments, imports, def, class, for, with, walrus)."""
    tree = _code(source)
    if tree is None:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def given_names(source: str) -> set[str]:
    """Names a learner cell binds to a real value (``Cs = [...]``), not to the ``...`` stub."""
    tree = _code(source)
    if tree is None:
        return set()
    return {target.id for node in tree.body if isinstance(node, ast.Assign)
            and not (isinstance(node.value, ast.Constant) and node.value.value is Ellipsis)
            for target in node.targets if isinstance(target, ast.Name)}


def used_before_defined(source: str) -> set[str]:
    """Names a cell reads before it binds them itself (approximated by their first position)."""
    tree = _code(source)
    if tree is None:
        return set()
    first: dict[str, tuple[int, int, bool]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            pos = (node.lineno, node.col_offset, isinstance(node.ctx, ast.Load))
            if node.id not in first or pos[:2] < first[node.id][:2]:
                first[node.id] = pos
    return {name for name, (_, _, load) in first.items() if load}


@dataclass
class Dependency:
    """A later cell that reads a name only a solution (or its stub) gives a real value."""

    notebook: str
    solution_cell: int
    cell: int
    names: tuple[str, ...]

    def __str__(self) -> str:
        return (f"{self.notebook}: cell {self.cell + 1} uses {', '.join(self.names)} from the solution in cell "
                f"{self.solution_cell + 1}; in the learner edition it gets the stub or nothing")


def check_dependencies(nb: dict[str, Any], name: str = "") -> list[Dependency]:
    """Cells after a solution (other than its self-check) that read a name the solution defines.

    In the learner edition the solution is gone, so such a cell sees the learner's ``...`` stub or no name.
    """
    cells = nb["cells"]
    found = []
    before: set[str] = set()  # names that cells before the exercise define (they stay in the learner edition)
    for k, cell in enumerate(cells):
        if not is_solution(cell):
            nxt = cells[k + 1] if k + 1 < len(cells) else None
            if cell["cell_type"] == "code":  # a learner cell keeps only the values it gives, not its stubs
                learner = nxt is not None and is_solution(nxt)
                before |= given_names(cell["source"]) if learner else defined_names(cell["source"])
            continue
        pending = defined_names(cell["source"]) - before
        for j in range(k + 1, len(cells)):
            later = cells[j]
            if later["cell_type"] != "code" or is_solution(later):
                continue
            if is_self_check(later) and all(is_self_check(c) or c["cell_type"] != "code"
                                            for c in cells[k + 1:j + 1]):
                continue  # the exercise's own self-check is meant to read the answer
            hits = pending & used_before_defined(later["source"])
            if hits:
                found.append(Dependency(name, k, j, tuple(sorted(hits))))
            pending -= defined_names(later["source"])
            if not pending:
                break
    return found


def _strip_solution_sentences(markdown: str) -> str:
    """Drop the sentences that point at a solution cell (the learner edition has none)."""
    out = []
    for paragraph in markdown.split("\n\n"):
        flat = " ".join(paragraph.split("\n"))
        wrapped = flat.startswith("_") and flat.endswith("_") and len(flat) > 2
        inner = flat[1:-1] if wrapped else flat
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z(`])", inner)
        kept = [s for s in sentences if not SOLUTION_SENTENCE.search(s)]
        if len(kept) == len(sentences):
            out.append(paragraph)
        elif kept:
            text = " ".join(kept)
            out.append(f"_{text}_" if wrapped else text)
    return "\n\n".join(out)


def learner_edition(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook without solutions, with cleared self-checks and plain learner cells."""
    nb = copy.deepcopy(nb)
    cells = nb["cells"]
    keep = []
    for i, cell in enumerate(cells):
        if is_solution(cell):
            continue
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if cell["cell_type"] == "code" and nxt is not None and is_solution(nxt):  # the learner cell
            cell["outputs"], cell["execution_count"] = [], None
            if not YOUR_TURN_RE.match(cell["source"].lstrip()):
                cell["source"] = f"{YOUR_TURN}\n{cell['source']}"
        if is_self_check(cell):
            cell["outputs"], cell["execution_count"] = [], None
        if cell["cell_type"] == "markdown" and cell["source"].startswith("### Exercise"):
            cell["source"] = _strip_solution_sentences(cell["source"])
        keep.append(cell)
    nb["cells"] = keep
    nb.setdefault("metadata", {})["medimg_edition"] = "learner"
    return nb


@dataclass
class GuideNotes:
    """What the instructor guide says, by notebook number."""

    schedule: dict[str, str]
    stuck: list[tuple[str, str]]  # (bold title, the whole bullet)

    def for_notebook(self, number: str) -> list[str]:
        """The guide's "where learners get stuck" items for one notebook (all generic ones too)."""
        items = []
        for title, text in self.stuck:
            key = next((k for k in STUCK_TOPICS if k in title.lower()), None)
            if key is None or number in STUCK_TOPICS[key]:
                items.append(text)
        return items


def read_guide(path: Path = GUIDE) -> GuideNotes:
    """Parse the schedule rows and the "Where learners usually get stuck" bullets."""
    text = path.read_text(encoding="utf-8")
    schedule: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*(\d\d)\s*\|\s*([^|]+?)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+\s*[–-]\s*\d+)\s*\|", line)
        if m:  # each notebook stands in one day's table: its slot is the one in that day's plan
            schedule[m.group(1)] = (f"{m.group(3)} min teaching + {m.group(4)} min exercises; "
                                    f"minutes {m.group(5)} of its day in the instructor guide's schedule")
    section = text.split("## Where learners usually get stuck", 1)[-1].split("\n## ", 1)[0]
    stuck = []
    for bullet in re.findall(r"^- (.+?)(?=^- |\Z)", section, flags=re.M | re.S):
        bullet = " ".join(bullet.split())
        m = re.match(r"\*\*(.+?)\*\*", bullet)
        stuck.append((m.group(1) if m else bullet[:40], bullet))
    return GuideNotes(schedule, stuck)


def instructor_notes(number: str, guide: GuideNotes) -> str:
    """The Markdown of the instructor-notes cell for one notebook."""
    lines = ["## Instructor notes", "",
             "_This cell is in the instructor edition only (from `docs/INSTRUCTORS.md`). Solutions are shown "
             "below each exercise._", ""]
    if number in guide.schedule:
        lines += [f"**Timing:** {guide.schedule[number]}.", ""]
    items = guide.for_notebook(number)
    if items:
        lines += ["**Where learners usually get stuck:**", ""] + [f"- {item}" for item in items]
    return "\n".join(lines).rstrip() + "\n"


def instructor_edition(nb: dict[str, Any], number: str, guide: GuideNotes) -> dict[str, Any]:
    """The notebook with its solutions shown and the instructor notes after the title cell."""
    import nbformat

    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if is_solution(cell):
            cell.get("metadata", {}).pop("jupyter", None)
        if cell["cell_type"] == "markdown" and cell["source"].startswith("### Exercise"):
            cell["source"] = cell["source"].replace("The collapsed cell below", "The cell below")
    note = nbformat.v4.new_markdown_cell(instructor_notes(number, guide))
    note.metadata["tags"] = ["instructor-notes"]
    nb["cells"].insert(1, note)
    nb.setdefault("metadata", {})["medimg_edition"] = "instructor"
    return nb


def build(out: Path, paths: Iterable[Path]) -> tuple[list[Path], list[Dependency]]:
    """Write both editions of ``paths`` under ``out``; return the files written and learner-edition hazards."""
    import nbformat

    from .normalise import dumps, normalise

    guide = read_guide()
    written, hazards = [], []
    for edition in ("learner", "instructor"):
        (out / edition).mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        hazards += check_dependencies(nb, path.stem)
        for edition, made in (("learner", learner_edition(nb)),
                              ("instructor", instructor_edition(nb, path.name[:2], guide))):
            target = out / edition / path.name
            target.write_text(dumps(normalise(made)), encoding="utf-8")
            written.append(target)
    return written, hazards


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.editions", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="folder for learner/ and instructor/")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every numbered notebook")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    written, hazards = build(args.out, paths)
    print(f"Wrote {len(written)} notebooks to {display_path(args.out / 'learner')} and "
          f"{display_path(args.out / 'instructor')}")
    for hazard in hazards:
        print(f"WARNING {hazard}", file=sys.stderr)
    return 1 if hazards else 0


if __name__ == "__main__":
    sys.exit(main())
