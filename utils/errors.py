"""The course's own error for bad input: what was found, what was expected, which file, and what to do."""
from __future__ import annotations

from pathlib import Path

from .config import display_path


class CourseDataError(ValueError):
    """Input the course cannot use. The message reads: ``<file>: <problem>; expected <expected>. <fix>``."""

    def __init__(self, problem: str, *, path: str | Path | None = None, expected: str | None = None,
                 fix: str | None = None) -> None:
        self.problem, self.path, self.expected, self.fix = problem, path, expected, fix
        message = f"{display_path(path)}: {problem}" if path is not None else problem
        if expected:
            message += f"; expected {expected}"
        if fix:
            message += f". {fix}"
        super().__init__(message)
