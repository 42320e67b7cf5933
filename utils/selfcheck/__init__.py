"""Exercise self-checks, one module per notebook (``nb04.exercise_4_2``): each prints a pass or a hint.

The checks live here, not in the notebooks, so that ``tests/test_selfcheck_*.py`` can feed each one the
typical wrong answer and see it fail. They build on :mod:`utils.checks`.
"""
