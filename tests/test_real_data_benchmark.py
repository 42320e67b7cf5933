"""benchmarks/real_data.py: its Markdown section replaces only itself in results.md (no notebook is run)."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("real_data", ROOT / "benchmarks" / "real_data.py")
real_data = importlib.util.module_from_spec(spec)
spec.loader.exec_module(real_data)

ROW = {"notebook": "07_pneumonia_classification", "label": "stand-in", "mode": "full", "ok": True, "wall_s": 250.0,
       "cpu_s": 300.0, "peak_mb": 900, "metrics": {"test_accuracy": 0.9, "test_auc": 0.95, "n_train": 4708},
       "error": "", "machine": {"load_1min": 3.0}, "date": "2026-12-01 18:00 UTC"}


def test_section_is_appended_then_replaced(tmp_path, monkeypatch):
    md = tmp_path / "results.md"
    md.write_text("# Benchmark results\n\n## Full mode\n\n| a |\n")
    monkeypatch.setattr(real_data, "MD_OUT", md)
    real_data.write_md([ROW])
    first = md.read_text()
    assert "## Full mode\n\n| a |" in first and "## Real data" in first and "accuracy 0.900" in first
    md.write_text(first + "\n## Later section\n\nkept\n")
    real_data.write_md([{**ROW, "wall_s": 111.0}])
    text = md.read_text()
    assert text.count("## Real data") == 1 and "| 111 |" in text and "| 250 |" not in text
    assert "## Later section\n\nkept" in text and "## Full mode" in text


def test_failed_run_row_says_so():
    rows = real_data.md_rows([{**ROW, "ok": False, "error": "DataLayoutError: x"}])
    assert "FAILED: DataLayoutError: x" in rows[-1]
