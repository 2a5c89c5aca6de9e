"""The only door to git: revisions, commit times, the dirty flag, and sources read from a commit.

Plain ``git`` subprocesses, batched where it matters (``ls-tree`` once, ``cat-file --batch``
for every blob), so reading a version costs a few processes however many files it has.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tymdocs.config import CONFIG_FILE
from tymdocs.errors import GitError, UsageError
from tymdocs.sources import ANNEX_DIR, TEXT_DIR, is_source_path

SOURCE_PATHSPECS = (CONFIG_FILE, TEXT_DIR, ANNEX_DIR)


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    if completed.returncode != 0:
        message = completed.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return completed.stdout


def is_repository(root: Path) -> bool:
    """Whether ``root`` lies inside a git work tree."""
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except GitError:
        return False


def head_commit(root: Path) -> str | None:
    """The commit HEAD points at, or None in a repository without commits."""
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").decode().strip()
    except GitError:
        return None


def resolve_commit(root: Path, rev: str) -> str:
    """The full id of the commit ``rev`` names (a branch, tag, or abbreviated id)."""
    if rev.startswith("-"):
        raise UsageError(f"not a revision: {rev!r}")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        raise UsageError(f"unknown revision {rev!r}: no such commit, branch or tag") from None


def commit_time(root: Path, commit: str) -> int:
    """The committer time of ``commit``, in seconds since the epoch."""
    return int(_git(root, "show", "-s", "--format=%ct", commit).strip())


def has_uncommitted_sources(root: Path) -> bool:
    """Whether any source file differs from HEAD: changed, staged, deleted or new."""
    prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    status = _git(
        root, "status", "--porcelain", "-z", "--untracked-files=all", "--", *SOURCE_PATHSPECS
    )
    for entry in status.split(b"\0"):
        path = entry[3:].decode(errors="replace")
        if path.startswith(prefix) and is_source_path(path[len(prefix) :]):
            return True
    return False


class GitTree:
    """The sources as committed in one commit, read without a checkout."""

    def __init__(self, root: Path, commit: str) -> None:
        self.root = root
        self.commit = commit
        self.description = f"commit {commit[:12]}"
        listing = _git(root, "ls-tree", "-r", "-z", commit, "--", *SOURCE_PATHSPECS)
        self._blobs: dict[str, str] = {}
        for entry in filter(None, listing.split(b"\0")):
            meta, _, path = entry.decode().partition("\t")
            _mode, kind, blob = meta.split()
            if kind == "blob" and is_source_path(path):
                self._blobs[path] = blob
        self._contents: dict[str, bytes] | None = None

    def paths(self) -> list[str]:
        return sorted(self._blobs)

    def read(self, path: str) -> bytes:
        if self._contents is None:
            self._contents = self._read_all()
        return self._contents[path]

    def _read_all(self) -> dict[str, bytes]:
        """Every blob in one ``git cat-file --batch`` process."""
        order = sorted(self._blobs)
        request = "".join(f"{self._blobs[path]}\n" for path in order).encode()
        output = _git(self.root, "cat-file", "--batch", stdin=request)
        contents: dict[str, bytes] = {}
        offset = 0
        for path in order:
            header_end = output.index(b"\n", offset)
            size = int(output[offset:header_end].split()[2])
            start = header_end + 1
            contents[path] = output[start : start + size]
            offset = start + size + 1
        return contents
