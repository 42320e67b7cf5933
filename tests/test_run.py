import json

import pytest

from utils import run


def test_find_notebooks_orders_and_filters(tmp_path, monkeypatch):
    for name in ("02_b.ipynb", "01_a.ipynb", "10_z.ipynb", "notes.ipynb"):
        (tmp_path / name).write_text("{}")
    monkeypatch.setattr(run, "NOTEBOOKS", tmp_path)
    assert [p.name for p in run.find_notebooks()] == ["01_a.ipynb", "02_b.ipynb", "10_z.ipynb"]
    assert [p.name for p in run.find_notebooks(["02"])] == ["02_b.ipynb"]
    with pytest.raises(SystemExit, match="No notebook matches"):
        run.find_notebooks(["07"])


def test_headline_prefers_test_metrics(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "ROOT", tmp_path)
    (tmp_path / "results").mkdir()
    data = {"notebook": "07_x", "mode": "full", "train_seconds": 80.0, "val_auc": 0.9, "test_auc": 0.95123}
    (tmp_path / "results" / "07_x.json").write_text(json.dumps(data))
    assert run.headline("07_x", fast=False) == "test_auc=0.951"
    assert run.headline("07_x", fast=True) == ""


def test_table_marks_failures():
    rows = list(run.table([run.RunResult("01_a", True, 12.3, 456.0, "test_auc=0.9"),
                           run.RunResult("02_b", False, 1.0, 100.0, "", "cell 3 ('x = 1/0'): ZeroDivisionError")]))
    assert rows[2] == "| 01_a | ok | 12 | 456 | test_auc=0.9 |"
    assert "FAILED: cell 3" in rows[3]


def test_execute_reports_the_failing_cell(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    path = tmp_path / "98_broken.ipynb"
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("raise ValueError('bad input')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    result, _ = run.execute(path, fast=True, timeout=60, progress=False)
    assert not result.ok
    assert "cell 2" in result.error and "ValueError" in result.error and "raise ValueError" in result.error
    assert result.peak_mb > 0
