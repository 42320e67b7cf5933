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


def test_schedule():
    infos = [bm.NotebookInfo(f"0{n}_x", f"0{n}", f"Title {n}", ("a",), 45, 25) for n in range(1, 9)]
    text = bm.schedule(infos)
    half_a, half_b, full = text.split("\n**")
    assert "Half day A" in half_a and "295 min" in half_a and "| | *break* | | | 140–155 |" in half_a
    assert "220 min ≈ 3.7 h of teaching with one 10-minute exercise" in half_a
    assert "| 05 | Title 5 | 45 | 25 | 0–70 |" in half_b
    assert "Full day" in full and "| 08 | Title 8 | 45 | 25 |" in full
    partial = bm.schedule(infos[:3])
    assert "not written yet" in partial


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
