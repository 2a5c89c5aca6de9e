"""Which sources to read: the working tree or a commit, and what identifies that version.

Every command that reads a version (``check``, ``build``, ``verify``, and the records) opens it
here. A version belongs to its agreement, not to the repository: its commit and time are those
of the last commit that touched the agreement's own files, so a commit elsewhere in the
repository changes neither its label nor a byte of its outputs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tymdocs import git
from tymdocs.config import CONFIG_FILE
from tymdocs.errors import UsageError
from tymdocs.sources import SOURCE_PATHSPECS, GitTree, SourceTree, WorkTree, uncommitted_sources


@dataclass(frozen=True)
class Source:
    """One version of the sources and what identifies it."""

    tree: SourceTree
    commit: str | None
    """The last commit that touched the agreement's files; None outside git."""
    dirty: bool
    timestamp: int
    ref: str | None
    location: str = ""
    """The agreement's folder relative to the repository's top ('' at the top)."""


def open_source(root: Path, ref: str | None = None) -> Source:
    """The sources at ``ref`` read straight from git, or the working tree when ``ref`` is None."""
    if not (root / CONFIG_FILE).is_file() and ref is None:
        raise UsageError(f"{root} has no {CONFIG_FILE}: not an agreement directory")
    state = git.repo_state(root)
    if ref is not None:
        if state is None:
            raise UsageError(f"--ref needs a git repository, and {root} is not in one")
        tip = git.resolve_commit(root, ref)
        commit, time = _version_commit(root, tip)
        tree = GitTree(root, tip)
        return Source(tree, commit, False, epoch(time), ref, state.prefix.rstrip("/"))
    if state is None or state.head is None:
        return Source(WorkTree(root), None, True, epoch(0), None)
    commit, time = _version_commit(root, state.head)
    dirty = commit is None or bool(uncommitted_sources(root))
    return Source(WorkTree(root), commit, dirty, epoch(time), None, state.prefix.rstrip("/"))


def _version_commit(root: Path, tip: str) -> tuple[str | None, int]:
    """The last commit up to ``tip`` that touched the agreement's files, and its time."""
    found = git.last_commit(root, tip, SOURCE_PATHSPECS)
    return found if found is not None else (None, 0)


def epoch(commit_time: int) -> int:
    """SOURCE_DATE_EPOCH when set, else the commit's time: never the clock."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        if not value.isdigit():
            raise UsageError(f"SOURCE_DATE_EPOCH must be whole seconds, not {value!r}")
        return int(value)
    return commit_time
