"""utils.selfcheck.nb02: each self-check passes the right answer and fails the typical wrong ones."""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from utils.selfcheck import nb02

from selfcheck_verdict import verdict as _verdict


Y_TRUE = np.array([1] * 10 + [0] * 30)
Y_PRED = np.array([1] * 6 + [0] * 4 + [1] * 2 + [0] * 28)      # TP 6, FN 4, FP 2, TN 28
TP, FN, FP, TN = 6, 4, 2, 28
P, R = TP / (TP + FP), TP / (TP + FN)
F1 = 2 * P * R / (P + R)


@pytest.mark.parametrize("answer, passes", [
    pytest.param((P, R, F1, 0), True, id="right"),
    pytest.param((..., ..., ..., ...), False, id="still-empty"),
    pytest.param((R, P, F1, 0), False, id="precision-and-recall-swapped"),
    pytest.param((P, R, (P + R) / 2, 0), False, id="f1-as-arithmetic-mean"),
    pytest.param((TP / (TP + FN + FP), R, F1, 0), False, id="precision-with-fn-in-denominator"),
    pytest.param((P, R, F1, 0.75), False, id="always-normal-recall-given-as-its-accuracy"),
    pytest.param((P, R, F1, 1.0), False, id="always-normal-recall-one"),
])
def test_exercise_2_1(capsys, answer, passes):
    p, r, f, r0 = answer
    assert _verdict(capsys, lambda: nb02.exercise_2_1(p, r, f, r0, y_true=Y_TRUE, y_pred=Y_PRED)) is passes


def make_model(C=1.0):
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))


rng = np.random.default_rng(0)
Y_DEV = (rng.random(150) < 0.3).astype(int)
X_DEV = rng.normal(size=(150, 3)) + 0.6 * Y_DEV[:, None] * np.array([1.0, 0.5, 0.0])
CV = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)     # small and fast: 4 C × 3 folds
CS = [0.001, 0.01, 0.1, 1.0]
SCORES = [cross_val_score(make_model(C), X_DEV, Y_DEV, cv=CV, scoring="roc_auc") for C in CS]
MEANS = [s.mean() for s in SCORES]
SES = [s.std() / np.sqrt(len(s)) for s in SCORES]
ONE_SE = nb02.one_standard_error_choice(CS, MEANS, SES)
TOP = CS[int(np.argmax(MEANS))]


def test_fixture_separates_the_two_rules():
    assert ONE_SE != TOP and ONE_SE < TOP


def test_one_standard_error_choice_by_hand():
    assert nb02.one_standard_error_choice([0.1, 1, 10], [0.80, 0.86, 0.87], [0.01, 0.01, 0.02]) == 1
    assert nb02.one_standard_error_choice([10, 1, 0.1], [0.87, 0.86, 0.80], [0.005, 0.01, 0.01]) == 10


@pytest.mark.parametrize("answer, passes", [
    pytest.param(lambda: (MEANS, SES, ONE_SE), True, id="right"),
    pytest.param(lambda: (MEANS, [s.std(ddof=1) / np.sqrt(3) for s in SCORES], ONE_SE), True, id="right-sample-std"),
    pytest.param(lambda: (..., ..., ...), False, id="still-empty"),
    pytest.param(lambda: (MEANS, SES, TOP), False, id="highest-mean-instead-of-one-se-rule"),
    pytest.param(lambda: (MEANS, SES, max(CS)), False, id="largest-C"),
    pytest.param(lambda: (MEANS, [s.std() for s in SCORES], ONE_SE), False, id="std-instead-of-standard-error"),
    pytest.param(lambda: ([cross_val_score(make_model(C), X_DEV, Y_DEV, cv=CV).mean() for C in CS], SES, ONE_SE),
                 False, id="accuracy-instead-of-auc"),
    pytest.param(lambda: (MEANS[:-1], SES[:-1], ONE_SE), False, id="one-C-missing"),
])
def test_exercise_2_2(capsys, answer, passes):
    auc, se, best = answer()
    assert _verdict(capsys, lambda: nb02.exercise_2_2(auc, se, best, Cs=CS, make_model=make_model, X_dev=X_DEV,
                                                      y_dev=Y_DEV, cv=CV)) is passes
