"""Self-checks of notebook 07 (pneumonia classification). Each prints a pass or a hint and returns None."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check

EMPTY = "the answer is still empty: replace each ... with your code"


def _empty(*values: Any) -> bool:
    return any(v is None or v is Ellipsis for v in values)


def exercise_7_1(group_train: Any, group_test: Any, n_shared_grouped: Any, ids: np.ndarray) -> None:
    """A train/test split by patient: no patient on both sides, every image used once, the count right."""
    if _empty(group_train, group_test, n_shared_grouped):
        check(False, EMPTY + " (group_train, group_test, n_shared_grouped).")
        return
    try:
        tr, te = np.asarray(group_train, dtype=int).ravel(), np.asarray(group_test, dtype=int).ravel()
        shared = set(ids[tr].tolist()) & set(ids[te].tolist())
    except (TypeError, ValueError, IndexError):
        check(False, "group_train and group_test should be arrays of image positions (what splitter.split yields).")
        return
    if sorted(np.concatenate([tr, te]).tolist()) != list(range(len(ids))):
        check(False, "every image should be in exactly one of group_train and group_test; use the two arrays "
                     "returned by next(splitter.split(positions, groups=ids)).")
    elif shared:
        check(False, f"{len(shared)} patients are still in both splits: a split of images ignores patients. "
                     "Pass groups=ids to splitter.split(...).")
    elif n_shared_grouped != 0:
        check(False, f"n_shared_grouped is {n_shared_grouped!r}, but no patient is in both splits: count "
                     "len(set(ids[group_train]) & set(ids[group_test])).")
    else:
        check(True, "", "no patient is in both splits")


def _sens_spec(y: np.ndarray, p: np.ndarray, threshold: float) -> tuple[float, float]:
    pred = p >= threshold
    return float(pred[y == 1].mean()), float((~pred[y == 0]).mean())


def screening_threshold(y: np.ndarray, p: np.ndarray, min_sensitivity: float = 0.95) -> float:
    """The threshold with the highest specificity among those with sensitivity >= ``min_sensitivity``."""
    from sklearn.metrics import roc_curve

    fpr, tpr, thr = roc_curve(y, p)
    ok = tpr >= min_sensitivity
    return float(thr[ok][np.argmin(fpr[ok])].clip(0, 1))


def exercise_7_2(thr_screen: Any, screen: Any, y_val: np.ndarray, p_val: np.ndarray, y_test: np.ndarray,
                 p_test: np.ndarray) -> None:
    """The screening threshold is chosen on validation (sensitivity >= 0.95, best specificity), then the
    test set is scored with it."""
    if _empty(thr_screen, screen):
        check(False, EMPTY + " (thr_screen and screen).")
        return
    ref = screening_threshold(y_val, p_val)
    on_test = screening_threshold(y_test, p_test)
    try:
        thr = float(thr_screen)
    except (TypeError, ValueError):
        check(False, "thr_screen should be one number, a threshold between 0 and 1.")
        return
    if not np.isclose(thr, ref, atol=1e-6):
        if np.isclose(thr, on_test, atol=1e-6):
            hint = ("this threshold was picked on the TEST set, which makes the test score optimistic; use "
                    "roc_curve(data.y_val, p_val).")
        elif _sens_spec(y_val, p_val, thr)[0] < 0.95:
            hint = "at this threshold validation sensitivity is below 0.95; keep only thresholds with tpr >= 0.95."
        else:
            hint = "among thresholds with validation tpr >= 0.95, take the one with the lowest fpr."
        check(False, hint)
        return
    sens, spec = _sens_spec(y_test, p_test, ref)
    try:
        got = float(screen["sensitivity"]), float(screen["specificity"])
    except (TypeError, KeyError, ValueError):
        check(False, "screen should be the dictionary evaluate(data.y_test, p_test, thr_screen) returns.")
        return
    if not np.allclose(got, (sens, spec), atol=1e-9):
        vs, vc = _sens_spec(y_val, p_val, ref)
        scored_val = np.allclose(got, (vs, vc), atol=1e-9)
        check(False, "screen holds the validation scores; score the TEST set: evaluate(data.y_test, p_test, "
                     "thr_screen)." if scored_val else "score the test set with your threshold: "
                     "evaluate(data.y_test, p_test, thr_screen).")
        return
    check(True, "", "the threshold was chosen on validation and applied to test")


def exercise_7_3(ppv_5: Any, sensitivity: float, specificity: float, test_precision: float | None = None) -> None:
    """Precision at 5 % prevalence from sensitivity and specificity (Bayes' rule)."""
    if _empty(ppv_5):
        check(False, EMPTY + " (ppv_5).")
        return
    prev = 0.05
    ref = sensitivity * prev / (sensitivity * prev + (1 - specificity) * (1 - prev))
    try:
        value = float(ppv_5)
    except (TypeError, ValueError):
        check(False, "ppv_5 should be one number between 0 and 1.")
        return
    if np.isclose(value, ref, atol=1e-9):
        check(True, "", f"precision falls to {ref:.3f} when 5 % of films show pneumonia")
    elif test_precision is not None and np.isclose(value, test_precision, atol=1e-9):
        check(False, "that is the precision at the TEST set's prevalence; plug prev = 0.05 into Bayes' rule.")
    elif np.isclose(value, sensitivity * 0.5 / (sensitivity * 0.5 + (1 - specificity) * 0.5), atol=1e-9):
        check(False, "that is the precision at 50 % prevalence; use prev = 0.05.")
    else:
        check(False, "compute sens*prev / (sens*prev + (1 - spec)*(1 - prev)) with prev = 0.05.")
