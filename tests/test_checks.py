import numpy as np
import pytest

from utils.checks import check, check_close, check_equal


@pytest.mark.parametrize("call, passes", [
    (lambda: check(True, "hint"), True),
    (lambda: check(False, "hint"), False),
    (lambda: check_close(0.1 + 0.2, 0.3, "hint"), True),
    (lambda: check_close([1.0, 2.0], [1.0, 2.1], "hint"), False),
    (lambda: check_close(np.ones((2, 2)), np.ones(4), "hint"), False),
    (lambda: check_close("abc", 1.0, "hint"), False),
    (lambda: check_close(None, 1.0, "hint"), False),
    (lambda: check_equal(np.array([1, 2]), np.array([1, 2]), "hint"), True),
    (lambda: check_equal(np.array([1, 2]), np.array([[1, 2]]), "hint"), False),
    (lambda: check_equal("a", "a", "hint"), True),
])
def test_pass_or_hint(capsys, call, passes):
    assert call() is None
    out = capsys.readouterr().out
    assert ("✅ Pass" in out) is passes
    assert ("hint" in out) is not passes


def test_empty_answer_is_named(capsys):
    check_close(..., 2.0, "compute the mean")
    assert "still empty" in capsys.readouterr().out


def test_success_note(capsys):
    check(True, "hint", success="well done")
    assert capsys.readouterr().out.strip() == "✅ Pass · well done"
