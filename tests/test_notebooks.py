"""Every committed notebook follows the course shape and carries clean full-mode outputs."""
import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ABSOLUTE = re.compile(r"(/work/|/tmp/|/home/|/root/|/Users/|[A-Z]:\\\\Users)")
NOISE = re.compile(r"Warning|Traceback|oneDNN|cuda|absl::")


def _text(output) -> str:
    if "text" in output:
        return output["text"]
    return "".join(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))


def test_the_eight_notebooks_are_there():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(1, 9)]


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def nb(request):
    return nbformat.read(request.param, as_version=4)


def test_title_cell_has_objectives_prerequisites_and_time(nb):
    title = nb.cells[0]
    assert title.cell_type == "markdown"
    assert re.match(r"# \d\d · \S", title.source)
    objectives = re.findall(r"^- \S", title.source.split("Learning objectives")[1], flags=re.M)
    assert 3 <= len(objectives) <= 6
    assert "**Prerequisites:**" in title.source
    assert re.search(r"\*\*Time:\*\* \d+ min teaching \+ \d+ min exercises", title.source)


def test_parameters_cell_and_closing_sections(nb):
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code")
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()]
    assert "## Key takeaways" in headings and "## Further reading" in headings


def test_exercises_have_hidden_solutions_and_self_checks(nb):
    cells = nb.cells
    starts = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("### Exercise")]
    assert len(starts) >= 2
    for i in starts:
        learner, solution, self_check = cells[i + 1], cells[i + 2], cells[i + 3]
        assert learner.cell_type == "code"
        assert "solution" in solution.metadata.get("tags", [])
        assert solution.metadata.get("jupyter", {}).get("source_hidden") is True
        assert self_check.source.startswith("# Self-check")


def test_committed_outputs_are_full_mode_and_clean(nb):
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert all(c.execution_count is not None for c in code), "commit executed notebooks (python -m utils.run --inplace)"
    setup_output = "".join(_text(o) for o in code[0].outputs)
    assert setup_output.startswith("Mode: full"), "committed outputs must come from a full-mode run"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", cell.source[:80]
            text = _text(output)
            assert not (output.get("name") == "stderr" and NOISE.search(text)), text[:200]
            assert not ABSOLUTE.search(text), f"absolute path in output: {text[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_full_mode_results_are_committed(path):
    results = ROOT / "results" / f"{path.stem}.json"
    assert results.is_file(), f"run the notebook in full mode to write {results.name}"
    data = json.loads(results.read_text())
    assert data["notebook"] == path.stem and data["mode"] == "full"
