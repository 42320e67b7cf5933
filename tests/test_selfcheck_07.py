"""Self-checks of notebook 07: each gets the right answer (pass) and the typical wrong answers (hint)."""
import numpy as np
import pytest
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from utils.checks import HINT, PASS
from utils.selfcheck import nb07
from utils.selfcheck.nb07 import screening_threshold

IDS = np.repeat([f"p{i}" for i in range(60)], 3)
POS = np.arange(len(IDS))


def _grouped():
    tr, te = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(POS, groups=IDS))
    return tr, te


def _scores(seed, n=300, shift=0.0):
    rng = np.random.default_rng(seed)
    y = (rng.uniform(size=n) < 0.65).astype(int)
    p = 1 / (1 + np.exp(-(2.2 * (y - 0.5) * 2 + rng.normal(0, 1.3, n) + shift)))
    return y, p


Y_VAL, P_VAL = _scores(1)
Y_TEST, P_TEST = _scores(2, shift=0.4)


def _eval(y, p, t):
    pred = p >= t
    return {"sensitivity": pred[y == 1].mean(), "specificity": (~pred[y == 0]).mean()}


def run(capsys, fn, *args):
    assert fn(*args) is None
    return capsys.readouterr().out


def test_7_1_right(capsys):
    tr, te = _grouped()
    out = run(capsys, nb07.exercise_7_1, tr, te, 0, IDS)
    assert PASS in out and HINT not in out


def _random_split():
    tr, te = train_test_split(POS, test_size=0.2, random_state=0)
    return tr, te, 0


@pytest.mark.parametrize("answer", [
    pytest.param(lambda: (..., ..., ...), id="empty-stubs"),
    pytest.param(lambda: (None, None, None), id="none-stubs"),
    pytest.param(_random_split, id="image-split-ignores-patients"),
    pytest.param(lambda: (*_grouped(), 3), id="wrong-shared-count"),
    pytest.param(lambda: (_grouped()[0], _grouped()[0], 0), id="train-passed-twice"),
    pytest.param(lambda: ("abc", "def", 0), id="not-index-arrays"),
])
def test_7_1_wrong(answer, capsys):
    out = run(capsys, nb07.exercise_7_1, *answer(), IDS)
    assert HINT in out and PASS not in out


def test_7_2_right(capsys):
    thr = screening_threshold(Y_VAL, P_VAL)
    out = run(capsys, nb07.exercise_7_2, thr, _eval(Y_TEST, P_TEST, thr), Y_VAL, P_VAL, Y_TEST, P_TEST)
    assert PASS in out and HINT not in out


def _on_test():
    thr = screening_threshold(Y_TEST, P_TEST)
    return thr, _eval(Y_TEST, P_TEST, thr)


def _youden():
    from sklearn.metrics import roc_curve

    fpr, tpr, thr = roc_curve(Y_VAL, P_VAL)
    t = float(thr[np.argmax(tpr - fpr)])
    return t, _eval(Y_TEST, P_TEST, t)


def _scored_val():
    thr = screening_threshold(Y_VAL, P_VAL)
    return thr, _eval(Y_VAL, P_VAL, thr)


@pytest.mark.parametrize("answer, phrase", [
    pytest.param(lambda: (..., ...), "still empty", id="empty-stubs"),
    pytest.param(_on_test, "TEST set", id="threshold-picked-on-test"),
    pytest.param(_youden, "", id="youden-instead-of-screening"),
    pytest.param(lambda: (0.5, _eval(Y_TEST, P_TEST, 0.5)), "", id="default-half"),
    pytest.param(_scored_val, "validation scores", id="scored-validation-not-test"),
    pytest.param(lambda: (screening_threshold(Y_VAL, P_VAL), 0.9), "dictionary", id="screen-not-a-dict"),
])
def test_7_2_wrong(answer, phrase, capsys):
    assert not np.isclose(screening_threshold(Y_TEST, P_TEST), screening_threshold(Y_VAL, P_VAL))  # fixture
    out = run(capsys, nb07.exercise_7_2, *answer(), Y_VAL, P_VAL, Y_TEST, P_TEST)
    assert HINT in out and PASS not in out and phrase in out


SENS, SPEC, PREC = 0.9, 0.85, 0.93


def test_7_3_right(capsys):
    ppv = SENS * 0.05 / (SENS * 0.05 + (1 - SPEC) * 0.95)
    out = run(capsys, nb07.exercise_7_3, ppv, SENS, SPEC, PREC)
    assert PASS in out and HINT not in out


@pytest.mark.parametrize("value, phrase", [
    pytest.param(..., "still empty", id="empty-stub"),
    pytest.param(PREC, "TEST set's prevalence", id="test-set-precision"),
    pytest.param(SENS / (SENS + 1 - SPEC), "50 %", id="prevalence-one-half"),
    pytest.param(SENS * 0.05 / (SENS * 0.05 + (1 - SPEC)), "prev = 0.05", id="forgot-one-minus-prev"),
    pytest.param("0.2", "prev = 0.05", id="string"),
])
def test_7_3_wrong(value, phrase, capsys):
    out = run(capsys, nb07.exercise_7_3, value, SENS, SPEC, PREC)
    assert HINT in out and PASS not in out and phrase in out
