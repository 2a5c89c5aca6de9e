"""One error hierarchy for the whole library; ``cli.py`` turns it into messages and exit codes.

Exit codes follow click's contract: 1 for a problem in the sources or the history, 2 for usage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about the sources, located as ``path:line`` where a source is at fault."""

    path: str
    line: int | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
        }


def has_errors(problems: Iterable[Problem]) -> bool:
    """Whether any of ``problems`` is an error, not just a warning."""
    return any(problem.severity == "error" for problem in problems)


class TymdocsError(Exception):
    """Base of every error tymdocs reports to a user, with the problems behind it, if any."""

    exit_code = 1
    problems: tuple[Problem, ...] = ()


class UsageError(TymdocsError):
    """The command was asked for something impossible (a bad option value, a missing ref)."""

    exit_code = 2


class SourceError(TymdocsError):
    """The sources have errors; every problem found is carried, not just the first."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the sources")


class RefusedError(TymdocsError):
    """A record or a rewrite was refused: the agreement's rules or the repository's state do
    not allow it.

    Nothing was changed: not HEAD, not the index, not a byte of the working tree.
    """

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class GitError(TymdocsError):
    """git could not answer a question about the history."""


class ShallowError(TymdocsError):
    """The clone holds only part of the history, and the register lives in all of it."""

    def __init__(self, boundary: tuple[str, ...]) -> None:
        self.boundary = boundary
        super().__init__(
            f"this clone holds only part of the history (it starts at {boundary[0][:12]}), and "
            "the register lives in all of it: fetch the rest first (git fetch --unshallow; "
            "in CI, a fetch depth of 0)"
        )


class GitMissingError(TymdocsError):
    """The ``git`` executable is not installed or not on PATH.

    Not a :class:`GitError`, which callers may take to mean "no history here" and carry on
    (a working tree outside git builds as a draft): without git nothing can be told at all.
    """


class RenderError(TymdocsError):
    """A renderer failed on a model that validated; a bug in tymdocs rather than in the sources."""


class BuildError(TymdocsError):
    """The build could not write its outputs."""
