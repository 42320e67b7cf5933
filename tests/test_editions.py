"""utils.editions: the learner edition has no solutions, cleared self-checks and plain learner cells, and runs
top to bottom (nbval); the instructor edition shows solutions and the guide's notes; hazards are found."""
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from utils.editions import (YOUR_TURN, build, check_dependencies, instructor_edition, learner_edition,
                            read_guide)
from utils.normalise import is_solution

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# nbval runs these learner editions in the default suite (no model training, seconds each);
# MEDIMG_LEARNER_NOTEBOOKS=all runs every one.
QUICK = ("01", "02", "04", "05")


def code(source, tags=(), outputs=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = list(tags)
    cell.outputs = [nbformat.v4.new_output("stream", text=t) for t in outputs]
    return cell


def exercise_nb(later="print(total)"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 · Title\n\n**Time:** 25 min teaching + 15 min exercises"),
                code("import numpy as np\nvalues = np.arange(4)"),
                nbformat.v4.new_markdown_cell("### Exercise 1.1 · Sum\n\nSum `values`.\n\n_Write your answer in the "
                                              "cell below, then run the self-check. The collapsed cell below it "
                                              "holds a solution._"),
                code("total = ..."),
                code("# Solution 1.1\ntotal = int(values.sum())\nprint(total)", tags=["solution"], outputs=["6"]),
                code("# Self-check 1.1\ncheck(total == 6)", outputs=["✅ Pass"]),
                code(later)]
    nb.cells[4].metadata["jupyter"] = {"source_hidden": True}
    return nb


def test_learner_edition_removes_solutions_and_clears_self_checks():
    out = learner_edition(exercise_nb())
    assert not any(is_solution(c) for c in out.cells) and len(out.cells) == 6
    learner, check = out.cells[3], out.cells[4]
    assert learner.source.splitlines()[0] == YOUR_TURN and "total = ..." in learner.source
    assert check.outputs == [] and check.execution_count is None
    assert "solution" not in out.cells[2].source and "cell below, then run the self-check." in out.cells[2].source


@pytest.mark.parametrize("later, hazard", [
    pytest.param("print(grid)", None, id="name-the-learner-cell-gives-a-value"),
    pytest.param("print(grid, total)", ("total",), id="stubbed-name-still-a-hazard"),
])
def test_values_given_in_the_learner_cell_stay(later, hazard):
    nb = exercise_nb(later)
    nb.cells[3].source = "grid = [1, 2, 3]\ntotal = ..."
    nb.cells[4].source = "# Solution 1.1\ngrid = [1, 2, 3]\ntotal = int(values.sum())"
    assert [d.names for d in check_dependencies(nb, "01_x")] == ([hazard] if hazard else [])


def test_learner_cell_keeps_its_own_your_turn_line():
    nb = exercise_nb()
    nb.cells[3].source = "# Your turn: replace the ... below.\ntotal = ..."
    assert learner_edition(nb).cells[3].source == nb.cells[3].source


@pytest.mark.parametrize("later, hazard", [
    pytest.param("print(total)", ("total",), id="later-cell-reads-the-answer"),
    pytest.param("total = 3\nprint(total)", None, id="later-cell-redefines-it"),
    pytest.param("print(values)", None, id="later-cell-reads-an-earlier-name"),
])
def test_dependencies_on_a_solution_are_found(later, hazard):
    found = check_dependencies(exercise_nb(later), "01_x")
    assert [d.names for d in found] == ([hazard] if hazard else [])
    if hazard:
        assert "01_x: cell 7 uses total" in str(found[0])


def test_instructor_edition_shows_solutions_and_the_guides_notes():
    guide = read_guide()
    out = instructor_edition(exercise_nb(), "07", guide)
    assert "jupyter" not in out.cells[5].metadata  # the solution, shown
    notes = out.cells[1]
    assert notes.cell_type == "markdown" and "instructor-notes" in notes.metadata["tags"]
    title = "".join(nbformat.read(ROOT / "notebooks" / "07_pneumonia_classification.ipynb", 4).cells[0].source)
    teaching, exercises = re.search(r"\*\*Time:\*\*\s*(\d+) min teaching \+ (\d+) min exercises", title).groups()
    assert f"**Timing:** {teaching} min teaching + {exercises} min exercises; minutes " in notes.source
    assert "Data leakage" in notes.source and "Dice on the wrong arrays" not in notes.source


def test_every_notebook_gets_timing_and_stuck_points_from_the_guide():
    guide = read_guide()
    assert set(guide.schedule) == {p.name[:2] for p in NOTEBOOKS}
    for number in guide.schedule:
        assert guide.for_notebook(number), number  # at least the generic items


def test_guide_links_the_instructor_edition():
    text = (ROOT / "docs" / "INSTRUCTORS.md").read_text(encoding="utf-8")
    assert "python -m utils.editions" in text and "editions.html" in text


@pytest.fixture(scope="module")
def editions():
    out = ROOT / "build" / "test-editions"
    written, hazards = build(out, NOTEBOOKS)
    return out, hazards


def test_no_later_cell_depends_on_a_solution(editions):
    _, hazards = editions
    assert hazards == [], "\n".join(map(str, hazards))


def test_learner_editions_run_top_to_bottom_under_nbval(editions):
    out, _ = editions
    wanted = os.environ.get("MEDIMG_LEARNER_NOTEBOOKS", "")
    paths = [out / "learner" / p.name for p in NOTEBOOKS if wanted == "all" or p.name[:2] in QUICK]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *map(str, paths)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    tail = "\n".join(run.stdout.strip().splitlines()[-15:])
    assert run.returncode == 0, f"learner editions fail under nbval:\n{tail}"
