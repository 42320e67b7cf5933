"""Exercise self-checks: print a clear pass, or a hint, never a traceback."""
from __future__ import annotations

from typing import Any

import numpy as np

PASS = "✅ Pass"
HINT = "❌ Not yet"


def check(condition: bool, hint: str, success: str = "") -> None:
    """Print a pass (with an optional note) when ``condition`` holds, otherwise the hint."""
    print(f"{PASS}{' · ' + success if success else ''}" if condition else f"{HINT}: {hint}")


def check_close(value: Any, expected: Any, hint: str, rtol: float = 1e-5, atol: float = 1e-8) -> None:
    """Pass when ``value`` equals ``expected`` within tolerance (numbers or arrays of equal shape)."""
    if value is None or value is Ellipsis:
        check(False, "the answer is still empty. " + hint)
        return
    try:
        a, b = np.asarray(value, dtype=float), np.asarray(expected, dtype=float)
        ok = a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        ok = False
    check(ok, hint)


def check_equal(value: Any, expected: Any, hint: str) -> None:
    """Pass when ``value == expected`` (arrays compared element-wise, shapes included)."""
    if isinstance(value, np.ndarray) or isinstance(expected, np.ndarray):
        a, b = np.asarray(value), np.asarray(expected)
        check(a.shape == b.shape and bool(np.array_equal(a, b)), hint)
        return
    check(value == expected, hint)
