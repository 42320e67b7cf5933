"""Self-checks for notebook 02 (machine-learning basics). Each prints a pass or a hint and returns None."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from utils.checks import check

EMPTY = "the answer is still empty: replace the ... with your code. "


def _empty(*values: Any) -> bool:
    return any(v is None or v is Ellipsis for v in values)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def exercise_2_1(precision: Any, recall: Any, f1: Any, recall_always_normal: Any, *,
                 y_true: np.ndarray, y_pred: np.ndarray) -> None:
    """Precision, recall and F1 of the lesion class, and the recall of a model that always says "normal"."""
    from sklearn.metrics import f1_score, precision_score, recall_score

    if _empty(precision, recall, f1, recall_always_normal):
        check(False, EMPTY + "Compute precision, recall and f1 from tp, fp, fn, tn, and answer "
                             "recall_always_normal with a number.")
        return
    values = [_number(v) for v in (precision, recall, f1, recall_always_normal)]
    if any(v is None for v in values):
        check(False, "each answer should be a single number.")
        return
    p, r, f, r0 = values
    # Independent reference: scikit-learn on the labels, not the learner's four counts.
    ref_p, ref_r, ref_f = precision_score(y_true, y_pred), recall_score(y_true, y_pred), f1_score(y_true, y_pred)
    close = lambda a, b: bool(np.isclose(a, b, rtol=1e-6, atol=1e-9))  # noqa: E731
    if close(p, ref_r) and close(r, ref_p) and not close(p, ref_p):
        check(False, "precision and recall are swapped: precision = TP / (TP + FP) (of the patches called "
                     "lesion), recall = TP / (TP + FN) (of the real lesions).")
    elif not close(p, ref_p):
        check(False, "precision = TP / (TP + FP): the share of 'lesion' calls that are right.")
    elif not close(r, ref_r):
        check(False, "recall = TP / (TP + FN): the share of real lesions that are found.")
    elif close(f, (ref_p + ref_r) / 2) and not close(f, ref_f):
        check(False, "that is the arithmetic mean; F1 is the harmonic mean, 2 · P · R / (P + R).")
    elif not close(f, ref_f):
        check(False, "F1 = 2 · precision · recall / (precision + recall).")
    elif close(r0, 1 - np.mean(y_true)):
        check(False, f"{r0:.3f} is the accuracy of 'always normal'. Its recall counts the lesions it finds: "
                     "TP = 0, so recall = 0 / (0 + FN).")
    else:
        check(close(r0, 0.0), "'always normal' never says lesion, so TP = 0: what is TP / (TP + FN)?",
              success=f"precision {ref_p:.3f}, recall {ref_r:.3f}, F1 {ref_f:.3f}; 'always normal' has recall 0 "
                      "whatever its accuracy")


def one_standard_error_choice(Cs: Sequence[float], means: Sequence[float], ses: Sequence[float]) -> float:
    """The smallest C (strongest regularisation) whose mean score is within one standard error of the best."""
    means, ses = np.asarray(means, dtype=float), np.asarray(ses, dtype=float)
    best = int(np.argmax(means))
    floor = means[best] - ses[best]
    order = np.argsort(np.asarray(Cs, dtype=float))
    return float(next(Cs[i] for i in order if means[i] >= floor))


def exercise_2_2(cv_auc: Any, cv_se: Any, best_C: Any, *, Cs: Sequence[float], make_model: Callable[..., Any],
                 X_dev: np.ndarray, y_dev: np.ndarray, cv: Any) -> None:
    """Mean and standard error of the cross-validated AUC per C, and the one-standard-error choice of C."""
    from sklearn.model_selection import GridSearchCV

    if _empty(cv_auc, cv_se, best_C):
        check(False, EMPTY + "Fill cv_auc and cv_se (one number per C, in the order of Cs) and best_C.")
        return
    # Independent reference: GridSearchCV runs the same folds itself.
    search = GridSearchCV(make_model(), {"logisticregression__C": list(Cs)}, cv=cv, scoring="roc_auc")
    search.fit(X_dev, y_dev)
    means = search.cv_results_["mean_test_score"]
    stds = search.cv_results_["std_test_score"]          # population standard deviation (ddof = 0)
    k = search.n_splits_
    try:
        auc = np.asarray(cv_auc, dtype=float)
        se = np.asarray(cv_se, dtype=float)
    except (TypeError, ValueError):
        check(False, "cv_auc and cv_se should be lists of numbers, one per C.")
        return
    if auc.shape != means.shape or se.shape != means.shape:
        check(False, f"cv_auc and cv_se need {len(Cs)} numbers each, one per C in the order of Cs.")
        return
    if not np.allclose(auc, means, atol=1e-6):
        check(False, "cv_auc should hold the mean of cross_val_score(make_model(C), X_dev, y_dev, cv=cv, "
                     "scoring='roc_auc') for each C (ROC AUC, not accuracy; the development set, not the test set).")
        return
    se_pop, se_sample = stds / np.sqrt(k), stds * np.sqrt(k / (k - 1)) / np.sqrt(k)
    if np.allclose(se, stds, atol=1e-6) and not np.allclose(se, se_pop, atol=1e-6):
        check(False, f"that is the standard deviation across folds; the standard error of the mean divides it by "
                     f"√k (k = {k} folds).")
        return
    if not (np.allclose(se, se_pop, atol=1e-6) or np.allclose(se, se_sample, atol=1e-6)):
        check(False, "cv_se is scores.std() / np.sqrt(len(scores)) for each C.")
        return
    allowed = {one_standard_error_choice(Cs, means, se_pop), one_standard_error_choice(Cs, means, se_sample)}
    chosen = _number(best_C)
    top = float(Cs[int(np.argmax(means))])
    if chosen is not None and chosen not in allowed and np.isclose(chosen, top):
        check(False, f"C = {top:g} has the highest mean, but the one-standard-error rule takes the smallest C "
                     "(the simplest model) whose mean is within one standard error of that best mean.")
        return
    pick = min(allowed)
    check(chosen is not None and any(np.isclose(chosen, a) for a in allowed),
          "best_C: find the highest mean, subtract its standard error, and take the smallest C whose mean "
          "reaches that floor.",
          success=f"C = {pick:g} is within one standard error of the best mean AUC ({means.max():.4f} at "
                  f"C = {top:g})")
