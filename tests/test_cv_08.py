"""benchmarks/cv_08.py: pools the held-out patients of the three fold rows, and refuses a missing fold."""
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("cv_08", ROOT / "benchmarks" / "cv_08.py")
cv_08 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cv_08)


def fold_row(k: int, scores: dict[str, tuple[float, float]], ok: bool = True) -> dict:
    return {"label": f"CV fold {k}", "ok": ok, "metrics": {"per_patient": {
        case: {"dice": net, "final_dice": chosen, "centre_off_mm": 1.0} for case, (net, chosen) in scores.items()}}}


def test_every_fold_contributes_its_own_patients():
    rows = [fold_row(0, {"a": (0.8, 0.9)}), fold_row(1, {"b": (0.6, 0.7)}), fold_row(2, {"c": (0.4, 0.5)})]
    patients = cv_08.pooled(rows, "CV fold {}")
    assert {case: s["fold"] for case, s in patients.items()} == {"a": 0, "b": 1, "c": 2}
    assert [patients[c]["chosen"] for c in "abc"] == [0.9, 0.7, 0.5]


def test_a_missing_or_failed_fold_is_an_error_not_a_smaller_mean():
    rows = [fold_row(0, {"a": (0.8, 0.9)}), fold_row(1, {"b": (0.6, 0.7)}), fold_row(2, {"c": (0.4, 0.5)}, ok=False)]
    with pytest.raises(SystemExit, match="CV fold 2"):
        cv_08.pooled(rows, "CV fold {}")
    with pytest.raises(SystemExit, match="CV fold 1"):
        cv_08.pooled(rows[:1], "CV fold {}")


def test_each_views_scores_are_pooled_when_the_rows_hold_them(capsys, monkeypatch, tmp_path):
    rows = [fold_row(k, {c: (0.8, 0.9)}) for k, c in enumerate("abc")]
    for row, axial in zip(rows, (0.7, 0.8, 0.9)):
        for scores in row["metrics"]["per_patient"].values():
            scores["view_dice"] = {"axial": axial, "sagittal": 0.5}
    patients = cv_08.pooled(rows, "CV fold {}")
    assert [patients[c]["view axial"] for c in "abc"] == [0.7, 0.8, 0.9]
    (tmp_path / "rows.json").write_text(json.dumps(rows))
    monkeypatch.setattr(cv_08, "JSON_IN", tmp_path / "rows.json")
    assert cv_08.main(["CV fold {}"]) == 0
    out = capsys.readouterr().out
    assert "3 patients, axial network alone at 0.5: 0.800 ± 0.100" in out
    assert "3 patients, sagittal network alone at 0.5: 0.500 ± 0.000" in out
