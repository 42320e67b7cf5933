"""benchmarks/benchmark.py: the pure parts (title cells, tables, README splicing, schedules); no notebook runs."""
import json

import pytest

from benchmarks import benchmark as bm

TITLE = """# 07 · Pneumonia classification

Intro paragraph.

[![Open In Colab](badge)](link)

**Learning objectives.** By the end of this notebook you can:
- Train a small CNN on chest X-rays
- Choose a decision threshold on validation data

**Prerequisites:** 01–06

**Time:** 50 min teaching + 30 min exercises"""


def _m(stem, mode="full", seconds=100.0, peak=900.0, ok=True, **metrics):
    return bm.Measurement(stem, mode, ok, seconds, seconds * 1.5, peak, metrics, "" if ok else "cell 3: boom")


def test_parse_title_cell():
    info = bm.parse_title_cell("07_pneumonia_classification", TITLE)
    assert (info.number, info.title, info.teach, info.exercise, info.minutes) == (
        "07", "Pneumonia classification", 50, 30, 80)
    assert info.objectives == ("Train a small CNN on chest X-rays", "Choose a decision threshold on validation data")


@pytest.mark.parametrize("bad, message", [("no heading", "NN · Title"), ("# 07 · X\n\nno time", "Time")])
def test_parse_title_cell_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        bm.parse_title_cell("x", bad)


def test_read_info_of_every_notebook():
    from utils.run import find_notebooks

    for path in find_notebooks():
        info = bm.read_info(path)
        assert path.stem.startswith(info.number) and info.minutes > 0 and 3 <= len(info.objectives) <= 5


def test_read_info_from_file(tmp_path):
    path = tmp_path / "07_x.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": TITLE.splitlines(True)}]}))
    assert bm.read_info(path).teach == 50


def test_budgets():
    assert bm.within_budget(_m("01_a", seconds=299, peak=2000))
    assert not bm.within_budget(_m("01_a", seconds=301))
    assert not bm.within_budget(_m("01_a", peak=2100))
    assert not bm.within_budget(_m("01_a", ok=False))
    assert bm.within_budget(_m("07_a", "fast", seconds=50)) and not bm.within_budget(_m("01_a", "fast", seconds=50))


def test_headline_prefers_test_metrics():
    assert bm.headline({"train_seconds": 3.0, "val_auc": 0.9, "test_auc": 0.95123, "dataset": "x"}) == "test_auc=0.951"
    assert bm.headline({"mean_dice": 0.8}) == "mean_dice=0.800"
    assert bm.headline({"dataset": "x"}) == ""


def test_render_results():
    runs = [_m("01_a", test_acc=0.9), _m("02_b", seconds=400), _m("01_a", "fast", seconds=150),
            _m("02_b", "fast", seconds=250, ok=False)]
    md = bm.render_results(runs, {"cpus": 2})
    assert md.startswith("# Benchmark results") and "Machine: cpus 2" in md
    full, fast = md.split("## Fast mode")
    assert "| 01_a | ok | 100 | 150 | 900 | test_acc=0.900 | ✓ |" in full
    assert "| 02_b | ok | 400 |" in full and full.count("✗") == 1
    assert "FAILED: cell 3: boom" in fast
    assert "| **total** | | **400** | | | | ✗ |" in fast   # 150 + 250 s > 360 s


def test_merge_replaces_remeasured_pairs():
    merged = bm.merge([_m("01_a"), _m("02_b"), _m("01_a", "fast")], [_m("02_b", seconds=5)])
    assert [(m.notebook, m.mode, m.seconds) for m in merged] == [
        ("01_a", "full", 100.0), ("02_b", "full", 5.0), ("01_a", "fast", 100.0)]


def test_readme_table_keeps_handwritten_text_and_missing_rows():
    previous = """| # | notebook | what you will be able to do | class time (min) | full-mode run (s) | peak memory (MB) |
|---|---|---|---|---:|---:|
| 07 | [Pneumonia](notebooks/07_p.ipynb) | train a classifier | | | |
| 08 | [Heart](notebooks/08_h.ipynb) | segment the left atrium | | | |
"""
    info = bm.parse_title_cell("07_pneumonia_classification", TITLE)
    table = bm.readme_table([info], {"07_pneumonia_classification": _m("07_pneumonia_classification")}, previous)
    lines = table.splitlines()
    assert lines[2] == ("| 07 | [Pneumonia classification](notebooks/07_pneumonia_classification.ipynb) | "
                        "train a classifier | 50 + 30 | 100 | 900 |")
    assert lines[3].startswith("| 08 | [Heart](notebooks/08_h.ipynb) | segment the left atrium")
    fresh = bm.readme_table([info], {}).splitlines()[2]
    assert "| train a small CNN on chest X-rays | 50 + 30 |  |  |" in fresh


def test_splice_and_between():
    text = "intro\n<!-- t:start -->\nold\n<!-- t:end -->\noutro\n"
    new = bm.splice(text, "new table", "t")
    assert new == "intro\n<!-- t:start -->\nnew table\n<!-- t:end -->\noutro\n"
    assert bm.between(new, "t").strip() == "new table" and bm.between(new, "other") == ""
    with pytest.raises(ValueError, match="t:start"):
        bm.splice("no markers", "x", "t")


def test_readme_has_the_markers():
    text = (bm.ROOT / "README.md").read_text(encoding="utf-8")
    assert bm.table_rows(bm.between(text, "notebook-table"))


def _cell(kind, text, tags=()):
    cell = {"cell_type": kind, "source": text.splitlines(True), "metadata": {"tags": list(tags)} if tags else {}}
    if kind == "code":
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "kept\n"}]
    return cell


CELLS = [
    _cell("markdown", TITLE),
    _cell("markdown", "## 1 · First\n\ntext"),
    _cell("code", "model = make_model().fit(x, y)"),
    _cell("markdown", "## 2 · Second\n\n### Exercise 7.1 · Pick a threshold\n\nprompt"),
    _cell("code", "answer = ..."),
    _cell("code", "answer = LogisticRegression().fit(x, y)", tags=["solution"]),   # not counted
    _cell("markdown", "### Exercise 7.2\n\n## Key takeaways\n\n## Further reading"),     # unnumbered: not counted
    _cell("code", "x_std = scaler.fit_transform(x)"),                                     # not .fit(: not counted
]


def test_notebook_structure_counts_what_the_rule_needs():
    st = bm.notebook_structure(CELLS)
    assert (st.sections, st.training_cells, st.exercises) == (2, 1, ("7.1 · Pick a threshold", "7.2"))


@pytest.mark.parametrize("sections, fits, exercises, expected", [
    (8, 0, 3, (40, 30)), (10, 7, 2, (85, 20)), (0, 0, 0, (0, 0)), (11, 1, 3, (60, 30))])
def test_estimate_minutes(sections, fits, exercises, expected):
    st = bm.Structure(sections, fits, tuple(str(i) for i in range(exercises)))
    assert bm.estimate_minutes(st) == expected


def test_estimate_rounds_to_five(monkeypatch):
    monkeypatch.setattr(bm, "MINUTES_PER_SECTION", 4)
    monkeypatch.setattr(bm, "MINUTES_PER_EXERCISE", 7)
    assert bm.estimate_minutes(bm.Structure(3, 0, ("a", "b", "c"))) == (10, 20)   # 12 -> 10, 21 -> 20


def test_update_time_line_changes_only_the_time_line(tmp_path):
    path = tmp_path / "07_x.ipynb"
    path.write_text(json.dumps({"cells": CELLS, "metadata": {"kernelspec": {"name": "python3"}}}, indent=1))
    before = json.loads(path.read_text())
    assert bm.update_time_line(path) is True
    after = json.loads(path.read_text())
    assert "**Time:** 15 min teaching + 20 min exercises" in "".join(after["cells"][0]["source"])
    assert after["cells"][1:] == before["cells"][1:] and after["metadata"] == before["metadata"]
    assert bm.read_info(path).teach == 15
    assert bm.update_time_line(path) is False          # idempotent


def test_update_time_line_needs_a_time_line(tmp_path):
    path = tmp_path / "07_x.ipynb"
    path.write_text(json.dumps({"cells": [_cell("markdown", "# 07 · X\n\nno time")]}))
    with pytest.raises(ValueError, match="Time"):
        bm.update_time_line(path)


def _notebooks():
    from utils.run import find_notebooks

    return find_notebooks()


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem[:2])
def test_committed_time_line_follows_the_rule(path):
    info = bm.read_info(path)
    assert (info.teach, info.exercise) == bm.estimate_minutes(bm.read_structure(path)), (
        f"{path.name}: run python -m benchmarks.benchmark --update-times")


def test_instructor_guide_quotes_the_rule():
    text = (bm.ROOT / "docs" / "INSTRUCTORS.md").read_text(encoding="utf-8")
    assert bm.between(text, "time-rule").strip() == bm.rule_text().strip()


def test_plan_minutes_breaks_and_homework():
    infos = [bm.NotebookInfo(f"0{n}_x", f"0{n}", f"Title {n}", ("a",), 60, 30) for n in range(1, 5)]
    rows, total = bm.plan_minutes(infos)
    assert [r[0] for r in rows] == ["01", "", "02", "", "03", "", "04"]     # 90 + 90 > 120: a break each time
    assert total == 4 * 90 + 3 * 15
    rows, total = bm.plan_minutes(infos, one_exercise=True)
    assert rows[0] == ("01", 60, 10, 0, 70) and total == 4 * 70 + 3 * 15
    short = [bm.NotebookInfo("01_x", "01", "T", ("a",), 30, 20), bm.NotebookInfo("02_x", "02", "T", ("a",), 40, 20)]
    assert [r[0] for r in bm.plan_minutes(short)[0]] == ["01", "02"]       # 110 min: no break needed


def test_schedule():
    infos = [bm.NotebookInfo(f"0{n}_x", f"0{n}", f"Title {n}", ("a",), 45, 30) for n in range(1, 9)]
    exercises = {f"0{n}": (f"{n}.1 · A", f"{n}.2 · B", f"{n}.3 · C") for n in range(1, 9)}
    text = bm.schedule(infos, exercises)
    fits, day1, day2 = text.split("\n**")
    assert "| 01–02 | 165 min ≈ 2.8 h: a half day |" in fits          # 75 + 15 + 75
    assert "| 01–04 | 345 min ≈ 5.8 h: a full day |" in fits
    assert "| 01–08 |" in fits and "more than a day" in fits.splitlines()[-1]
    assert day1.startswith("Day 1") and "| 01 | Title 1 | 45 | 30 | 0–75 | Exercise 1.2, Exercise 1.3 |" in day1
    assert "| | *break* | | | 75–90 | |" in day1
    assert day2.startswith("Day 2") and "| 05 | Title 5 | 45 | 30 | 0–75 |" in day2
    partial = bm.schedule(infos[:3])
    assert "not written yet" in partial and "| 03 | Title 3 | 45 | 30 |" in partial and "| none |" in partial


def test_fast_mode_values_and_table():
    params = ('# Parameters\nDATASET = "auto"\nEPOCHS = CFG.pick(fast=2, full=15)\n'
              'IMAGE_SIZE = CFG.pick(fast=48, full=64)  # pixels per side\nSIZES = CFG.pick(fast=(1, 2), full=(3, 4))')
    rows = bm.fast_mode_values("08_x", params)
    assert rows == [("08", "EPOCHS", "2", "15", ""), ("08", "IMAGE_SIZE", "48", "64", "pixels per side"),
                    ("08", "SIZES", "(1, 2)", "(3, 4)", "")]
    table = bm.fast_mode_table(rows).splitlines()
    assert table[0].startswith("| # | parameter | fast | full |")
    assert table[3] == "| 08 | `IMAGE_SIZE` | 48 | 64 | pixels per side |"


def test_fast_mode_values_of_every_notebook():
    from utils.run import find_notebooks

    assert all(bm.read_fast_mode_values(p) for p in find_notebooks())


def test_report_keeps_the_real_data_section(tmp_path):
    md = tmp_path / "results.md"
    md.write_text("# Benchmark results\n\nold tables\n\n## Real data\n\n| 08 | Task02 | full |\n")
    assert bm.real_data_section(md) == "\n## Real data\n\n| 08 | Task02 | full |\n"
    md.write_text("# Benchmark results\n\nno real data yet\n")
    assert bm.real_data_section(md) == ""
