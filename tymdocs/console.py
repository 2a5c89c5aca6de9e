"""What tymdocs says on the command line, without click: a problem of the sources as
``path:line: severity: message``, a failure as ``Error: ...`` and its exit code, and what
``build`` reports. :mod:`tymdocs.cli` prints it through click for every command;
:mod:`tymdocs.quick` runs a ``build`` with plain options without loading click at all (click
and the commands' definitions are 10 ms of a build), in the same words: one copy of each.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tymdocs.characters import printable
from tymdocs.errors import Problem, TymdocsError

if TYPE_CHECKING:
    from tymdocs.build import Selection
    from tymdocs.revision import Source

Echo = Callable[[str, bool], None]
"""Print a line: to standard error where the flag is set."""


@dataclass(frozen=True)
class Settings:
    """What every command runs with: the agreement's folder (``-C``) and ``--verbose``."""

    root: Path
    verbose: bool

    def shown(self, path: str) -> str:
        """A source path as the user can open it from where they ran the command."""
        return os.path.relpath(self.root / path) if self.root != Path.cwd() else path


def shown(settings: Settings, problem: Problem) -> Problem:
    """``problem`` with its path as the user can open it."""
    return Problem(settings.shown(problem.path), problem.line, problem.message, problem.severity)


def problem_line(settings: Settings, problem: Problem) -> str:
    """``path:line: severity: message`` as every command prints a problem of the sources, its
    path as the user named the folder, any control character shown as its code."""
    return printable(str(shown(settings, problem)))


def failed(exc: Exception, settings: Settings, echo: Echo) -> int:
    """Report a command's failure, inside the ``except`` that caught it, and give its exit
    code: a :class:`TymdocsError` by its problems and message (its traceback with
    ``--verbose`` where it names no problem), anything else as a bug in tymdocs (its
    traceback with ``--verbose``)."""
    if not isinstance(exc, TymdocsError):
        if settings.verbose:
            traceback.print_exc()
        echo(f"Error: internal error: {exc!r} (run with --verbose for details)", True)
        return 1
    for problem in exc.problems:
        echo(problem_line(settings, problem), True)
    if settings.verbose and not exc.problems:
        traceback.print_exc()
    echo(f"Error: {printable(str(exc))}", True)
    return exc.exit_code


def output_refusal(settings: Settings, output: Path) -> str | None:
    """Why outputs may not go into ``output``, or None: never into the sources, the register
    or a git folder, which they would change."""
    from tymdocs.paths import ANNEX_DIR, RECORDS_DIR, TEXT_DIR

    out = output.resolve()
    for folder in (settings.root / name for name in (TEXT_DIR, ANNEX_DIR, RECORDS_DIR)):
        if out == folder.resolve() or folder.resolve() in out.parents:
            return (
                f"-o {output}: outputs never go into the sources or the register ({folder.name}/)"
            )
    if ".git" in out.parts:
        return f"-o {output}: outputs never go into a git folder"
    return None


def quiet_libraries(verbose: bool) -> None:
    """What other packages may print while a command runs: their log records (pyHanko logs
    tracebacks for expected findings) and warnings only with ``--verbose``."""
    import logging

    logging.disable(logging.NOTSET if verbose else logging.CRITICAL)
    if not verbose:
        quiet_other_packages()


def quiet_other_packages() -> None:
    """Keep warnings raised inside other packages (a dependency deprecating what another one
    imports) off the terminal: the user can do nothing about them. A warning attributed to
    tymdocs's own code falls through to the interpreter's filters (``-W``, PYTHONWARNINGS).
    The caller restores the filters when the command ends."""
    warnings.filterwarnings("ignore", module=r"(?!tymdocs(?:\.|$))")


def build(
    settings: Settings,
    source: Source,
    out: Path,
    selection: Selection,
    *,
    force: bool,
    quiet: bool,
    as_json: bool,
    echo: Echo,
) -> None:
    """``tymdocs build`` of ``source`` into ``out`` (a folder the caller has allowed): each
    file as it is written where standard error is a terminal, then every warning of the
    sources as ``check`` prints it and what was built; or the manifest as JSON."""
    from tymdocs import build as builder

    terminal = not quiet and not as_json and sys.stderr.isatty()

    def progress(name: str, kind: str) -> None:
        if terminal:
            echo(f"  wrote {os.path.relpath(out / name)} ({kind})", True)

    result = builder.build(source, out, force=force, selection=selection, progress=progress)
    if as_json:
        echo(json.dumps(result.manifest, indent=2, ensure_ascii=False), False)
    elif not quiet:
        # Every warning as check prints it: `make build` runs build alone, the sources read
        # and checked once (an up-to-date build read none, and has nothing new to say).
        for problem in result.problems:
            if problem.severity == "warning":
                echo(problem_line(settings, problem), True)
        where = os.path.relpath(out)
        if result.up_to_date:
            echo(f"{where} is up to date ({result.manifest.get('version')})", False)
        else:
            count = len(result.manifest["outputs"]) + 1
            echo(f"built {count} files into {where}: {result.manifest['version']}", False)
