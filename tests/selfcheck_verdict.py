"""Shared by the self-check tests: run a check, insist on exactly one verdict, and return whether it passed."""
PASS, FAIL = "✅ Pass", "❌"


def verdict(capsys, call) -> bool:
    """``call()`` prints through utils.checks and returns None; True when it printed a pass, False for a hint."""
    assert call() is None
    out = capsys.readouterr().out
    assert (PASS in out) != (FAIL in out), out
    return PASS in out
